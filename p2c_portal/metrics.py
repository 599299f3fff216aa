"""The portal's own figures for Prometheus, beside django-prometheus's request and database
metrics, on /metrics (p2c_portal.views.metrics): read from the database and Redis at each scrape,
so that every web process answers the same figures.

Each app adds the figures of its own rooms without p2c_portal importing it (the layers, see
docs/architecture.md): a `metrics.py` in the app, found as the admin finds `admin.py`, decorates a
reader with `@portal_gauges`. A reader yields prometheus_client metric families. Every app's
`tasks.py` is imported too, so that every kind of job (declared with its services) is counted.
"""

import hmac
from collections.abc import Callable, Iterable

import redis
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from prometheus_client.core import GaugeMetricFamily, Metric

from .jobs import JOB_KINDS, PENDING
from .models import OutboundEmail

GaugeReader = Callable[[], Iterable[Metric]]
GAUGE_READERS: list[GaugeReader] = []

# kombu's Redis transport keeps a queue as a list named after it, and one more list per priority
# step above 0 (the queue name, "\x06\x16", the step): the length of a queue is their sum.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def portal_gauges(reader: GaugeReader) -> GaugeReader:
    """Register a reader of figures for /metrics (once, however often its module is imported)."""
    if reader not in GAUGE_READERS:
        GAUGE_READERS.append(reader)
    return reader


def metrics_token_matches(authorization: str) -> bool:
    """Whether an Authorization header carries the token of P2C_METRICS_TOKEN ("Bearer <token>"),
    compared in constant time."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode())


class PortalCollector:
    """A prometheus_client collector of every registered reader, for one scrape."""

    def collect(self) -> Iterable[Metric]:
        autodiscover_modules("tasks", "metrics")
        for reader in GAUGE_READERS:
            yield from reader()


@portal_gauges
def job_rows() -> Iterable[Metric]:
    rows = GaugeMetricFamily(
        "p2c_job_rows", "Rows of each kind of background job, by status.",
        labels=["kind", "status"],
    )
    oldest = GaugeMetricFamily(
        "p2c_job_oldest_pending_seconds",
        "Age of the oldest row waiting for a worker, per kind of job (0 when none waits).",
        labels=["kind"],
    )
    now = timezone.now()
    for kind in JOB_KINDS:
        for row in kind.rows.order_by().values("status").annotate(count=Count("pk")):
            rows.add_metric([kind.event, row["status"]], row["count"])
        created = kind.rows.filter(status=PENDING).aggregate(oldest=Min("created_at"))["oldest"]
        oldest.add_metric([kind.event], (now - created).total_seconds() if created else 0.0)
    yield rows
    yield oldest


@portal_gauges
def emails() -> Iterable[Metric]:
    counts = dict(
        OutboundEmail.objects.order_by().values_list("status").annotate(count=Count("pk"))
    )
    by_status = GaugeMetricFamily(
        "p2c_emails", "Emails by status: sent, failed, uncertain (cut off mid-send), pending.",
        labels=["status"],
    )
    for status in OutboundEmail.Status.values:
        by_status.add_metric([status], counts.get(status, 0))
    yield by_status
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    yield GaugeMetricFamily(
        "p2c_emails_sent_today", "Emails sent since midnight (UTC).",
        value=OutboundEmail.objects.filter(sent_at__gte=midnight).count(),
    )


def celery_queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each Celery queue of settings.CELERY_TASK_QUEUES, or None when Redis
    cannot be reached (or no broker is configured: tasks run in-process)."""
    if not settings.REDIS_URL:
        return None
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        try:
            pipeline = client.pipeline(transaction=False)
            for queue in settings.CELERY_TASK_QUEUES:
                pipeline.llen(queue)
                for step in _PRIORITY_STEPS:
                    pipeline.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}")
            lengths = iter(pipeline.execute())
        finally:
            client.close()
    except redis.RedisError:
        return None
    return {
        queue: sum(next(lengths) for _ in range(1 + len(_PRIORITY_STEPS)))
        for queue in settings.CELERY_TASK_QUEUES
    }


@portal_gauges
def celery_queues() -> Iterable[Metric]:
    lengths = celery_queue_lengths()
    yield GaugeMetricFamily(
        "p2c_broker_up", "1 when the Celery broker (Redis) answered this scrape, else 0.",
        value=1 if lengths is not None else 0,
    )
    if lengths is not None:
        family = GaugeMetricFamily(
            "p2c_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"]
        )
        for queue, length in lengths.items():
            family.add_metric([queue], length)
        yield family
