"""Raw stdin/stdout: framing, hostile input, the end of the process."""

from __future__ import annotations

import json
import signal
import subprocess

from tests.stdio.child import MODERN, ROOT, command, modern_meta


def test_ping_answered_without_initialize(spawn):
    child = spawn("stdio_fixtures")
    assert child.request(1, "ping") == {"jsonrpc": "2.0", "id": 1, "result": {}}
    assert child.close() == 0


def test_malformed_lines_answered_like_http_and_server_survives(spawn):
    child = spawn("stdio_fixtures")
    child.write(b"not json\n")
    assert child.read() == {"jsonrpc": "2.0", "error": {
        "code": -32700, "message": "Parse error: body is not valid JSON"}}
    child.write(b'{"jsonrpc": "2.0", "id": 7, "method": 5}\n')
    invalid = child.read()
    assert invalid["id"] == 7 and invalid["error"]["code"] == -32600
    child.write(b'{"jsonrpc": "1.0", "id": "x", "method": "ping"}\n')
    assert child.read()["error"]["code"] == -32600
    child.write(b"[]\n")  # a batch outside a 2025-03-26 session
    assert child.read()["error"]["code"] == -32600
    child.write(b"42\n")
    assert child.read() == {"jsonrpc": "2.0", "error": {
        "code": -32600, "message": "Invalid request: a JSON-RPC message must be an object"}}
    assert child.request(2, "ping")["result"] == {}
    assert child.close() == 0


def test_junk_binary_half_and_huge_lines_never_crash_or_leak(spawn):
    """Only JSON-RPC on stdout (the fixture parses every line); the server answers what can
    be answered and goes on."""
    child = spawn("stdio_fixtures")  # MAX_BODY_BYTES = 64 KiB
    child.write(b"\x00\xff\xfe binary \x80\x81\n")
    assert child.read()["error"]["code"] == -32700
    child.write(b'{"jsonrpc": "2.0", "id": 1, "meth')  # half a line...
    child.write(b'od": "ping"}\n')                      # ...completed later
    assert child.read() == {"jsonrpc": "2.0", "id": 1, "result": {}}
    child.write(b'{"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"pad": "'
                + b"x" * (1024 * 1024) + b'"}}\n')  # 1 MiB: refused, skipped
    huge = child.read()
    assert huge == {"jsonrpc": "2.0", "error": {"code": -32600, "message":
                    "Payload Too Large: the body exceeds MAX_BODY_BYTES (65536 bytes)"}}
    child.write(b"\n   \n\r\n")  # blank lines are not messages
    child.write(b'{"jsonrpc": "2.0", "id": 3, "method": "ping"}\r\n')
    assert child.read() == {"jsonrpc": "2.0", "id": 3, "result": {}}
    child.write(b"[" * 50_000 + b"\n")  # deep nesting, within the limit
    assert child.read()["error"]["code"] == -32700
    child.write(b'{"jsonrpc": "2.0", "id": 4, "meth')  # half a line, then EOF
    assert child.close() == 0
    assert child.rest() == [{"jsonrpc": "2.0", "error": {
        "code": -32700, "message": "Parse error: body is not valid JSON"}}]


def test_huge_line_at_end_of_input_is_refused(spawn):
    child = spawn("stdio_fixtures")
    child.write(b"y" * (200 * 1024))  # past the limit, never finished
    assert child.close() == 0
    [refused] = child.rest()
    assert refused["error"]["code"] == -32600 and "MAX_BODY_BYTES" in refused["error"]["message"]


def test_stdout_carries_only_protocol_when_a_tool_prints(spawn):
    child = spawn("stdio_fixtures")
    child.initialize()
    reply = child.request(1, "tools/call", {"name": "noisy", "arguments": {}})
    assert reply["result"]["content"][0]["text"] == "quiet"
    assert child.close() == 0
    errors = child.errors()
    for text in ("print() to stdout", "sys.stdout.write", "os.write to fd 1",
                 "a child process on stdout", "a log record", "a warning"):
        assert text in errors
    assert all(b"stdout" not in line or line.startswith(b"{") for line in child.raw)


