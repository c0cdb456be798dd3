"""Admin for MCP sessions, tasks and tokens: inspect, terminate, cancel, issue and revoke."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .conf import mcp_settings
from .models import SESSION_STATES, McpSession, McpTask, McpToken
from .server import servers

BLANK = "—"
STATE_LABELS = {"active": _("active"), "idle": _("idle"), "expired": _("expired"),
                "terminated": _("terminated")}
READ_ONLY_PAGE = {"show_save": False, "show_save_and_continue": False,
                  "show_save_and_add_another": False}


# -- how values are shown ------------------------------------------------------------------------
def relative(value: datetime, now: datetime | None = None) -> str:
    """`42 seconds ago`, `3 minutes ago`, `in 2 hours, 5 minutes`."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if abs(seconds) < 60:
        whole = int(abs(seconds))
        amount = ngettext("%d\xa0second", "%d\xa0seconds", whole) % whole
    else:
        amount = timesince(value, now) if seconds > 0 else timeuntil(value, now)
    return (_("%s ago") if seconds >= 0 else _("in %s")) % amount


def moment(value: datetime | None) -> str:
    """A time to the second, in the current time zone, with how long ago it was."""
    if value is None:
        return BLANK
    return f"{dateformat.format(timezone.localtime(value), 'Y-m-d H:i:s')} ({relative(value)})"


def moment_column(field: str, description: Any) -> Callable[[Any, Any], str]:
    """A list/detail column showing the datetime `field` with `moment`."""

    @admin.display(description=description, ordering=field)
    def column(model_admin: Any, obj: Any) -> str:
        return moment(getattr(obj, field))

    return column


def span(delta: timedelta) -> str:
    """`2.4 s`, `42 s`, `1 min 15 s`, `3 h 5 min`."""
    total = max(delta.total_seconds(), 0.0)
    if total < 10:
        return f"{total:.1f} s"
    minutes, seconds = divmod(int(total), 60)
    if minutes == 0:
        return f"{seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {seconds} s"


def pretty_json(value: Any) -> str:
    """Indented JSON in a <pre>, escaped."""
    if value is None:
        return BLANK
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return format_html('<pre class="mcp-json">{}</pre>', text)


def json_column(field: str, description: Any) -> Callable[[Any, Any], str]:
    @admin.display(description=description)
    def column(model_admin: Any, obj: Any) -> str:
        return pretty_json(getattr(obj, field))

    return column


def link(url: str, text: Any, css: str = "") -> str:
    if css:
        return format_html('<a class="{}" href="{}">{}</a>', css, url, text)
    return format_html('<a href="{}">{}</a>', url, text)


def filtered(changelist: str, **params: Any) -> str:
    return f"{reverse(changelist)}?{urlencode(params)}"


def owner_fieldsets(fieldsets: Any, obj: Any) -> Any:
    """Drop the raw principal where a user is set: it only repeats the user."""
    if obj is None or obj.user_id is None:
        return fieldsets
    return [(name, {**options, "fields": [f for f in options["fields"] if f != "principal"]})
            for name, options in fieldsets]


class ReadOnlyPage(admin.ModelAdmin):
    """Change pages without Save buttons: the rows are written by the server, not here."""

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = {**READ_ONLY_PAGE, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)


# -- sessions ------------------------------------------------------------------------------------
def server_timings(name: str) -> tuple[float, float]:
    """(SESSION_TTL, SESSION_INDEX_THROTTLE) of server `name` (global ones if not mounted)."""
    server = servers.get(name)
    if server is not None:
        return float(server.setting("SESSION_TTL")), float(server.setting("SESSION_INDEX_THROTTLE"))
    return float(mcp_settings.SESSION_TTL), float(mcp_settings.SESSION_INDEX_THROTTLE)


def session_state(session: McpSession) -> str:
    return session.state_at(*server_timings(session.server))


