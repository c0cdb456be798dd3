# Tasks carry their TTL deadline (expires_at) so the sweep and tasks/list can filter in SQL,
# and an index for counting a principal's live tasks (TASKS_PER_PRINCIPAL).

from datetime import timedelta

from django.db import migrations, models


def fill_expires_at(apps, schema_editor):
    McpTask = apps.get_model("mcp_django", "McpTask")
    for task in McpTask.objects.filter(ttl_ms__isnull=False).only("created_at", "ttl_ms"):
        task.expires_at = task.created_at + timedelta(milliseconds=min(task.ttl_ms, 2**31))
        task.save(update_fields=["expires_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('mcp_django', '0004_token'),
    ]

    operations = [
        migrations.AddField(
            model_name='mcptask',
            name='expires_at',
            field=models.DateTimeField(blank=True, db_index=True, null=True,
                                       verbose_name='expires'),
        ),
        migrations.AddIndex(
            model_name='mcptask',
            index=models.Index(fields=['server', 'principal', 'status'],
                               name='mcp_task_owner_status'),
        ),
        migrations.RunPython(fill_expires_at, migrations.RunPython.noop),
    ]
