"""`mcp_token revoke` takes the prefix in every form the tools print, and the whole token."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from mcp_django.models import McpToken

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("mcp_token", *args, stdout=out)
    return out.getvalue()


def issued() -> tuple[McpToken, str]:
    user = get_user_model().objects.get_or_create(username="revoker")[0]
    return McpToken.issue(user, "cli")


@pytest.mark.parametrize("form", ["{prefix}", "mcp_{prefix}", "mcp_{prefix}_…",
                                  "mcp_{prefix}_...", "{token}"])
def test_revoke_accepts_each_form(form: str) -> None:
    record, token = issued()
    listed = run("list")
    assert f"mcp_{record.prefix}_…" in listed
    assert run("revoke", form.format(prefix=record.prefix, token=token)).strip() == \
        f"Revoked mcp_{record.prefix}_…"
    record.refresh_from_db()
    assert record.revoked_at is not None


def test_revoke_accepts_what_list_prints() -> None:
    record, _token = issued()
    printed = run("list").split()[0]
    run("revoke", printed)
    record.refresh_from_db()
    assert record.revoked_at is not None


def test_a_whole_token_with_a_wrong_secret_revokes_nothing() -> None:
    record, _token = issued()
    with pytest.raises(CommandError, match="does not match"):
        run("revoke", f"mcp_{record.prefix}_not-the-secret")
    record.refresh_from_db()
    assert record.revoked_at is None


def test_an_unknown_prefix_is_an_error() -> None:
    with pytest.raises(CommandError, match="No active token"):
        run("revoke", "mcp_000000000000_…")
