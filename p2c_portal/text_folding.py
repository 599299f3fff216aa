"""Comparing names and words without accents or case, in the database, on both databases.

``p2c_unaccent(text)`` is the text without accents: on PostgreSQL an IMMUTABLE wrapper around the
``unaccent`` extension (created by pledges' migration 0008, so that an index may use it); on
SQLite (``make run``) `fold`, registered on every connection (p2c_portal.apps), which also folds
case. The pledge search (pledges.text_search) and the entity directory both ask through
`Unaccented`.
"""

import unicodedata

from django.db.models import Func, TextField


class Unaccented(Func):
    function = "p2c_unaccent"
    output_field = TextField()


def fold(text: str | None) -> str | None:
    """The text as the SQLite search compares it: without accents, in folded case."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
