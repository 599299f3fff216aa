"""Compiled reports: asking for one, compiling it once, publishing it (DESIGN.md §3).

A compiled report is a ReportRun row, unique per (parameters, edition). Asking for a report that
exists returns it; rebuilding is explicit and adds the next edition, keeping the earlier one.

Compiling is a job of the job machinery (p2c_portal.jobs), idempotent by construction:
- the task claims the run by compare-and-set (PENDING → RUNNING with a fresh `claim` token and a
  lease), so a second delivery of the task, a second worker or a second beat finds nothing to do;
- the compiler writes a heartbeat between steps, which renews its lease; the files are inserted
  in the same transaction that turns RUNNING into DONE, and only if the run still carries its
  token: a run has all its files or none, never two of a kind (the database's unique constraint
  backs this up);
- a worker killed mid-run leaves the run RUNNING until its lease expires: the sweep puts it back
  to PENDING and queues it again, or marks it FAILED after MAX_ATTEMPTS, so nothing stays
  "compiling" for ever and no orphan file exists;
- an error in the compiler (bad data, a bug) marks the run FAILED with the error, for the
  secretariat to read and retry.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import struct
import tempfile
import traceback
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO
from urllib.parse import urlencode

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from action_areas.models import Campaign
from p2c_portal.forked_snapshot import ForkedWork, can_fork
from p2c_portal.jobs import JobKind
from p2c_portal.locale_formats import format_date, format_list
from pledges.filters import facet_value
from pledges.models import Event
from pledges.selectors import pledge_filters_from_query

from .. import compiled_report_files
from ..compiled_report_document import compiled_report_document
from ..compiled_report_figures import (
    CHUNK_SIZE,
    compiled_report_figures,
    compiled_report_pledge_rows_in,
    report_campaign_slugs,
    report_languages,
)
from ..models import ReportFile, ReportFileChunk, ReportingCycle, ReportRun

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# The compile task's soft time limit (reporting.tasks); its hard limit is a little longer.
COMPILE_TIME_LIMIT_SECONDS = 3000
# A RUNNING run silent for this long lost its worker (killed, or the machine went away): its
# lease. The compiler beats between steps, far more often.
STALE_AFTER = datetime.timedelta(minutes=10)
# A PENDING run queued this long ago whose task never ran (broker lost it) is queued again.
REQUEUE_AFTER = datetime.timedelta(minutes=10)


class CompiledReportJobs(JobKind):
    """Compiling a run again after its worker died is safe (its files are written with DONE, or
    not at all), but a run that keeps killing its worker stops after MAX_ATTEMPTS."""

    def recover_lost(self, lost: QuerySet, *, now: datetime.datetime) -> None:
        lost.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=ReportRun.Status.FAILED, claim=None, lease_until=None, finished_at=now,
            error=_("The compilation stopped without finishing %(n)d times (the worker was "
                    "stopped or ran out of time). Retry it, or ask an administrator to look at "
                    "the worker's logs.") % {"n": MAX_ATTEMPTS},
        )
        lost.update(status=ReportRun.Status.PENDING, claim=None, lease_until=None,
                    queued_at=None, progress=0, progress_note=_("Waiting to be compiled again"))


COMPILED_REPORT_JOBS = CompiledReportJobs(
    ReportRun,
    task="reporting.tasks.compiled_report_compile",
    event="compiled_report",
    running=ReportRun.Status.RUNNING,
    lease=STALE_AFTER,
    requeue_after=REQUEUE_AFTER,
    error_field="error",
    sweep_batch=100,
)


# --- Asking for a report ------------------------------------------------------------


IGNORED_LIST_PARAMETERS = {"page", "sort"}
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def _canonical_filters(filter_query: str, campaign: Campaign | None = None
                       ) -> tuple[str, list[str]]:
    """The public list's query string (or its whole address) as the list itself writes it (known
    values only, fixed order, no page, sort or empty parameter), and what it did not
    understand. `campaign`: one more value of the list's campaign filter."""
    # The whole address of a list page as well as its query string: what follows "?", if any.
    query = filter_query.strip()
    query = query.split("?", 1)[1] if "?" in query else query
    given = QueryDict(query.split("#", 1)[0], mutable=True)
    if campaign is not None:
        given.appendlist("campaign", campaign.slug)
    canonical = pledge_filters_from_query(given).params(include_sort=False)
    kept = set(canonical)
    unknown = [
        f"{name}={value}" for name, values in given.lists() if name not in IGNORED_LIST_PARAMETERS
        # An empty parameter is the list's form sent with a field left blank ("q=&country=").
        for value in values if value.strip() and (name, facet_value(name, value)) not in kept
    ]
    return urlencode(canonical), unknown


