"""Dates, numbers and amounts as each of the six languages writes them (CLDR through Babel),
amounts typed in the page's language, and names in each language's alphabetical order."""

import datetime
import re
from decimal import Decimal

import pytest

from action_areas.models import Country
from p2c_portal.locale_formats import (
    LocalizedNumberError,
    format_amount,
    format_date,
    format_decimal,
    format_file_size,
    format_number,
    parse_number,
)
from pledges import services
from tests.factories import EntityFactory, PledgeFactory

NNBSP, NBSP, RLM = "\u202f", "\u00a0", "\u200f"

# What a reader of each language expects for 1 June 2022 and 2,500,000 US dollars.
PLEDGE_PAGE_FORMATS = {
    "en": ("1 June 2022", "US$2,500,000"),
    "fr": ("1er juin 2022", f"2{NNBSP}500{NNBSP}000{NBSP}$US"),
    "ar": ("1 يونيو 2022", f"{RLM}2,500,000{NBSP}US$"),
    "es": ("1 de junio de 2022", f"2.500.000{NBSP}US$"),
    "ru": (f"1 июня 2022{NNBSP}г.", f"2{NBSP}500{NBSP}000{NBSP}$"),
    "zh-hans": ("2022年6月1日", "US$2,500,000"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), PLEDGE_PAGE_FORMATS.items())
def test_a_pledge_page_shows_its_dates_and_amount_as_the_language_writes_them(
    anonymous, language, expected
):
    pledge = PledgeFactory(
        published=True, financial=True, start_date=datetime.date(2022, 6, 1),
        amount=Decimal("2500000.00"), currency="USD", usd_amount=Decimal("2500000.00"),
    )
    html = anonymous.get(f"/{language}/pledges/{pledge.pk}/").content.decode()
    date_text, amount_text = expected
    assert date_text in html
    assert amount_text in html
    assert "2,500,000.00" not in html and "2500000.00" not in html


@pytest.mark.parametrize(("language", "share", "size"), [
    ("en", "0.75", "119.9 kB"),
    ("fr", "0,75", f"119,9{NNBSP}ko"),
    ("ar", "0.75", "119.9 كيلوبايت"),
    ("es", "0,75", "119,9 kB"),
    ("ru", "0,75", "119,9 кБ"),
    ("zh-hans", "0.75", "119.9 kB"),
])
def test_shares_and_file_sizes_use_the_language_s_decimal_sign(language, share, size):
    """CLDR's, as every other figure: Django's own formats give Arabic a decimal comma."""
    assert format_decimal(Decimal("0.75"), language) == share
    assert format_decimal(Decimal("25.0"), language) == share.replace("0.75", "25.0").replace(
        "0,75", "25,0")
    assert format_file_size(122_778, language) == size


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "share"), [("ar", "0.75 %"), ("fr", "0,75 %")])
def test_the_home_page_writes_the_goal_share_as_its_amounts(anonymous, language, share):
    PledgeFactory(published=True, financial=True, usd_amount=Decimal("750000000"))  # of 100 bn
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", anonymous.get(f"/{language}/")
                                       .content.decode()))
    assert share in text
    assert ("0,75" if language == "ar" else "0.75") not in text


def test_the_first_of_the_month_is_an_ordinal_in_french_only():
    assert format_date(datetime.date(2022, 6, 1), "fr") == "1er juin 2022"
    assert format_date(datetime.date(2022, 6, 2), "fr") == "2 juin 2022"
    assert format_date(datetime.date(2022, 6, 1), "en") == "1 June 2022"


def test_amounts_keep_cents_only_when_there_are_some():
    assert format_amount(Decimal("2500000.50"), "EUR", "en") == "€2,500,000.50"
    assert format_amount(Decimal("2500000.50"), "EUR", "fr") == f"2{NNBSP}500{NNBSP}000,50{NBSP}€"
    assert format_number(Decimal("1250.00"), "en") == "1,250"


@pytest.mark.parametrize(("language", "typed", "expected"), [
    ("fr", "2 500 000,50", Decimal("2500000.50")),
    ("fr", f"2{NNBSP}500{NNBSP}000,50", Decimal("2500000.50")),
    ("en", "2,500,000.50", Decimal("2500000.50")),
    ("en", "2 500 000", Decimal("2500000")),
    ("es", "2.500.000,50", Decimal("2500000.50")),
    ("ar", "٢٬٥٠٠٬٠٠٠٫٥٠", Decimal("2500000.50")),
    ("zh-hans", "2,500,000.50", Decimal("2500000.50")),
])
def test_numbers_are_read_as_the_language_writes_them(language, typed, expected):
    assert parse_number(typed, language) == expected


