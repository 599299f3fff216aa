"""Query-string parameters as the database may see them: the one place where a list page reads
numbers and free text from the address.

Anyone can type anything after `?`. A bad value is ignored (the page shows as if it were absent),
never a 500: `str.isdigit()` accepts Unicode digits such as "²" that `int()` refuses, and
PostgreSQL refuses NUL in any text, so neither test is used on raw input anywhere else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_ASCII_DIGITS = re.compile(r"[0-9]+")
MAX_CODE_LENGTH = 64


def clean_text(value: str | None, limit: int) -> str:
    """Free text for a query: no NUL, control or format characters (PostgreSQL refuses NUL;
    bidi overrides and zero-width characters only hide what was searched for), whitespace
    collapsed, at most `limit` characters."""
    value = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") else char
        for char in (value or "")[: limit * 4]
    )
    return " ".join(value.split())[:limit]


def ascii_int(value: str | None, *, minimum: int = 0, maximum: int) -> int | None:
    """A whole number written in ASCII digits within [minimum, maximum], else None."""
    value = (value or "").strip()
    if not _ASCII_DIGITS.fullmatch(value) or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def page_number(value: str | None, *, last: int) -> int:
    """A page number: 1 when absent or not a number, at most `last`."""
    number = ascii_int(value, minimum=1, maximum=10**9)
    return min(number, last) if number else 1


def database_id(value: str | None) -> int | None:
    """A primary key as PostgreSQL's bigint can hold it, else None."""
    return ascii_int(value, minimum=1, maximum=2**62)


def one_of(value: str | None, codes: Iterable[str]) -> str | None:
    """One of `codes` (a language, a status…) as `codes` spells it, the address's spelling
    compared ignoring case ("FR", "zh-Hans"); None for anything else."""
    value = (value or "").strip()
    if not value or len(value) > MAX_CODE_LENGTH:
        return None
    return {code.casefold(): code for code in codes}.get(value.casefold())
