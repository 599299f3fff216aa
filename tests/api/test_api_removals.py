"""A pledge that leaves the public set shows to a syncing consumer as a removal
(/api/v1/pledges/removed/): withdrawn after publication, or its entity suspended. A pledge the
public never saw is never listed there, not even by its id."""

import datetime

import pytest
from django.utils import timezone

from members.workflow import entity_transition
from pledges.workflow import pledge_transition
from tests.factories import PledgeFactory

REMOVED = "/api/v1/pledges/removed/"


def _all_rows(client, url, params=None) -> list[dict]:
    rows = []
    while url:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url, params = response.json()["next"], None
    return rows


def _withdraw(pledge, member, secretariat):
    pledge_transition(pledge_id=pledge.pk, name="withdraw", actor=member,
                      message="No funding this year.")


def _suspend_entity(pledge, member, secretariat):
    entity_transition(entity_id=pledge.entity_id, name="suspend", actor=secretariat,
                      message="Under review.")


@pytest.mark.django_db
@pytest.mark.parametrize("leave", [_withdraw, _suspend_entity], ids=["withdrawn", "suspended"])
def test_a_pledge_that_leaves_the_public_set_is_listed_as_removed_from_then(
        client, entity, member, secretariat, leave):
    pledge = PledgeFactory(entity=entity, published=True)
    PledgeFactory(entity=entity, status="draft")  # never public: never listed
    before = timezone.now() - datetime.timedelta(seconds=1)
    assert _all_rows(client, REMOVED) == []

    leave(pledge, member, secretariat)

    rows = _all_rows(client, REMOVED, {"updated_since": before.isoformat()})
    assert [row["id"] for row in rows] == [pledge.pk]
    assert set(rows[0]) == {"id", "removed_at"}  # an id and a moment, nothing of the pledge
    assert client.get(f"/api/v1/pledges/{pledge.pk}/").status_code == 404
    later = timezone.now() + datetime.timedelta(seconds=1)
    assert _all_rows(client, REMOVED, {"updated_since": later.isoformat()}) == []


@pytest.mark.django_db
def test_a_consumer_syncing_both_feeds_ends_with_exactly_the_public_pledges(
        client, entity, member, secretariat):
    """Pages of 2 read in turn while pledges are published, changed and withdrawn: the copy
    built from the pledges feed minus the removals equals the public set."""
    pledges = [PledgeFactory(entity=entity, published=True) for _ in range(5)]
    copy: dict[int, str] = {}
    since = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()

    def sync(since):
        started = timezone.now()
        for row in _all_rows(client, "/api/v1/pledges/", {"updated_since": since,
                                                          "page_size": 2}):
            copy[row["id"]] = row["title"]
        for row in _all_rows(client, REMOVED, {"updated_since": since, "page_size": 2}):
            copy.pop(row["id"], None)
        return started.isoformat()

    since = sync(since)
    assert set(copy) == {p.pk for p in pledges}
    _withdraw(pledges[1], member, secretariat)
    pledges[2].title = "Renamed"
    pledges[2].save()
    newcomer = PledgeFactory(entity=entity, published=True)
    since = sync(since)
    assert set(copy) == {p.pk for p in pledges if p != pledges[1]} | {newcomer.pk}
    assert copy[pledges[2].pk] == "Renamed"
    sync(since)  # nothing changed since: the copy stays as it is
    assert set(copy) == {p.pk for p in pledges if p != pledges[1]} | {newcomer.pk}


@pytest.mark.django_db
def test_a_bad_updated_since_on_the_removals_is_a_400_naming_it(client):
    response = client.get(REMOVED, {"updated_since": "yesterday"})
    assert response.status_code == 400
    assert "updated_since" in response.content.decode()


@pytest.mark.django_db
def test_a_pledge_whose_entity_is_reinstated_reaches_a_syncing_consumer_again(
        client, entity, member, secretariat):
    pledge = PledgeFactory(entity=entity, published=True)
    _suspend_entity(pledge, member, secretariat)
    since = timezone.now().isoformat()
    assert _all_rows(client, "/api/v1/pledges/", {"updated_since": since}) == []

    entity_transition(entity_id=entity.pk, name="reinstate", actor=secretariat,
                      message="Review over.")

    rows = _all_rows(client, "/api/v1/pledges/", {"updated_since": since})
    assert [row["id"] for row in rows] == [pledge.pk]
