import datetime

import pytest

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    CountryGroup,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)

pytestmark = pytest.mark.django_db

KIGALI = datetime.date(2022, 6, 6)


def test_the_four_action_areas_are_seeded_in_english_and_french():
    areas = list(ActionArea.objects.values_list("code", "name_en", "name_translations__fr"))
    assert areas == [
        ("access", "Access", "Accès"),
        ("adoption", "Adoption", "Adoption"),
        ("value-creation", "Value Creation", "Création de valeur"),
        ("accelerate", "Accelerate", "Accélérer"),
    ]
    assert all(a.description_en and a.description_translations["fr"]
               for a in ActionArea.objects.all())
    assert set(Pillar.objects.values_list("action_area__code", flat=True)) == {
        "access",
        "adoption",
        "value-creation",
        "accelerate",
    }


def test_reference_lists_are_complete():
    assert SustainableDevelopmentGoal.objects.count() == 17
    assert BeneficiaryGroup.objects.count() == 9
    assert sorted(Region.objects.values_list("name_en", flat=True)) == [
        "Africa",
        "Americas",
        "Arab States",
        "Asia-Pacific",
        "CIS",
        "Europe",
    ]
    assert Country.objects.count() == 215


def test_country_groups_today_match_the_current_un_lists():
    today = datetime.date(2026, 6, 1)
    assert Country.objects.in_group(CountryGroup.LDC, today).count() == 44
    assert Country.objects.in_group(CountryGroup.LLDC, today).count() == 32
    assert Country.objects.in_group(CountryGroup.SIDS, today).count() == 58


def test_ldc_list_at_the_kigali_roundtable_includes_later_graduates():
    ldcs_then = set(
        Country.objects.in_group(CountryGroup.LDC, KIGALI).values_list("iso3", flat=True)
    )
    assert len(ldcs_then) == 46
    assert {"BTN", "STP", "SLB"} <= ldcs_then
    assert "VUT" not in ldcs_then  # graduated in December 2020


def test_graduation_day_is_the_first_day_outside_the_group():
    bhutan = Country.objects.get(iso3="BTN")
    assert bhutan.groups_on(datetime.date(2023, 12, 12)) == ["LDC", "LLDC"]
    assert bhutan.groups_on(datetime.date(2023, 12, 13)) == ["LLDC"]


def test_bilingual_names_follow_the_active_language():
    from django.utils import translation

    rwanda = Country.objects.get(iso3="RWA")
    area = ActionArea.objects.get(code="value-creation")
    with translation.override("fr"):
        assert area.name == "Création de valeur"
        assert rwanda.region.name == "Afrique"
    with translation.override("en"):
        assert area.name == "Value Creation"
        assert rwanda.region.name == "Africa"
