"""McpSession: a database index of legacy sessions, for the admin; the cache holds live state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACTIVE_SECONDS = 60
"""A session seen within this many seconds (plus `SESSION_INDEX_THROTTLE`, by which
`last_seen` lags) is active; within `SESSION_TTL` (plus the throttle) idle; then expired."""
SESSION_STATES = ("active", "idle", "expired", "terminated")


def state_cutoffs(ttl: float, throttle: float, now: datetime) -> tuple[datetime, datetime]:
    """(active since, live since): the oldest `last_seen` of an active and of a live session."""
    active = now - timedelta(seconds=ACTIVE_SECONDS + throttle)
    live = now - timedelta(seconds=ttl + throttle)
    return max(active, live), live


class McpSession(models.Model):
    session_id = models.CharField(_("session id"), max_length=64, unique=True)
    server = models.CharField(_("server"), max_length=100, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="mcp_sessions")
    principal = models.CharField(_("principal"), max_length=200, blank=True)
    protocol_version = models.CharField(_("protocol version"), max_length=20, db_index=True)
    client_name = models.CharField(_("client name"), max_length=200, blank=True, db_index=True)
    client_version = models.CharField(_("client version"), max_length=100, blank=True)
    client_info = models.JSONField(_("client info"), default=dict, blank=True)
    client_capabilities = models.JSONField(_("client capabilities"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    terminated_at = models.DateTimeField(_("terminated"), null=True, blank=True)
    terminated_by = models.CharField(_("terminated by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("MCP session")
        verbose_name_plural = _("MCP sessions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client_name or 'client'} {self.session_id[:8]}…"

    @property
    def state(self) -> str:
        """`state_at` with the global `MCP_DJANGO` timings (the admin uses each server's)."""
        from .conf import mcp_settings

        return self.state_at(mcp_settings.SESSION_TTL, mcp_settings.SESSION_INDEX_THROTTLE)

    def state_at(self, ttl: float, throttle: float, now: datetime | None = None) -> str:
        """One of `SESSION_STATES`; the same definition as `state_query`."""
        if self.terminated_at is not None:
            return "terminated"
        active_since, live_since = state_cutoffs(ttl, throttle, now or timezone.now())
        if self.last_seen < live_since:
            return "expired"
        return "active" if self.last_seen >= active_since else "idle"

    @staticmethod
    def state_query(state: str, ttl: float, throttle: float, now: datetime) -> Q:
        """The rows whose `state_at(ttl, throttle, now)` is `state`."""
        if state == "terminated":
            return Q(terminated_at__isnull=False)
        active_since, live_since = state_cutoffs(ttl, throttle, now)
        ranges = {"active": Q(last_seen__gte=active_since),
                  "idle": Q(last_seen__gte=live_since, last_seen__lt=active_since),
                  "expired": Q(last_seen__lt=live_since)}
        return Q(terminated_at__isnull=True) & ranges[state]

    @property
    def seen_after_creation(self) -> bool:
        """Whether the index updated `last_seen` since the row was created (both are set
        apart by microseconds on creation)."""
        return self.last_seen - self.created_at >= timedelta(seconds=1)


class McpTask(models.Model):
    """A long-running tool call: state, input it waits for, and its outcome (SEP-2663)."""

    STATUSES = [("working", _("working")), ("input_required", _("input required")),
                ("completed", _("completed")), ("failed", _("failed")),
                ("cancelled", _("cancelled"))]
    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    server = models.CharField(_("server"), max_length=100, db_index=True)
    principal = models.CharField(_("owner"), max_length=200, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="mcp_tasks")
    era = models.CharField(_("era"), max_length=10, default="modern")
    session_id = models.CharField(_("session id"), max_length=64, blank=True)
    method = models.CharField(_("method"), max_length=100, default="tools/call")
    tool = models.CharField(_("tool"), max_length=128, db_index=True)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default="working",
                              db_index=True)
    status_message = models.CharField(_("status message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.JSONField(_("error"), null=True, blank=True)
    input_requests = models.JSONField(_("outstanding input requests"), default=dict, blank=True)
    input_responses = models.JSONField(_("input responses"), default=dict, blank=True)
    ttl_ms = models.PositiveIntegerField(_("ttl (ms)"), null=True, blank=True)
    poll_interval_ms = models.PositiveIntegerField(_("poll interval (ms)"), default=1000)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    lease_owner = models.CharField(_("runner"), max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("MCP task")
        verbose_name_plural = _("MCP tasks")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["server", "principal", "status"],
                                name="mcp_task_owner_status")]

    def __str__(self) -> str:
        return f"{self.tool} {self.task_id[:8]}… ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in ("completed", "failed", "cancelled")

    @property
    def duration(self) -> timedelta:
        """How long it ran: until its last update once it ended, until now while it runs."""
        end = self.updated_at if self.is_terminal else timezone.now()
        return end - self.created_at


class McpToken(models.Model):
    """A bearer token for MCP clients. Only a hash of the secret is stored."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="mcp_tokens")
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("MCP token")
        verbose_name_plural = _("MCP tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (mcp_{self.prefix}_…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @classmethod
    def issue(cls, user: Any, name: str, expires_at: Any = None) -> tuple[McpToken, str]:
        """Create a token; returns it and the secret, which is shown this once only."""
        from .integrations.tokens import hash_secret, new_token

        prefix, token = new_token()
        record = cls.objects.create(user=user, name=name, prefix=prefix,
                                    secret_hash=hash_secret(token), expires_at=expires_at)
        return record, token
