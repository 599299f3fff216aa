"""A dead or hung Redis delays emails; it neither loses them nor hangs a web request.

Celery is pointed, for the length of a test, at a broker that refuses connections (a bound port
nobody listens on), at one that hangs (a TCP server that accepts and never answers), or at a real
Redis that freezes after it has served the process for a while (a proxy that stops forwarding).
Eager mode is off meanwhile, so the web request really publishes. Then the broker "comes back"
(eager again, as everywhere else in the tests) and the sweep delivers what was kept.
"""

import socket
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from p2c_portal import cache, celery_app, queueing
from p2c_portal.mail import email_queue
from p2c_portal.models import OutboundEmail
from p2c_portal.settings.base import redis_cache
from p2c_portal.tasks import outbound_email_sweep
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

# A hang guard, not a performance test: generous, yet far below any proxy or browser timeout.
BOUND_SECONDS = 10.0
PASSWORD = "a-Long-and-unusual-passw0rd"


# --- Brokers that misbehave -----------------------------------------------------------------------


@contextmanager
def _refusing_port():
    """A port bound but not listening: every connection attempt is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


class _TcpServer:
    """Accepts connections on a local port in a thread; subclasses decide what to do with them."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in [*self._sockets, self._server]:
            sock.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            self._sockets.append(client)
            self.handle(client)

    def handle(self, client: socket.socket) -> None:
        """Hung: keep the connection open and never answer."""


class _FreezingRedisProxy(_TcpServer):
    """Forwards to a real Redis until `freeze()`; after that, swallows everything it is sent."""

    def __init__(self, redis_host: str, redis_port: int) -> None:
        super().__init__()
        self._upstream = (redis_host, redis_port)
        self.frozen = threading.Event()

    def freeze(self) -> None:
        self.frozen.set()

    def handle(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self._upstream, timeout=5)
        upstream.settimeout(None)
        self._sockets.append(upstream)
        for source, target in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
                if not data:
                    return
                if not self.frozen.is_set():
                    target.sendall(data)
            except OSError:
                return


def _reset_celery_connections() -> None:
    # Celery keeps its broker connection and producer pools for the life of the process (it
    # drops them itself only after a fork): drop them so the next publish uses the current URL.
    celery_app._after_fork()
    # Forget which brokers and caches this process saw failing: a later test may get the port.
    queueing.broker_outage_forget()
    cache._unavailable_until.clear()


@contextmanager
def celery_broker(url: str, *, cache_too: bool = False):
    """Publish to `url` (eager mode off); with cache_too, the Redis cache lives there as well."""
    overrides = {"REDIS_URL": url, "CELERY_BROKER_URL": url, "CELERY_TASK_ALWAYS_EAGER": False}
    if cache_too:
        overrides["CACHES"] = {
            "default": redis_cache(url, socket_timeout=settings.REDIS_SOCKET_TIMEOUT)
        }
    with override_settings(**overrides):
        _reset_celery_connections()
        try:
            yield
        finally:
            _reset_celery_connections()


def _real_redis() -> tuple[str, int, str]:
    url = settings.REDIS_URL  # this test worker's database (p2c_portal/settings/test.py)
    require_service(bool(url), "Redis (REDIS_URL)")
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 6379, parts.path.lstrip("/") or "0"


@contextmanager
def timer():
    elapsed = {}
    start = time.monotonic()
    try:
        yield elapsed
    finally:
        elapsed["seconds"] = time.monotonic() - start


