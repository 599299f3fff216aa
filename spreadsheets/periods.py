"""Dates as people write them in a spreadsheet, read as the period they name.

A cell may name a day ("2022-06-16", "16/06/2022", "16 June 2022", "16 juin 2022", an Excel date
cell or the serial number Excel stores for one), a month ("June 2022", "juin 2022", "06/2022",
"2022-06", "2022年6月"), a quarter ("Q3 2022", "T3 2022", "3e trimestre 2022", "2022年第三季度"),
a half-year ("H1 2024", "S1 2024", "1er semestre 2024") or a year ("2023"). `read_period` returns
the period with its first and last day; a start date is stored as the first day and an end or
target date as the last one (`read_date(value, end=...)`), and the preview says which.

Month and quarter names come from CLDR through Babel (already used for the reference data's
names), in the six UN languages, wide and abbreviated, in the forms used alone and in a date
("июнь" and "июня"). Half-years have no CLDR name: HALF_YEAR_NAMES, kept small.

Never month/day/year: 06/07/2022 is the 6th of July; a date with a two-digit year is refused
(22 is not a year anyone can check).
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

from babel.dates import get_month_names, get_quarter_names
from django.utils.translation import gettext as _

from p2c_portal.locale_formats import format_date

from .files import cell_text, fold

# The languages whose month and quarter names are read (CLDR's identifiers).
CLDR_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh_Hans")

# What Excel counts its serial dates from (it believes 1900 was a leap year, so from 1 March
# 1900 on, day 1 is 31 December 1899 minus one).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serial numbers read as dates: 1 Jan 1950 to 31 Dec 2100. A number outside (an amount typed in
# the wrong column) is refused rather than turned into a date.
EXCEL_SERIALS = range(18264, 73415 + 1)
YEARS = range(1900, 2101)

# Half-years: CLDR names none. Folded forms (see `_key`), in the UN languages.
HALF_YEAR_NAMES = {
    1: ("h1", "1h", "s1", "1st half", "first half", "1er semestre", "premier semestre",
        "1e semestre", "primer semestre", "1 semestre", "1-е полугодие",
        "первое полугодие", "1 полугодие", "النصف الأول", "上半年"),
    2: ("h2", "2h", "s2", "2nd half", "second half", "2e semestre", "second semestre",
        "deuxieme semestre", "2eme semestre", "segundo semestre", "2 semestre",
        "2-е полугодие", "второе полугодие", "2 полугодие", "النصف الثاني", "下半年"),
}
# Other ways of writing a quarter than CLDR's ("Q3", "T3", "3rd quarter"...).
EXTRA_QUARTER_NAMES = {
    1: ("1q", "quarter 1", "first quarter", "premier trimestre", "primer trimestre",
        "i квартал"),
    2: ("2q", "quarter 2", "second quarter", "deuxieme trimestre", "2eme trimestre",
        "segundo trimestre", "ii квартал"),
    3: ("3q", "quarter 3", "third quarter", "troisieme trimestre", "3eme trimestre",
        "tercer trimestre", "iii квартал"),
    4: ("4q", "quarter 4", "fourth quarter", "quatrieme trimestre", "4eme trimestre",
        "cuarto trimestre", "iv квартал"),
}
# Words around a date that say nothing about it: "June of 2022", "junio de 2022", "2022 г.".
_YEAR_WORDS = {"year", "annee", "ano", "год"}
_FILLERS = {"of", "de", "del", "le", "the", "en", "in", "г", "год", "года", "م"}


class PeriodError(ValueError):
    """A cell that is not a date; the message is safe to show to the person."""


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date
    kind: str  # "day", "month", "quarter", "half", "year"

    def day(self, *, end: bool) -> datetime.date:
        return self.last if end else self.first

    @property
    def is_day(self) -> bool:
        return self.kind == "day"


def _key(text: str) -> str:
    """Case, accents, dots and punctuation ignored: "Sept." is "sept", "1.er trimestre" is
    "1er trimestre", "2.º trimestre" is "2o trimestre"."""
    text = fold(text).replace(".", "")
    text = re.sub(r"[,;:()\[\]\"'’]", " ", text)
    return " ".join(text.split())


@functools.cache
def _names() -> tuple[dict[str, int], dict[str, int]]:
    """({month name: month}, {quarter name: quarter}) in every CLDR_LANGUAGES form."""
    months: dict[str, set[int]] = {}
    quarters: dict[str, set[int]] = {}
    for language in CLDR_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, language).items():
                    months.setdefault(_key(name), set()).add(number)
                for number, name in get_quarter_names(width, context, language).items():
                    quarters.setdefault(_key(name), set()).add(number)
    for number, names in EXTRA_QUARTER_NAMES.items():
        for name in names:
            quarters.setdefault(_key(name), set()).add(number)
    # A name two languages give to different months would be a guess: left out.
    return (
        {name: next(iter(numbers)) for name, numbers in months.items() if len(numbers) == 1},
        {name: next(iter(numbers)) for name, numbers in quarters.items() if len(numbers) == 1},
    )


@functools.cache
def _halves() -> dict[str, int]:
    return {_key(name): half for half, names in HALF_YEAR_NAMES.items() for name in names}


def _month(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(datetime.date(year, month, 1), datetime.date(year, month, last), "month")


def _months(year: int, first_month: int, count: int, kind: str) -> Period:
    last_month = first_month + count - 1
    return Period(
        datetime.date(year, first_month, 1),
        datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
        kind,
    )


def _day(year: int, month: int, day: int, text: str) -> Period:
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise PeriodError(
            _("“%(text)s” is not a date that exists. Dates are read as year-month-day "
              "(2022-06-16) or day/month/year (16/06/2022).") % {"text": text[:40]}
        ) from None
    return Period(date, date, "day")


def _not_a_date(text: str) -> PeriodError:
    return PeriodError(
        _("“%(text)s” is not a date. Write a day (2022-06-16 or 16/06/2022, day/month/year), "
          "a month (June 2022), a quarter (Q3 2022), a half-year (H1 2024) or a year (2023).")
        % {"text": text[:40]}
    )


def _year(number: int, text: str) -> int:
    if number not in YEARS:
        raise PeriodError(
            _("“%(text)s”: %(year)s is not a year a pledge can have.")
            % {"text": text[:40], "year": number}
        )
    return number


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[/\-](\d{1,2})$")
_CJK_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?$")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})(?!\d)\s*年?")
_DAY_NUMBER = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|e|eme|o|a|-?го|-?е)?$")


def _from_serial(number: float, text: str) -> Period:
    whole = int(number)
    if whole not in EXCEL_SERIALS:
        raise _not_a_date(text)
    date = EXCEL_EPOCH + datetime.timedelta(days=whole)
    return Period(date, date, "day")


def read_period(value) -> Period | None:
    """The period a cell names; None for an empty cell. PeriodError with a message otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return Period(value.date(), value.date(), "day")
    if isinstance(value, datetime.date):
        return Period(value, value, "day")
    if isinstance(value, bool):
        raise _not_a_date(str(value))
    if isinstance(value, (int, float)):
        # A number cell: a year (2023) or the serial number of an Excel date.
        if float(value).is_integer() and int(value) in YEARS:
            year = int(value)
            return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")
        return _from_serial(float(value), cell_text(value))
    text = cell_text(value)
    if not text:
        return None
    return _read_text(text)


