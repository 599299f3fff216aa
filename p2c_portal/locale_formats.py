"""Dates, numbers and amounts written and read as each language writes them, and names sorted as
each language sorts them.

Formats come from CLDR through Babel, so the six UN languages (and any language added later) follow
the Unicode consortium's data instead of Django's per-language format files, which cannot say
« 1er juin » nor place a currency symbol. English is the UN's British usage ("1 June 2022").

Short lists sorted in Python (countries of a pledge, a menu of countries) use the Unicode
Collation Algorithm (pyuca, the default Unicode table) after the rows are fetched: the same order
on PostgreSQL and SQLite ("Côte d'Ivoire" before "Czechia", "Türkiye" before "Tuvalu"). Long,
paginated lists (the entity directory) are ordered by the database with `collated()`: the
language's ICU collation on PostgreSQL, and on SQLite the same pyuca table registered as a
collation, so that a page boundary falls where the order says.
"""

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from babel import Locale
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from babel import units as babel_units
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Django language code → CLDR locale, where they differ. English is the UN's British English.
T = TypeVar("T")

_CLDR_LOCALES = {"en": "en_GB", "zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}


class LocalizedNumberError(ValueError):
    """Text that is not a number as the language writes it; str() is a message for the user."""


def cldr_locale(language: str | None = None) -> Locale:
    """The CLDR locale of a Django language code (the active language by default)."""
    return _cldr_locale(_language_code(language))


def _language_code(language: str | None) -> str:
    return (language or get_language() or "en").lower()


def _memoized_by_language(*defaults):
    """The same text for the same value, options and language, computed once per process.

    Babel takes 0.1–0.5 ms to write a number (it reads the locale's data and parses the pattern
    at every call), and the home page writes some 700 of them (its map and growth tables): most
    of its 180 ms of CPU at 100,000 pledges (BENCHMARKS.md, issue 20). The figures of the public
    pages repeat from one request to the next, so a bounded memo answers nearly all of them.
    `defaults`: the options between the value and the language (a currency), with their
    defaults. The value's type is part of the key (True == 1 == 1.0, but they are not written
    alike); moments (datetimes, written in the current time zone) and values that cannot be
    hashed are written each time."""

    def decorate(format_function: Callable[..., str]) -> Callable[..., str]:
        count = len(defaults)
        memo = functools.lru_cache(maxsize=8192)(
            lambda kind, value, code, *options: format_function(value, *options, language=code)
        )

        @functools.wraps(format_function)
        def wrapper(value, *args, language: str | None = None) -> str:
            options = (*args[:count], *defaults[len(args[:count]):])
            if len(args) > count:
                language = args[count]
            if isinstance(value, datetime.datetime):
                return format_function(value, *options, language=language)
            try:
                return memo(type(value), value, _language_code(language), *options)
            except TypeError:  # unhashable
                return format_function(value, *options, language=language)

        wrapper.cache_clear = memo.cache_clear
        return wrapper

    return decorate


@functools.lru_cache(maxsize=32)
def _cldr_locale(code: str) -> Locale:
    name = _CLDR_LOCALES.get(code) or code.replace("-", "_")
    try:
        return Locale.parse(name)
    except (ValueError, babel_numbers.UnknownLocaleError):
        return Locale.parse("en_GB")


# --- Dates -----------------------------------------------------------------------------------

@_memoized_by_language()
def format_date(value: datetime.date | None, language: str | None = None) -> str:
    """A date in the language's long form: 1 June 2022, 1er juin 2022, 2022年6月1日."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    locale = cldr_locale(language)
    pattern = locale.date_formats["long"].pattern
    if locale.language == "fr" and value.day == 1:
        # French writes the first day of a month as an ordinal (« 1er juin »); CLDR has no
        # ordinal day field, so the day is written as a quoted literal in the same pattern.
        pattern = re.sub(r"(?<![A-Za-z'])d(?![A-Za-z])", "'1er'", pattern, count=1)
    return babel_dates.format_date(value, pattern, locale=locale)


@_memoized_by_language()
def format_month(value: datetime.date | None, language: str | None = None) -> str:
    """A month and its year as the language writes them standing alone: June 2022, juin 2022,
    2022年6月."""
    if value is None or value == "":
        return ""
    return babel_dates.format_skeleton("yMMMM", value, locale=cldr_locale(language))


def format_datetime(value: datetime.datetime | None, language: str | None = None) -> str:
    """A moment in the site's time zone: the long date and the short time, joined as the
    language joins them ("1 June 2022, 14:30")."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = cldr_locale(language)
    time_text = babel_dates.format_time(value, "short", locale=locale)
    joiner = str(locale.datetime_formats["medium"]).replace("'", "")
    return joiner.replace("{0}", time_text).replace("{1}", format_date(value, language))


# --- Numbers and amounts ---------------------------------------------------------------------

def _as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _two_places_or_none(number: Decimal) -> Decimal:
    """Whole numbers without decimals, others with exactly two (2 500 000 / 2 500 000,50)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.quantize(Decimal("0.01"))


def _decimal_pattern(locale: Locale, places: int) -> str:
    """The language's number pattern with exactly `places` decimals."""
    return re.sub(r"\.[#0]+", "." + "0" * places if places else "",
                  locale.decimal_formats[None].pattern)


@_memoized_by_language()
def format_number(value, language: str | None = None) -> str:
    """A count or quantity with the language's grouping and decimal sign: 2,500,000.5 in
    English, 2 500 000,50 in French: two decimals, none for whole numbers. Form fields show
    numbers this way too, so that what is shown reads back to the same value."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    locale = cldr_locale(language)
    number = _two_places_or_none(number)
    places = 0 if number == number.to_integral_value() else 2
    return babel_numbers.format_decimal(number, _decimal_pattern(locale, places), locale=locale)


@_memoized_by_language()
def format_decimal(value, language: str | None = None) -> str:
    """A figure with exactly the decimals it was given (three at most), with the language's
    grouping and decimal sign: a share rounded upstream, 25.0 / 25,0, 0.75 / 0,75."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    places = min(3, max(0, -number.as_tuple().exponent))
    locale = cldr_locale(language)
    return babel_numbers.format_decimal(number, _decimal_pattern(locale, places), locale=locale)


@_memoized_by_language("USD")
def format_amount(value, currency: str = "USD", language: str | None = None) -> str:
    """Money as the language writes it, symbol included: US$2,500,000 in English,
    2 500 000 $US in French. Whole amounts are written without decimals."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    locale = cldr_locale(language)
    number = _two_places_or_none(number)
    pattern = locale.currency_formats["standard"].pattern
    if number == number.to_integral_value():
        pattern = pattern.replace(".00", "")
    return babel_numbers.format_currency(
        number, (currency or "USD").upper(), format=pattern, locale=locale,
        currency_digits=False, decimal_quantization=False,
    )


def format_percent(value, language: str | None = None) -> str:
    """A percentage given as 0–100 (not a fraction): 42 % in French, 42% in English."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return babel_numbers.format_percent(
        number / 100, locale=cldr_locale(language), decimal_quantization=False
    )


