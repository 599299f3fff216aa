"""Reads for compiled reports, public side: the Reports page, a report's page and its files."""

from django.db import models
from django.db.models import Prefetch
from django.http import Http404

from ..compiled_report_sections import figures_with_contributed
from ..models import ReportFile, ReportRun

# Downloads listed in the order people want them: the PDF, the workbook, then the CSVs.
FILE_FORMAT_ORDER = models.Case(
    *(models.When(format=value, then=position)
      for position, value in enumerate(ReportFile.Format.values)),
    default=len(ReportFile.Format.values),
)


def compiled_reports_published(language: str):
    """The Reports page: published reports, newest first, each with its downloads in `language`
    (`run.downloads`; sizes only, the bytes are read when downloaded)."""
    return (
        ReportRun.objects.filter(is_published=True, status=ReportRun.Status.DONE)
        .select_related("event", "cycle")
        .prefetch_related(Prefetch(
            "files", to_attr="downloads",
            queryset=ReportFile.objects.filter(language=language)
            .order_by(FILE_FORMAT_ORDER, "pk"),
        ))
        .order_by("-published_at", "-pk")
    )


def compiled_report_get_public(run_id: int, language: str) -> ReportRun:
    if not 0 < run_id < 2**31:
        raise Http404
    run = compiled_reports_published(language).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


def compiled_report_page_figures(run: ReportRun) -> dict:
    """What a report's page states: the figures frozen with its files. A run compiled before
    matchmaking had a section in them shows that section as of its date now."""
    return figures_with_contributed(run.figures, run.as_of)


def compiled_report_file_get_public(run_id: int, language: str, file_format: str) -> ReportFile:
    if not 0 < run_id < 2**31:
        raise Http404
    report_file = ReportFile.objects.filter(
        run_id=run_id, run__is_published=True, run__status=ReportRun.Status.DONE,
        language=language, format=file_format,
    ).select_related("run").first()
    if report_file is None:
        raise Http404
    return report_file