def _default_title(*, kind, event, cutoff, cycle, as_of, language: str,
                   campaigns: list[Campaign] = ()) -> str:
    with translation.override(language):
        if kind == ReportRun.Kind.CUSTOM and campaigns:
            return _("Campaign: %(campaign)s, pledges as of %(date)s") % {
                "campaign": format_list([campaign.name_in(language) for campaign in campaigns],
                                        alternatives=True),
                "date": format_date(as_of)}
        if kind == ReportRun.Kind.EVENT and event and cutoff:
            return _("Pledges announced at %(event)s, submitted by %(date)s") % {
                "event": event.name, "date": format_date(cutoff)}
        if kind == ReportRun.Kind.EVENT and event:
            return _("Pledges announced at %(event)s") % {"event": event.name}
        if kind == ReportRun.Kind.EVENT:
            return _("Pledges submitted by %(date)s") % {"date": format_date(cutoff)}
        if kind == ReportRun.Kind.CYCLE:
            return _("Delivery of pledges: %(cycle)s") % {"cycle": cycle.name}
        return _("Pledges as of %(date)s") % {"date": format_date(as_of)}


@dataclass(frozen=True)
class CompiledReportParameters:
    """What makes a report: checked, normalised, and its key (two requests with equal keys are
    the same report)."""

    kind: str
    event: Event | None
    cutoff: datetime.date | None
    cycle: ReportingCycle | None
    filter_query: str
    as_of: datetime.date

    @property
    def key(self) -> str:
        key = "|".join([
            f"kind={self.kind}",
            f"event={self.event.slug if self.event else ''}",
            f"cutoff={self.cutoff.isoformat() if self.cutoff else ''}",
            f"cycle={self.cycle.pk if self.cycle else ''}",
            f"as_of={self.as_of.isoformat()}",
            f"filters={self.filter_query}",
        ])
        if len(key) > 2000:  # very long filter lists: keep the key bounded, still unique
            key = key[:1900] + "|sha256=" + hashlib.sha256(key.encode()).hexdigest()
        return key


