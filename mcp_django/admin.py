"""Admin for MCP sessions: list, search, filter, inspect and terminate (action and button)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import McpSession, McpTask, McpToken
from .server import servers


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", _("active or idle")), ("terminated", _("terminated"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "active":
            return queryset.filter(terminated_at__isnull=True)
        if self.value() == "terminated":
            return queryset.filter(terminated_at__isnull=False)
        return queryset


def terminate(session: McpSession, request: HttpRequest) -> bool:
    if session.terminated_at is not None:
        return False
    server = servers.get(session.server)
    by = f"admin:{request.user.get_username()}"
    if server is not None:
        server.terminate_session_sync(session.session_id, by)
    return True


@admin.register(McpSession)
class McpSessionAdmin(admin.ModelAdmin):
    list_display = ("short_id", "client_name", "client_version", "protocol_version", "user",
                    "server", "created_at", "last_seen", "state_label")
    list_filter = (StateFilter, "protocol_version", "client_name", "server", "user")
    search_fields = ("session_id", "client_name", "principal", "user__username")
    date_hierarchy = "created_at"
    actions = ("terminate_sessions",)
    readonly_fields = [field.name for field in McpSession._meta.fields] + ["state_label",
                                                                          "terminate_button"]
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("session"), ordering="session_id")
    def short_id(self, obj: McpSession) -> str:
        return obj.session_id[:12] + "…"

    @admin.display(description=_("state"))
    def state_label(self, obj: McpSession) -> str:
        return obj.state

    @admin.display(description=_("terminate"))
    def terminate_button(self, obj: McpSession) -> str:
        if obj.pk is None or obj.terminated_at is not None:
            return "—"
        url = reverse("admin:mcp_django_mcpsession_terminate", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Terminate now"))

    @admin.action(description=_("Terminate selected sessions"),
                  permissions=["change"])
    def terminate_sessions(self, request: HttpRequest, queryset: Any) -> None:
        count = sum(terminate(session, request) for session in queryset)
        self.message_user(request, _("%d session(s) terminated.") % count, messages.SUCCESS)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.terminate_view)
        return [path("<int:pk>/terminate/", view,
                     name="mcp_django_mcpsession_terminate"), *super().get_urls()]

    def terminate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = get_object_or_404(McpSession, pk=pk)
        if not self.has_change_permission(request, session):
            raise PermissionDenied
        back_url = reverse("admin:mcp_django_mcpsession_change", args=[pk])
        if request.method != "POST":
            context = {**self.admin_site.each_context(request), "session": session,
                       "back_url": back_url, "title": _("Terminate MCP session")}
            return TemplateResponse(
                request, "admin/mcp_django/mcpsession/terminate_confirmation.html", context)
        if terminate(session, request):
            self.message_user(request, _("Session terminated."), messages.SUCCESS)
        return HttpResponseRedirect(back_url)


@admin.register(McpTask)
class McpTaskAdmin(admin.ModelAdmin):
    list_display = ("short_id", "tool", "status", "principal", "user", "server", "created_at",
                    "updated_at", "expires_at")
    list_filter = ("status", "server", "tool", "user")
    search_fields = ("task_id", "tool", "principal", "user__username", "status_message")
    date_hierarchy = "created_at"
    actions = ("cancel_tasks",)
    readonly_fields = [field.name for field in McpTask._meta.fields]
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("task"), ordering="task_id")
    def short_id(self, obj: McpTask) -> str:
        return obj.task_id[:12] + "…"

    @admin.action(description=_("Cancel selected tasks"), permissions=["change"])
    def cancel_tasks(self, request: HttpRequest, queryset: Any) -> None:
        """Ask each running task to stop; its worker's heartbeat (on any worker, within a
        second) cancels it, and a task whose runner is gone is cancelled at once."""
        from .tasks import store

        count = 0
        for task in queryset.exclude(status__in=("completed", "failed", "cancelled")):
            store.request_cancel(task.task_id)
            if task.lease_expires_at is None or task.lease_expires_at < timezone.now():
                store.finish(task.task_id, status="cancelled",
                             status_message=f"Cancelled by {request.user.get_username()}")
            count += 1
        self.message_user(request, _("%d task(s) asked to stop.") % count, messages.SUCCESS)


@admin.register(McpToken)
class McpTokenAdmin(admin.ModelAdmin):
    """Tokens: the secret is shown once, right after creation; revoke with an action."""

    list_display = ("name", "user", "masked", "created_at", "expires_at", "last_used_at",
                    "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    actions = ("revoke_tokens",)
    fields = ("name", "user", "expires_at")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    @admin.display(description=_("token"))
    def masked(self, obj: McpToken) -> str:
        return f"mcp_{obj.prefix}_…"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: McpToken, form: Any, change: bool) -> None:
        if change:
            return
        record, secret = McpToken.issue(obj.user, obj.name, obj.expires_at)
        obj.pk = record.pk
        self.message_user(request, format_html(
            _("Token created. Copy it now, it will not be shown again: <code>{}</code>"),
            secret), messages.WARNING)

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke_tokens(self, request: HttpRequest, queryset: Any) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%d token(s) revoked.") % count, messages.SUCCESS)
