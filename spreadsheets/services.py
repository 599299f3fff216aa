"""Writes of the spreadsheets app."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import ColumnMapping, headings_signature


@transaction.atomic
def column_mapping_save(*, user, target: str, name: str, mapping: dict[str, str]) -> ColumnMapping:
    """Save (or replace) the mapping of the files of `target` with these headings: the next
    file with the same set of headings is read the same way. `mapping`: heading key → column
    name, "" for a column that is ignored. Only staff who may import into `target` may."""
    app_label, _dot, model_name = target.partition(".")
    if not (getattr(user, "is_staff", False)
            and user.has_perm(f"{app_label}.import_{model_name}")):
        raise PermissionDenied  # only who may import into `target` decides how files are read
    keys = sorted(mapping)
    saved, _created = ColumnMapping.objects.select_for_update().update_or_create(
        target=target,
        signature=headings_signature(keys),
        defaults={
            "name": name.strip()[:200],
            "headings": keys,
            "mapping": dict(mapping),
            "saved_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return saved
