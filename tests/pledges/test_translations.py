"""Translations of a pledge's title and summary: written by its entity's members, shown to
visitors reading the site in that language (marked with its `lang`), found by search."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pledges.models import Pledge
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(entity):
    return PledgeFactory(published=True, entity=entity, title="Rural broadband",
                         summary="Towers in every district.", description="")


def _url(pledge) -> str:
    return f"/en/my-pledges/{pledge.pk}/translations/"


def test_a_member_adds_a_translation_shown_on_the_page_with_its_language(
    member_client, anonymous, published
):
    response = member_client.post(_url(published), {
        "language": "fr", "title": "Haut débit rural", "summary": "Des antennes partout.",
    })
    assert response.status_code == 302

    french = anonymous.get(f"/fr/pledges/{published.pk}/").content.decode()
    assert '<h1 id="pledge-title" class="pledge-title" dir="auto" lang="fr">Haut débit rural</h1>' \
        in french
    assert 'dir="auto" lang="fr">Des antennes partout.</p>' in french
    english = anonymous.get(f"/en/pledges/{published.pk}/").content.decode()
    assert "Rural broadband" in english and "Haut débit rural" not in english
    spanish = anonymous.get(f"/es/pledges/{published.pk}/").content.decode()
    assert "Rural broadband" in spanish  # no Spanish translation: the original


def test_lists_show_the_visitors_language_and_search_finds_the_translation(
    member_client, anonymous, published
):
    member_client.post(_url(published), {"language": "ru", "title": "Сельский интернет",
                                         "summary": "Вышки связи."})
    cache.clear()
    russian = anonymous.get("/ru/pledges/", {"q": "вышки"})
    assert [p.pk for p in russian.context["page"].items] == [published.pk]
    assert '<bdi lang="ru">Сельский интернет</bdi>' in russian.content.decode()
    english = anonymous.get("/en/pledges/", {"q": "сельский"}).content.decode()
    assert "<bdi>Rural broadband</bdi>" in english


def test_a_translation_can_be_changed_and_removed(member_client, published):
    member_client.post(_url(published), {"language": "es", "title": "Banda ancha"})
    member_client.post(_url(published), {"language": "es", "title": "Banda ancha rural"})
    published.refresh_from_db()
    assert published.translations == {"es": {"title": "Banda ancha rural", "summary": ""}}
    member_client.post(_url(published), {"language": "es", "remove": "1"})
    published.refresh_from_db()
    assert published.translations == {}


@pytest.mark.parametrize("data, message", [
    ({"language": "fr", "title": ""}, "This field is required."),
    ({"language": "xx", "title": "Titre"}, "Select a valid choice."),
    ({"language": "fr", "title": "T" * 201}, "Ensure this value has at most 200 characters"),
    ({"language": "fr", "title": "Titre\x00"}, "Null characters are not allowed."),
])
def test_bad_input_shows_a_clear_message_keeps_what_was_typed_and_saves_nothing(
    member_client, published, data, message
):
    response = member_client.post(_url(published), {**data, "summary": "Mon résumé"})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Mon résumé" in page
    published.refresh_from_db()
    assert published.translations == {}


def test_a_member_of_another_entity_gets_404(other_member_client, anonymous, published):
    assert other_member_client.get(_url(published)).status_code == 404
    response = other_member_client.post(_url(published), {"language": "fr", "title": "Pirate"})
    assert response.status_code == 404
    assert anonymous.get(_url(published)).status_code == 302  # to log in
    published.refresh_from_db()
    assert published.translations == {}


def test_a_viewer_may_not_translate(viewer_client, published):
    assert viewer_client.post(_url(published), {"language": "fr", "title": "X"}).status_code == 403


def test_the_manage_page_links_to_translations(member_client, published):
    page = member_client.get(f"/en/my-pledges/{published.pk}/").content.decode()
    assert _url(published) in page


def _list_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get("/fr/pledges/", {"q": "broadband"}).status_code == 200
    return len(context)


def test_list_queries_do_not_grow_with_translated_results(anonymous, entity):
    def add(count):
        for number in range(count):
            PledgeFactory(published=True, entity=entity, title=f"Broadband {number}",
                          translations={"fr": {"title": f"Haut débit {number}", "summary": ""}})

    add(2)
    with_2 = _list_queries(anonymous)
    add(15)
    assert _list_queries(anonymous) == with_2
    assert Pledge.objects.count() == 17


def test_the_original_is_marked_with_the_language_the_entity_says_it_is_in(
    member_client, anonymous, published
):
    french = anonymous.get(f"/fr/pledges/{published.pk}/").content.decode()
    assert 'class="pledge-title" dir="auto">Rural broadband</h1>' in french  # not said: no lang

    response = member_client.post(_url(published), {"original_language": "en"})
    assert response.status_code == 302
    cache.clear()  # an anonymous visitor's page is kept 15 seconds
    french = anonymous.get(f"/fr/pledges/{published.pk}/").content.decode()
    assert 'class="pledge-title" dir="auto" lang="en">Rural broadband</h1>' in french

    response = member_client.post(_url(published), {"original_language": "klingon"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    published.refresh_from_db()
    assert published.language == "en"


def test_a_translation_typed_when_the_session_expired_is_kept(member, published):
    client = Client()
    response = client.post(_url(published), {"language": "fr", "title": "Haut débit rural"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member)
    client.get(_url(published))
    published.refresh_from_db()
    assert published.translations == {"fr": {"title": "Haut débit rural", "summary": ""}}


def test_the_edit_link_opens_the_translation_in_the_form(member_client, published):
    published.translations = {"zh-hans": {"title": "农村宽带", "summary": "每个地区的信号塔。"}}
    published.save()
    for spelling in ("zh-hans", "zh-Hans", "ZH-HANS"):  # a language code, whatever its case
        response = member_client.get(_url(published), {"language": spelling})
        assert response.status_code == 200
        form = response.context["form"]
        assert form.initial == {"language": "zh-hans", "title": "农村宽带",
                                "summary": "每个地区的信号塔。"}


@pytest.mark.parametrize("value", ["xx", "fr\x00", "x" * 100_000, "__class__", "fr-FR", " "])
def test_a_language_the_site_does_not_have_in_the_address_gives_the_page_and_a_message(
    member_client, published, value
):
    published.translations = {"fr": {"title": "Haut débit rural", "summary": ""}}
    published.save()
    response = member_client.get(_url(published), {"language": value})
    assert response.status_code == 200
    assert response.context["form"].initial == {"language": ""}  # nothing chosen, nothing filled
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ([] if value == " " else ["Choose one of the site's languages."])
    assert "Haut débit rural" in response.content.decode()  # the page itself, as without it
