"""Task rows: create, load for an owner, update, renew, sweep; and their wire shape. Sync ORM."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..core.tasks import TERMINAL
from ..models import McpTask

LOST_WORKER = "The worker running this task stopped before it finished (its lease expired)."
CHUNK = 500  # ids per `IN (...)`: well under every database's bound-parameter limit


def new_task_id() -> str:
    return secrets.token_urlsafe(24)


def _alive(now: datetime) -> Q:
    """Rows whose TTL has not elapsed (or that have none)."""
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def create(limit: int, **fields: Any) -> McpTask | None:
    """Commit a task row unless its principal would have more than `limit` live tasks.

    The row is committed first and the count taken after, so of two concurrent creations the
    later count sees both: the cap is never exceeded (at worst both are refused).
    """
    now = timezone.now()
    ttl_ms = fields.get("ttl_ms")
    expires_at = now + timedelta(milliseconds=ttl_ms) if ttl_ms else None
    task = McpTask.objects.create(task_id=new_task_id(), created_at=now, updated_at=now,
                                  expires_at=expires_at, **fields)
    if live_count(task.server, task.principal) > limit:
        task.delete()
        return None
    return task


def live_count(server: str, principal: str) -> int:
    """The principal's tasks that are neither terminal nor past their TTL."""
    return (McpTask.objects.filter(server=server, principal=principal)
            .exclude(status__in=TERMINAL).filter(_alive(timezone.now())).count())


def load(task_id: Any, server: str, principal: str | None) -> McpTask | None:
    """The caller's live task, or None (unknown, foreign, expired): all look alike (S-75)."""
    if not isinstance(task_id, str) or principal is None:
        return None
    return (McpTask.objects.filter(task_id=task_id, server=server, principal=principal)
            .filter(_alive(timezone.now())).first())


def fail_if_lease_expired(task: McpTask, running_here: bool) -> McpTask:
    """A task whose runner stopped renewing its lease is reported failed, not left working."""
    if (task.is_terminal or running_here or task.lease_expires_at is None
            or task.lease_expires_at > timezone.now()):
        return task
    update(task.task_id, status="failed", status_message=LOST_WORKER,
           error={"code": -32603, "message": LOST_WORKER})
    task.refresh_from_db()
    return task


def update(task_id: str, **fields: Any) -> None:
    McpTask.objects.filter(task_id=task_id).update(updated_at=timezone.now(), **fields)


def finish(task_id: str, **fields: Any) -> None:
    """Write a terminal state unless the task already has one (terminal states never change)."""
    McpTask.objects.filter(task_id=task_id).exclude(status__in=TERMINAL).update(
        updated_at=timezone.now(), input_requests={}, **fields)


def answer(task_id: str, responses: dict[str, Any]) -> bool:
    """Record answers to outstanding input requests; True when none is left (S-76)."""
    with transaction.atomic():
        task = McpTask.objects.select_for_update().get(task_id=task_id)
        if task.status != "input_required":
            return False
        accepted = {key: value for key, value in responses.items() if key in task.input_requests}
        remaining = {key: value for key, value in task.input_requests.items()
                     if key not in accepted}
        task.input_responses = {**task.input_responses, **accepted}
        task.input_requests = remaining
        task.status = "input_required" if remaining else "working"
        task.updated_at = timezone.now()
        task.save(update_fields=["input_responses", "input_requests", "status", "updated_at"])
        return not remaining


def request_cancel(task_id: str) -> None:
    McpTask.objects.filter(task_id=task_id).update(cancel_requested=True)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def heartbeat(task_ids: Sequence[str], owner: str, until: datetime
              ) -> dict[str, tuple[bool, str]]:
    """Renew the leases of one worker's tasks (one UPDATE) and read back what it must honour
    (one SELECT): `{task_id: (cancel_requested, status)}`; a missing id has been deleted."""
    seen: dict[str, tuple[bool, str]] = {}
    for chunk in _chunks(task_ids):
        McpTask.objects.filter(lease_owner=owner, task_id__in=chunk).update(
            lease_expires_at=until)
        seen.update((task_id, (cancel, status)) for task_id, cancel, status in
                    McpTask.objects.filter(task_id__in=chunk).order_by()
                    .values_list("task_id", "cancel_requested", "status"))
    return seen


def sweep(server: str) -> int:
    """Delete the server's tasks past their TTL; idempotent, so workers may sweep at once."""
    deleted, _kinds = McpTask.objects.filter(server=server,
                                             expires_at__lte=timezone.now()).delete()
    return deleted


def _iso(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def wire_fields(task: McpTask, ttl_key: str = "ttlMs", poll_key: str = "pollIntervalMs"
                ) -> dict[str, Any]:
    """A task on the wire: the extension's names by default (S-69)."""
    fields: dict[str, Any] = {
        "taskId": task.task_id, "status": task.status, "createdAt": _iso(task.created_at),
        "lastUpdatedAt": _iso(task.updated_at), ttl_key: task.ttl_ms,
        poll_key: task.poll_interval_ms}
    if task.status_message:
        fields["statusMessage"] = task.status_message
    return fields


def legacy_fields(task: McpTask) -> dict[str, Any]:
    """A 2025-11-25 `Task`: the same fields named `ttl` and `pollInterval` (L-71, L-74)."""
    return wire_fields(task, "ttl", "pollInterval")


def owned(server: str, principal: str) -> list[McpTask]:
    """The principal's 2025-11-25 tasks still within their TTL (tasks/list, L-78)."""
    return list(McpTask.objects.filter(server=server, principal=principal, era="legacy")
                .filter(_alive(timezone.now())).order_by("created_at", "pk"))


def detailed(task: McpTask) -> dict[str, Any]:
    """`tasks/get`: the status plus what that status carries (S-74)."""
    result = wire_fields(task)
    if task.status == "input_required":
        result["inputRequests"] = task.input_requests
    elif task.status == "completed" and task.result is not None:
        result["result"] = task.result
    elif task.status == "failed" and task.error is not None:
        result["error"] = task.error
    return result