@_memoized_by_language()
def format_compact_number(value, language: str | None = None) -> str:
    """A large figure in words, rounded to one decimal: 2.5 million, 2,5 millions, 250万,
    2,5 миллиона; figures under a thousand as they are. For headline figures ("USD 2.5 million"),
    never where the exact value matters."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return babel_numbers.format_compact_decimal(
        number, format_type="long", fraction_digits=1, locale=cldr_locale(language)
    )


# Binary multiples, as Django's filesizeformat counts them, with CLDR's names of the units.
_FILE_SIZE_UNITS = ((1 << 40, "digital-terabyte"), (1 << 30, "digital-gigabyte"),
                    (1 << 20, "digital-megabyte"), (1 << 10, "digital-kilobyte"))


@_memoized_by_language()
def format_file_size(value, language: str | None = None) -> str:
    """A file's size with one decimal and the unit as the language abbreviates it (CLDR):
    119.9 kB, 119,9 ko, 119.9 كيلوبايت, 119,9 кБ. Django's filesizeformat writes the number with
    Django's own separators, which for Arabic are not CLDR's that every other figure uses."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    locale = cldr_locale(language)
    for multiple, unit in _FILE_SIZE_UNITS:
        if abs(size) >= multiple:
            return babel_units.format_unit(round(size / multiple, 1), unit, length="short",
                                           format="#,##0.0", locale=locale)
    return babel_units.format_unit(size, "digital-byte", length="short", format="#,##0",
                                   locale=locale)


