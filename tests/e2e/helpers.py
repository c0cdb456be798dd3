"""Raw HTTP helpers for e2e tests: modern and legacy requests, SSE parsing, schema checks."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import httpx

from tests.wire import parse_sse, validate_message

MODERN = "2026-07-28"
ACCEPT_BOTH = "application/json, text/event-stream"
_ids = itertools.count(1)


@dataclass
class Answer:
    response: httpx.Response
    messages: list[dict[str, Any]]

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def final(self) -> dict[str, Any]:
        return self.messages[-1]

    @property
    def result(self) -> dict[str, Any]:
        assert "result" in self.final, self.final
        return self.final["result"]

    @property
    def error(self) -> dict[str, Any]:
        assert "error" in self.final, self.final
        return self.final["error"]

    def notifications(self, method: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("method") == method]


def messages_of(response: httpx.Response) -> list[dict[str, Any]]:
    kind = response.headers.get("content-type", "")
    if kind.startswith("text/event-stream"):
        return parse_sse(response.text)
    if kind.startswith("application/json") and response.content:
        body = response.json()
        return body if isinstance(body, list) else [body]
    return []


def meta(capabilities: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": capabilities or {},
            "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"}, **extra}


def modern_headers(method: str, name: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH,
               "MCP-Protocol-Version": MODERN, "Mcp-Method": method}
    if name is not None:
        headers["Mcp-Name"] = name
    return headers


class RawClient:
    """Sends raw MCP requests and validates every server message against the schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def send(self, body: Any, headers: dict[str, str], revision: str | None = None,
             method: str | None = None, http_method: str = "POST") -> Answer:
        content = body if isinstance(body, (bytes, str)) else json.dumps(body)
        response = self.http.request(http_method, self.url, content=content, headers=headers)
        messages = messages_of(response)
        if revision is not None:
            for message in messages:
                validate_message(message, revision, method)
        return Answer(response, messages)

    def modern(self, method: str, params: dict[str, Any] | None = None, *,
               name: str | None = None, capabilities: dict[str, Any] | None = None,
               meta_extra: dict[str, Any] | None = None,
               headers: dict[str, str] | None = None) -> Answer:
        params = dict(params or {})
        params["_meta"] = meta(capabilities, **(meta_extra or {}))
        if name is None:
            name = params.get("name") or params.get("uri") or params.get("taskId")
        body = {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params}
        return self.send(body, {**modern_headers(method, name), **(headers or {})}, MODERN,
                         method)

    def initialize(self, version: str = "2025-11-25",
                   capabilities: dict[str, Any] | None = None) -> LegacySession:
        body = {"jsonrpc": "2.0", "id": next(_ids), "method": "initialize",
                "params": {"protocolVersion": version, "capabilities": capabilities or {},
                           "clientInfo": {"name": "raw-tests", "version": "1.0"}}}
        headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
        answer = self.send(body, headers)
        assert answer.status == 200, answer.response.text
        validate_message(answer.final, answer.result["protocolVersion"], "initialize")
        session = LegacySession(self, answer.response.headers.get("mcp-session-id"),
                                answer.result["protocolVersion"])
        session.notify("notifications/initialized")
        return session


@dataclass
class LegacySession:
    client: RawClient
    id: str | None
    version: str

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH,
                   "MCP-Protocol-Version": self.version}
        if self.id:
            headers["Mcp-Session-Id"] = self.id
        if "authorization" in self.client.http.headers:  # the session's owner, on any client
            headers["Authorization"] = self.client.http.headers["authorization"]
        headers.update(extra)
        return headers

    def request(self, method: str, params: dict[str, Any] | None = None,
                request_id: int | str | None = None) -> Answer:
        body = {"jsonrpc": "2.0", "id": request_id if request_id is not None else next(_ids),
                "method": method, "params": params or {}}
        return self.client.send(body, self.headers(), self.version, method)

    def notify(self, method: str, params: dict[str, Any] | None = None) -> Answer:
        body = {"jsonrpc": "2.0", "method": method, "params": params or {}}
        answer = self.client.send(body, self.headers(), self.version)
        assert answer.status == 202, answer.response.text
        return answer

    def delete(self) -> httpx.Response:
        return self.client.http.delete(self.client.url, headers=self.headers())
