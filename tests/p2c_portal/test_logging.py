"""Logs are one JSON object a line on stdout: what a log collector (and the secretariat's
hosting team searching it) gets from the web process and the worker."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from p2c_portal.logging import JsonFormatter

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_log():
    """A logger writing through JsonFormatter into a buffer; returns (logger, parsed lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.p2c_portal.json_log")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False

    def lines() -> list[dict]:
        text = stream.getvalue()
        assert text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]

    yield logger, lines
    logger.removeHandler(handler)


def test_each_record_is_one_json_object_with_level_logger_message_and_extras(json_log):
    logger, lines = json_log

    logger.info("email.queued %s", "now", extra={"email_id": 42, "template": "members/welcome"})
    logger.warning("two\nlines", extra={"recipients": ["a@example.org"], "counts": {"sent": 1}})

    first, second = lines()  # exactly two lines: the newline inside the message is escaped
    assert first["level"] == "INFO"
    assert first["logger"] == "tests.p2c_portal.json_log"
    assert first["message"] == "email.queued now"
    assert first["email_id"] == 42
    assert first["template"] == "members/welcome"
    assert datetime.fromisoformat(first["time"]).tzinfo == UTC
    assert second["level"] == "WARNING"
    assert second["message"] == "two\nlines"
    assert second["recipients"] == ["a@example.org"]  # structures stay structures
    assert second["counts"] == {"sent": 1}


def test_values_json_cannot_carry_become_text(json_log):
    logger, lines = json_log
    when = datetime(2022, 6, 6, 9, 0, tzinfo=UTC)

    logger.info(
        "pledge.published",
        extra={"at": when, "amount": Decimal("1500000.00"), "pair": (when, 1), "obj": object()},
    )

    (entry,) = lines()
    assert entry["at"] == str(when)
    assert entry["amount"] == "1500000.00"
    assert entry["pair"] == [str(when), 1]
    assert entry["obj"].startswith("<object object")


def test_an_exception_stays_inside_its_line(json_log):
    logger, lines = json_log
    try:
        raise ValueError("bad amount")
    except ValueError:
        logger.exception("pledge.save_failed", extra={"pledge_id": 7})

    (entry,) = lines()
    assert entry["level"] == "ERROR"
    assert entry["pledge_id"] == 7
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert "ValueError: bad amount" in entry["exception"]


def test_extras_cannot_overwrite_the_standard_fields(json_log):
    logger, lines = json_log

    logger.info("hello", extra={"level": "spoofed", "logger": "x", "time": "yesterday"})

    (entry,) = lines()
    assert entry["level"] == "INFO"
    assert entry["logger"] == "tests.p2c_portal.json_log"
    assert entry["time"] != "yesterday"
    assert entry["extra.level"] == "spoofed"
    assert entry["extra.time"] == "yesterday"


def test_the_configured_site_logs_json_lines_on_stdout():
    script = (
        "import logging, django; django.setup();"
        "logging.getLogger('p2c_portal.mail').warning('email.enqueue_failed',"
        " extra={'email_id': 7});"
        "logging.getLogger('django.request').error('Internal Server Error: /en/',"
        " extra={'status_code': 500});"
        "logging.getLogger('celery.worker').info('celery@web ready.')"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.local",
        "LOG_LEVEL": "INFO",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["level"], e["logger"], e["message"]) for e in entries] == [
        ("WARNING", "p2c_portal.mail", "email.enqueue_failed"),
        ("ERROR", "django.request", "Internal Server Error: /en/"),
        ("INFO", "celery.worker", "celery@web ready."),
    ]
    assert entries[0]["email_id"] == 7
    assert entries[1]["status_code"] == 500
