"""A custom report's filters: any address of the public list is accepted (empty parameters
ignored, unknown ones named), and the report names them in words, not as a query string."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from reporting.compiled_report_document import _selection
from reporting.services.compiled_reports import compiled_report_parameters

pytestmark = pytest.mark.django_db


def test_the_lists_own_query_string_with_empty_parameters_is_accepted():
    parameters = compiled_report_parameters(
        kind="custom", filter_query="q=&type=financial&country=&region=africa&sort=&page=2")
    assert parameters.filter_query == "type=financial&region=africa"


def test_the_whole_address_of_a_list_page_is_accepted():
    parameters = compiled_report_parameters(
        kind="custom",
        filter_query="https://p2c.example.org/fr/pledges/?area=access&q=&country=RWA#results")
    assert parameters.filter_query == "area=access&country=RWA"


def test_unknown_filters_are_named_and_empty_ones_are_not():
    with pytest.raises(ValidationError) as refused:
        compiled_report_parameters(kind="custom", filter_query="q=&colour=blue&type=gold")
    message = " ".join(refused.value.message_dict["filter_query"])
    assert "colour=blue" in message and "type=gold" in message
    assert "q=" not in message.replace("colour=blue", "")


@pytest.mark.parametrize("language, words", [
    ("en", "Type of pledge: Financial · Region: Africa or Europe"),
    ("fr", "Type d’engagement\u00a0: Financier · Région\u00a0: Afrique ou Europe"),
])
def test_the_report_names_its_filters_in_words(language, words):
    with translation.override(language):
        lines = _selection({"kind": "custom", "as_of": "2024-06-30",
                            "filter_query": "type=financial&region=africa&region=europe"},
                           language)
    text = " ".join(lines)
    assert words in text
    assert "type=financial" not in text


def test_a_report_of_every_public_pledge_says_so():
    lines = _selection({"kind": "custom", "as_of": "2024-06-30", "filter_query": ""}, "en")
    assert "Filters of the public pledge list: none (every public pledge)" in lines
