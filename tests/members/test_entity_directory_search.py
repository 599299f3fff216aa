"""The public directory of members: its search finds a part of a name, in any script. Chinese
names have no spaces, and the directory matches a substring of the name, so "电信" finds
"中国电信集团" (the pledge search needs an index for that; the directory is a short list)."""

import pytest

from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def _names(client, **params) -> list[str]:
    response = client.get("/en/entities/", params)
    assert response.status_code == 200
    return sorted(entity.name for entity in response.context["page"].object_list)


@pytest.fixture
def members(db):
    EntityFactory(name="中国电信集团", acronym="CT", stakeholder_group="private_sector")
    EntityFactory(name="中国信息通信研究院", acronym="CAICT", stakeholder_group="academia")
    EntityFactory(name="デジタル庁", acronym="DA", stakeholder_group="government")
    EntityFactory(name="Министерство цифрового развития", acronym="MCR")


def test_the_directory_finds_part_of_a_chinese_or_japanese_name(anonymous, members):
    assert _names(anonymous, q="电信") == ["中国电信集团"]
    assert _names(anonymous, q="中国") == ["中国信息通信研究院", "中国电信集团"]
    assert _names(anonymous, q="デジタル") == ["デジタル庁"]
    assert _names(anonymous, q="цифрового") == ["Министерство цифрового развития"]


def test_the_directory_search_combines_with_the_stakeholder_group(anonymous, members):
    assert _names(anonymous, q="中国", group="academia") == ["中国信息通信研究院"]


def test_the_directory_search_ignores_accents_and_case(anonymous):
    EntityFactory(name="Ministère de l'Économie numérique de Côte d'Ivoire", acronym="MENCI")
    EntityFactory(name="Agencia Nacional de Telecomunicações", acronym="ÁNATEL")
    assert _names(anonymous, q="economie numerique") == [
        "Ministère de l'Économie numérique de Côte d'Ivoire"]
    assert _names(anonymous, q="COTE D'IVOIRE") == [
        "Ministère de l'Économie numérique de Côte d'Ivoire"]
    assert _names(anonymous, q="telecomunicacoes") == ["Agencia Nacional de Telecomunicações"]
    assert _names(anonymous, q="anatel") == ["Agencia Nacional de Telecomunicações"]
