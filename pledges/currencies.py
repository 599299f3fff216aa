"""The currencies a financial pledge can be made in: the ISO 4217 currencies in use, named in each
language by CLDR (Babel), the data set the UN's own language services and the browsers use.

"In use" is CLDR's list of each territory's legal tender today. That leaves out, with no list of
ours to keep, the fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), the precious metals
(XAU, XAG, XPD, XPT), the bond-market units (XBA–XBD), the testing and "no currency" codes (XTS,
XXX), the SUCRE and ADB units (XSU, XUA), and the IMF's Special Drawing Right (XDR): an SDR is a
unit of account, a basket of five currencies, not money that any country pays with, and the UN
operational rates of exchange are rates of national currencies against the dollar. A pledge
denominated in SDR is entered in the currency it will be disbursed in (or in US dollars), with the
SDR figure in its description.

A pledge saved before this list (with a code no longer offered) keeps its code: `currency_name`
names any code CLDR knows, and the form offers the pledge's own code beside the list.

Currencies as people write them in a spreadsheet (`read_currency`). A written currency is read
as the set of currencies it may mean, with the one meant when nothing else says (its default):
- a code (USD, eur) or its English name (US Dollar) is one currency;
- CLDR's names and symbols (through Babel, already used for the reference data) in the six UN
  languages: "dollar des États-Unis", "dólares estadounidenses", "美元", "€", "CA$", "R$", "₹"...;
- SIGN_FAMILIES: signs that several currencies share. "$" and "dollar(s)" may be any dollar and
  are read as the US dollar unless the currency column names another dollar (at the portal's
  events amounts in "$" are US dollars; the preview shows the USD it read, and a currency
  column saying CAD is not contradicted). "£" is read the same way as the pound sterling.
  "FCFA"/"CFA" is the West African (XOF) or the Central African (XAF) CFA franc, and "¥" the
  yen or the yuan: neither has a default, so a row that does not say which one is refused with
  a message asking which;
- EXTRA_CURRENCY_NAMES: a few everyday forms CLDR does not list ("US$", "dollars US", "Ksh").
"""

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass

from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies, list_currencies
from django.utils.translation import gettext as _

from p2c_portal.locale_formats import cldr_locale, collation_key


@functools.cache
def currencies_in_use() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (CLDR's territory currencies)."""
    today = datetime.date.today()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


@functools.cache
def iso_currency_codes() -> frozenset[str]:
    """Every ISO 4217 code CLDR knows, past or present: what a rates file may name (a rate for a
    currency no pledge uses yet is harmless; a code that is not ISO 4217 is a typo)."""
    return frozenset(list_currencies())


def currency_name(code: str, language: str | None = None) -> str:
    """The currency's name in `language` (the active language by default): "Kenyan Shilling",
    "shilling kényan"; the code itself when CLDR does not know it."""
    return get_currency_name(code, locale=cldr_locale(language)) if code else ""


def currency_choices(extra: str = "") -> list[tuple[str, str]]:
    """The form's currency list in the active language: USD first, then by code. A form field
    takes the function itself (Django calls it each time a form is made, in that request's
    language). `extra`: a code to offer as well (a pledge's own, saved before the list changed)."""
    codes = set(currencies_in_use()) | ({extra} if extra else set())
    named = [(code, f"{code} — {currency_name(code)}") for code in codes if code != "USD"]
    named.sort(key=lambda choice: collation_key(choice[1]))
    return [("", str(_("Choose a currency"))), ("USD", f"USD — {currency_name('USD')}"), *named]


@functools.cache
def _english_names() -> dict[str, str]:
    locale = cldr_locale("en")
    return {code: locale.currencies.get(code, code) for code in sorted(currencies_in_use())}


# {code: English name (CLDR)} of the currencies in use: what the spreadsheet reading below and
# pledges.amounts name and look currencies up by.
CURRENCIES: dict[str, str] = _english_names()


# Signs and words several currencies share: (the codes it may mean, its default or "").
SIGN_FAMILIES: dict[str, tuple[frozenset[str], str]] = {}


def _family(names: tuple[str, ...], codes, default: str) -> None:
    for name in names:
        SIGN_FAMILIES[name] = (frozenset(codes), default)


_DOLLARS = frozenset(
    {code for code, name in CURRENCIES.items() if "Dollar" in name} - {"USN"}
)
_POUNDS = frozenset({code for code, name in CURRENCIES.items() if "Pound" in name})
_family(("$", "dollar", "dollars", "dolar", "dolares", "доллар", "долларов", "доллара",
         "دولار", "دولارات"), _DOLLARS, "USD")
_family(("£", "pound", "pounds", "livre", "livres", "libra", "libras", "фунт", "фунтов",
         "جنيه"), _POUNDS, "GBP")
_family(("fcfa", "f cfa", "cfa", "cfaf", "franc cfa", "francs cfa", "cfa franc", "cfa francs",
         "franco cfa", "francos cfa", "франк кфа", "франков кфа"), {"XOF", "XAF"}, "")
_family(("¥", "￥"), {"JPY", "CNY"}, "")
_family(("rs", "rupee", "rupees", "roupie", "roupies"),
        {code for code, name in CURRENCIES.items() if "Rupee" in name}, "")

EXTRA_CURRENCY_NAMES: dict[str, str] = {
    "us$": "USD", "$us": "USD", "usd$": "USD", "u.s. dollar": "USD", "u.s. dollars": "USD",
    "us dollars": "USD", "dollars us": "USD", "dollar us": "USD", "dollars americains": "USD",
    "dollar americain": "USD", "dolares estadounidenses": "USD", "dolares americanos": "USD",
    "долларов сша": "USD", "دولار امريكي": "USD",
    "euros": "EUR", "eur€": "EUR",
    "livres sterling": "GBP", "pounds sterling": "GBP", "uk£": "GBP", "£gb": "GBP",
    "ksh": "KES", "kshs": "KES", "frw": "RWF", "rwf": "RWF", "ush": "UGX", "tsh": "TZS",
    "rmb": "CNY", "yuan": "CNY", "renminbi": "CNY", "人民币": "CNY", "元": "CNY",
    "yen": "JPY", "円": "JPY",
    "fcfa bceao": "XOF", "fcfa beac": "XAF", "franc cfa bceao": "XOF", "franc cfa beac": "XAF",
}

# Words inside currency names that say nothing about the currency ("dollar des États-Unis").
CURRENCY_FILLERS = frozenset({"de", "d", "des", "del", "of", "the"})
# Punctuation, and the invisible marks that set the direction of Arabic text.
_PUNCTUATION = frozenset(".,'’()-/:\u200e\u200f\u061c")
_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\W\d_]+|[^\w\s]")


