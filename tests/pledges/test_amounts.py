"""Amounts and currencies as people write them: signs, codes, names and magnitude words in the UN
languages; a currency that contradicts the currency column, or that does not say which one it is
(FCFA), is an error, never dropped."""

from decimal import Decimal

import pytest
from django.utils import translation

from pledges.amounts import (
    MAGNITUDES,
    AmountError,
    describe_amount,
    read_amount,
    settle_currency,
)
from pledges.currencies import _currency_names, currency_key, read_currency


@pytest.mark.parametrize(
    ("written", "amount", "currency"),
    [
        ("1 800 000", "1800000", ""),
        ("1,800,000.50", "1800000.50", ""),
        ("1.800.000,50", "1800000.50", ""),
        ("1'800'000", "1800000", ""),
        ("1,800", "1800", ""),  # a lone separator before three digits groups thousands
        ("2,50", "2.50", ""),
        ("USD 1,000,000", "1000000", "USD"),
        ("1,000,000 EUR", "1000000", "EUR"),
        ("USD 5 million", "5000000", "USD"),
        ("US$ 5m", "5000000", "USD"),
        ("US$5M", "5000000", "USD"),
        ("$US 250 000", "250000", "USD"),
        ("5M USD", "5000000", "USD"),
        ("€2.5m", "2500000", "EUR"),
        ("2,5 M€", "2500000", "EUR"),
        ("500 k€", "500000", "EUR"),
        ("1.8 bn", "1800000000", ""),
        ("1,8 milliard", "1800000000", ""),
        ("3 Mds €", "3000000000", "EUR"),
        ("5 millions de dollars", "5000000", "USD"),  # "$": the US dollar unless said otherwise
        ("5 millions de dollars américains", "5000000", "USD"),
        ("2 millions d’euros", "2000000", "EUR"),
        ("£1.2m", "1200000", "GBP"),
        ("5 mil millones de dólares", "5000000000", "USD"),
        ("3 млн долларов США", "3000000", "USD"),
        ("2 млн евро", "2000000", "EUR"),
        ("10 مليون دولار", "10000000", "USD"),
        ("500万美元", "5000000", "USD"),
        ("2亿元", "200000000", "CNY"),
        ("CA$ 2m", "2000000", "CAD"),
        ("KSh 40 million", "40000000", "KES"),
        ("XOF 500 000 000", "500000000", "XOF"),
        ("500 000 000 FCFA BCEAO", "500000000", "XOF"),
    ],
)
def test_amounts_with_signs_codes_and_magnitude_words(written, amount, currency):
    read = read_amount(written)
    assert read.amount == Decimal(amount)
    assert settle_currency(read.currency, None) == currency


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("five million", "is not an amount"),
        ("5 to 10 million", "is not an amount"),
        ("-5000", "is not an amount"),
        ("5 million bananas", "“bananas” is neither a currency nor a word such as million"),
        ("1,800 million", "can be read two ways (1.800 or 1800)"),
        ("", "Enter an amount"),
    ],
)
def test_what_is_not_an_amount_is_explained(written, message):
    with pytest.raises(AmountError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_amount(written)


@pytest.mark.parametrize(
    ("in_amount", "in_column", "currency"),
    [
        ("€2.5m", "EUR", "EUR"),
        ("€2.5m", "euro", "EUR"),
        ("€2.5m", "", "EUR"),
        ("2.5m", "US$", "USD"),
        ("2.5m", "$", "USD"),
        ("2.5m", "dollars des États-Unis", "USD"),
        ("$2.5m", "CAD", "CAD"),  # "$" agrees with any dollar the column names
        ("£2m", "EGP", "EGP"),
        ("FCFA 500 000 000", "XOF", "XOF"),
        ("FCFA 500 000 000", "XAF", "XAF"),
        ("500 000 000", "FCFA BEAC", "XAF"),
        ("¥100m", "JPY", "JPY"),
        ("100m", "人民币", "CNY"),
        ("100", "", ""),
    ],
)
def test_the_amount_and_the_currency_column_settle_on_one_currency(in_amount, in_column,
                                                                   currency):
    assert settle_currency(read_amount(in_amount).currency, read_currency(in_column)) == currency


@pytest.mark.parametrize(
    ("in_amount", "in_column", "message"),
    [
        ("€1,800,000", "USD", "“€1,800,000” is in EUR but the currency column says USD"),
        ("$5m", "EUR", "“$5m” is in USD but the currency column says EUR"),
        ("USD 5m", "CAD", "is in USD but the currency column says CAD"),
        ("FCFA 500 000 000", "", "may be in XAF (Central African CFA Franc) or XOF (West "
                                 "African CFA Franc)"),
        ("500 000 000", "CFA", "“CFA” may be in XAF (Central African CFA Franc) or XOF (West "
                               "African CFA Franc)"),
        ("¥100m", "", "may be in CNY (Chinese Yuan) or JPY (Japanese Yen)"),
    ],
)
def test_a_contradicting_or_open_currency_is_an_error(in_amount, in_column, message):
    with pytest.raises(AmountError) as error:
        settle_currency(read_amount(in_amount).currency, read_currency(in_column))
    assert message in str(error.value)


def test_unknown_currencies_are_not_guessed():
    assert read_currency("bananas") is None
    assert read_currency("francs") is None  # Swiss, Congolese, Rwandan...?


def test_no_currency_is_named_by_a_magnitude_word_alone():
    """Otherwise "5 M" or "5 mil" could be read as a currency."""
    assert not set(_currency_names()) & set(MAGNITUDES)
    assert currency_key("U.S. dollars") == "us dollars"
    assert settle_currency(read_amount("$5bn").currency, None) == "USD"


def test_the_preview_shows_the_amount_in_the_language_of_the_page():
    with translation.override("en"):
        assert describe_amount(Decimal("2500000"), "EUR") == "EUR 2,500,000"
    with translation.override("fr"):
        assert describe_amount(Decimal("2500000.50"), "EUR") == "EUR 2\u202f500\u202f000,50"
