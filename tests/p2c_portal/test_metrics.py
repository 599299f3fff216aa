"""/metrics: what whoever runs the site scrapes with Prometheus. Only the holder of the token set
in P2C_METRICS_TOKEN gets it (403 to anyone else, the secretariat included); without a token set
there is no such page (404). The portal's figures are the database's counts at the scrape."""

import datetime
import socket
import uuid

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from p2c_portal.models import OutboundEmail
from reporting.models import Reminder, ReportRun
from tests.conftest import require_service
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-" + "k" * 40


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def _scrape(client, token: str = TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def _samples(response) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of a Prometheus text answer."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_without_a_token_set_there_is_no_metrics_page(anonymous, secretariat_client, settings):
    settings.METRICS_TOKEN = ""
    assert anonymous.get("/metrics").status_code == 404
    assert secretariat_client.get("/metrics").status_code == 404
    assert _scrape(anonymous, "").status_code == 404


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
    f"Bearer {TOKEN[:-1]}",
])
def test_anyone_without_the_token_is_refused(anonymous, metrics_token, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = anonymous.get("/metrics", headers=headers)

    assert response.status_code == 403
    assert b"p2c_" not in response.content


def test_the_secretariat_logged_in_is_no_token_holder(secretariat_client, metrics_token):
    assert secretariat_client.get("/metrics").status_code == 403


def test_the_token_holder_gets_request_database_and_portal_metrics(anonymous, metrics_token):
    anonymous.get("/healthz")  # at least one request and one query counted before the scrape
    response = _scrape(anonymous)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    # django-prometheus: requests by view and latency, database queries (the wrapped backend)
    assert {"django_http_requests_latency_seconds_by_view_method",
            "django_http_responses_total_by_status_view_method"} <= names
    assert "django_db_execute" in names
    assert {"p2c_job_rows", "p2c_job_oldest_pending_seconds", "p2c_emails",
            "p2c_emails_sent_today", "p2c_reminders_due", "p2c_report_runs",
            "p2c_public_pledges", "p2c_broker_up"} <= names


def test_the_figures_are_the_databases_counts(anonymous, metrics_token, entity):
    now = timezone.now()
    for status, count in (("sent", 3), ("failed", 2), ("uncertain", 1), ("pending", 4)):
        for _ in range(count):
            OutboundEmail.objects.create(
                to=["someone@example.org"], subject="Hello", body_text="Hello", status=status,
                sent_at=now if status == "sent" else None,
            )
    OutboundEmail.objects.filter(status="pending").update(
        created_at=now - datetime.timedelta(minutes=10)
    )
    PledgeFactory.create_batch(2, entity=entity, published=True)
    PledgeFactory(entity=entity, published=True, embargo_until=now + datetime.timedelta(days=3))
    PledgeFactory(entity=entity)  # a draft
    published = PledgeFactory(entity=entity, published=True)
    for day in (1, 2):
        Reminder.objects.create(kind="draft_untouched", target_key=f"pledge:{published.pk}",
                                due_on=datetime.date(2024, 1, day), pledge=published)
    Reminder.objects.create(kind="draft_untouched", target_key=f"pledge:{published.pk}",
                            due_on=datetime.date(2024, 1, 3), pledge=published, status="sent")
    ReportRun.objects.create(kind=ReportRun.Kind.CUSTOM, title_en="Failed",
                             as_of=datetime.date(2024, 1, 1), parameters_key="metrics|failed",
                             status=ReportRun.Status.FAILED)

    samples = _samples(_scrape(anonymous))

    def value(name: str, **labels) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("p2c_emails", status="sent") == 3
    assert value("p2c_emails", status="failed") == 2
    assert value("p2c_emails", status="uncertain") == 1
    assert value("p2c_emails", status="pending") == 4
    assert value("p2c_emails_sent_today") == 3
    assert value("p2c_job_rows", kind="email", status="pending") == 4
    assert value("p2c_job_rows", kind="email", status="uncertain") == 1
    # the ten minutes the oldest pending email has waited, give or take the test's own time
    assert 600 <= value("p2c_job_oldest_pending_seconds", kind="email") < 660
    assert value("p2c_job_oldest_pending_seconds", kind="compiled_report") == 0
    assert value("p2c_public_pledges") == 3  # neither the embargoed one nor the draft
    assert value("p2c_reminders_due") == 2
    assert value("p2c_job_rows", kind="reminder", status="sent") == 1
    assert value("p2c_report_runs", status="failed") == 1
    assert value("p2c_report_runs", status="done") == 0


def test_a_scrape_costs_the_same_few_queries_however_many_rows(
    anonymous, metrics_token, entity, django_assert_max_num_queries
):
    def queries_of_a_scrape() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _scrape(anonymous).status_code == 200
        return len(captured)

    PledgeFactory(entity=entity, published=True)
    OutboundEmail.objects.create(to=["a@example.org"], subject="s", body_text="b")
    few = queries_of_a_scrape()
    PledgeFactory.create_batch(5, entity=entity, published=True)
    for _ in range(20):
        OutboundEmail.objects.create(to=["a@example.org"], subject="s", body_text="b")
    assert queries_of_a_scrape() == few
    with django_assert_max_num_queries(20):
        assert _scrape(anonymous).status_code == 200


def test_celery_queue_lengths_are_read_from_redis(anonymous, metrics_token, settings):
    require_service(bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    # Queues of this test alone, so that no worker of another test ever reads them.
    queues = {f"metrics-test-{uuid.uuid4().hex[:8]}-{name}": count
              for name, count in (("emails", 3), ("reports", 1))}
    settings.CELERY_TASK_QUEUES = {name: {} for name in queues}
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for name, count in queues.items():
            client.lpush(name, *[b"{}"] * count)
        client.lpush(f"{next(iter(queues))}\x06\x169", b"{}")  # one at priority 9
        samples = _samples(_scrape(anonymous))
    finally:
        client.delete(*queues, f"{next(iter(queues))}\x06\x169")
        client.close()

    emails_queue, reports_queue = queues
    assert samples[("p2c_broker_up", ())] == 1
    assert samples[("p2c_celery_queue_length", (("queue", emails_queue),))] == 4
    assert samples[("p2c_celery_queue_length", (("queue", reports_queue),))] == 1


def test_unreachable_redis_is_a_broker_down_figure_not_an_error(anonymous, metrics_token,
                                                                settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        settings.REDIS_URL = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
        response = _scrape(anonymous)

    assert response.status_code == 200
    samples = _samples(response)
    assert samples[("p2c_broker_up", ())] == 0
    assert not any(name == "p2c_celery_queue_length" for name, _labels in samples)