def _read_text(text: str) -> Period:
    compact = " ".join(text.split())
    if match := _ISO.match(compact):
        year, month, day = (int(g) for g in match.groups())
        return _day(year, month, day, text)
    if match := _DAY_FIRST.match(compact):
        day, month, year = (int(g) for g in match.groups())
        return _day(year, month, day, text)
    if _SHORT_YEAR.match(compact):
        raise PeriodError(
            _("“%(text)s” has a two-digit year: write the year in full (16/06/2022).")
            % {"text": text[:40]}
        )
    if re.fullmatch(r"\d{4}", compact):
        year = _year(int(compact), text)
        return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")
    if re.fullmatch(r"\d{5}(?:\.\d+)?", compact):
        return _from_serial(float(compact), text)
    for pattern, order in ((_MONTH_YEAR, (1, 0)), (_YEAR_MONTH, (0, 1))):
        if match := pattern.match(compact):
            year, month = (int(match.groups()[i]) for i in order)
            if not 1 <= month <= 12:
                raise _not_a_date(text)
            return _month(_year(year, text), month)
    if match := _CJK_DATE.match(compact):
        year, month, day = match.groups()
        if day:
            return _day(int(year), int(month), int(day), text)
        if not 1 <= int(month) <= 12:
            raise _not_a_date(text)
        return _month(_year(int(year), text), int(month))
    return _read_words(text)


def _read_words(text: str) -> Period:
    """A year with a month, quarter or half-year name, or a day and a month name."""
    years = _YEAR_IN_TEXT.findall(text)
    if len(years) != 1:
        raise _not_a_date(text)
    year = _year(int(years[0]), text)
    rest = _YEAR_IN_TEXT.sub(" ", text, count=1)
    words = [word for word in _key(rest).replace("-", " - ").split() if word not in _FILLERS]
    if set(words) <= _YEAR_WORDS | {"-"}:  # "2023", "2023年", "year 2023", "année 2023"
        return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")
    # A dash may join the name to the year ("2022-Q3", "Q3-2022") or be part of a name
    # ("1-й квартал"): tried both ways.
    for name in (" ".join(w for w in words if w != "-"), " ".join(words).replace(" - ", "-")):
        months, quarters = _names()
        if name in months:
            return _month(year, months[name])
        if name in quarters:
            return _months(year, 3 * quarters[name] - 2, 3, "quarter")
        if name in _halves():
            return _months(year, 6 * _halves()[name] - 5, 6, "half")
    # "16 June", "June 16", "1er juin", "16 de junio".
    words = [w for w in words if w != "-"]
    days = [w for w in words if _DAY_NUMBER.match(w)]
    if len(days) == 1:
        month_words = " ".join(w for w in words if w != days[0])
        months, _quarters = _names()
        if month_words in months:
            day = int(_DAY_NUMBER.match(days[0]).group(1))
            return _day(year, months[month_words], day, text)
    raise _not_a_date(text)


def read_date(value, *, end: bool = False) -> datetime.date | None:
    """The day a cell names: a period's first day, or its last for an end or target date."""
    period = read_period(value)
    return None if period is None else period.day(end=end)


def describe_date(value, *, end: bool = False) -> str:
    """The day stored for a cell, in words for the preview, as the page's language writes dates:
    "30 September 2022 (end of period)"."""
    period = read_period(value)
    if period is None:
        return ""
    shown = format_date(period.day(end=end))
    if period.is_day:
        return shown
    if end:
        return _("%(date)s (end of period)") % {"date": shown}
    return _("%(date)s (start of period)") % {"date": shown}