def state_rows(queryset: Any, state: str) -> Any:
    """The sessions of `queryset` in `state`, each judged by its own server's timings."""
    now = timezone.now()
    if state == "terminated":
        return queryset.filter(McpSession.state_query(state, 0, 0, now))
    match = Q(pk__in=[])
    for name in queryset.order_by().values_list("server", flat=True).distinct():
        match |= Q(server=name) & McpSession.state_query(state, *server_timings(name), now)
    return queryset.filter(match)


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(state, STATE_LABELS[state]) for state in SESSION_STATES]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() in SESSION_STATES:
            return state_rows(queryset, self.value())
        return queryset


def terminate(session: McpSession, request: HttpRequest) -> bool:
    if session.terminated_at is not None:
        return False
    server = servers.get(session.server)
    by = f"admin:{request.user.get_username()}"
    if server is not None:
        server.terminate_session_sync(session.session_id, by)
    return True


def terminate_first(sessions: list[McpSession], request: HttpRequest) -> None:
    """Terminate `sessions` now, or once the current transaction commits: `terminate` writes
    through another database connection, which would wait for this transaction's lock (on
    SQLite until "database is locked")."""

    def run() -> None:
        for session in sessions:
            terminate(session, request)

    using = router.db_for_write(McpSession)
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(run, using=using)
    else:
        run()


