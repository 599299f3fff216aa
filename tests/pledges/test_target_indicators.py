"""A target picks its indicator from the catalogue (grouped by action area, the pledge's areas
first, without JavaScript), or describes another one; the unit follows the indicator."""

import pytest

from action_areas.models import ActionArea, Indicator
from pledges import services
from tests.pledges.test_member_form import edit_url, post_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(member, member_client, entity):
    pledge = services.pledge_create(user=member, entity_id=entity.pk)
    pledge.action_areas.set([ActionArea.objects.get(code="adoption")])
    return pledge


def target_row(**fields):
    return {"targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0",
            "targets-0-target_value": "500", "targets-0-target_date": "2025-06-30", **fields}


def test_the_select_offers_the_pledges_areas_first_grouped_and_other(member_client, draft):
    page = member_client.get(edit_url(draft, "targets")).content.decode()
    trained = Indicator.objects.get(code="people-trained-digital-skills")
    fibre = Indicator.objects.get(code="fibre-deployed-km")
    assert '<optgroup label="Adoption">' in page
    assert page.index('<optgroup label="Adoption">') < page.index(f'value="{trained.pk}"')
    # Access indicators are not offered to an Adoption-only pledge.
    assert f'value="{fibre.pk}"' not in page
    assert "Other (describe it below)" in page


def test_a_catalogue_indicator_sets_the_unit_and_counts(member_client, draft):
    trained = Indicator.objects.get(code="people-trained-digital-skills")
    response = post_section(member_client, draft, "targets", target_row(
        **{"targets-0-catalogue_indicator": str(trained.pk), "targets-0-unit": "pax"}))
    assert response.status_code == 302
    target = draft.targets.get()
    assert target.catalogue_indicator == trained
    assert (target.indicator, target.unit) == ("People trained in digital skills", "people")


def test_an_indicator_of_another_area_cannot_be_forced(member_client, draft):
    fibre = Indicator.objects.get(code="fibre-deployed-km")
    response = post_section(member_client, draft, "targets", target_row(
        **{"targets-0-catalogue_indicator": str(fibre.pk)}))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not draft.targets.exists()


def test_other_needs_a_description_and_a_unit(member_client, draft):
    response = post_section(member_client, draft, "targets", target_row())
    page = response.content.decode()
    assert "Choose an indicator of the catalogue, or describe the one you will count." in page
    assert "Give the unit of the indicator you describe." in page
    assert not draft.targets.exists()
    response = post_section(member_client, draft, "targets", target_row(
        **{"targets-0-indicator": "Libraries equipped", "targets-0-unit": "libraries"}))
    assert response.status_code == 302
    target = draft.targets.get()
    assert target.catalogue_indicator is None and target.indicator == "Libraries equipped"


def test_the_chosen_indicator_is_selected_again_and_shown_in_french(member_client, draft):
    trained = Indicator.objects.get(code="people-trained-digital-skills")
    post_section(member_client, draft, "targets", target_row(
        **{"targets-0-catalogue_indicator": str(trained.pk)}))
    page = member_client.get(edit_url(draft, "targets").replace("/en/", "/fr/")).content.decode()
    assert f'<option value="{trained.pk}" selected>Personnes formées aux compétences' in page


def test_a_catalogue_target_does_not_show_its_name_again_as_another_indicator(
    member_client, draft
):
    """The catalogue indicator's English name and unit are copied into the target's free-text
    columns; shown again in "Other indicator" and "Unit" they would read as a second choice."""
    trained = Indicator.objects.get(code="people-trained-digital-skills")
    post_section(member_client, draft, "targets", target_row(
        **{"targets-0-catalogue_indicator": str(trained.pk)}))
    page = member_client.get(edit_url(draft, "targets")).content.decode()
    assert 'name="targets-0-indicator" value=' not in page
    assert 'name="targets-0-unit" value=' not in page
    assert 'src="/static/js/target_indicator.js"' in page or "js/target_indicator" in page
    # Saving the page again as it is shown keeps the catalogue indicator, its name and unit.
    response = post_section(member_client, draft, "targets", target_row(
        **{"targets-0-catalogue_indicator": str(trained.pk)}))
    assert response.status_code == 302
    target = draft.targets.get()
    assert (target.catalogue_indicator, target.indicator, target.unit) == (
        trained, "People trained in digital skills", "people")
