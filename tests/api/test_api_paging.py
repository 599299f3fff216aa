"""Cursor pages in a stable order: a consumer syncing with updated_since receives every change
exactly once across pages while writes happen; a page costs the same queries whatever its size
and however many pledges exist."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pledges.models import Pledge
from tests.factories import PledgeFactory
from tests.pledges.public_data import bulk_pledges


def _touch(pledge_id: int, title: str) -> None:
    """A change as the services make it: a save bumps updated_at."""
    pledge = Pledge.objects.get(pk=pledge_id)
    pledge.title = title
    pledge.save()


@pytest.mark.django_db
def test_sync_returns_every_change_exactly_once_while_writes_happen(client):
    start = timezone.now() - datetime.timedelta(seconds=1)
    pledges = [PledgeFactory(published=True) for _ in range(7)]
    seen: list[tuple[int, str]] = []
    url, params = "/api/v1/pledges/", {"updated_since": start.isoformat(), "page_size": 2}
    writes = iter([
        lambda: _touch(pledges[0].pk, "Changed after it was read"),  # read already: again
        lambda: _touch(pledges[6].pk, "Changed before it was read"),  # not read yet: once
        lambda: PledgeFactory(published=True, title="Published while reading"),
    ])
    while url:
        page = client.get(url, params).json()
        seen += [(row["id"], row["title"]) for row in page["results"]]
        next(writes, lambda: None)()
        url, params = page["next"], None
    ids = [pledge_id for pledge_id, _title in seen]
    # Each pledge once per change: the one changed after it was read comes twice (its old then
    # its new version), the others once, with their latest version.
    assert sorted(ids) == sorted([p.pk for p in pledges] + [pledges[0].pk] +
                                 [Pledge.objects.get(title="Published while reading").pk])
    assert (pledges[0].pk, "Changed after it was read") in seen
    assert (pledges[6].pk, "Changed before it was read") in seen
    assert len(set(seen)) == len(seen)


@pytest.mark.django_db
def test_updated_since_leaves_out_what_did_not_change(client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    PledgeFactory(published=True)
    time_machine.move_to(datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
    recent = PledgeFactory(published=True)
    rows = client.get("/api/v1/pledges/?updated_since=2026-01-15").json()["results"]
    assert [row["id"] for row in rows] == [recent.pk]
    assert rows[0]["changed_at"].startswith("2026-02-01")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/pledges/", "/api/v1/entities/",
                                  "/api/v1/progress-reports/", "/api/v1/countries/",
                                  "/api/v1/pledges/removed/", "/api/v1/indicators/",
                                  "/api/v1/goals/", "/api/v1/action-areas/"])
def test_a_page_costs_the_same_queries_whatever_its_size_and_n(client, path):
    bulk_pledges(6)

    def queries(size):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, {"page_size": size}).status_code == 200
        return len(captured)

    queries(1)  # the filters' reference lists, read once and kept (pledges.public_cache)
    small = queries(2)
    bulk_pledges(40)
    # Goals: the new pledges change the in-memory goal state (reporting.selectors.goal_state),
    # built by the first request after a change, then read by every request.
    queries(3)
    assert queries(100) == small
    assert small <= 12
