"""Compiled reports: a snapshot of the coalition at a date or for a cycle (ReportRun, a job of the
job machinery, p2c_portal.jobs), kept as files stored in the database in chunks."""

from collections.abc import Iterator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from action_areas.models import text_in

from .progress import ReportingCycle


class ReportRun(models.Model):
    """A compiled report: a snapshot of the coalition kept as files (DESIGN.md §3).

    One row per (kind, parameters) and edition: asking again for the same report returns the same
    run; rebuilding is an explicit secretariat action that adds the next edition and keeps the
    earlier one and its files. PENDING → RUNNING → DONE | FAILED; a DONE run never changes again
    except for being published or unpublished.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("Event report")
        CYCLE = "cycle", _("Reporting-cycle report")
        CUSTOM = "custom", _("Custom report")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Compiling")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title_en = models.CharField(_("title (English)"), max_length=250)
    title_translations = models.JSONField(_("title in other languages"), default=dict,
                                          blank=True)
    # The languages its files are written in (codes of settings.LANGUAGES when it was asked for).
    languages = models.JSONField(_("languages"), default=list, blank=True)
    event = models.ForeignKey(
        "pledges.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="reports",
        verbose_name=_("event"),
    )
    cutoff = models.DateField(
        _("submitted up to"), null=True, blank=True,
        help_text=_("Event reports: only pledges first submitted on or before this day."),
    )
    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, null=True, blank=True,
        related_name="compiled_reports", verbose_name=_("reporting cycle"),
    )
    filter_query = models.CharField(
        _("filters of the public list"), max_length=2000, blank=True,
        help_text=_("Custom reports: the query string of the public pledge list, "
                    "e.g. area=access&region=africa."),
    )
    as_of = models.DateField(
        _("report date"),
        help_text=_("Country groupings (LDC, LLDC, SIDS) are taken as they were on this day."),
    )
    # The canonical form of (kind, parameters): what makes two requests the same report.
    parameters_key = models.CharField(_("parameters"), max_length=2100, editable=False)
    edition = models.PositiveSmallIntegerField(_("edition"), default=1, editable=False)
    rebuild_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rebuilds",
        editable=False, verbose_name=_("rebuild of"),
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    progress_note = models.CharField(_("current step"), max_length=200, blank=True,
                                     editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    claim = models.UUIDField(null=True, blank=True, editable=False)  # the compiler holding it
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True,
                                        editable=False)
    # Renewed with every heartbeat: a RUNNING run past it lost its compiler (p2c_portal.jobs).
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    # The figures of a DONE run, as compiled: the HTML page is rendered from them.
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)

    is_published = models.BooleanField(pgettext_lazy("compiled report is", "published"),
                                       default=False, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True,
                                        editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("compiled report")
        verbose_name_plural = _("compiled reports")
        ordering = ["-created_at", "-pk"]
        permissions = [("publish_reportrun", _("Can publish compiled reports"))]
        constraints = [
            models.UniqueConstraint(fields=["parameters_key", "edition"],
                                    name="one_report_run_per_parameters_edition"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_run_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(status="done"),
                name="report_run_published_only_when_done",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        if self.edition > 1:
            return _("%(title)s (edition %(edition)d)") % {
                "title": self.title, "edition": self.edition,
            }
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:compiled_report_detail", args=[self.pk])

    def title_in(self, language: str | None) -> str:
        return text_in(self.title_en, self.title_translations, language)

    @property
    def title(self) -> str:
        return self.title_in(get_language())


class ReportFile(models.Model):
    """One output of a run, stored in the database with the run: written in the same transaction
    that marks the run DONE, so a run has all its files or none, and never two of a kind. The
    bytes are in ReportFileChunk rows of at most CHUNK_BYTES, so that neither compiling nor
    serving a large file ever holds it whole in memory."""

    CHUNK_BYTES = 1024 * 1024

    class Format(models.TextChoices):
        PDF = "pdf", _("Print-ready report (PDF)")
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        FIGURES_CSV = "figures.csv", _("Figures (CSV)")
        PLEDGES_CSV = "pledges.csv", _("Pledge list (CSV)")

    run = models.ForeignKey(ReportRun, on_delete=models.PROTECT, related_name="files",
                            verbose_name=_("compiled report"))
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["run", "language", "format"]
        constraints = [
            models.UniqueConstraint(fields=["run", "format", "language"],
                                    name="one_report_file_per_format_language"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} — {self.language}"

    @property
    def download_name(self) -> str:
        """e.g. p2c-report-12-pledges-fr.csv"""
        kind, _dot, extension = self.format.rpartition(".")
        return f"p2c-report-{self.run_id}-{kind or extension}-{self.language}.{extension}"

    def stream(self) -> Iterator[bytes]:
        """The file's bytes, one chunk (one query) at a time."""
        index = 0
        while True:
            data = (ReportFileChunk.objects.filter(file=self, index=index)
                    .values_list("data", flat=True).first())
            if data is None:
                return
            yield bytes(data)
            index += 1

    def read(self) -> bytes:
        """The whole file: for small files and tests; pages use `stream()`."""
        return b"".join(self.stream())

    @property
    def content_type(self) -> str:
        return {
            self.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            self.Format.FIGURES_CSV: "text/csv; charset=utf-8",
            self.Format.PLEDGES_CSV: "text/csv; charset=utf-8",
            self.Format.PDF: "application/pdf",
        }[self.format]


class ReportFileChunk(models.Model):
    """A piece of a report file, in order."""

    file = models.ForeignKey(ReportFile, on_delete=models.CASCADE, related_name="chunks",
                             verbose_name=_("report file"))
    index = models.PositiveIntegerField(_("position"))
    data = models.BinaryField(_("data"))

    class Meta:
        verbose_name = _("report file chunk")
        verbose_name_plural = _("report file chunks")
        ordering = ["file", "index"]
        constraints = [
            models.UniqueConstraint(fields=["file", "index"], name="one_report_chunk_per_index"),
        ]

    def __str__(self) -> str:
        return f"{self.file} #{self.index}"