# --- Lists -----------------------------------------------------------------------------------

def format_list(items: Iterable, language: str | None = None, *, alternatives: bool = False) -> str:
    """Names listed as the language lists them, with its conjunction: "A, B and C",
    « A, B et C », "A وB وC", "A、B和C", "A, B и C"; `alternatives`: "A, B or C", « A, B ou C »."""
    texts = [str(item) for item in items]
    if not texts:
        return ""
    style = "or" if alternatives else "standard"
    return babel_lists.format_list(texts, style=style, locale=cldr_locale(language))


_WHITESPACE = re.compile(r"[\s\u00a0\u202f\u2009]+")


def _ascii_digits(text: str) -> str:
    """Arabic-Indic, Persian, full-width… digits read as 0–9."""
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text
    )


def number_example(language: str | None = None) -> str:
    """How the language writes two and a half million and fifty hundredths, for messages."""
    return format_number(Decimal("2500000.50"), language)


def parse_number(text: str, language: str | None = None, *, as_typed: str | None = None) -> Decimal:
    """Read a number typed in the language's format; any space groups digits in every language.

    A comma or point that the language uses neither for decimals nor for grouping ("1.000" in
    French: one, or one thousand?) is refused rather than guessed, as are misplaced group signs.
    Raises LocalizedNumberError with a message that shows the expected format and quotes
    `as_typed` (what the person typed, when `text` is part of it), else `text`.
    """
    quoted = (as_typed if as_typed is not None else text or "").strip()[:50]
    locale = cldr_locale(language)
    group = babel_numbers.get_group_symbol(locale)
    decimal_sign = babel_numbers.get_decimal_symbol(locale)
    raw = _ascii_digits((text or "").strip())
    # Arabic's own separators (٬ ٫) typed on an Arabic keyboard mean what the Latin ones mean.
    raw = raw.replace("\u066c", ",").replace("\u066b", ".").replace("'", "").replace("’", "")
    raw = _WHITESPACE.sub(group, raw)
    example = number_example(language)
    if not re.fullmatch(r"[0-9.,\u00a0\u202f]+", raw) or not re.search(r"[0-9]", raw):
        raise LocalizedNumberError(
            _("“%(text)s” is not a number. Write digits, for example %(example)s.")
            % {"text": quoted, "example": example}
        )
    foreign = {sign for sign in ".," if sign in raw and sign not in (group, decimal_sign)}
    if foreign:
        raise LocalizedNumberError(
            _("“%(text)s” is ambiguous in this language: write it like %(example)s, with "
              "“%(decimal)s” before the decimals.")
            % {"text": quoted, "example": example, "decimal": decimal_sign}
        )
    try:
        return babel_numbers.parse_decimal(raw, locale=locale, strict=True)
    except babel_numbers.NumberFormatError:
        raise LocalizedNumberError(
            _("“%(text)s” is not written as numbers are in this language: write it like "
              "%(example)s, with “%(decimal)s” before the decimals.")
            % {"text": quoted, "example": example, "decimal": decimal_sign}
        ) from None


# --- Sorting ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _collator():
    # Loading the Unicode collation table takes a moment: once per process.
    from pyuca import Collator

    return Collator()


def collation_key(text: str) -> tuple:
    """A sort key that orders names as dictionaries do (accents after the base letter, case
    ignored at first): "Côte d'Ivoire" before "Czechia"."""
    return _collator().sort_key(str(text or ""))