def compiled_report_parameters(
    *,
    kind: str,
    event: Event | None = None,
    cutoff: datetime.date | None = None,
    cycle: ReportingCycle | None = None,
    filter_query: str = "",
    as_of: datetime.date | None = None,
    campaign: Campaign | None = None,
) -> CompiledReportParameters:
    """Check what the secretariat asked for; ValidationError per field says what is wrong.
    `campaign` (custom reports): the pledges confirmed in it, with the other filters."""
    errors: dict[str, str] = {}
    if kind not in ReportRun.Kind.values:
        errors["kind"] = _("Choose the kind of report.")
    if kind == ReportRun.Kind.EVENT and not (event or cutoff):
        errors["event"] = _("An event report needs an event, a cut-off date, or both.")
    if kind == ReportRun.Kind.CYCLE and cycle is None:
        errors["cycle"] = _("A cycle report needs a reporting cycle.")
    for name, day in (("cutoff", cutoff), ("as_of", as_of)):
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            errors[name] = _("Choose a date between %(first)s and %(last)s.") % {
                "first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()}
    canonical = ""
    if campaign is not None and kind != ReportRun.Kind.CUSTOM:
        errors["campaign"] = _("Only a custom report is about a campaign: choose “Custom "
                               "report”, or no campaign.")
    if kind == ReportRun.Kind.CUSTOM:
        if len(filter_query) > 1500:
            errors["filter_query"] = _("The filters are too long (at most 1,500 characters).")
        else:
            canonical, unknown = _canonical_filters(filter_query, campaign)
            if len(canonical) > 1500:  # encoded non-Latin text grows several times
                errors["filter_query"] = _(
                    "The filters are too long (at most 1,500 characters).")
            elif unknown:
                errors["filter_query"] = _(
                    "The public pledge list does not know these filters: %(filters)s. Copy the "
                    "part after “?” from the address of a filtered list."
                ) % {"filters": ", ".join(unknown[:10])}
    if errors:
        raise ValidationError(errors)
    if kind != ReportRun.Kind.EVENT:
        event, cutoff = None, None
    if kind != ReportRun.Kind.CYCLE:
        cycle = None
    if as_of is None:
        if kind == ReportRun.Kind.EVENT:
            as_of = cutoff or event.end_date
        elif kind == ReportRun.Kind.CYCLE:
            as_of = cycle.period_end
        else:
            as_of = timezone.localdate()
    return CompiledReportParameters(kind=kind, event=event, cutoff=cutoff, cycle=cycle,
                            filter_query=canonical, as_of=as_of)


def compiled_report_request(
    *, parameters: CompiledReportParameters, actor=None, titles: dict[str, str] | None = None,
    languages: list[str] | None = None,
) -> tuple[ReportRun, bool]:
    """(run, created): the latest edition of the report with these parameters if it was asked
    for before in (at least) these languages, otherwise a new PENDING run queued for compilation,
    a new edition when the earlier one lacks a language.

    `languages`: codes of settings.LANGUAGES its files are written in (default: all of them);
    `titles`: {language: title}, a language without one gets a title made from the parameters."""
    p = parameters
    offered = report_languages()
    languages = [code for code in offered if code in (languages or offered)] or offered
    titles = {code: (text or "").strip() for code, text in (titles or {}).items()}

    def latest() -> ReportRun | None:
        return ReportRun.objects.filter(parameters_key=p.key).order_by("-edition").first()

    existing = latest()
    if existing is not None and set(languages) <= set(existing.languages):
        return existing, False
    slugs = report_campaign_slugs(p.filter_query) if p.kind == ReportRun.Kind.CUSTOM else []
    campaigns = sorted(Campaign.objects.filter(slug__in=slugs),
                       key=lambda campaign: slugs.index(campaign.slug)) if slugs else []
    titles = {
        language: titles.get(language) or _default_title(
            kind=p.kind, event=p.event, cutoff=p.cutoff, cycle=p.cycle, as_of=p.as_of,
            language=language, campaigns=campaigns)
        for language in {"en", *languages}
    }
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                kind=p.kind, event=p.event, cutoff=p.cutoff, cycle=p.cycle,
                filter_query=p.filter_query, as_of=p.as_of, parameters_key=p.key,
                edition=existing.edition + 1 if existing else 1,
                title_en=titles.pop("en")[:250],
                title_translations={code: text[:250] for code, text in titles.items()},
                languages=languages, requested_by=actor,
            )
            COMPILED_REPORT_JOBS.enqueue_on_commit(run.pk)
    except IntegrityError:  # asked for at the same moment elsewhere (two beats, a double click)
        return latest(), False
    logger.info("compiled_report.requested", extra={"run_id": run.pk, "kind": p.kind})
    return run, True


