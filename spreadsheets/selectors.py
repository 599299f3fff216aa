"""Reads of the spreadsheets app."""

from .models import ColumnMapping, headings_signature


def column_mapping_for(*, target: str, heading_keys: list[str]) -> ColumnMapping | None:
    """The mapping saved for files of `target` with exactly these headings, if any."""
    return ColumnMapping.objects.filter(
        target=target, signature=headings_signature(heading_keys)
    ).first()