def sorted_by_name(items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """`items` sorted by `name(item)` in collation order."""
    return sorted(items, key=lambda item: collation_key(name(item)))


# The name under which SQLite knows the pyuca collation (registered on each new connection by
# p2c_portal.apps); PostgreSQL has ICU's own collations, one per language ("fr-x-icu").
SQLITE_COLLATION = "unicode_ci"


def compare_collated(first: str, second: str) -> int:
    """The SQLite collation: -1, 0 or 1 as `first` sorts before, with or after `second`."""
    first_key, second_key = collation_key(first), collation_key(second)
    return (first_key > second_key) - (first_key < second_key)


def database_collation(language: str | None = None) -> str:
    """The PostgreSQL ICU collation of a language: "fr-x-icu", "zh-Hans-x-icu"… PostgreSQL
    creates one for every locale ICU knows, so a new language needs nothing here."""
    locale = cldr_locale(language)
    name = "-".join(part for part in (locale.language, locale.script) if part)
    return f"{name}-x-icu"


# Unicode's root collation in ICU: the order of no language in particular, for text written in
# any language (pledge titles), and the one an index can be built on once for every language.
ROOT_COLLATION = "und-x-icu"


class Collated(Collate):
    """A text column compared as the language sorts: `order_by(Collated("name"), "pk")`.
    Accents and case count only after the letters ("Égypte" among the E's, "Côte d'Ivoire"
    before "Czechia"). PostgreSQL: the language's ICU collation (`root=True`: Unicode's root
    order, whatever the language); SQLite: the pyuca collation."""

    def __init__(self, field: str, language: str | None = None, *, root: bool = False):
        super().__init__(F(field), ROOT_COLLATION if root else database_collation(language))

    def as_sqlite(self, compiler, connection, **extra_context):
        extra_context["collation"] = connection.ops.quote_name(SQLITE_COLLATION)
        return self.as_sql(compiler, connection, **extra_context)


# --- Form fields -----------------------------------------------------------------------------

# A currency code before or after the digits ("USD 1,000,000", "1 000 000 EUR"), not a word.
_CURRENCY_CODE = re.compile(r"^\s*([A-Za-z]{3})(?=\s*[\d$€£])\s*|(?<=[\d\s])\s*([A-Za-z]{3})\s*$")
_CURRENCY_SYMBOLS = re.compile(r"US\$|[$€£¥₽]")


class LocalizedDecimalField(forms.Field):
    """A number typed and shown in the page's language: "2 500 000,50" in French, "2,500,000.50"
    in English. A value the language would read differently from what the person meant (a
    point in French, 1.000.000 in English) is refused with the expected format, never guessed.

    `currency`: the currency the amount is in, when the field is an amount; a currency code typed
    with the number ("USD 1,000,000") must then be that one. `allow_negative` for quantities on
    scales below zero.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 40})
    max_length = 40

    def __init__(self, *args, currency: str | None = None, allow_negative: bool = False,
                 min_value: Decimal | None = None, max_value: Decimal | None = None,
                 decimal_places: int = 2, negative_message: str | None = None, **kwargs):
        self.currency = currency
        self.negative_message = negative_message
        self.allow_negative = allow_negative
        self.min_value, self.max_value = min_value, max_value
        self.decimal_places = decimal_places
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        if len(text) > self.max_length:
            raise ValidationError(
                _("Write the number in digits, at most %(max)d characters.")
                % {"max": self.max_length}
            )
        negative = text[0] in "-−"
        body = text[1:].strip() if negative else text
        if self.currency is not None:
            match = _CURRENCY_CODE.search(body)
            if match:
                typed = (match.group(1) or match.group(2)).upper()
                if self.currency and typed != self.currency.upper():
                    raise ValidationError(
                        _("Write the amount in %(currency)s, the currency of the pledge.")
                        % {"currency": self.currency}
                    )
                body = _CURRENCY_CODE.sub("", body, count=1)
            body = _CURRENCY_SYMBOLS.sub("", body).strip()
        try:
            number = parse_number(body, as_typed=text)
        except LocalizedNumberError as error:
            raise ValidationError(str(error)) from None
        if negative and number != 0:
            if not self.allow_negative:
                raise ValidationError(self.negative_message or _("The number cannot be negative."))
            number = -number
        try:
            number = number.quantize(Decimal(1).scaleb(-self.decimal_places))
        except InvalidOperation:
            raise ValidationError(
                _("This number is too large: check the number of zeros.")
            ) from None
        return number

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("The number must be at least %(min)s.") % {"min": format_number(self.min_value)}
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(_("This number is too large: check the number of zeros."))

    def prepare_value(self, value):
        # A saved value is shown as the language writes it; what the person typed (bound data,
        # perhaps invalid) is shown exactly as typed.
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_number(value)
        return value
