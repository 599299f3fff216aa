"""The entity directory in the page language's alphabetical order: accents and case count only
after the letters ("Égypte" among the E's, "Côte d'Ivoire" before "Czechia"), on PostgreSQL (the
language's ICU collation) as on SQLite (the pyuca collation), across the pages."""

import pytest

from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

IN_ORDER = [
    "ångström Labs",
    "Banda Aceh Connect",
    "Côte d'Ivoire Télécom",
    "Czechia Online",
    "eagle Networks",
    "Égypte Numérique",
    "Equinox Fibre",
    "zeta Radio",
    "Zürich Digital",
]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_directory_sorts_names_as_a_dictionary_does(anonymous, language):
    for name in reversed(IN_ORDER):
        EntityFactory(name=name)
    response = anonymous.get(f"/{language}/entities/")
    assert [entity.name for entity in response.context["page"].object_list] == IN_ORDER
    html = response.content.decode()
    positions = [html.index(name.replace("'", "&#x27;")) for name in IN_ORDER]
    assert positions == sorted(positions)


def test_pages_follow_the_same_order_without_overlap(anonymous):
    for index in range(30):
        EntityFactory(name=f"{'ÉEeè'[index % 4]}ntity {index:02d}")
    pages = []
    for page in (1, 2):
        response = anonymous.get(f"/en/entities/?page={page}")
        pages.append([entity.name for entity in response.context["page"].object_list])
    listed = pages[0] + pages[1]
    assert len(pages[0]) == 24 and len(listed) == 30 == len(set(listed))
    # Entity 00 … 29: the accent and the case never move a name away from its number.
    assert [name[-2:] for name in listed] == [f"{index:02d}" for index in range(30)]


def test_each_language_puts_its_own_script_first(postgresql, anonymous):
    """ICU's Russian collation sorts Cyrillic before Latin; English, Latin first."""
    EntityFactory(name="Альфа Телеком")
    EntityFactory(name="Beta Telecom")
    russian = [e.name for e in anonymous.get("/ru/entities/").context["page"].object_list]
    english = [e.name for e in anonymous.get("/en/entities/").context["page"].object_list]
    assert russian == ["Альфа Телеком", "Beta Telecom"]
    assert english == ["Beta Telecom", "Альфа Телеком"]