def money_tokens(text: str) -> list[str]:
    """Words and signs of a written amount or currency, compared without case or accents:
    letters are one token a word, every other sign and every Chinese character one token
    ("US$" is "us", "$"; "M€" is "m", "€"; "美元" is "美", "元"). Punctuation and filler words
    ("de", "of") are dropped; dots too ("U.S." is "us")."""
    text = unicodedata.normalize("NFKD", str(text).replace(".", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return [
        token for token in _TOKEN.findall(text)
        if token not in _PUNCTUATION and token not in CURRENCY_FILLERS
    ]


def currency_key(text: str) -> str:
    return " ".join(money_tokens(text))


@dataclass(frozen=True)
class CurrencyReading:
    """A currency as written: the codes it may mean, and the one meant when nothing else says
    ("" when it cannot be guessed)."""

    written: str
    codes: frozenset[str]
    default: str = ""

    @property
    def code(self) -> str:
        """The currency meant when nothing else says which, or "" (ambiguous)."""
        if len(self.codes) == 1:
            return next(iter(self.codes))
        return self.default

    def described(self) -> str:
        """The currency meant, or those it may be: "EUR", "USD" for "$", "XAF or XOF"."""
        return self.code or either(sorted(self.codes))


def either(codes: list[str]) -> str:
    """ "XAF or XOF", "AUD, CAD or USD"."""
    if len(codes) <= 1:
        return "".join(codes)
    return _("%(some)s or %(last)s") % {"some": ", ".join(codes[:-1]), "last": codes[-1]}


@functools.cache
def _currency_names() -> dict[str, tuple[frozenset[str], str]]:
    """{currency key: (codes, default)} of every name and sign known."""
    found: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        key = currency_key(name)
        if key and code in CURRENCIES:
            found.setdefault(key, set()).add(code)

    for code, name in CURRENCIES.items():
        add(code, code)
        add(name, code)
    for language in ("en", "fr", "es", "ru", "ar", "zh_Hans"):
        locale = Locale.parse(language)
        plurals = locale._data["currency_names_plural"]
        for code in CURRENCIES:
            add(locale.currencies.get(code, ""), code)
            add(locale.currency_symbols.get(code, ""), code)
            for name in (plurals.get(code) or {}).values():
                add(name, code)
    for name, code in EXTRA_CURRENCY_NAMES.items():
        add(name, code)
    names = {key: (frozenset(codes), "") for key, codes in found.items()}
    for name, family in SIGN_FAMILIES.items():
        names[currency_key(name)] = family
    return names


def read_currency(text: str) -> CurrencyReading | None:
    """What a written currency may mean; None when it is not a currency."""
    written = " ".join(str(text or "").split())
    family = _currency_names().get(currency_key(written))
    if family is None:
        return None
    codes, default = family
    return CurrencyReading(written=written, codes=codes, default=default)
