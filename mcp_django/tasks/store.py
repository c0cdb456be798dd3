"""Task rows: create, load for an owner, update; and their wire shape. Sync ORM code."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import McpTask

LOST_WORKER = "The worker running this task stopped before it finished (its lease expired)."


def new_task_id() -> str:
    return secrets.token_urlsafe(24)


def create(**fields: Any) -> McpTask:
    return McpTask.objects.create(task_id=new_task_id(), **fields)


def load(task_id: Any, server: str, principal: str) -> McpTask | None:
    """The caller's live task, or None (unknown, foreign, expired): all look alike (S-75)."""
    if not isinstance(task_id, str):
        return None
    task = McpTask.objects.filter(task_id=task_id, server=server, principal=principal).first()
    if task is None:
        return None
    if task.ttl_ms is not None and timezone.now() > task.created_at + timedelta(
            milliseconds=task.ttl_ms):
        task.delete()
        return None
    return task


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
    McpTask.objects.filter(task_id=task_id).exclude(
        status__in=("completed", "failed", "cancelled")).update(
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
    return list(McpTask.objects.filter(server=server, principal=principal, era="legacy")
                .order_by("created_at", "pk"))


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