def test_eof_cancels_running_requests_then_exits_zero(spawn, tmp_path):
    marker = tmp_path / "marker"
    child = spawn("stdio_fixtures")
    child.initialize()
    child.send({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
        "name": "ticking", "arguments": {"marker": str(marker)},
        "_meta": {"progressToken": "t"}}})
    child.until(lambda m: m.get("method") == "notifications/progress")
    assert child.close() == 0
    assert marker.read_text() == "cancelled"
    assert all(message.get("id") != 9 for message in child.rest())


def test_sigterm_cancels_running_requests_then_exits_zero(spawn, tmp_path):
    marker = tmp_path / "marker"
    child = spawn("stdio_fixtures")
    child.send({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
        "name": "ticking", "arguments": {"marker": str(marker)},
        "_meta": modern_meta(progressToken=1)}})
    child.until(lambda m: m.get("method") == "notifications/progress")
    child.process.send_signal(signal.SIGTERM)
    assert child.process.wait(15) == 0
    assert marker.read_text() == "cancelled"
    assert all(message.get("id") != 9 for message in child.rest())


def test_stdout_closed_by_client_ends_process_cleanly(stdio_env):
    process = subprocess.Popen(command("stdio_fixtures"), cwd=ROOT, env=stdio_env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        ping = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}\n'
        process.stdin.write(ping)
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["id"] == 1
        process.stdout.close()  # the host stopped reading: the next write fails (EPIPE)
        process.stdin.write(ping)
        process.stdin.flush()
        assert process.wait(15) == 0
    finally:
        process.kill()
        process.wait(10)
        process.stdin.close()


def test_cancelled_notification_stops_handler_and_sends_no_answer(spawn, tmp_path):
    marker = tmp_path / "marker"
    child = spawn("stdio_fixtures")
    child.send({"jsonrpc": "2.0", "id": "long", "method": "tools/call", "params": {
        "name": "ticking", "arguments": {"marker": str(marker)},
        "_meta": modern_meta(progressToken="p")}})
    child.until(lambda m: m.get("method") == "notifications/progress")
    child.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": "long", "reason": "user"}})
    reply = child.request("after", "server/discover", {"_meta": modern_meta()})
    assert reply["result"]["supportedVersions"][0] == MODERN
    assert child.close() == 0
    assert marker.read_text() == "cancelled"
    assert all(message.get("id") != "long" for message in child.seen + child.rest())


def test_concurrent_requests_answered_as_they_finish(spawn):
    """A sync tool blocks its thread, not the loop: later requests are answered first."""
    child = spawn("stdio_fixtures")
    child.initialize()
    child.send({"jsonrpc": "2.0", "id": "slow", "method": "tools/call",
                "params": {"name": "blocking", "arguments": {"seconds": 1.0}}})
    for n in range(5):
        child.send({"jsonrpc": "2.0", "id": n, "method": "ping"})
    order = [child.read()["id"] for _ in range(6)]
    assert order[-1] == "slow" and sorted(order[:5]) == [0, 1, 2, 3, 4]
    assert child.close() == 0


def test_duplicate_running_id_refused(spawn, tmp_path):
    child = spawn("stdio_fixtures")
    child.initialize()
    call = {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
        "name": "ticking", "arguments": {"marker": str(tmp_path / "m")}}}
    child.send(call)
    child.send(call)
    refused = child.response(5)
    assert refused["error"] == {"code": -32600, "message":
                                "Invalid request: a request with id 5 is still running"}
    assert child.close() == 0


