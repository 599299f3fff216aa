"""Money amounts as people write them in a spreadsheet: "1,000,000", "1 000 000", "1.000.000,50",
"USD 5 million", "US$ 5m", "€2.5m", "2,5 M€", "1.8 bn", "5 millions de dollars",
"FCFA 500 000 000", "500万美元".

- Grouping may use commas, dots, spaces or apostrophes. With both a comma and a dot the last one
  is the decimal separator; a lone separator followed by three digits groups thousands
  ("1,800" is 1800, as it always was here) and otherwise marks the decimals ("1.5", "2,50").
- A magnitude word (MAGNITUDES: EN, FR and the other UN languages, after CLDR's compact number
  forms) multiplies the number; a lone separator before it is always the decimal separator
  ("2,5 M€", "1.8 bn"), except before exactly three digits, which could be read either way
  ("1,800 million") and is refused. "billion" is 10⁹ as in English (the French "billion", 10¹²,
  is no pledge's size; French writes "milliard").
- A currency sign, code or name written with the amount (pledges.currencies) is kept as what it
  may mean and settled against the currency column by `settle_currency`: a currency that
  contradicts the column is an error, never dropped.
"""

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from p2c_portal.locale_formats import format_number

from .currencies import (
    CURRENCIES,
    CurrencyReading,
    currency_name,
    either,
    money_tokens,
    read_currency,
)

# Words that multiply the number before them (compared as pledges.currencies.money_tokens
# gives them: no case, no accents, no dots). Consecutive words multiply: "mil millones" is 10⁹,
# "百万" is 10⁶.
MAGNITUDES: dict[str, int] = {
    **dict.fromkeys(("k", "thousand", "thousands", "mille", "milliers", "mil", "тыс", "тысяч",
                     "тысячи", "тысяча", "الف", "الاف", "ألف", "آلاف", "千"), 10**3),
    **dict.fromkeys(("m", "mn", "mln", "mio", "mios", "million", "millions", "millon",
                     "millones", "млн", "миллион", "миллиона", "миллионов", "مليون", "ملايين"),
                    10**6),
    **dict.fromkeys(("b", "bn", "bln", "billion", "billions", "md", "mds", "mrd", "mrds",
                     "milliard", "milliards", "millardo", "millardos", "млрд", "миллиард",
                     "миллиарда", "миллиардов", "مليار", "مليارات"), 10**9),
    "百": 10**2,
    "万": 10**4,
    "亿": 10**8,
}

_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f'’.,]\d+)*")
_GROUPING = re.compile(r"[ \u00a0\u202f'’]")


class AmountError(ValueError):
    pass


@dataclass(frozen=True)
class WrittenAmount:
    amount: Decimal
    currency: CurrencyReading | None  # what was written with the number, if anything


def _not_an_amount(text: str) -> AmountError:
    return AmountError(
        _("“%(text)s” is not an amount. Write digits, for example 1,000,000 or 1 000 000.")
        % {"text": text.strip()[:50]}
    )


def _number(digits: str, *, scaled: bool, text: str) -> Decimal:
    digits = _GROUPING.sub("", digits)
    separators = [c for c in digits if c in ".,"]
    if not separators:
        return Decimal(digits)
    if len(set(separators)) == 2:
        point = digits[max(digits.rfind("."), digits.rfind(","))]
        if digits.count(point) > 1:
            raise _not_an_amount(text)
        integer, decimals = digits.rsplit(point, 1)
        return Decimal(f"{re.sub(r'[.,]', '', integer)}.{decimals}")
    if len(separators) > 1:  # "1,800,000", "1.800.000": grouping only
        return Decimal(re.sub(r"[.,]", "", digits))
    integer, decimals = re.split(r"[.,]", digits)
    if len(decimals) == 3:
        if scaled:
            raise AmountError(
                _("“%(text)s” can be read two ways (%(small)s or %(large)s): write it without "
                  "the separator or with one or two decimals.")
                % {"text": text.strip()[:50], "small": f"{integer}.{decimals}",
                   "large": f"{integer}{decimals}"}
            )
        return Decimal(integer + decimals)
    return Decimal(f"{integer}.{decimals}")


@functools.lru_cache(maxsize=4096)
def read_amount(text: str) -> WrittenAmount:
    """The amount written in `text` and the currency written with it, if any. AmountError with a
    message for anything else. (Remembered: a row's amount is read for its value, its currency
    and the preview.)"""
    raw = " ".join(str(text or "").split())
    if not raw:
        raise AmountError(_("Enter an amount."))
    numbers = _NUMBER.findall(raw)
    if len(numbers) != 1 or re.search(r"[-−–]\s*\d", raw):
        raise _not_an_amount(raw)
    before, after = _NUMBER.split(raw, maxsplit=1)
    multiplier, words = 1, []
    for token in money_tokens(f"{before} {after}"):
        if token in MAGNITUDES:
            multiplier *= MAGNITUDES[token]
        else:
            words.append(token)
    currency = None
    if words:
        currency = read_currency(" ".join(words))
        if currency is None:
            raise AmountError(
                _("“%(text)s” is not an amount: “%(words)s” is neither a currency nor a word "
                  "such as million. Write, for example, USD 2,500,000 or EUR 2.5 million.")
                % {"text": raw[:50], "words": " ".join(words)[:30]}
            )
        # Messages quote the whole cell ("€2.5m"), as written.
        currency = CurrencyReading(written=raw, codes=currency.codes, default=currency.default)
    try:
        number = _number(numbers[0], scaled=multiplier != 1, text=raw)
    except InvalidOperation:
        raise _not_an_amount(raw) from None
    amount = number * multiplier
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    return WrittenAmount(amount=amount, currency=currency)


def parse_amount(text: str) -> tuple[Decimal, str]:
    """(amount, the currency written with it when that says one currency, else "")."""
    written = read_amount(text)
    return written.amount, written.currency.code if written.currency else ""


def _named(code: str) -> str:
    """ "XOF (West African CFA Franc)": the name in the active language (CLDR)."""
    return f"{code} ({currency_name(code)})" if code in CURRENCIES else code


def settle_currency(in_amount: CurrencyReading | None, in_column: CurrencyReading | None) -> str:
    """The currency of a row from what the amount and the currency column say ("" when neither
    says any). AmountError when they contradict each other or leave it open (FCFA: XOF or
    XAF?)."""
    if in_amount is None and in_column is None:
        return ""
    if in_amount is not None and in_column is not None:
        common = in_amount.codes & in_column.codes
        if not common:
            raise AmountError(
                _("“%(amount)s” is in %(amount_currency)s but the currency column says "
                  "%(currency)s: correct one of them.")
                % {"amount": in_amount.written[:50], "amount_currency": in_amount.described(),
                   "currency": in_column.described()}
            )
        if len(common) == 1:
            return next(iter(common))
        for default in (in_column.default, in_amount.default):
            if default in common:
                return default
        reading = CurrencyReading(written=in_column.written, codes=frozenset(common))
    else:
        reading = in_amount or in_column
        if reading.code:
            return reading.code
    raise AmountError(
        _("“%(written)s” may be in %(codes)s: write which one, as its code, in the currency "
          "column or with the amount.")
        % {"written": reading.written[:50],
           "codes": either([_named(c) for c in sorted(reading.codes)])}
    )


def describe_amount(amount: Decimal, currency: str = "") -> str:
    """ "EUR 2,500,000" in the language of the page (2 500 000 in French)."""
    shown = format_number(amount)
    return f"{currency} {shown}" if currency else shown
