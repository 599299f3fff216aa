"""Pledging campaigns: the secretariat runs one in the admin (written through
action_areas.services); a member proposes a pledge for an open campaign; the secretariat confirms
or declines it (one transition table, an audit row each); the campaign's page shows its confirmed
public pledges and its goal's progress, counting only confirmed pledges, as of any date."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from action_areas import services as catalogue_services
from action_areas.models import Campaign, CoalitionGoal
from pledges import campaign_tags, facet_bitsets
from pledges.models import CampaignTag
from reporting.selectors import goals as goal_selectors
from tests.factories import PledgeFactory
from tests.reporting import goal_data
from tests.reporting.cycles import at

# frozen, schools: tests/reporting/conftest.py
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NOW = datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)


def _propose_and_decide(pledge, campaign, actor, secretariat, decision: str) -> CampaignTag:
    tag = campaign_tags.campaign_tag_propose(actor=actor, pledge_id=pledge.pk,
                                             campaign_id=campaign.pk)
    return campaign_tags.campaign_tag_transition(actor=secretariat, tag_id=tag.pk,
                                                 name=decision)


def test_the_secretariat_starts_a_campaign_in_every_language(secretariat_client):
    response = secretariat_client.post("/en/admin/action_areas/campaign/add/", {
        "slug": "ai-for-good", "name_en": "AI for good", "name_in_fr": "L’IA au service du bien",
        "description_en": "Pledges on AI skills.", "starts_on": "2025-03-01",
        "ends_on": "2025-09-30", "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(slug="ai-for-good")
    assert campaign.name_in("fr") == "L’IA au service du bien"
    assert response.url == "/en/admin/action_areas/campaign/"


def test_a_campaign_that_ends_before_it_starts_is_refused_and_nothing_saved(secretariat_client):
    response = secretariat_client.post("/en/admin/action_areas/campaign/add/", {
        "slug": "backwards", "name_en": "Backwards", "starts_on": "2025-03-01",
        "ends_on": "2025-02-01", "is_active": "on",
    })
    assert response.status_code == 200
    assert "The campaign cannot end before it starts." in response.content.decode()
    assert not Campaign.objects.filter(slug="backwards").exists()


def test_services_refuse_who_may_not_write_the_catalogue(member, secretariat):
    with pytest.raises(PermissionDenied):
        catalogue_services.indicator_save(actor=member, indicator_id=None, values={
            "code": "x", "name_en": "X", "unit_en": "x", "definition_en": "X."})
    with pytest.raises(PermissionDenied):
        catalogue_services.goal_delete(actor=member, goal_ids=CoalitionGoal.objects.values_list(
            "pk", flat=True))
    assert CoalitionGoal.objects.filter(code="usd-100-billion").exists()


def test_a_member_proposes_and_the_secretariat_confirms(
        entity, member, member_client, viewer_client, secretariat, secretariat_client,
        anonymous, schools):
    pledge = goal_data.public_pledge(entity=entity, published_on="2025-02-01",
                                     targets=[("schools-connected", "40")])
    page = member_client.get(f"/en/my-pledges/{pledge.pk}/campaigns/").content.decode()
    assert "Connect every school" in page and "not been proposed for any campaign" in page
    # A viewer reads, may not propose.
    assert viewer_client.post(f"/en/my-pledges/{pledge.pk}/campaigns/",
                              {"campaign": schools.pk}).status_code == 403
    response = member_client.post(f"/en/my-pledges/{pledge.pk}/campaigns/",
                                  {"campaign": schools.pk})
    assert response.status_code == 302
    tag = CampaignTag.objects.get(pledge=pledge)
    assert tag.status == "proposed"
    # Not on the campaign's page before the secretariat confirms it.
    assert pledge.title not in anonymous.get("/en/campaigns/schools/").content.decode()
    # Proposed twice: said plainly, nothing added.
    again = member_client.post(f"/en/my-pledges/{pledge.pk}/campaigns/",
                               {"campaign": schools.pk})
    assert "Choose one of the campaigns open today." in again.content.decode()
    assert CampaignTag.objects.count() == 1
    # Members cannot confirm their own tag.
    with pytest.raises(PermissionDenied):
        campaign_tags.campaign_tag_transition(actor=member, tag_id=tag.pk, name="confirm")
    response = secretariat_client.post("/en/admin/pledges/campaigntag/", {
        "action": "confirm_selected", ACTION_CHECKBOX_NAME: [tag.pk]})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.status == "confirmed"
    assert list(tag.changes.order_by("pk").values_list("from_status", "to_status", "actor")) == [
        ("", "proposed", member.pk), ("proposed", "confirmed", secretariat.pk)]
    cache.clear()
    assert pledge.title in anonymous.get("/en/campaigns/schools/").content.decode()
    assert "Connect every school" in anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    # Decided once: a second decision is refused with the reason.
    with pytest.raises(campaign_tags.CampaignTagError, match="already decided"):
        campaign_tags.campaign_tag_transition(actor=secretariat, tag_id=tag.pk, name="decline")


def test_only_campaigns_open_today_are_offered(entity, member, member_client, secretariat):
    closed = catalogue_services.campaign_save(
        actor=secretariat, campaign_id=None,
        values={"slug": "kigali-drive", "name_en": "Kigali pledge drive",
                "starts_on": datetime.date(2022, 6, 6), "ends_on": datetime.date(2022, 6, 16)})
    pledge = PledgeFactory(entity=entity, created_by=member)
    page = member_client.get(f"/en/my-pledges/{pledge.pk}/campaigns/").content.decode()
    assert "Kigali pledge drive" not in page
    for hostile in (closed.pk, "1 OR 1=1", "", "9" * 40):
        response = member_client.post(f"/en/my-pledges/{pledge.pk}/campaigns/",
                                      {"campaign": hostile})
        assert response.status_code == 200
        assert "Choose one of the campaigns open today." in response.content.decode()
    assert not CampaignTag.objects.exists()


def test_a_campaign_goal_counts_only_confirmed_pledges_as_of_their_confirmation(
        entity, member, secretariat, anonymous, schools):
    goal = catalogue_services.goal_save(actor=secretariat, goal_id=None, values={
        "code": "schools-2025", "name_en": "1000 schools in the campaign",
        "measure": "indicator", "indicator_id": goal_data.indicator("schools-connected").pk,
        "target_value": Decimal("1000"), "target_date": datetime.date(2025, 12, 31),
        "scope": "campaign", "campaign_id": schools.pk})
    confirmed = goal_data.public_pledge(entity=entity, published_on="2025-02-01",
                                        targets=[("schools-connected", "40")])
    declined = goal_data.public_pledge(entity=entity, published_on="2025-02-01",
                                       targets=[("schools-connected", "300")])
    goal_data.public_pledge(published_on="2025-02-01",  # not in the campaign
                            targets=[("schools-connected", "500")])
    with time_machine.travel(at("2025-04-10", 9), tick=False):
        _propose_and_decide(confirmed, schools, member, secretariat, "confirm")
    _propose_and_decide(declined, schools, member, secretariat, "decline")
    [figures] = goal_selectors.goal_figures([(goal, goal_selectors.Slice())])
    assert (figures.committed, figures.pledges) == (Decimal("40"), 1)
    [before] = goal_selectors.goal_figures([(goal, goal_selectors.Slice())],
                                           as_of=datetime.date(2025, 4, 9))
    assert (before.committed, before.pledges) == (Decimal("0"), 0)
    page = anonymous.get("/en/campaigns/schools/").content.decode()
    assert "1000 schools in the campaign" in page and "Committed: 40 schools" in page
    assert confirmed.title in page and declined.title not in page
    pledge_page = anonymous.get(f"/en/pledges/{confirmed.pk}/").content.decode()
    assert "1000 schools in the campaign" in pledge_page
    assert "1000 schools in the campaign" not in anonymous.get(
        f"/en/pledges/{declined.pk}/").content.decode()


def test_campaign_pages_in_french_and_query_counts_constant(
        entity, member, secretariat, anonymous, schools, django_assert_max_num_queries):
    def add_confirmed(count):
        for _i in range(count):
            pledge = goal_data.public_pledge(entity=entity, published_on="2025-02-01",
                                             targets=[("schools-connected", "1")])
            _propose_and_decide(pledge, schools, member, secretariat, "confirm")

    add_confirmed(2)
    cache.clear()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert anonymous.get("/fr/campaigns/schools/").status_code == 200
    with CaptureQueriesContext(connection) as index_few:
        assert anonymous.get("/fr/campaigns/").status_code == 200
    add_confirmed(8)
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        page = anonymous.get("/fr/campaigns/schools/").content.decode()
    assert "Connecter chaque école" in page
    with django_assert_max_num_queries(len(index_few)):
        index = anonymous.get("/fr/campaigns/").content.decode()
    assert "10 engagements" in index
    assert anonymous.get("/en/campaigns/?page=x' OR 1=1").status_code == 200
    assert anonymous.get("/en/campaigns/" + "x" * 300 + "/").status_code == 404


def test_a_campaign_made_inactive_leaves_the_facet_data_at_once(
    postgresql, schools, entity, member, secretariat
):
    """The list's facet data counts a campaign's confirmed pledges; closing the campaign is a
    change of the public data (public_cache.public_fingerprint), so the next list counts none
    under it, instead of keeping them until the next publication or edit of a pledge."""
    pledge = goal_data.public_pledge(entity=entity, published_on="2025-02-01",
                                     title="Solar-powered school networks")
    _propose_and_decide(pledge, schools, member, secretariat, "confirm")
    assert facet_bitsets.current().ids_of(facet_bitsets.current().values["campaign"]["schools"]) \
        == [pledge.pk]
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        catalogue_services.campaign_save(actor=secretariat, campaign_id=schools.pk,
                                         values={"is_active": False})
        assert "schools" not in facet_bitsets.current().values.get("campaign", {})
