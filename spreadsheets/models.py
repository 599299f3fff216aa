"""What the import engine keeps in the database: one row per previewed file (its one-time
confirmation), and the column mappings the secretariat saved — how the headings of a kind of
workbook (a template that members fill in their own way) are read as an import's columns, reused
for the next file with the same headings."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def confirmation_token() -> str:
    return secrets.token_urlsafe(32)


class FileImport(models.Model):
    """One uploaded file, from its preview to its one confirmation.

    The preview creates the row with a one-time token, which the confirmation form carries back.
    The confirmation consumes it with a conditional UPDATE (PREVIEWED → IMPORTED) inside the
    import's transaction: a second confirmation of the same preview (a double click, a second tab,
    a resent form) waits on the row until the first one ends, then finds nothing to claim and
    imports nothing. If the first import fails, its transaction rolls the token back with
    everything else. Once imported, the row keeps what was imported (`outcome`), which the
    "already imported" message links to."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed, not imported")
        IMPORTED = "imported", _("Imported")

    token = models.CharField(max_length=64, unique=True, default=confirmation_token,
                             editable=False)
    # The admin's model, "app_label.model_name": a token confirms an import of that model only.
    model = models.CharField(_("imported into"), max_length=100)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    # The file between preview and confirmation, in the import storage.
    stored_name = models.CharField(max_length=255, editable=False)
    file_format = models.PositiveSmallIntegerField(editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PREVIEWED)
    previewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("previewed by"),
    )
    previewed_at = models.DateTimeField(_("previewed"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    # {"new": n, "updated": n, "skipped": n, "rows": [{"line", "action", "record", "object_id",
    #  "notes": [...], "missing": [...]}]}: written in the import's transaction.
    outcome = models.JSONField(_("what was imported"), default=dict, blank=True)

    class Meta:
        verbose_name = _("file import")
        verbose_name_plural = _("file imports")
        ordering = ["-previewed_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"


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
