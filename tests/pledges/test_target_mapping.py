"""The secretariat maps free-text targets to the indicator catalogue in bulk: a preview that
changes nothing, then a confirmation; the members' text is kept. The pledge page then says which
goals the pledge counts toward."""

import pytest

from action_areas.models import ActionArea, CoalitionGoal, Indicator
from pledges.models import Target
from tests.factories import PledgeFactory, TargetFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/pledges/target/"


@pytest.fixture
def free_text_targets():
    pledge = PledgeFactory(published=True, with_defaults=False)
    pledge.action_areas.set([ActionArea.objects.get(code="access")])
    return [
        TargetFactory(pledge=pledge, indicator="Persons with internet access", unit="persons",
                      position=0),
        TargetFactory(pledge=pledge, indicator="people connected", unit="pax", position=1),
    ]


def post_action(client, targets, **data):
    return client.post(CHANGELIST, {
        "action": "map_to_indicator", "_selected_action": [t.pk for t in targets], **data})


def test_preview_changes_nothing_then_confirmation_maps_and_keeps_the_text(
        secretariat_client, free_text_targets):
    connected = Indicator.objects.get(code="people-connected")
    first = post_action(secretariat_client, free_text_targets)
    assert first.status_code == 200
    assert "Persons with internet access" in first.content.decode()
    preview = post_action(secretariat_client, free_text_targets, step="preview",
                          indicator=connected.pk)
    page = preview.content.decode()
    assert "Preview: nothing is saved until you confirm." in page
    assert page.count("People newly connected") >= 3  # the choice and each row's "after"
    assert not Target.objects.filter(catalogue_indicator__isnull=False).exists()

    confirmed = post_action(secretariat_client, free_text_targets, step="confirm",
                            indicator=connected.pk)
    assert confirmed.status_code == 302
    mapped = list(Target.objects.order_by("position").values_list(
        "catalogue_indicator__code", "indicator", "unit"))
    assert mapped == [("people-connected", "Persons with internet access", "persons"),
                      ("people-connected", "people connected", "pax")]


def test_a_bad_indicator_is_refused_with_a_message_and_nothing_changes(
        secretariat_client, free_text_targets):
    response = post_action(secretariat_client, free_text_targets, step="confirm",
                           indicator="99999999")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    retired = Indicator.objects.get(code="fibre-deployed-km")
    retired.is_active = False
    retired.save()
    response = post_action(secretariat_client, free_text_targets, step="confirm",
                           indicator=retired.pk)
    assert response.status_code == 200
    assert not Target.objects.filter(catalogue_indicator__isnull=False).exists()


def test_members_cannot_map(member_client, free_text_targets):
    response = post_action(member_client, free_text_targets, step="confirm",
                           indicator=Indicator.objects.get(code="people-connected").pk)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Target.objects.filter(catalogue_indicator__isnull=False).exists()


def test_the_pledge_page_names_the_goals_its_targets_count_toward(anonymous, free_text_targets):
    connected = Indicator.objects.get(code="people-connected")
    CoalitionGoal.objects.create(code="connect", name_en="Connect 100 million people",
                                 name_translations={"fr": "Connecter 100 millions de personnes"},
                                 indicator=connected, target_value=100_000_000,
                                 target_date="2030-12-31")
    CoalitionGoal.objects.create(code="ldc-only", name_en="LDC goal", indicator=connected,
                                 target_value=10, target_date="2030-12-31",
                                 scope="country_group", country_group="SIDS")
    pledge = free_text_targets[0].pledge
    pledge.countries.set([])
    assert "Connect 100 million people" not in anonymous.get(
        f"/en/pledges/{pledge.pk}/").content.decode()
    Target.objects.filter(pk=free_text_targets[0].pk).update(catalogue_indicator=connected)
    page = anonymous.get(f"/fr/pledges/{pledge.pk}/").content.decode()
    assert "Connecter 100 millions de personnes" in page
    assert "/fr/goals/connect/" in page
    assert "LDC goal" not in page  # out of its scope
    assert "Personnes nouvellement connectées" in page  # the target's indicator, in French
