"""`make run` without services (no REDIS_URL, no EMAIL_URL): an email goes the whole way — outbox
row, delivery task run in-process — without a broker warning, and comes out on stderr as one
block a person reads, while stdout carries only the JSON log lines.

The run is a fresh process with the local settings and a clean environment, as a newcomer's is.
"""

import io
import json
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMultiAlternatives

from p2c_portal.email_backends import ReadableConsoleEmailBackend

BASE_DIR = Path(__file__).resolve().parents[2]

SEND_ONE_EMAIL = """
import django; django.setup()
from django.db import connection
from p2c_portal.mail import email_queue
from p2c_portal.models import OutboundEmail
with connection.schema_editor() as editor:
    editor.create_model(OutboundEmail)
email_queue(to=["membre@example.org"], subject="Votre engagement a été publié",
            body_text="Bonjour,\\n\\nhttp://127.0.0.1:8000/fr/pledges/12/\\n",
            body_html="<p>Bonjour</p>")
assert OutboundEmail.objects.get().status == "sent"
"""


def test_an_email_without_services_is_printed_readably_and_warns_of_nothing():
    result = subprocess.run(
        [sys.executable, "-c", SEND_ONE_EMAIL],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.local",
             "DATABASE_URL": "sqlite://:memory:", "LOG_LEVEL": "INFO"},
        capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "No hostname was supplied" not in result.stdout + result.stderr
    logged = [json.loads(line) for line in result.stdout.splitlines()]  # JSON lines only
    assert [entry["level"] for entry in logged if entry["level"] != "INFO"] == []
    assert any("outbound_email_deliver" in entry["message"] for entry in logged)
    block = result.stderr
    assert block.startswith("=== email ===")
    assert block.rstrip().endswith("=== end of email " + "=" * 62)
    assert "To: membre@example.org\n" in block
    assert "Subject: Votre engagement a été publié\n" in block  # decoded, not RFC 2047
    assert "Message-ID: <" in block
    assert "\n\nBonjour,\n\nhttp://127.0.0.1:8000/fr/pledges/12/\n" in block  # as written
    assert "(Also sent as text/html.)" in block
    assert "<p>Bonjour</p>" not in block and "Content-Transfer-Encoding" not in block


def test_the_console_backend_writes_each_email_as_one_block(capsys):
    stream = io.StringIO()
    messages = [
        EmailMultiAlternatives(subject=f"Rappel n°{number}", body=f"Corps {number}",
                               from_email="P2C <no-reply@p2c.example.org>", to=["a@example.org"],
                               cc=["b@example.org"], headers={"Message-ID": f"<{number}@p2c>"})
        for number in (1, 2)
    ]

    assert ReadableConsoleEmailBackend(stream=stream).send_messages(messages) == 2

    printed = stream.getvalue()
    assert printed.count("=== email ===") == 2
    assert printed.count("=== end of email ===") == 2
    first, second = printed.split("=== end of email ")[:2]
    assert "Subject: Rappel n°1\n" in first and "Corps 1" in first and "Corps 2" not in first
    assert "Cc: b@example.org\n" in first
    assert "Message-ID: <2@p2c>" in second
    assert "Also sent" not in printed  # text only
    assert capsys.readouterr().out == ""  # nothing on stdout