@pytest.mark.parametrize(("language", "typed"), [
    ("fr", "2,500,000.00"),  # English habits on a French page: 2.5 or 2.5 million?
    ("fr", "1.000"),  # a point is not French: one, or one thousand?
    ("ru", "1.000"),
    ("en", "2.500.000,50"),
    ("en", "1,00"),  # a misplaced group separator
    ("es", "2,500,000.50"),
    ("en", "lots"),
])
def test_ambiguous_or_wrong_numbers_are_refused_not_guessed(language, typed):
    with pytest.raises(LocalizedNumberError) as error:
        parse_number(typed, language)
    assert format_number(Decimal("2500000.50"), language) in str(error.value) or "lots" in str(
        error.value
    )


# --- The pledge form: an amount typed, saved and shown again in French and Arabic -----------

def _details_url(language, pledge):
    return f"/{language}/my-pledges/{pledge.pk}/edit/details/"


def _post(client, url, pledge, data):
    pledge.refresh_from_db()
    return client.post(url, {"version": pledge.version, **data})


@pytest.fixture
def financial_draft(member, member_client, entity):
    pledge = services.pledge_create(user=member, entity_id=entity.pk)
    response = _post(member_client, f"/en/my-pledges/{pledge.pk}/edit/basics/", pledge,
                     {"title": "Fund", "pledge_type": "financial"})
    assert response.status_code == 302
    return pledge


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "typed", "shown"), [
    ("fr", "2 500 000,50", f"2{NNBSP}500{NNBSP}000,50"),
    ("ar", "2,500,000.50", "2,500,000.50"),
    ("ar", "٢٬٥٠٠٬٠٠٠٫٥٠", "2,500,000.50"),
])
def test_an_amount_round_trips_in_the_page_language(
    member_client, financial_draft, language, typed, shown
):
    url = _details_url(language, financial_draft)
    response = _post(member_client, url, financial_draft,
                     {"amount": typed, "currency": "USD", "modality": "grant"})
    assert response.status_code == 302
    financial_draft.refresh_from_db()
    assert financial_draft.amount == Decimal("2500000.50")
    html = member_client.get(url).content.decode()
    assert f'value="{shown}"' in html
    assert "2,500,000.00" not in html


@pytest.mark.django_db
def test_an_english_amount_on_the_french_form_is_explained_and_kept_as_typed(
    member_client, financial_draft
):
    url = _details_url("fr", financial_draft)
    response = _post(member_client, url, financial_draft,
                     {"amount": "2,500,000.00", "currency": "USD", "modality": "grant"})
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["amount"])
    assert message == (
        f"« 2,500,000.00 » est ambigu dans cette langue : écrivez-le ainsi : "
        f"2{NNBSP}500{NNBSP}000,50, avec « , » avant les décimales."
    )
    financial_draft.refresh_from_db()
    assert financial_draft.amount is None
    assert 'value="2,500,000.00"' in member_client.get(url).content.decode()


# --- Names in the language's alphabetical order ---------------------------------------------

SORTED_COUNTRIES = {
    # Accents sort with their base letter: Côte before Czechia, Türkiye before Tuvalu,
    # Égypte between Djibouti and Tchéquie (a byte order puts them after Z).
    "en": ["CIV", "CZE", "DJI", "EGY", "TUR", "TUV"],
    "fr": ["CIV", "DJI", "EGY", "CZE", "TUR", "TUV"],  # Tchéquie, Turquie, Tuvalu
}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), SORTED_COUNTRIES.items())
def test_a_pledge_lists_its_countries_in_the_language_order(anonymous, language, expected):
    pledge = PledgeFactory(published=True)
    pledge.countries.set(Country.objects.filter(iso3__in=expected))
    html = anonymous.get(f"/{language}/pledges/{pledge.pk}/").content.decode()
    listed = re.findall(r'href="/\w+(?:-\w+)?/countries/(\w{3})/"', html)
    assert [iso3 for iso3 in listed if iso3 in expected] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), SORTED_COUNTRIES.items())
def test_the_country_filter_lists_countries_in_the_language_order(
    anonymous, language, expected
):
    pledge = PledgeFactory(published=True)
    pledge.countries.set(Country.objects.filter(iso3__in=expected))
    html = anonymous.get(f"/{language}/pledges/").content.decode()
    listed = re.findall(r'value="(\w{3})"', html)
    assert [iso3 for iso3 in listed if iso3 in expected] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), SORTED_COUNTRIES.items())
def test_the_entity_directory_lists_countries_in_the_language_order(
    anonymous, language, expected
):
    for iso3 in expected:
        EntityFactory(headquarters_country=Country.objects.get(iso3=iso3))
    html = anonymous.get(f"/{language}/entities/").content.decode()
    listed = re.findall(r'<option value="(\w{3})"', html)
    assert [iso3 for iso3 in listed if iso3 in expected] == expected
