"""The secretariat edits a pledge's translations in the review desk: a title and a summary per
language, with the limits of the members' translations page, written through the corrections
service (version guard, history with who did it); a translation the entity saved since the page
was opened is never overwritten. Whoever may only view the pledge sees the translations, and
cannot change them."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from pledges import services
from pledges.models import Pledge
from tests.factories import PledgeFactory, UserFactory
from tests.pledges.test_review_desk import ADMIN, change_form_data, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge(entity):
    return PledgeFactory(
        entity=entity, published=True, title="Rural broadband", summary="Towers.", description="",
        translations={"fr": {"title": "Haut débit rural", "summary": "Des antennes."},
                      "ru": {"title": "Сельский интернет", "summary": ""}},
    )


def test_the_change_page_shows_each_languages_title_and_summary(secretariat_client, pledge):
    response = secretariat_client.get(f"{ADMIN}{pledge.pk}/change/")
    form = response.context["adminform"].form
    assert form["translation_title_fr"].value() == "Haut débit rural"
    assert form["translation_summary_fr"].value() == "Des antennes."
    assert form["translation_title_es"].value() == ""
    html = response.content.decode()
    assert '<label for="id_translation_title_fr">Title (français):</label>' in html
    assert 'lang="zh-hans"' in html and 'name="translation_summary_ar"' in html


def test_the_secretariat_adds_changes_and_removes_translations(
    secretariat_client, anonymous, pledge
):
    data = change_form_data(secretariat_client, pledge)
    data.update(translation_title_fr="Haut débit dans les campagnes",
                translation_title_es="Banda ancha rural", translation_summary_es="Antenas.",
                translation_title_ru="", translation_summary_ru="")
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert pledge.translations == {
        "fr": {"title": "Haut débit dans les campagnes", "summary": "Des antennes."},
        "es": {"title": "Banda ancha rural", "summary": "Antenas."},
    }
    assert (pledge.title, pledge.version) == ("Rural broadband", 2)
    latest = pledge.history.first()
    assert latest.history_user.email == "secretariat@itu.example.org"
    assert latest.translations == pledge.translations
    cache.clear()
    assert "Banda ancha rural" in anonymous.get(f"/es/pledges/{pledge.pk}/").content.decode()


@pytest.mark.parametrize("changes, field, message", [
    ({"translation_title_fr": "", "translation_summary_fr": "Des antennes."},
     "translation_title_fr", "A translation needs its title"),
    ({"translation_title_es": "T" * 201}, "translation_title_es",
     "Ensure this value has at most 200 characters"),
    ({"translation_summary_es": "S" * 601, "translation_title_es": "Banda"},
     "translation_summary_es", "Ensure this value has at most 600 characters"),
    ({"translation_title_ar": "عنوان\x00"}, "translation_title_ar",
     "Null characters are not allowed."),
])
def test_a_bad_translation_is_shown_on_its_field_and_nothing_is_saved(
    secretariat_client, pledge, changes, field, message
):
    data = {**change_form_data(secretariat_client, pledge), **changes, "title": "Changed"}
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    before = pledge.translations
    pledge.refresh_from_db()
    assert (pledge.translations, pledge.title, pledge.version) == (before, "Rural broadband", 1)


def test_a_translation_the_entity_saved_meanwhile_is_not_overwritten(
    secretariat_client, member, pledge
):
    data = change_form_data(secretariat_client, pledge)
    services.pledge_save_translation(user=member, pledge_id=pledge.pk, language="zh-hans",
                                     title="农村宽带", summary="")
    data["translation_title_fr"] = "Haut débit dans les campagnes"
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 200
    assert "Someone else saved this pledge since you opened this page" in (
        response.content.decode()
    )
    pledge.refresh_from_db()
    assert pledge.translations == {
        "fr": {"title": "Haut débit rural", "summary": "Des antennes."},
        "ru": {"title": "Сельский интернет", "summary": ""},
        "zh-hans": {"title": "农村宽带", "summary": ""},
    }


def test_saving_other_fields_leaves_the_translations_as_they_are(secretariat_client, pledge):
    data = change_form_data(secretariat_client, pledge)
    data["title"] = "Rural broadband for all"
    assert secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data).status_code == 302
    before = pledge.translations
    pledge.refresh_from_db()
    assert (pledge.title, pledge.translations) == ("Rural broadband for all", before)


def test_staff_who_may_only_view_pledges_see_the_translations_and_cannot_change_them(pledge):
    viewer = UserFactory(email="viewer@itu.example.org", staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_pledge"))
    client = client_for(viewer)
    response = client.get(f"{ADMIN}{pledge.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Haut débit rural" in html
    assert 'name="translation_title_fr"' not in html
    response = client.post(f"{ADMIN}{pledge.pk}/change/", {"translation_title_fr": "Pirate"})
    assert response.status_code == 403
    assert Pledge.objects.get(pk=pledge.pk).translations == pledge.translations
