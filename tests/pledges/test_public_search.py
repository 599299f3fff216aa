"""Search: words of the title, summary, description or reference, or the entity's name. On
PostgreSQL a full-text search (English and French stemming) served by a GIN index; on SQLite a
simple match of every word."""

import pytest
from django.db import connection

from pledges import filters
from pledges.models import Pledge
from tests.factories import EntityFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def plan_without_table_scans(condition) -> str:
    """The plan of the search when reading the whole table is priced out: an index that can
    serve the condition is then used (on a test table this small, a scan would be cheaper)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            return Pledge.objects.filter(condition).explain()
        finally:
            cursor.execute("RESET enable_seqscan")



def _titles(client, query: str) -> list[str]:
    response = client.get("/en/pledges/", {"q": query})
    assert response.status_code == 200
    return sorted(p.title for p in response.context["page"].items)


@pytest.fixture
def pledges(db):
    PledgeFactory(published=True, title="Satellite broadband for islands",
                  summary="Connect remote schools.", description="", reference="P2C-2024-0007")
    PledgeFactory(published=True, title="Digital skills for women", summary="",
                  description="Coding clubs and mentoring.",
                  entity=EntityFactory(name="Orange Foundation", acronym="OF"))
    PledgeFactory(published=True, title="Écoles connectées au Sénégal",
                  summary="Former les enseignants au numérique.", description="")


def test_search_finds_words_of_the_title_summary_and_description(anonymous, pledges):
    assert _titles(anonymous, "satellite") == ["Satellite broadband for islands"]
    assert _titles(anonymous, "schools") == ["Satellite broadband for islands"]
    assert _titles(anonymous, "mentoring") == ["Digital skills for women"]
    assert _titles(anonymous, "skills women") == ["Digital skills for women"]
    assert _titles(anonymous, "satellite women") == []  # every word must match


def test_search_finds_the_reference_and_the_entity(anonymous, pledges):
    assert _titles(anonymous, "P2C-2024-0007") == ["Satellite broadband for islands"]
    assert _titles(anonymous, "Orange Foundation") == ["Digital skills for women"]
    assert _titles(anonymous, "orange") == ["Digital skills for women"]


def test_search_is_case_insensitive(anonymous, pledges):
    assert _titles(anonymous, "SATELLITE") == ["Satellite broadband for islands"]
    assert _titles(anonymous, "enseignants") == ["Écoles connectées au Sénégal"]


def test_search_combines_with_filters_and_counts(anonymous, pledges):
    response = anonymous.get("/en/pledges/", {"q": "schools", "type": "programme"})
    assert response.context["total"] == 1
    types = {f["name"]: f for f in response.context["facets"]}["type"]
    assert [(v["value"], v["count"]) for v in types["values"]] == [("programme", 1)]


@pytest.mark.usefixtures("postgresql")
def test_postgresql_search_understands_english_and_french_word_forms(anonymous, pledges):
    assert _titles(anonymous, "satellites") == ["Satellite broadband for islands"]
    assert _titles(anonymous, "school") == ["Satellite broadband for islands"]
    assert _titles(anonymous, "enseignant") == ["Écoles connectées au Sénégal"]
    assert _titles(anonymous, '"digital skills"') == ["Digital skills for women"]
    assert _titles(anonymous, "skills -women") == []


@pytest.mark.usefixtures("postgresql")
def test_postgresql_search_uses_the_gin_index(pledges):
    condition = filters.search_condition("broadband")
    plan = plan_without_table_scans(condition)
    assert "pledge_search_unaccented" in plan, plan


@pytest.fixture
def accented(db):
    haiti = EntityFactory(name="Ministère du numérique d'Haïti", acronym="MNH")
    PledgeFactory(published=True, title="Connecter les écoles d'Haïti", summary="",
                  description="", entity=haiti)
    PledgeFactory(published=True, title="Haïti : santé numérique", summary="", description="")
    PledgeFactory(published=True, title="Stratégie numérique", summary="Pour les communes.",
                  description="", entity=EntityFactory(name="Orange Foundation", acronym="OF"))
    PledgeFactory(published=True, title="Rural broadband", summary="Towers in villages.",
                  description="", entity=EntityFactory(name="Orange Foundation Africa"))


def test_search_ignores_accents_and_case(anonymous, accented):
    with_accents = _titles(anonymous, "Haïti")
    assert with_accents == ["Connecter les écoles d'Haïti", "Haïti : santé numérique"]
    assert _titles(anonymous, "Haiti") == with_accents
    assert _titles(anonymous, "HAITI") == with_accents
    assert _titles(anonymous, "numerique") == [
        "Connecter les écoles d'Haïti", "Haïti : santé numérique", "Stratégie numérique",
    ]  # the first by its entity's name
    assert _titles(anonymous, "STRATEGIE") == ["Stratégie numérique"]


def test_search_combines_an_entity_name_with_words_of_the_pledge(anonymous, accented):
    assert _titles(anonymous, "Orange numerique") == ["Stratégie numérique"]
    assert _titles(anonymous, "orange villages") == ["Rural broadband"]
    assert _titles(anonymous, "OF communes") == ["Stratégie numérique"]
    assert _titles(anonymous, "Orange santé") == []  # every word must be found


def test_search_finds_a_pledge_by_its_translation(anonymous, accented):
    PledgeFactory(published=True, title="Digital health", summary="", description="",
                  translations={"fr": {"title": "Santé connectée", "summary": "Télémédecine."},
                                "ru": {"title": "Цифровое здравоохранение", "summary": ""}})
    assert _titles(anonymous, "telemedecine") == ["Digital health"]
    assert _titles(anonymous, "connectee") == ["Digital health"]
    assert _titles(anonymous, "здравоохранение") == ["Digital health"]


@pytest.mark.usefixtures("postgresql")
def test_postgresql_search_keeps_or_and_phrases_with_accents(anonymous, accented):
    assert _titles(anonymous, '"sante numerique"') == ["Haïti : santé numérique"]
    assert _titles(anonymous, "villages or strategie") == ["Rural broadband",
                                                          "Stratégie numérique"]
    assert _titles(anonymous, "numerique -haiti") == ["Stratégie numérique"]


@pytest.mark.usefixtures("postgresql")
def test_postgresql_search_combining_an_entity_and_words_still_uses_the_gin_index(accented):
    condition = filters.search_condition("Orange numerique")
    plan = plan_without_table_scans(condition)
    assert "pledge_search_unaccented" in plan, plan
    assert "Seq Scan on pledges_pledge" not in plan, plan


@pytest.fixture
def chinese(db):
    telecom = EntityFactory(name="中国电信", acronym="CT")
    PledgeFactory(published=True, title="推动数字包容", summary="", description="",
                  entity=telecom)
    PledgeFactory(published=True, title="Rural schools", summary="",
                  description="在农村学校推动数字教育。", pledge_type="programme")
    PledgeFactory(published=True, title="Digital inclusion", summary="", description="",
                  pledge_type="policy",
                  translations={"zh-hans": {"title": "缩小数字鸿沟", "summary": "为妇女提供培训"}})
    PledgeFactory(published=True, title="デジタル化を推進する", summary="", description="")
    PledgeFactory(published=True, title="数 字", summary="", description="")  # apart: not the word
    PledgeFactory(published=True, title="Networks", summary="", description="部署5G网络。")


def test_search_finds_a_chinese_word_inside_a_longer_text(anonymous, chinese):
    """Chinese has no spaces between words: "数字" (digital) is found inside "推动数字包容" in the
    title, in the description and in a translation."""
    assert _titles(anonymous, "数字") == ["Digital inclusion", "Rural schools", "推动数字包容"]
    assert _titles(anonymous, "数字包容") == ["推动数字包容"]
    assert _titles(anonymous, "数字教育") == ["Rural schools"]
    assert _titles(anonymous, "妇女") == ["Digital inclusion"]  # a translation's summary
    assert _titles(anonymous, "字") == [
        "Digital inclusion", "Rural schools", "推动数字包容", "数 字",
    ]
    assert _titles(anonymous, "包容数字") == []  # the characters in that order, next to each other
    assert _titles(anonymous, "デジタル") == ["デジタル化を推進する"]
    assert _titles(anonymous, "推進") == ["デジタル化を推進する"]
    assert _titles(anonymous, "5g网络") == ["Networks"]  # a word mixing scripts, any case
    assert _titles(anonymous, "4G网络") == []


def test_chinese_search_combines_with_the_entity_name_other_words_and_filters(anonymous, chinese):
    assert _titles(anonymous, "中国电信") == ["推动数字包容"]
    assert _titles(anonymous, "电信 数字") == ["推动数字包容"]  # the entity's name and a word
    assert _titles(anonymous, "电信 教育") == []
    assert _titles(anonymous, "数字 schools") == ["Rural schools"]
    assert _titles(anonymous, "数字 妇女") == ["Digital inclusion"]
    response = anonymous.get("/en/pledges/", {"q": "数字", "type": "policy"})
    assert [p.title for p in response.context["page"].items] == ["Digital inclusion"]
    assert response.context["total"] == 1


@pytest.mark.usefixtures("postgresql")
@pytest.mark.parametrize("query", ["数字", "字", "数字包容", "电信 数字", "5G网络", "デジタル"])
def test_postgresql_chinese_search_uses_the_trigram_index(chinese, query):
    condition = filters.search_condition(query)
    plan = plan_without_table_scans(condition)
    assert "pledge_search_unsegmented" in plan, plan
    assert "Seq Scan on pledges_pledge" not in plan, plan


@pytest.mark.usefixtures("postgresql")
def test_postgresql_search_mixing_chinese_and_english_words_reads_no_whole_table(chinese):
    condition = filters.search_condition("数字 schools")
    plan = plan_without_table_scans(condition)
    # Either index narrows the rows (the planner picks the more selective); the other word is
    # then checked on those rows only.
    assert "pledge_search_unsegmented" in plan or "pledge_search_unaccented" in plan, plan
    assert "Seq Scan on pledges_pledge" not in plan, plan


@pytest.mark.parametrize(("query", "words"), [
    ("ministere haiti", ["ministere", "haiti"]),
    ("MNH", ["MNH"]),
    ("of", ["of"]),
    ("Orange", ["Orange"]),
    ("numérique", ["numérique"]),
    ("电信", ["电信"]),
    ("nobody here", ["nobody", "here"]),
])
def test_entity_names_matched_in_memory_are_those_the_database_matches(postgresql, query, words):
    """A search's entity names (pledges.text_search._entity_matches) are compared in one string
    of every folded name; they are the entities the database's own comparison finds."""
    from pledges import text_search

    EntityFactory(name="Ministère du numérique d'Haïti", acronym="MNH")
    EntityFactory(name="Orange Foundation", acronym="OF")
    EntityFactory(name="Office of the Future", acronym="")
    EntityFactory(name="中国电信", acronym="CT")
    EntityFactory(name="Haiti Connect", acronym="of")  # an acronym equal to a word, folded

    def as_sets(matches):  # the database's come in no particular order
        phrase, per_word = matches
        return set(phrase), [set(found) for found in per_word]

    in_memory = as_sets(text_search._entity_matches(query, words))
    assert in_memory == as_sets(text_search._entity_matches_in_database(query, words))
    assert any(in_memory[1]) == (query != "nobody here")
