"""What a pledge in the API carries beyond its own fields: accepted partners (never an
invitation, a declined or ended partnership), revisions, the catalogue indicator of each target;
and the catalogue and the coalition goals with their figures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from action_areas.models import Indicator
from members.models import Entity
from pledges import amendment_workflow
from pledges.models import Partnership
from tests.factories import (
    EntityFactory,
    MembershipFactory,
    PledgeFactory,
    TargetFactory,
    UserFactory,
)
from tests.reporting.goal_data import goal, public_pledge


def _pledge_everywhere(client, pledge_id: int, **params) -> list[dict]:
    """The pledge as the list and as the detail give it (they must agree)."""
    listed = [row for row in client.get("/api/v1/pledges/", params).json()["results"]
              if row["id"] == pledge_id]
    detail = client.get(f"/api/v1/pledges/{pledge_id}/", params).json()
    assert listed == [detail]
    return detail


@pytest.mark.django_db
def test_only_accepted_partners_of_approved_entities_are_shown(client):
    pledge = PledgeFactory(published=True)
    funder = EntityFactory(name="Funding Bank")
    ended = {"ended_at": timezone.now(), "end_reason": "Project closed."}
    for entity, role, status, *more in [
        (funder, "funder", "accepted"),
        (EntityFactory(name="Invited Adopter"), "adopter", "invited"),
        (EntityFactory(name="Declining Implementer"), "co_implementer", "declined"),
        (EntityFactory(name="Former Partner"), "co_implementer", "ended", ended),
        (EntityFactory(name="Suspended Funder", status=Entity.Status.SUSPENDED), "funder",
         "accepted"),
    ]:
        Partnership.objects.create(pledge=pledge, entity=entity, role=role, status=status,
                                   **(more[0] if more else {}))

    document = _pledge_everywhere(client, pledge.pk, lang="fr")
    assert [(p["entity"]["name"], p["role"]["code"]) for p in document["partners"]] == [
        ("Funding Bank", "funder")]
    assert document["partners"][0]["role"]["name"] != "Funder"  # the French label
    body = client.get("/api/v1/pledges/").content.decode()
    for hidden in ("Invited Adopter", "Declining Implementer", "Former Partner",
                   "Suspended Funder"):
        assert hidden not in body


@pytest.mark.django_db
def test_each_target_names_its_catalogue_indicator_which_the_catalogue_lists(client):
    trained = Indicator.objects.get(code="people-trained-digital-skills")
    pledge = PledgeFactory(published=True, with_defaults=False)
    TargetFactory(pledge=pledge, position=0, catalogue_indicator=trained,
                  indicator="Teachers trained", target_value=Decimal("1200.5"))
    TargetFactory(pledge=pledge, position=1, indicator="Our own measure")

    targets = _pledge_everywhere(client, pledge.pk)["targets"]
    assert [(t["indicator"], t["indicator_code"], t["target_value"]) for t in targets] == [
        ("Teachers trained", "people-trained-digital-skills", "1200.50"),
        ("Our own measure", None, "1000.00")]
    catalogue = client.get("/api/v1/indicators/", {"page_size": 100}).json()["results"]
    assert "people-trained-digital-skills" in {row["code"] for row in catalogue}
    inactive = Indicator.objects.exclude(is_active=False).order_by("code").first()
    inactive.is_active = False
    inactive.save()
    catalogue = client.get("/api/v1/indicators/", {"page_size": 100}).json()["results"]
    assert inactive.code not in {row["code"] for row in catalogue}


@pytest.mark.django_db
def test_an_approved_amendment_shows_as_a_revision_and_a_change(client, secretariat):
    pledge = PledgeFactory(published=True)
    before = client.get(f"/api/v1/pledges/{pledge.pk}/").json()
    assert before["revisions"] == []
    editor = UserFactory()
    MembershipFactory(user=editor, entity=pledge.entity, role="editor")
    amendment = amendment_workflow.amendment_propose(
        user=editor, pledge_id=pledge.pk, values={"end_date": datetime.date(2027, 6, 30)},
        reason="One more school year")
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="OK")

    after = _pledge_everywhere(client, pledge.pk)
    assert [r["reason"] for r in after["revisions"]] == ["One more school year"]
    assert after["end_date"] == "2027-06-30"
    assert after["changed_at"] > before["changed_at"]  # a syncing consumer sees it again


@pytest.mark.django_db
def test_goals_give_committed_and_achieved_as_of_a_date(client):
    goal("people-trained", indicator=Indicator.objects.get(
        code="people-trained-digital-skills"), target_value=Decimal("5000"))
    public_pledge(published_on="2023-03-01",
                  targets=[("people-trained-digital-skills", "1500")])

    def figures(**params):
        rows = client.get("/api/v1/goals/", params).json()["results"]
        return {row["code"]: row for row in rows}

    now = figures()["people-trained"]
    assert (now["committed"], now["target_value"], now["pledges"]) == ("1500.00", "5000.00", 1)
    assert now["indicator_code"] == "people-trained-digital-skills"
    assert now["scope"] == {"kind": "all", "code": None}
    assert figures(as_of="2022-12-31")["people-trained"]["committed"] == "0.00"
    response = client.get("/api/v1/goals/", {"as_of": "2022-13-01"})
    assert response.status_code == 400 and response.json()["parameter"] == "as_of"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/countries/", "/api/v1/action-areas/",
                                  "/api/v1/indicators/", "/api/v1/goals/",
                                  "/api/v1/entities/", "/api/v1/progress-reports/",
                                  "/api/v1/compiled-reports/", "/api/v1/pledges/removed/"])
def test_every_collection_takes_updated_since_and_refuses_a_bad_one(client, path):
    assert client.get(path, {"updated_since": "2024-01-01T00:00:00Z"}).status_code == 200
    response = client.get(path, {"updated_since": "soon"})
    assert response.status_code == 400 and response.json()["parameter"] == "updated_since"
