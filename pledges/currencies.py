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
"""

import datetime
import functools

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies, list_currencies
from django.utils.translation import gettext_lazy as _

from p2c_portal.locale_formats import cldr_locale, collation_key
from spreadsheets.files import fold


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
def _codes_by_name() -> dict[str, str]:
    """Folded English and French names (all CLDR spellings: "euro", "euros", "US Dollar",
    "dollar des États-Unis") → code, for the spreadsheet import."""
    names: dict[str, str] = {}
    for language in ("en", "fr"):
        locale = cldr_locale(language)
        for code in currencies_in_use():
            spellings = {locale.currencies.get(code, "")}
            spellings |= set(locale._data["currency_names_plural"].get(code, {}).values())
            for spelling in spellings:
                if spelling:
                    names.setdefault(fold(spelling), code)
    return names


def currency_from_text(text: str) -> str:
    """The code of a currency written as its code or its English or French name; "" when the text
    names no currency in use."""
    text = (text or "").strip()
    if text.upper() in currencies_in_use():
        return text.upper()
    return _codes_by_name().get(fold(text) or "", "")
