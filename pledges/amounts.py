"""Reading money amounts the way people type them: "1,000,000", "1 000 000", "USD 1,000,000",
"1.000.000,50" or "2.5 million" is not accepted (words are ambiguous across languages)."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

_CURRENCY_AFFIX = re.compile(r"^\s*([A-Za-z]{3})\s*|\s*([A-Za-z]{3})\s*$")
_SPACES = re.compile(r"[\s\u00a0\u202f_']")


class AmountError(ValueError):
    pass


def parse_amount(text: str) -> tuple[Decimal, str]:
    """Return (amount, currency code or "") from free text. Raises AmountError with a message.

    Grouping may use commas, dots, spaces or apostrophes; the decimal separator is the last
    "." or "," when it is followed by one or two digits only.
    """
    raw = (text or "").strip()
    if not raw:
        raise AmountError(_("Enter an amount."))
    currency = ""
    match = _CURRENCY_AFFIX.search(raw)
    if match:
        currency = (match.group(1) or match.group(2)).upper()
        raw = _CURRENCY_AFFIX.sub("", raw, count=1)
    raw = _SPACES.sub("", raw.replace("$", "").replace("€", "").replace("£", ""))
    if not re.fullmatch(r"[0-9.,]+", raw or "x"):
        raise AmountError(
            _("“%(text)s” is not an amount. Write digits, for example 1,000,000 or 1 000 000.")
            % {"text": text.strip()[:50]}
        )
    last_sep = max(raw.rfind("."), raw.rfind(","))
    if last_sep != -1 and len(raw) - last_sep - 1 in (1, 2):
        integer, decimals = raw[:last_sep], raw[last_sep + 1:]
    else:
        integer, decimals = raw, ""
    integer = integer.replace(",", "").replace(".", "")
    try:
        amount = Decimal(f"{integer or '0'}.{decimals or '0'}")
    except InvalidOperation:
        raise AmountError(_("“%(text)s” is not an amount.") % {"text": text.strip()[:50]}) from None
    return amount, currency