@admin.register(McpSession)
class McpSessionAdmin(ReadOnlyPage):
    list_display = ("short_id", "client", "protocol_version", "user", "server", "created",
                    "seen", "state_label")
    list_filter = (StateFilter, "protocol_version", "client_name", "server", "user")
    search_fields = ("session_id", "client_name", "principal", "user__username")
    date_hierarchy = "created_at"
    actions = ("terminate_sessions",)
    fieldsets = [
        (None, {"fields": ["session_id", "server", "state_label", "terminate_button", "user",
                           "principal"]}),
        (_("Client"), {"fields": ["client_name", "client_version", "protocol_version",
                                  "client_info_json", "client_capabilities_json"]}),
        (_("Times"), {"fields": ["created", "seen", "terminated", "terminated_by"]}),
        (_("Related"), {"fields": ["tasks_link", "tokens_link"]}),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]
    list_select_related = ("user",)

    created = moment_column("created_at", _("created"))
    terminated = moment_column("terminated_at", _("terminated"))
    client_info_json = json_column("client_info", _("client info"))
    client_capabilities_json = json_column("client_capabilities", _("client capabilities"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return owner_fieldsets(super().get_fieldsets(request, obj), obj)

    @admin.display(description=_("session"), ordering="session_id")
    def short_id(self, obj: McpSession) -> str:
        return obj.session_id[:12] + "…"

    @admin.display(description=_("client"), ordering="client_name")
    def client(self, obj: McpSession) -> str:
        return f"{obj.client_name} {obj.client_version}".strip() or BLANK

    @admin.display(description=_("last seen"), ordering="last_seen")
    def seen(self, obj: McpSession) -> str:
        """Blank until the index updated it: at creation it only repeats `created`."""
        return moment(obj.last_seen) if obj.seen_after_creation else BLANK

    @admin.display(description=_("state"))
    def state_label(self, obj: McpSession) -> str:
        return STATE_LABELS[session_state(obj)]

    @admin.display(description=_("terminate"))
    def terminate_button(self, obj: McpSession) -> str:
        if obj.pk is None or obj.terminated_at is not None:
            return BLANK
        url = reverse("admin:mcp_django_mcpsession_terminate", args=[obj.pk])
        return link(url, _("Terminate now"), "button")

    @admin.display(description=_("tasks"))
    def tasks_link(self, obj: McpSession) -> str:
        count = McpTask.objects.filter(session_id=obj.session_id).count()
        url = filtered("admin:mcp_django_mcptask_changelist", session_id=obj.session_id)
        return link(url, ngettext("%d task of this session", "%d tasks of this session",
                                  count) % count)

    @admin.display(description=_("tokens"))
    def tokens_link(self, obj: McpSession) -> str:
        if obj.user_id is None:
            return BLANK
        count = McpToken.objects.filter(user_id=obj.user_id).count()
        url = filtered("admin:mcp_django_mcptoken_changelist", user__id__exact=obj.user_id)
        return link(url, ngettext("%(count)d token of %(user)s", "%(count)d tokens of %(user)s",
                                  count) % {"count": count, "user": obj.user})

    @admin.action(description=_("Terminate selected sessions"),
                  permissions=["change"])
    def terminate_sessions(self, request: HttpRequest, queryset: Any) -> None:
        count = sum(terminate(session, request) for session in queryset)
        self.message_user(request, _("%d session(s) terminated.") % count, messages.SUCCESS)

    def delete_view(self, request: HttpRequest, object_id: str,
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """A confirmed deletion terminates the session first, before the admin's delete
        transaction begins (`delete_model` runs inside it)."""
        session = self.get_object(request, unquote(object_id))
        if request.POST and session is not None and self.has_delete_permission(request, session):
            terminate(session, request)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: McpSession) -> None:
        """Deleting a row ends its session too: without the row it could not be ended."""
        terminate_first([obj], request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        terminate_first(list(queryset), request)
        super().delete_queryset(request, queryset)

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


# -- tasks ---------------------------------------------------------------------------------------
def cancel(task: McpTask, request: HttpRequest) -> bool:
    """Ask a running task to stop; its worker's heartbeat (on any worker, within a second)
    cancels it, and a task whose runner is gone is cancelled at once."""
    from .tasks import store

    if task.is_terminal:
        return False
    store.request_cancel(task.task_id)
    if task.lease_expires_at is None or task.lease_expires_at < timezone.now():
        store.finish(task.task_id, status="cancelled",
                     status_message=f"Cancelled by {request.user.get_username()}")
    return True


def result_text(result: Any) -> str:
    """The text blocks of a tool result, as text (their newlines as line breaks)."""
    content = result.get("content") if isinstance(result, dict) else None
    texts = [item["text"] for item in content or [] if isinstance(item, dict)
             and item.get("type") == "text" and isinstance(item.get("text"), str)]
    if not texts:
        return BLANK
    return format_html('<pre class="mcp-text">{}</pre>', "\n\n".join(texts))


@admin.register(McpTask)
class McpTaskAdmin(ReadOnlyPage):
    list_display = ("short_id", "tool", "status", "owner", "server", "created", "duration",
                    "expires")
    list_filter = ("status", "server", "tool", "user")
    search_fields = ("task_id", "tool", "principal", "user__username", "status_message",
                     "session_id")
    date_hierarchy = "created_at"
    actions = ("cancel_tasks",)
    fieldsets = [
        (None, {"fields": ["task_id", "tool", "status", "status_message", "cancel_button",
                           "server", "user", "principal", "era", "method", "session_link"]}),
        (_("Times"), {"fields": ["created", "updated", "duration", "expires", "ttl_ms",
                                 "poll_interval_ms"]}),
        (_("Input and output"), {"fields": ["arguments_json", "result_text", "result_json",
                                            "error_json", "input_requests_json",
                                            "input_responses_json"]}),
        (_("Runner"), {"fields": ["cancel_requested", "lease_owner", "lease_expires"]}),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]
    list_select_related = ("user",)

    created = moment_column("created_at", _("created"))
    updated = moment_column("updated_at", _("updated"))
    expires = moment_column("expires_at", _("expires"))
    lease_expires = moment_column("lease_expires_at", _("lease expires"))
    arguments_json = json_column("arguments", _("arguments"))
    result_json = json_column("result", _("result"))
    error_json = json_column("error", _("error"))
    input_requests_json = json_column("input_requests", _("outstanding input requests"))
    input_responses_json = json_column("input_responses", _("input responses"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return owner_fieldsets(super().get_fieldsets(request, obj), obj)

    @admin.display(description=_("task"), ordering="task_id")
    def short_id(self, obj: McpTask) -> str:
        return obj.task_id[:12] + "…"

    @admin.display(description=_("owner"), ordering="principal")
    def owner(self, obj: McpTask) -> str:
        return obj.user.get_username() if obj.user is not None else obj.principal

    @admin.display(description=_("duration"))
    def duration(self, obj: McpTask) -> str:
        text = span(obj.duration)
        return text if obj.is_terminal else _("%s so far") % text

    @admin.display(description=_("result as text"))
    def result_text(self, obj: McpTask) -> str:
        return result_text(obj.result)

    @admin.display(description=_("session"))
    def session_link(self, obj: McpTask) -> str:
        if not obj.session_id:
            return BLANK
        pk = McpSession.objects.filter(session_id=obj.session_id).values_list(
            "pk", flat=True).first()
        if pk is None:
            return format_html("{} ({})", obj.session_id, _("no longer in the session index"))
        return link(reverse("admin:mcp_django_mcpsession_change", args=[pk]), obj.session_id)

    @admin.display(description=_("cancel"))
    def cancel_button(self, obj: McpTask) -> str:
        if obj.pk is None or obj.is_terminal:
            return BLANK
        url = reverse("admin:mcp_django_mcptask_cancel", args=[obj.pk])
        return link(url, _("Cancel now"), "button")

    @admin.action(description=_("Cancel selected tasks"), permissions=["change"])
    def cancel_tasks(self, request: HttpRequest, queryset: Any) -> None:
        count = sum(cancel(task, request) for task in queryset)
        self.message_user(request, _("%d task(s) asked to stop.") % count, messages.SUCCESS)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.cancel_view)
        return [path("<int:pk>/cancel/", view, name="mcp_django_mcptask_cancel"),
                *super().get_urls()]

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = get_object_or_404(McpTask, pk=pk)
        if not self.has_change_permission(request, task):
            raise PermissionDenied
        back_url = reverse("admin:mcp_django_mcptask_change", args=[pk])
        if request.method != "POST":
            context = {**self.admin_site.each_context(request), "task": task,
                       "back_url": back_url, "title": _("Cancel MCP task")}
            return TemplateResponse(
                request, "admin/mcp_django/mcptask/cancel_confirmation.html", context)
        if cancel(task, request):
            self.message_user(request, _("Task asked to stop."), messages.SUCCESS)
        return HttpResponseRedirect(back_url)


# -- tokens --------------------------------------------------------------------------------------
@admin.register(McpToken)
class McpTokenAdmin(admin.ModelAdmin):
    """Tokens: the secret is shown once, right after creation; revoke with an action."""

    list_display = ("name", "user", "masked", "created", "expires", "last_used", "revoked")
    list_filter = ("revoked_at", "expires_at", "user")
    search_fields = ("name", "prefix", "user__username")
    actions = ("revoke_tokens",)
    fields = ("name", "user", "expires_at")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    created = moment_column("created_at", _("created"))
    expires = moment_column("expires_at", _("expires"))
    last_used = moment_column("last_used_at", _("last used"))
    revoked = moment_column("revoked_at", _("revoked"))

    @admin.display(description=_("token"))
    def masked(self, obj: McpToken) -> str:
        return f"mcp_{obj.prefix}_…"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: McpToken, form: Any, change: bool) -> None:
        if change:
            return
        record, secret = McpToken.issue(obj.user, obj.name, obj.expires_at)
        adopt(obj, record)
        self.message_user(request, format_html(
            _("Token created. Copy it now, it will not be shown again: <code>{}</code>"),
            secret), messages.WARNING)

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke_tokens(self, request: HttpRequest, queryset: Any) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%d token(s) revoked.") % count, messages.SUCCESS)


def adopt(obj: McpToken, record: McpToken) -> None:
    """Make the admin's unsaved `obj` the issued `record` (its prefix names it in messages)."""
    for field in McpToken._meta.concrete_fields:
        setattr(obj, field.attname, getattr(record, field.attname))
    obj._state.adding = False
    obj._state.db = record._state.db
