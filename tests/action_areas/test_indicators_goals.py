"""The secretariat keeps the indicator catalogue and the coalition goals in the admin, in every
language; the seeded catalogue is complete in the six languages; a goal's scope is consistent."""

import pytest
from django.conf import settings

from action_areas.models import CoalitionGoal, Indicator

pytestmark = pytest.mark.django_db


def test_the_seeded_catalogue_speaks_every_language():
    indicators = list(Indicator.objects.all())
    assert len(indicators) == 11
    languages = [code for code, _name in settings.LANGUAGES if code != "en"]
    for indicator in indicators:
        for field in ("name", "unit", "definition"):
            translations = getattr(indicator, f"{field}_translations")
            assert all(translations.get(language) for language in languages), (indicator, field)
    assert Indicator.objects.get(code="mobile-broadband-coverage").aggregation == "max"
    usd = CoalitionGoal.objects.get(code="usd-100-billion")
    assert (usd.measure, usd.target_value, usd.name_in("zh-hans")) == (
        "usd", 100_000_000_000, "1000亿美元承诺")


def test_the_secretariat_adds_an_indicator_in_every_language(secretariat_client):
    response = secretariat_client.post("/en/admin/action_areas/indicator/add/", {
        "code": "libraries-equipped", "name_en": "Libraries equipped", "unit_en": "libraries",
        "definition_en": "Public libraries given computers and a connection.",
        "name_in_fr": "Bibliothèques équipées", "unit_in_fr": "bibliothèques",
        "definition_in_fr": "Bibliothèques publiques dotées d’ordinateurs et d’une connexion.",
        "aggregation": "sum", "disaggregations": ["rural"], "position": "200",
        "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Indicator.objects.get(code="libraries-equipped")
    assert added.name_in("fr") == "Bibliothèques équipées"
    assert added.unit_in("fr") == "bibliothèques"
    assert added.disaggregations == ["rural"]


def test_a_goal_with_an_inconsistent_scope_is_refused_with_a_message(secretariat_client):
    response = secretariat_client.post("/en/admin/action_areas/coalitiongoal/add/", {
        "code": "ldc-people", "name_en": "People in LDCs", "measure": "indicator",
        "target_value": "1000", "target_date": "2030-12-31", "scope": "country_group",
        "country_group": "", "position": "0", "is_shown": "on",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose the indicator this goal adds up." in page
    assert "Choose the country group this goal is about." in page
    assert not CoalitionGoal.objects.filter(code="ldc-people").exists()