@transaction.atomic
def compiled_report_rebuild(*, run: ReportRun, actor=None) -> ReportRun:
    """A new edition of a DONE or FAILED report, compiled from today's data. The earlier
    edition and its files stay as they are."""
    # Every edition of the report, locked: two rebuilds at once make one new edition.
    editions = list(ReportRun.objects.select_for_update()
                    .filter(parameters_key=run.parameters_key).order_by("edition"))
    run = next(edition for edition in editions if edition.pk == run.pk)
    if run.status not in (ReportRun.Status.DONE, ReportRun.Status.FAILED):
        raise ValidationError(_("Only a finished report can be rebuilt."))
    if any(edition.status in (ReportRun.Status.PENDING, ReportRun.Status.RUNNING)
           for edition in editions):
        raise ValidationError(_("A newer edition of this report is being compiled already."))
    latest = editions[-1].edition
    rebuilt = ReportRun.objects.create(
        kind=run.kind, event=run.event, cutoff=run.cutoff, cycle=run.cycle,
        filter_query=run.filter_query, as_of=run.as_of, parameters_key=run.parameters_key,
        title_en=run.title_en, title_translations=run.title_translations,
        languages=run.languages, edition=latest + 1, rebuild_of=run,
        requested_by=actor,
    )
    COMPILED_REPORT_JOBS.enqueue_on_commit(rebuilt.pk)
    return rebuilt


@transaction.atomic
def compiled_report_retry(*, run: ReportRun) -> bool:
    """A FAILED run compiled again (it has no files). Returns whether it was reset."""
    return COMPILED_REPORT_JOBS.reset(run.pk, attempts=0, progress=0, progress_note="")


@transaction.atomic
def compiled_report_set_published(*, run: ReportRun, published: bool) -> bool:
    """Publish (or withdraw from the Reports page) a DONE report."""
    if published and run.status != ReportRun.Status.DONE:
        raise ValidationError(_("Only a finished report can be published."))
    changed = ReportRun.objects.filter(
        pk=run.pk, status=ReportRun.Status.DONE, is_published=not published
    ).update(is_published=published, published_at=timezone.now() if published else None)
    return bool(changed)


# --- Compiling ------------------------------------------------------------


class RunLost(Exception):
    """This compiler's claim was taken over (it was presumed dead): stop without writing."""


def _beat(run_id: int, claim: uuid.UUID, **progress) -> None:
    """Still alive: renew the lease (with the step reached). Presumed dead and taken over
    meanwhile: stop now, writing nothing."""
    if not COMPILED_REPORT_JOBS.renew(run_id, claim, heartbeat_at=timezone.now(), **progress):
        raise RunLost


def _write(file_format: str, figures: dict, document, pledge_list, out: BinaryIO) -> None:
    if file_format == ReportFile.Format.FIGURES_CSV:
        compiled_report_files.figures_csv(figures, document, out)
    else:
        compiled_report_files.workbook(figures, document, pledge_list, out)


@dataclass
class _Output:
    """A file written to local temporary storage, waiting to be stored with the DONE run."""

    file_format: str
    language: str
    handle: BinaryIO
    size: int
    sha256: str


@contextmanager
def _one_snapshot():
    """Every read inside sees the database as it was at the first one (PostgreSQL: a
    read-only REPEATABLE READ transaction), so that the figures and the pledge lists of a run
    agree even if pledges are published or edited meanwhile. Nothing is written inside."""
    outermost = not connection.in_atomic_block  # (tests run inside a transaction already)
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def _figures_and_pdfs(run: ReportRun, languages: list[str], pdfs: dict[str, BinaryIO]) -> dict:
    """The run's figures, and its PDF in each language: the figures, then the first
    PRINT_LIST_LIMIT pledges (read apart from the full list, which the PDF does not print)."""
    figures = compiled_report_figures(run)
    printed: dict[str, list] = {language: [] for language in languages}
    for rows in islice(compiled_report_pledge_rows_in(run, languages=languages),
                       compiled_report_files.PRINT_LIST_LIMIT):
        for language in languages:
            printed[language].append(rows[language])
    for language in languages:
        document = compiled_report_document(figures, title=run.title_in(language),
                                            language=language)
        compiled_report_files.pdf(document, printed[language], pdfs[language],
                                  total_pledges=figures["totals"]["pledges"])
        pdfs[language].flush()  # a forked child leaves with os._exit: nothing flushed for it
    return figures


