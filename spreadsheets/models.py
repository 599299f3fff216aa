"""Column mappings the secretariat saved: how the headings of a kind of workbook (a template that
members fill in their own way) are read as an import's columns, reused for the next file with the
same headings."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def headings_signature(keys: list[str]) -> str:
    """The set of a file's headings (normalised, any order) as one key."""
    return hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()


class ColumnMapping(models.Model):
    # The import it is for: "<app label>.<model name>" of the admin that imports.
    target = models.CharField(_("import"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    signature = models.CharField(_("headings signature"), max_length=64, editable=False)
    headings = models.JSONField(_("headings"), default=list)
    mapping = models.JSONField(_("mapping"), default=dict)  # heading key → column ("" ignored)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("saved by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["target", "signature"],
                                    name="column_mapping_one_per_headings"),
        ]

    def __str__(self):
        return self.name
