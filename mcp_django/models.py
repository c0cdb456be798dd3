"""McpSession: a database index of legacy sessions, for the admin; the cache holds live state."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
        """`terminated`, `expired` (idle past the session TTL) or `active`."""
        from .conf import mcp_settings

        if self.terminated_at is not None:
            return "terminated"
        idle_limit = timedelta(seconds=mcp_settings.SESSION_TTL)
        if timezone.now() - self.last_seen > idle_limit + timedelta(
                seconds=mcp_settings.SESSION_INDEX_THROTTLE):
            return "expired"
        return "active"