def _signup(client, email: str, django_capture_on_commit_callbacks):
    """POST the signup form and run what commits at the end of the request (the publish)."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            "/en/accounts/signup/",
            {"email": email, "full_name": "Amina Diallo", "password1": PASSWORD,
             "password2": PASSWORD},
        )


def _assert_kept_for_later(email: OutboundEmail) -> None:
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.queued_at is None  # not queued: the next sweep takes it
    assert email.attempts == 0


def _assert_the_sweep_delivers_it(email: OutboundEmail, mailoutbox) -> None:
    # The broker is back (eager mode again, as in every other test).
    assert outbound_email_sweep.delay().get() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [message.to for message in mailoutbox] == [email.to]


@contextmanager
def _misbehaving_broker(kind: str):
    if kind == "refused":
        with _refusing_port() as port:
            yield port
    else:
        with _TcpServer() as server:
            yield server.port


# --- A broker that is down or hung from the start -----------------------------------------------


@pytest.mark.parametrize("kind", ["refused", "hung"])
def test_signup_succeeds_and_keeps_the_email_while_the_broker_is_down(
    kind, client, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        _misbehaving_broker(kind) as port,
        celery_broker(f"redis://127.0.0.1:{port}/0"),
        timer() as elapsed,
    ):
        response = _signup(client, "outage@example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.headers["Location"] == "/en/accounts/confirm-email/"
    assert elapsed["seconds"] < BOUND_SECONDS
    email = OutboundEmail.objects.get(to=["outage@example.org"])
    _assert_kept_for_later(email)
    assert mailoutbox == []

    _assert_the_sweep_delivers_it(email, mailoutbox)


@pytest.mark.parametrize("kind", ["refused", "hung"])
def test_signup_succeeds_when_redis_is_down_for_the_cache_too(
    kind, client, mailoutbox, django_capture_on_commit_callbacks
):
    # In production one REDIS_URL serves the broker and the cache (allauth's rate limits).
    with (
        _misbehaving_broker(kind) as port,
        celery_broker(f"redis://127.0.0.1:{port}/0", cache_too=True),
        timer() as elapsed,
    ):
        response = _signup(client, "cache-down@example.org", django_capture_on_commit_callbacks)
        login_page = client.get("/en/accounts/login/")

    assert response.status_code == 302
    assert login_page.status_code == 200
    assert elapsed["seconds"] < BOUND_SECONDS
    email = OutboundEmail.objects.get(to=["cache-down@example.org"])
    _assert_kept_for_later(email)
    _assert_the_sweep_delivers_it(email, mailoutbox)


def test_a_request_that_queues_several_emails_pays_for_a_hung_broker_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    with (
        _TcpServer() as server,
        celery_broker(f"redis://127.0.0.1:{server.port}/0"),
        timer() as elapsed,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        emails = [
            email_queue(to=[f"admin{i}@example.org"], subject="Approved", body_text="Hi")
            for i in range(4)
        ]

    # One socket timeout (plus one to connect), not one per email.
    assert elapsed["seconds"] < 2 * settings.REDIS_SOCKET_TIMEOUT + 1
    for email in emails:
        _assert_kept_for_later(email)
    assert outbound_email_sweep.delay().get() == 4
    assert len(mailoutbox) == 4


def test_the_sweep_stops_at_the_first_publish_that_fails(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # broker down when these were made
        emails = [
            email_queue(to=[f"{i}@example.org"], subject="S", body_text="B") for i in range(5)
        ]

    with (
        _TcpServer() as server,
        celery_broker(f"redis://127.0.0.1:{server.port}/0"),
        timer() as elapsed,
    ):
        assert outbound_email_sweep.apply().get() == 0

    assert elapsed["seconds"] < 2 * settings.REDIS_SOCKET_TIMEOUT + 1
    for email in emails:
        _assert_kept_for_later(email)


def test_the_cache_degrades_to_empty_while_redis_is_down():
    from p2c_portal.cache import ResilientRedisCache

    with _refusing_port() as port:
        config = redis_cache(f"redis://127.0.0.1:{port}/0", socket_timeout=1.0)
        down = ResilientRedisCache(config["LOCATION"], config)
        try:
            assert down.get("rate-limit", default=[]) == []
            assert down.add("lock", True) is True  # a lock taken with add() is not waited for
            assert down.get_or_set("page", lambda: "rendered") == "rendered"
            assert down.get_many(["a", "b"]) == {}
            assert down.has_key("a") is False
            assert down.delete("a") is False
            with pytest.raises(ValueError):
                down.incr("counter")
            down.set("a", 1)
            down.set_many({"a": 1})
            down.delete_many(["a"])
            down.clear()
        finally:
            cache._unavailable_until.clear()


# --- A real Redis that freezes while the web process is connected to it -------------------------


@pytest.mark.integration
def test_redis_freezing_under_a_warm_connection_does_not_hang_requests(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    import redis

    host, port, db = _real_redis()
    with _FreezingRedisProxy(host, port) as proxy:
        url = f"redis://127.0.0.1:{proxy.port}/{db}"
        try:
            with celery_broker(url):
                # Redis is healthy: the publish goes through and leaves warm pooled connections.
                with django_capture_on_commit_callbacks(execute=True):
                    warm = email_queue(to=["warm@example.org"], subject="Warm", body_text="Hi")
                warm.refresh_from_db()
                assert warm.queued_at is not None

                proxy.freeze()
                with timer() as elapsed:
                    response = _signup(client, "frozen@ex.org", django_capture_on_commit_callbacks)
                    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                        more = [
                            email_queue(to=[f"more{i}@example.org"], subject="S", body_text="B")
                            for i in range(3)
                        ]
        finally:
            # Nobody consumes this Redis queue here: leave it empty for the worker test.
            client_ = redis.Redis(host=host, port=port, db=int(db), socket_timeout=2)
            client_.delete("celery")
            client_.close()

    assert response.status_code == 302
    assert elapsed["seconds"] < BOUND_SECONDS
    for email in [OutboundEmail.objects.get(to=["frozen@ex.org"]), *more]:
        _assert_kept_for_later(email)
    assert outbound_email_sweep.delay().get() == 4  # the warm one is still queued: left alone
    assert len(mailoutbox) == 4
