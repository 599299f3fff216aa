"""Numbers and text in the address are read in one place (p2c_portal.query_params): Unicode
digits pass `str.isdigit()` but not `int()`, PostgreSQL refuses NUL; neither may be a 500."""

import pytest

from p2c_portal.query_params import ascii_int, clean_text, database_id, one_of, page_number
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [
    "/en/pledges/?page=²",
    "/en/pledges/?entity=²",
    "/en/pledges/?year=²²²²",
    "/en/pledges/?year=٢٠٢٤",
    "/en/pledges/export.csv?entity=²",
    "/en/pledges/export.csv?page=%E2%85%A0",
    "/en/countries/RWA/?page=²",
    "/en/entities/?q=%00",
    "/en/entities/?country=%00",
    "/en/entities/?group=%00&page=²",
    "/en/reports/?page=²",
])
def test_unicode_digits_and_nul_in_the_address_are_ignored(anonymous, path):
    PledgeFactory(published=True)
    response = anonymous.get(path)
    assert response.status_code == 200


def test_only_ascii_digits_within_range_are_numbers():
    assert ascii_int("42", maximum=100) == 42
    for bad in ("²", "٤٢", "Ⅳ", "4²", "-1", "+1", "1e3", "", None, "1 2", "101"):
        assert ascii_int(bad, maximum=100) is None
    assert database_id("9" * 40) is None and database_id("0") is None
    assert page_number("²", last=10) == 1 and page_number("99", last=10) == 10


def test_query_text_loses_nul_control_and_invisible_characters():
    assert clean_text("a\x00b\x1bc\u202ed\u200be", 50) == "a b c d e"
    assert clean_text("x" * 10_000, 200) == "x" * 200


def test_a_code_is_one_of_the_known_codes_whatever_its_case():
    languages = ("en", "fr", "zh-hans")
    assert one_of("fr", languages) == "fr"
    assert one_of(" FR ", languages) == "fr"
    assert one_of("zh-Hans", languages) == "zh-hans"
    for bad in ("", None, "xx", "fr\x00", "f", "fr-FR", "x" * 100_000, "__class__"):
        assert one_of(bad, languages) is None
