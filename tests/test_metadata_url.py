"""The 401 challenge names a metadata URL that answers, wherever `mcp_django.urls` is included."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from mcp_django.integrations.auth import metadata_url
from mcp_django.transport.http import IncomingRequest


def challenge_for(path: str) -> str:
    return metadata_url(IncomingRequest("POST", {"host": "testserver"}, b"",
                                        {"path": path, "scheme": "http"}))


@override_settings(ROOT_URLCONF="tests.project.urls_prefixed")
def test_a_prefixed_include_is_named_in_the_challenge_and_answers() -> None:
    url = challenge_for("/api/mcp")
    assert url == "http://testserver/api/.well-known/oauth-protected-resource/api/mcp"
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response.json()["resource"] == "http://testserver/api/mcp"


@pytest.mark.parametrize("path", ["/mcp", "/secure/mcp"])
def test_a_root_include_uses_the_rfc_root_location(path: str) -> None:
    assert challenge_for(path) == "http://testserver/.well-known/oauth-protected-resource" + path
