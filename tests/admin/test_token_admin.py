"""The token admin shows a new secret exactly once and can revoke tokens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from mcp_django.integrations.tokens import hash_secret
from mcp_django.models import McpToken


@pytest.mark.django_db
def test_creating_a_token_in_admin_shows_the_secret_once(admin_client):
    owner = get_user_model().objects.create_user("owner")
    response = admin_client.post("/admin/mcp_django/mcptoken/add/", {
        "name": "laptop", "user": owner.pk, "expires_at_0": "", "expires_at_1": ""}, follow=True)
    assert response.status_code == 200
    secret = re.search(r"<code>(mcp_[0-9a-f]{12}_[\w-]+)</code>", response.content.decode())
    assert secret is not None
    record = McpToken.objects.get(user=owner)
    assert record.secret_hash == hash_secret(secret.group(1))
    listing = admin_client.get("/admin/mcp_django/mcptoken/").content.decode()
    assert secret.group(1) not in listing and f"mcp_{record.prefix}_…" in listing


@pytest.mark.django_db
def test_revoke_action(admin_client):
    owner = get_user_model().objects.create_user("owner2")
    record, _secret = McpToken.issue(owner, "phone")
    admin_client.post("/admin/mcp_django/mcptoken/", {"action": "revoke_tokens",
                                                      "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.revoked_at is not None and not record.is_usable


@pytest.mark.django_db
def test_the_added_message_names_the_tokens_prefix(admin_client):
    owner = get_user_model().objects.create_user("owner3")
    response = admin_client.post("/admin/mcp_django/mcptoken/add/", {
        "name": "tablet", "user": owner.pk, "expires_at_0": "", "expires_at_1": ""}, follow=True)
    record = McpToken.objects.get(user=owner)
    page = response.content.decode()
    assert f"tablet (mcp_{record.prefix}_…)" in page and "mcp__…" not in page


@pytest.mark.django_db
def test_token_times_have_seconds_and_an_age(admin_client):
    owner = get_user_model().objects.create_user("owner4")
    McpToken.issue(owner, "desk")
    listing = admin_client.get("/admin/mcp_django/mcptoken/").content.decode()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d+\xa0seconds? ago\)", listing)