def test_request_timeout_answers_error(spawn, tmp_path):
    child = spawn("stdio_short")  # REQUEST_TIMEOUT = 0.5 s
    child.initialize()
    reply = child.request(1, "tools/call", {"name": "ticking",
                                            "arguments": {"marker": str(tmp_path / "m")}})
    assert reply["error"] == {"code": -32603, "message": "Request timed out"}
    assert (tmp_path / "m").read_text() == "cancelled"
    assert child.close() == 0


def test_batch_in_2025_03_26_session(spawn):
    child = spawn("stdio_fixtures")  # MAX_BATCH = 3
    child.initialize("2025-03-26")
    child.send([{"jsonrpc": "2.0", "id": 1, "method": "ping"},
                {"jsonrpc": "2.0", "method": "notifications/initialized"},
                {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                 "params": {"name": "whoami", "arguments": {}}}])
    answers = child.read()
    assert [a["id"] for a in answers] == [1, 2]
    assert answers[1]["result"]["content"][0]["text"] == "anonymous"
    child.send([{"jsonrpc": "2.0", "id": n, "method": "ping"} for n in range(4)])
    assert "MAX_BATCH (3)" in child.read()["error"]["message"]
    child.send([{"jsonrpc": "2.0", "id": 1, "method": "initialize"}])
    assert child.read()["error"]["message"] == "Invalid request: initialize cannot be batched"
    child.send([{"jsonrpc": "2.0", "id": 8}, 3])
    assert [a["error"]["code"] for a in child.read()] == [-32600, -32600]
    assert child.close() == 0


def test_batch_answers_bounded_and_ids_shared_with_running_requests(spawn, tmp_path):
    child = spawn("stdio_fixtures")  # MAX_BATCH_RESPONSE_BYTES = 256
    child.initialize("2025-03-26")
    child.send([{"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                {"jsonrpc": "2.0", "id": 2, "method": "ping"}])
    too_big, ping = child.read()
    assert too_big["id"] == 1 and "MAX_BATCH_RESPONSE_BYTES (256 bytes)" in \
        too_big["error"]["message"]
    assert ping == {"jsonrpc": "2.0", "id": 2, "result": {}}
    marker = tmp_path / "marker"
    child.send({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
        "name": "ticking", "arguments": {"marker": str(marker)}}})
    child.send([{"jsonrpc": "2.0", "id": 5, "method": "ping"}])
    assert "still running" in child.read()[0]["error"]["message"]
    child.send([{"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {
        "name": "ticking", "arguments": {"marker": str(tmp_path / "batch")},
        "_meta": {"progressToken": "b"}}}])
    child.until(lambda m: m.get("params", {}).get("progressToken") == "b")
    assert child.close() == 0  # EOF cancels the running request and the running batch
    assert marker.read_text() == (tmp_path / "batch").read_text() == "cancelled"
    assert child.rest() == []


def test_request_timeout_bounds_the_whole_batch(spawn):
    child = spawn("stdio_short")  # REQUEST_TIMEOUT = 0.5 s
    child.initialize("2025-03-26")
    child.send([{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                 "params": {"name": "blocking", "arguments": {"seconds": 0.7}}},
                {"jsonrpc": "2.0", "id": 2, "method": "ping"}])
    assert child.read() == [{"jsonrpc": "2.0", "id": n, "error": {
        "code": -32603, "message": "Request timed out"}} for n in (1, 2)]
    assert child.close() == 0


def test_batch_refused_after_2025_03_26(spawn):
    child = spawn("stdio_fixtures")
    child.initialize("2025-06-18")
    child.send([{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
    assert child.read()["error"] == {"code": -32600, "message": "Invalid request: batches "
                                     "are only accepted in 2025-03-26 sessions"}
    assert child.close() == 0


def test_each_message_keeps_one_line(spawn):
    child = spawn("stdio_fixtures")
    child.initialize()
    child.request(1, "resources/read", {"uri": "fixtures://note"})
    child.close()
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in child.raw)
    assert json.loads(child.raw[-1])["result"]["contents"][0]["text"] == "a note"
