"""What a visitor sees of a pledge in a list (the list, an entity's profile, a country's and an
event's page, the home page): one card per pledge, written by the `pledge_card` tag
(pledges.templatetags.pledges_public), in the page's language."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from pledges.models import Pledge
from pledges.selectors import entity_pledges_public
from pledges.templatetags.pledges_public import pledge_card
from tests.factories import EntityFactory, PledgeFactory
from tests.hostile_input import MARKUP, UNESCAPED_MARKERS

pytestmark = pytest.mark.django_db


def _card(html: str, title: str) -> str:
    """The card (its <article>) whose title is `title`, its spaces collapsed."""
    start = html.rindex("<article", 0, html.index(f">{title}</bdi>"))
    return re.sub(r"\s+", " ", html[start:html.index("</article>", start)])


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_title_links_to_the_pledge_under_a_heading(anonymous):
    pledge = PledgeFactory(published=True, title="Fibre for the Great Lakes")

    card = _card(_page(anonymous, "/en/pledges/"), "Fibre for the Great Lakes")

    assert (f'<h3 class="h5 card-title"><a href="/en/pledges/{pledge.pk}/">'
            f"<bdi>Fibre for the Great Lakes</bdi></a></h3>") in card
    assert f"Programme · {pledge.reference}" in card


@pytest.mark.parametrize(("language", "by"), [("en", "By"), ("fr", "Par"),
                                              ("ar", "مقدَّم من")])
def test_the_card_names_the_entity_in_the_page_language(anonymous, language, by):
    entity = EntityFactory(name="Rwanda Utilities Regulatory Authority")
    PledgeFactory(published=True, entity=entity, title="Fibre for the Great Lakes")

    card = _card(_page(anonymous, f"/{language}/entities/{entity.pk}/"),
                 "Fibre for the Great Lakes")

    # The name keeps its own direction inside an Arabic sentence.
    assert f"{by} <bdi>Rwanda Utilities Regulatory Authority</bdi>" in card


def test_a_title_and_summary_written_in_another_language_say_which(anonymous):
    PledgeFactory(published=True, title="Connecter les écoles rurales",
                  summary="Relier les écoles au haut débit.", language="fr")

    card = _card(_page(anonymous, "/en/countries/RWA/"), "Connecter les écoles rurales")

    assert '<bdi lang="fr">Connecter les écoles rurales</bdi>' in card
    assert '<p class="card-text" dir="auto" lang="fr">Relier les écoles au haut débit.</p>' in card


def test_a_translation_into_the_page_language_is_shown_and_marked(anonymous):
    PledgeFactory(published=True, title="Connect rural schools", language="en",
                  translations={"fr": {"title": "Connecter les écoles rurales",
                                       "summary": "Relier les écoles."}})

    french = _card(_page(anonymous, "/fr/pledges/"), "Connecter les écoles rurales")
    english = _card(_page(anonymous, "/en/pledges/"), "Connect rural schools")

    assert '<bdi lang="fr">Connecter les écoles rurales</bdi>' in french
    assert '<bdi lang="en">Connect rural schools</bdi>' in english


def test_hostile_text_is_shown_as_text(anonymous):
    entity = EntityFactory(name=f"Entity {MARKUP}")
    PledgeFactory(published=True, entity=entity, title=f"Title {MARKUP}",
                  summary=f"Summary {MARKUP}")

    html = _page(anonymous, "/en/pledges/")

    for marker in UNESCAPED_MARKERS:
        assert marker not in html
    card = _card(html, escape(f"Title {MARKUP}"))
    assert f"By <bdi>{escape(f'Entity {MARKUP}')}</bdi>" in card
    assert escape(f"Summary {MARKUP}") in card


def test_a_long_summary_stops_after_forty_words(anonymous):
    words = [f"word{number}" for number in range(1, 61)]
    PledgeFactory(published=True, title="A long story", summary=" ".join(words))

    card = _card(_page(anonymous, "/en/pledges/"), "A long story")

    assert " ".join(words[:40]) + " …</p>" in card
    assert "word41" not in card


def test_a_global_pledge_says_so_and_others_say_where(anonymous):
    PledgeFactory(published=True, title="Everywhere", is_global=True)
    PledgeFactory(published=True, title="In Rwanda")

    html = _page(anonymous, "/fr/pledges/")

    assert ('<span class="visually-hidden">Zone d’intervention : </span>Mondial'
            in _card(html, "Everywhere"))
    assert "<bdi>Rwanda</bdi>" in _card(html, "In Rwanda")


def test_the_usd_figure_in_words_and_none_without_one(anonymous):
    PledgeFactory(published=True, financial=True, title="Money")
    PledgeFactory(published=True, title="No money")

    html = _page(anonymous, "/en/pledges/")

    assert "<li>USD 1 million</li>" in _card(html, "Money")
    assert "USD" not in _card(html, "No money")


def test_a_completed_pledge_wears_a_badge(anonymous):
    PledgeFactory(published=True, status="completed", title="Done")
    PledgeFactory(published=True, title="Under way")

    html = _page(anonymous, "/fr/pledges/")

    assert '<span class="badge text-bg-success">Achevé</span>' in _card(html, "Done")
    assert "badge" not in _card(html, "Under way")


def test_the_cards_ask_the_database_nothing_more():
    entity = EntityFactory()
    for _number in range(3):
        PledgeFactory(published=True, financial=True, entity=entity)
    PledgeFactory(published=True, is_global=True, entity=entity, status="completed")
    pledges = entity_pledges_public(entity).items

    with translation.override("fr"), CaptureQueriesContext(connection) as queries:
        cards = [pledge_card(pledge, 3) for pledge in pledges]

    assert len(queries) == 0
    assert len(cards) == Pledge.objects.public().count() == 4