def _compile_files(run: ReportRun, claim: uuid.UUID, stack: ExitStack) -> tuple[dict, list]:
    _beat(run.pk, claim, progress=5, progress_note=_("Reading the pledges"))
    # Runs asked for before languages were chosen have none recorded: English and French then.
    languages = run.languages or ["en", "fr"]

    def temporary() -> BinaryIO:
        return stack.enter_context(tempfile.TemporaryFile())

    pdfs = {language: temporary() for language in languages}
    with _one_snapshot():
        # The figures and the PDFs in a forked child, in the same snapshot, while this process
        # writes the full pledge lists: the two halves of the work on two cores (at 68,000
        # pledges, 44 s → see BENCHMARKS.md). In-process where forking is unsafe.
        beside = None
        if can_fork():
            beside = ForkedWork(lambda: _figures_and_pdfs(run, languages, pdfs),
                                timeout=COMPILE_TIME_LIMIT_SECONDS)
            stack.callback(beside.stop)  # this process failed first: no orphan left running
            beside.start()
        else:
            figures = _figures_and_pdfs(run, languages, pdfs)
        lists = {language: compiled_report_files.PledgeListFiles(
            language=language, is_cycle=run.kind == ReportRun.Kind.CYCLE,
            csv_out=temporary(), sheet_out=temporary())
            for language in languages}
        # The pledges read once for every language, and each language's list written as they
        # come, for its two files at once: values formatted once for all languages.
        for chunk in _chunks(compiled_report_pledge_rows_in(run, languages=languages),
                             CHUNK_SIZE):
            cells: dict = {}
            for language in languages:
                with translation.override(language):
                    lists[language].add([rows[language] for rows in chunk], cells)
        if beside is not None:
            figures = beside.result()  # inside the snapshot: it lives as long as this transaction

    outputs: list[_Output] = []
    documents: dict = {}
    steps = [(language, file_format) for language in languages
             for file_format in ReportFile.Format.values]
    for done, (language, file_format) in enumerate(steps):
        _beat(run.pk, claim, progress=60 + int(30 * done / len(steps)),
              progress_note=_("Writing %(file)s (%(language)s)") % {
                  "file": ReportFile.Format(file_format).label, "language": language})
        if file_format == ReportFile.Format.PLEDGES_CSV:
            handle = lists[language].csv_out  # written whole while the pledges were read
        elif file_format == ReportFile.Format.PDF:
            handle = pdfs[language]  # written with the figures
        else:
            handle = temporary()
            if language not in documents:
                documents[language] = compiled_report_document(
                    figures, title=run.title_in(language), language=language)
            _write(file_format, figures, documents[language], lists[language], handle)
        handle.seek(0, io.SEEK_END)
        size, digest = handle.tell(), hashlib.sha256()
        handle.seek(0)
        while block := handle.read(ReportFile.CHUNK_BYTES):
            digest.update(block)
        outputs.append(_Output(file_format, language, handle, size, digest.hexdigest()))
    _beat(run.pk, claim, progress=90, progress_note=_("Storing the files"))
    return figures, outputs


class _ChunksAsCopyRows(io.RawIOBase):
    """A file's chunks as the rows of a binary COPY into ReportFileChunk (file_id int8,
    index int4, data bytea), read one chunk at a time: the bytes reach PostgreSQL as they are,
    not as the hex text an INSERT's bytea parameter becomes (a 30 MB file in 1 MB chunks: 1.56 s
    by INSERT, 0.49 s by COPY)."""

    def __init__(self, file_id: int, handle: BinaryIO):
        self.parts = self._parts(file_id, handle)
        self.pending = b""

    @staticmethod
    def _parts(file_id: int, handle: BinaryIO) -> Iterator[bytes]:
        yield b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)  # signature, flags, extension
        index = 0
        while block := handle.read(ReportFile.CHUNK_BYTES):
            yield struct.pack("!hiqiii", 3, 8, file_id, 4, index, len(block)) + block
            index += 1
        yield struct.pack("!h", -1)  # the end of the rows

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            part = next(self.parts, None)
            if part is None:
                break
            self.pending += part
        if size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out


