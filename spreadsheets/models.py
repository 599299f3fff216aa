"""What the import engine keeps in the database: one row per previewed file (its one-time
confirmation), and the column mappings the secretariat saved — how the headings of a kind of
workbook (a template that members fill in their own way) are read as an import's columns, reused
for the next file with the same headings."""

import hashlib
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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


class ImportJob(models.Model):
    """A big file's preview or confirmed import, worked by a Celery task (p2c_portal.jobs) so that
    no web request runs for minutes. The admin's status page follows it (progress from the cache,
    as the import's own transaction hides every write until it ends) and shows its result: the
    preview's report and confirmation token, or the confirmed import's FileImport."""

    class Kind(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        CONFIRM = "confirm", _("Import")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    model = models.CharField(_("imported into"), max_length=100)  # the admin's "app.model"
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=255, editable=False)
    # What the page asked: the preview's form (layout, choices) or the confirmation's fields.
    form_data = models.JSONField(default=dict, editable=False)
    # The layout read (tables.Layout as JSON): a preview of the same file and layout is reused.
    layout = models.TextField(blank=True, editable=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("requested by"),
    )
    # The preview's confirmation, or the preview a confirmation imports (one job per preview).
    file_import = models.ForeignKey(FileImport, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="jobs")
    # The preview's report (import_report), or a refused confirmation's report.
    report = models.JSONField(default=dict, blank=True, editable=False,
                              encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two confirmations of one preview (a double click, two tabs) are one job.
            models.UniqueConstraint(fields=["file_import"], condition=models.Q(kind="confirm"),
                                    name="import_job_one_confirmation_per_preview"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name or self.pk}"


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
