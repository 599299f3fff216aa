"""The country groupings' acronyms as the UN writes them in Russian: НРС (наименее развитые
страны), РСНВМ (развивающиеся страны, не имеющие выхода к морю), МОСРГ (малые островные
развивающиеся государства), the same in every message of the catalogue and on the pages."""

import re

import pytest
from django.utils.translation import trans_real

RUSSIAN = {"LDC": "НРС", "LLDC": "РСНВМ", "SIDS": "МОСРГ"}
NOT_UN_RUSSIAN = re.compile(r"\b(?:LDCs?|LLDCs?|SIDS|ЛЛДС|СИДС|МОРГ|НРСНВМ)\b")


def _messages(language: str) -> list[tuple[str, str]]:
    catalogue = trans_real.translation(language)._catalog
    pairs = []
    for key, text in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        pairs.append((msgid.split("\x04")[-1], text))
    return pairs


def test_every_russian_message_naming_a_grouping_uses_its_un_acronym():
    for msgid, text in _messages("ru"):
        for acronym, russian in RUSSIAN.items():
            if re.search(rf"\b{acronym}s?\b", msgid):
                assert russian in text, (msgid, text)
        assert not NOT_UN_RUSSIAN.search(text), (msgid, text)


def test_the_full_names_are_the_un_terms():
    names = dict(_messages("ru"))
    assert names["Least Developed Country"] == "Наименее развитая страна (НРС)"
    assert names["Landlocked Developing Country"] == (
        "Развивающаяся страна, не имеющая выхода к морю (РСНВМ)")
    assert names["Small Island Developing State"] == (
        "Малое островное развивающееся государство (МОСРГ)")


@pytest.mark.django_db
def test_a_small_island_state_page_in_russian(anonymous):
    html = anonymous.get("/ru/countries/FJI/").content.decode()
    assert ">МОСРГ</abbr>" in html
    assert "Малое островное развивающееся государство" in html
