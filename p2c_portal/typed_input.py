"""Input kept as typed (a form that did not validate, a POST replayed after logging in), made
storable.

PostgreSQL refuses NUL (U+0000) in text and in jsonb: one NUL pasted into any field made the whole
save fail, valid fields included. A NUL is invisible on screen and means nothing in a form, so it
is dropped; everything else is kept exactly as typed.
"""

from __future__ import annotations

from collections.abc import Mapping


def without_nul(text: str) -> str:
    return str(text).replace("\x00", "")


def storable_typed_input(raw_input: Mapping[str, list[str]] | None) -> dict[str, list[str]]:
    """{field name: [values as typed]} with what the database refuses removed."""
    return {
        without_nul(name): [without_nul(value) for value in values]
        for name, values in (raw_input or {}).items()
    }
