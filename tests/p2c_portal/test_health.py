"""/healthz: what a load balancer or orchestrator sees. 200 when the site can work, 503 naming what
is broken otherwise, quickly either way (a probe that hangs is as bad as a site that hangs)."""

import socket
import time

import pytest

pytestmark = pytest.mark.django_db


def test_healthy_site_answers_200_with_each_check(anonymous, settings):
    response = anonymous.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    # No REDIS_URL: tasks run in-process; with REDIS_URL (CI) the real Redis answers PING.
    assert body["checks"]["broker"] == ("ok" if settings.REDIS_URL else "eager")


def test_health_is_never_cached_and_needs_no_language_prefix(anonymous):
    response = anonymous.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert response.status_code == 200  # not redirected to /en/healthz


def test_health_only_answers_get(anonymous):
    assert anonymous.post("/healthz").status_code == 405


def test_unreachable_redis_is_a_503_naming_the_broker(anonymous, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        settings.REDIS_URL = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
        response = anonymous.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")
    assert "ConnectionError" in body["checks"]["broker"]


def test_hung_redis_is_a_503_within_the_socket_timeout(anonymous, settings):
    with socket.create_server(("127.0.0.1", 0)) as hung:  # accepts, never answers
        settings.REDIS_URL = f"redis://127.0.0.1:{hung.getsockname()[1]}/0"
        start = time.monotonic()
        response = anonymous.get("/healthz")
        elapsed = time.monotonic() - start

    assert response.status_code == 503
    assert "TimeoutError" in response.json()["checks"]["broker"]
    assert elapsed < settings.REDIS_SOCKET_TIMEOUT * 2 + 1


# --- /readyz: readiness, the queues too -----------------------------------------------------


def test_ready_site_answers_200_with_the_queues(anonymous, settings):
    response = anonymous.get("/readyz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["checks"]["database"] == "ok"
    if settings.REDIS_URL:
        assert body["checks"]["queues"] == "ok"
        assert set(body["queues"]) == {"emails", "reports", "periodic"}
        assert all(isinstance(length, int) for length in body["queues"].values())
    else:
        assert body["checks"]["broker"] == "eager"
        assert "queues" not in body


def test_unreachable_redis_makes_the_site_not_ready_but_leaves_liveness_to_healthz(
    anonymous, settings
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.REDIS_URL = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
        response = anonymous.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["queues"].startswith("error")
    assert "queues" not in body


def test_readiness_only_answers_get(anonymous):
    assert anonymous.post("/readyz").status_code == 405
