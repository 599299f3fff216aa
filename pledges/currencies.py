"""ISO 4217 currency codes accepted for financial pledges (active national currencies and
the CFA/East Caribbean/CFP francs and the IMF SDR), with their English names; and currencies as
people write them in a spreadsheet (`read_currency`).

A written currency is read as the set of currencies it may mean, with the one meant when nothing
else says (its default):
- a code (USD, eur) or an English name (US Dollar) is one currency;
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

import functools
import re
import unicodedata
from dataclasses import dataclass

from babel import Locale
from django.utils.translation import gettext as _

CURRENCIES: dict[str, str] = {
    "AED": "UAE Dirham",
    "AFN": "Afghani",
    "ALL": "Lek",
    "AMD": "Armenian Dram",
    "AOA": "Kwanza",
    "ARS": "Argentine Peso",
    "AUD": "Australian Dollar",
    "AWG": "Aruban Florin",
    "AZN": "Azerbaijan Manat",
    "BAM": "Convertible Mark",
    "BBD": "Barbados Dollar",
    "BDT": "Taka",
    "BHD": "Bahraini Dinar",
    "BIF": "Burundi Franc",
    "BMD": "Bermudian Dollar",
    "BND": "Brunei Dollar",
    "BOB": "Boliviano",
    "BOV": "Mvdol",
    "BRL": "Brazilian Real",
    "BSD": "Bahamian Dollar",
    "BTN": "Ngultrum",
    "BWP": "Pula",
    "BYN": "Belarusian Ruble",
    "BZD": "Belize Dollar",
    "CAD": "Canadian Dollar",
    "CDF": "Congolese Franc",
    "CHE": "WIR Euro",
    "CHF": "Swiss Franc",
    "CHW": "WIR Franc",
    "CLF": "Unidad de Fomento",
    "CLP": "Chilean Peso",
    "CNY": "Yuan Renminbi",
    "COP": "Colombian Peso",
    "COU": "Unidad de Valor Real",
    "CRC": "Costa Rican Colon",
    "CUP": "Cuban Peso",
    "CVE": "Cabo Verde Escudo",
    "CZK": "Czech Koruna",
    "DJF": "Djibouti Franc",
    "DKK": "Danish Krone",
    "DOP": "Dominican Peso",
    "DZD": "Algerian Dinar",
    "EGP": "Egyptian Pound",
    "ERN": "Nakfa",
    "ETB": "Ethiopian Birr",
    "EUR": "Euro",
    "FJD": "Fiji Dollar",
    "FKP": "Falkland Islands Pound",
    "GBP": "Pound Sterling",
    "GEL": "Lari",
    "GHS": "Ghana Cedi",
    "GIP": "Gibraltar Pound",
    "GMD": "Dalasi",
    "GNF": "Guinean Franc",
    "GTQ": "Quetzal",
    "GYD": "Guyana Dollar",
    "HKD": "Hong Kong Dollar",
    "HNL": "Lempira",
    "HTG": "Gourde",
    "HUF": "Forint",
    "IDR": "Rupiah",
    "ILS": "New Israeli Sheqel",
    "INR": "Indian Rupee",
    "IQD": "Iraqi Dinar",
    "IRR": "Iranian Rial",
    "ISK": "Iceland Krona",
    "JMD": "Jamaican Dollar",
    "JOD": "Jordanian Dinar",
    "JPY": "Yen",
    "KES": "Kenyan Shilling",
    "KGS": "Som",
    "KHR": "Riel",
    "KMF": "Comorian Franc",
    "KPW": "North Korean Won",
    "KRW": "Won",
    "KWD": "Kuwaiti Dinar",
    "KYD": "Cayman Islands Dollar",
    "KZT": "Tenge",
    "LAK": "Lao Kip",
    "LBP": "Lebanese Pound",
    "LKR": "Sri Lanka Rupee",
    "LRD": "Liberian Dollar",
    "LSL": "Loti",
    "LYD": "Libyan Dinar",
    "MAD": "Moroccan Dirham",
    "MDL": "Moldovan Leu",
    "MGA": "Malagasy Ariary",
    "MKD": "Denar",
    "MMK": "Kyat",
    "MNT": "Tugrik",
    "MOP": "Pataca",
    "MRU": "Ouguiya",
    "MUR": "Mauritius Rupee",
    "MVR": "Rufiyaa",
    "MWK": "Malawi Kwacha",
    "MXN": "Mexican Peso",
    "MXV": "Mexican Unidad de Inversion (UDI)",
    "MYR": "Malaysian Ringgit",
    "MZN": "Mozambique Metical",
    "NAD": "Namibia Dollar",
    "NGN": "Naira",
    "NIO": "Cordoba Oro",
    "NOK": "Norwegian Krone",
    "NPR": "Nepalese Rupee",
    "NZD": "New Zealand Dollar",
    "OMR": "Rial Omani",
    "PAB": "Balboa",
    "PEN": "Sol",
    "PGK": "Kina",
    "PHP": "Philippine Peso",
    "PKR": "Pakistan Rupee",
    "PLN": "Zloty",
    "PYG": "Guarani",
    "QAR": "Qatari Rial",
    "RON": "Romanian Leu",
    "RSD": "Serbian Dinar",
    "RUB": "Russian Ruble",
    "RWF": "Rwanda Franc",
    "SAR": "Saudi Riyal",
    "SBD": "Solomon Islands Dollar",
    "SCR": "Seychelles Rupee",
    "SDG": "Sudanese Pound",
    "SEK": "Swedish Krona",
    "SGD": "Singapore Dollar",
    "SHP": "Saint Helena Pound",
    "SLE": "Leone",
    "SOS": "Somali Shilling",
    "SRD": "Surinam Dollar",
    "SSP": "South Sudanese Pound",
    "STN": "Dobra",
    "SVC": "El Salvador Colon",
    "SYP": "Syrian Pound",
    "SZL": "Lilangeni",
    "THB": "Baht",
    "TJS": "Somoni",
    "TMT": "Turkmenistan New Manat",
    "TND": "Tunisian Dinar",
    "TOP": "Pa’anga",
    "TRY": "Turkish Lira",
    "TTD": "Trinidad and Tobago Dollar",
    "TWD": "New Taiwan Dollar",
    "TZS": "Tanzanian Shilling",
    "UAH": "Hryvnia",
    "UGX": "Uganda Shilling",
    "USD": "US Dollar",
    "USN": "US Dollar (Next day)",
    "UYI": "Uruguay Peso en Unidades Indexadas (UI)",
    "UYU": "Peso Uruguayo",
    "UYW": "Unidad Previsional",
    "UZS": "Uzbekistan Sum",
    "VED": "Bolívar Soberano",
    "VES": "Bolívar Soberano",
    "VND": "Dong",
    "VUV": "Vatu",
    "WST": "Tala",
    "XAF": "CFA Franc BEAC",
    "XCD": "East Caribbean Dollar",
    "XDR": "SDR (Special Drawing Right)",
    "XOF": "CFA Franc BCEAO",
    "XPF": "CFP Franc",
    "YER": "Yemeni Rial",
    "ZAR": "Rand",
    "ZMW": "Zambian Kwacha",
    "ZWG": "Zimbabwe Gold",
}


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
