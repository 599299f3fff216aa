"""Error reports (Sentry's SDK) go out only when SENTRY_DSN is set, and never with personal data.

Each case runs tests/p2c_portal/error_report_app.py in a fresh interpreter under the test
settings: a view fails while handling a member's form (name, email, a cookie, a token). A tiny
HTTP server in this test stands for the Sentry-compatible server and records what arrives."""

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
APP = Path(__file__).with_name("error_report_app.py")
PERSONAL = ("ada@example.org", "Ada Lovelace", "session-cookie-value-4242", "api-token-4242")


class _Recorder(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_CONNECT = do_GET = do_POST  # a proxy request too: anything at all is recorded

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _run_failing_view(extra_environment: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, str(APP)], cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.test",
             "PYTHONPATH": str(BASE_DIR), **extra_environment},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 500  # the view did fail
    return outcome


def _events(server) -> list[dict]:
    """The error events of the envelopes the server received."""
    events = []
    for path, body in server.received:
        assert path.startswith("/api/4242/envelope/"), path
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_without_sentry_dsn_nothing_is_sent_anywhere(sentry_server):
    address = f"http://127.0.0.1:{sentry_server.server_port}"
    # Even with every proxy variable pointing at the recorder, not a byte leaves.
    outcome = _run_failing_view({"HTTP_PROXY": address, "HTTPS_PROXY": address,
                                 "ALL_PROXY": address})

    assert outcome["active"] is False
    assert sentry_server.received == []


def test_with_sentry_dsn_the_error_arrives_without_personal_data(sentry_server):
    dsn = f"http://public-key@127.0.0.1:{sentry_server.server_port}/4242"
    outcome = _run_failing_view({"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "ci"})

    assert outcome["active"] is True
    events = _events(sentry_server)
    assert len(events) == 1
    event = events[0]
    # What the secretariat's developers need: which error, where, in which environment.
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "The mail server refused [Filtered]"
    assert any(frame["function"] == "pledge_save" for frame in exception["stacktrace"]["frames"])
    assert event["environment"] == "ci"
    assert event["request"]["method"] == "POST"
    assert event["request"]["headers"].get("User-Agent") == "test-agent"
    # ...and nothing about the person: not in the event, nor anywhere in what arrived.
    assert "data" not in event["request"] and "cookies" not in event["request"]
    assert "Authorization" not in event["request"]["headers"]
    assert "Cookie" not in event["request"]["headers"]
    everything = b"".join(body for _path, body in sentry_server.received).decode()
    for personal in PERSONAL:
        assert personal not in everything, personal
    assert not any("vars" in frame for frame in exception["stacktrace"]["frames"])
    breadcrumb = next(crumb for crumb in event["breadcrumbs"]["values"]
                      if crumb.get("message") == "saving a pledge")
    assert breadcrumb["data"]["contact_name"] == "[Filtered]"
