"""`make run` as a newcomer meets it: a taken port is said at once, before anything is installed,
and a site served on another port links to itself (SITE_URL follows HOST and PORT)."""

import socket
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def _settings_site_url(environ: dict[str, str]) -> str:
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.local",
             **environ},
        capture_output=True, text=True, timeout=120, check=True,
    )
    return result.stdout.strip()


def test_a_taken_port_is_refused_at_once_with_what_to_do():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["make", "--no-print-directory", "port-free", f"PORT={port}"],
            cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=False,
        )
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "make run PORT=8001" in result.stderr


def test_run_checks_the_port_before_installing_anything():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "\nrun: port-free demo\n" in makefile  # prerequisites run left to right


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        ["make", "--no-print-directory", "port-free", f"PORT={port}"],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr


def test_site_url_follows_the_port_and_host_make_run_serves_on():
    assert _settings_site_url({}) == "http://127.0.0.1:8000"
    assert _settings_site_url({"PORT": "8123"}) == "http://127.0.0.1:8123"
    assert _settings_site_url({"HOST": "localhost", "PORT": "8123"}) == "http://localhost:8123"
    # Served on every interface, the site is still reached on this machine as 127.0.0.1.
    assert _settings_site_url({"HOST": "0.0.0.0", "PORT": "9000"})  # noqa: S104 == "http://127.0.0.1:9000"
    # An explicit SITE_URL (a real domain behind a proxy) wins.
    assert _settings_site_url({"PORT": "8123", "SITE_URL": "https://p2c.example.org/"}) == (
        "https://p2c.example.org"
    )