def _store(run_id: int, output: _Output) -> None:
    report_file = ReportFile.objects.create(
        run_id=run_id, format=output.file_format, language=output.language,
        size=output.size, sha256=output.sha256,
    )
    output.handle.seek(0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {ReportFileChunk._meta.db_table} (file_id, index, data) "
                "FROM STDIN WITH (FORMAT binary)",
                _ChunksAsCopyRows(report_file.pk, output.handle),
                size=ReportFile.CHUNK_BYTES + 64)  # about one row a read
        return
    index = 0
    while block := output.handle.read(ReportFile.CHUNK_BYTES):
        ReportFileChunk.objects.create(file=report_file, index=index, data=block)
        index += 1


def compiled_report_compile(*, run_id: int) -> bool:
    """Compile a PENDING run once. Returns whether this call produced its files.

    An error in the compiler (bad data, a bug, the time limit) marks the run FAILED with the
    error, not PENDING: compiling again would fail again. The secretariat reads it and retries.
    """
    started = timezone.now()
    return COMPILED_REPORT_JOBS.work(
        run_id, lambda claim: _compile(run_id, claim),
        started_at=started, heartbeat_at=started, progress=1, progress_note=_("Started"),
    )


def _compile(run_id: int, claim: uuid.UUID) -> bool:
    run = ReportRun.objects.select_related("event", "cycle").get(pk=run_id)
    try:
        with ExitStack() as stack:
            figures, files = _compile_files(run, claim, stack)
            with transaction.atomic():
                finished = COMPILED_REPORT_JOBS.finish(
                    run_id, claim, ReportRun.Status.DONE, figures=figures, progress=100,
                    progress_note="", finished_at=timezone.now(), heartbeat_at=timezone.now(),
                )
                if not finished:
                    raise RunLost
                for output in files:
                    _store(run_id, output)
    except RunLost:
        logger.warning("compiled_report.compile_lost_claim", extra={"run_id": run_id})
        return False
    except Exception as error:
        if isinstance(error, SoftTimeLimitExceeded):
            reason = _("The compilation took longer than the time allowed (%(minutes)d minutes) "
                       "and was stopped. Try a narrower selection, or ask an administrator to "
                       "raise the report task's time limit.") % {
                "minutes": COMPILE_TIME_LIMIT_SECONDS // 60}
        else:
            reason = f"{type(error).__name__}: {error}\n\n{traceback.format_exc(limit=6)}"
        COMPILED_REPORT_JOBS.finish(run_id, claim, ReportRun.Status.FAILED,
                                    finished_at=timezone.now(), error=reason[:5000])
        logger.exception("compiled_report.compile_failed", extra={"run_id": run_id})
        return False
    logger.info("compiled_report.compiled", extra={"run_id": run_id, "files": len(files)})
    return True


# --- Sweeping and scheduling ------------------------------------------------------------


def compiled_reports_sweep(*, now: datetime.datetime | None = None) -> int:
    """Runs whose worker died go back to PENDING (or FAILED after MAX_ATTEMPTS); PENDING runs
    whose task was lost are queued again. Returns how many runs were queued."""
    return COMPILED_REPORT_JOBS.sweep(now=now)


def compiled_reports_for_ended_cycles(*, today: datetime.date | None = None) -> int:
    """At the end of each reporting cycle (the day after it stops taking reports), ask for its
    cycle report. Asking twice returns the same run. Returns how many were asked for."""
    today = today or timezone.localdate()
    created = 0
    for cycle in ReportingCycle.objects.filter(
        Q(closes_on__lt=today) | Q(closes_on__isnull=True, due_on__lt=today)
    ):
        # The report as of the end of the period; a preview the secretariat compiled with
        # another date is another report and does not stand in for it.
        _run, new = compiled_report_request(
            parameters=compiled_report_parameters(kind=ReportRun.Kind.CYCLE, cycle=cycle)
        )
        created += new
    return created
