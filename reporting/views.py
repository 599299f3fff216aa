"""Member area: the progress form of a pledge for a reporting cycle, and the list of a pledge's
reports. Public: the compiled reports the secretariat published. Thin: the form validates,
services write, selectors read."""

import datetime
import functools
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from members.views import ACTING_ENTITY_SESSION_KEY
from p2c_portal.page_cache import public_page
from p2c_portal.query_params import page_number
from pledges.models import Pledge
from pledges.views.member import keeps_typed_input_across_login

from . import compiled_report_files, goal_open_data, permissions
from .compiled_report_document import YEAR_ON_YEAR_NOTE, compiled_report_document
from .compiled_report_downloads import compiled_report_file_response
from .forms import ProgressReportForm
from .goal_charts import goal_chart_svg, goal_value
from .models import ProgressReport, ReportingCycle
from .selectors import campaigns as campaign_selectors
from .selectors import compiled_reports as compiled_report_selectors
from .selectors import events as event_selectors
from .selectors import goals as goal_selectors
from .selectors import progress as progress_selectors
from .services import progress as progress_services

COMPILED_REPORTS_PER_PAGE = 20
CONTRIBUTING_PLEDGES_PER_PAGE = 25
CAMPAIGNS_PER_PAGE = 20
CAMPAIGN_PLEDGES_PER_PAGE = 25
EARLIEST_AS_OF = datetime.date(2022, 1, 1)


def _raw_input(data: QueryDict) -> dict:
    return {key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"}


def _unsaved_as_data(unsaved: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in unsaved.items():
        data.setlist(key, values)
    return data


def _expected_version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _pledge_for_reporting(request, pk: int):
    """(pledge, accepted partnership the person reports through, or None for the pledging
    entity's members and the secretariat); a 404 to anyone else."""
    return progress_selectors.pledge_for_reporting(
        request.user, pk, request.session.get(ACTING_ENTITY_SESSION_KEY))


def _render_form(request, *, pledge, cycle, report, form, conflict="", missing=None,
                 problem="", status=200, partnership=None):
    return render(request, "reporting/member/progress_form.html", {
        "pledge": pledge,
        "partnership": partnership,
        "cycle": cycle,
        "report": report,
        "form": form,
        "version": report.version if report else 0,
        "conflict": conflict,
        "missing": missing or [],
        "problem": problem,
    }, status=status)


def progress_form_accepts(*, pk: int, cycle_id: int):
    """The field names the progress form posts (None: no such pledge or cycle)."""
    if not (Pledge.objects.filter(pk=pk).exists()
            and ReportingCycle.objects.filter(pk=cycle_id).exists()):
        return None
    return lambda name: (name in ProgressReportForm.base_fields or name == "amount_disbursed"
                         or re.fullmatch(r"target_[0-9]{1,19}", name) is not None)


@keeps_typed_input_across_login(progress_form_accepts)
def progress_edit(request, pk: int, cycle_id: int):
    """File (or continue) the pledge's progress report for one cycle; a submitted report is
    shown read-only. Another entity's pledge is a 404, a viewer gets a 403. An accepted
    partner files its own share of the pledge's progress on the same page."""
    pledge, partnership = _pledge_for_reporting(request, pk)
    entity = partnership.entity if partnership else pledge.entity
    if not permissions.can_view_progress_private(request.user, pledge, entity):
        # The secretariat reads reports in the admin; this page is the entity's.
        return redirect("admin:reporting_progressreport_changelist")
    cycle = get_object_or_404(ReportingCycle, pk=cycle_id)
    report = progress_selectors.progress_report_get(pledge, cycle, entity.pk)
    if report is not None and report.status == ProgressReport.Status.SUBMITTED:
        return render(request, "reporting/member/progress_submitted.html", {
            "pledge": pledge, "cycle": cycle, "report": report, "partnership": partnership,
            "rows": list(report.target_progress.all()),
            "is_public": pledge.is_public() and report.is_public,
        })
    if not permissions.can_report_progress(request.user, pledge, entity):
        raise permissions.PermissionDenied(
            _("Only administrators and editors of the pledging entity, or of an accepted "
              "partner, report its progress.")
        )
    render_form = functools.partial(_render_form, partnership=partnership)
    entity_id = partnership.entity_id if partnership else None
    problem = progress_services.cycle_problem(pledge, cycle)
    if problem:
        if request.method == "POST":
            messages.error(request, problem)
        return render_form(request, pledge=pledge, cycle=cycle, report=report, form=None,
                            problem=problem, status=400)

    if request.method != "POST":
        unsaved = report.unsaved_input if report else {}
        if unsaved:
            form = ProgressReportForm(_unsaved_as_data(unsaved), pledge=pledge)
            form.is_valid()  # show the errors again next to what was typed
        else:
            form = ProgressReportForm(pledge=pledge, report=report)
        return render_form(request, pledge=pledge, cycle=cycle, report=report, form=form)

    form = ProgressReportForm(request.POST, pledge=pledge)
    valid = form.is_valid()
    try:
        report = progress_services.progress_report_save(
            user=request.user, pledge_id=pledge.pk, cycle_id=cycle.pk,
            values=form.valid_values(), target_values=form.valid_target_values(),
            raw_input=None if valid else _raw_input(request.POST),
            expected_version=_expected_version(request), entity_id=entity_id,
        )
    except progress_services.EditConflict as error:
        return render_form(request, pledge=pledge, cycle=cycle, report=report, form=form,
                            conflict=str(error), status=409)
    except progress_services.ReportingError as error:
        messages.error(request, str(error))
        return redirect("reporting:progress_edit", pk=pledge.pk, cycle_id=cycle.pk)
    if not valid:
        messages.warning(
            request,
            _("Draft saved. Some values are not valid yet: they are kept as you typed them, "
              "correct them when you can."),
        )
        return render_form(request, pledge=pledge, cycle=cycle, report=report, form=form)
    if "submit" not in request.POST:
        messages.success(request, _("Draft saved."))
        return redirect("reporting:progress_edit", pk=pledge.pk, cycle_id=cycle.pk)
    try:
        progress_services.progress_report_submit(
            user=request.user, report_id=report.pk, expected_version=report.version
        )
    except progress_services.IncompleteProgressReport as error:
        messages.error(
            request, _("Draft saved, but not submitted: the report is not complete yet.")
        )
        return render_form(request, pledge=pledge, cycle=cycle, report=report, form=form,
                            missing=error.missing, status=400)
    except (progress_services.EditConflict, progress_services.ReportingError) as error:
        messages.error(request, str(error))
        return redirect("reporting:progress_edit", pk=pledge.pk, cycle_id=cycle.pk)
    messages.success(
        request,
        _("Thank you: your progress report for “%(cycle)s” has been submitted.")
        % {"cycle": cycle.name},
    )
    return redirect("reporting:progress_edit", pk=pledge.pk, cycle_id=cycle.pk)


@login_required
def progress_list(request, pk: int):
    """A pledge's progress reports, cycle by cycle, with what is still to file."""
    pledge, partnership = _pledge_for_reporting(request, pk)
    entity = partnership.entity if partnership else pledge.entity
    if not permissions.can_view_progress_private(request.user, pledge, entity):
        return redirect("admin:reporting_progressreport_changelist")
    entity_id = partnership.entity_id if partnership else None
    return render(request, "reporting/member/progress_list.html", {
        "pledge": pledge,
        "partnership": partnership,
        "rows": progress_selectors.progress_report_rows_for_member(pledge, entity_id=entity_id),
        "reporting": progress_selectors.reporting_for_pledge(pledge, entity_id=entity_id),
        "can_report": permissions.can_report_progress(request.user, pledge, entity),
    })


# --- Public: compiled reports ---------------------------------------------------------------------


def _language() -> str:
    """The page's language as settings.LANGUAGES spells it ("zh-hans", not "zh"): the code
    compiled report files and labels are stored under."""
    return get_language() or settings.LANGUAGE_CODE


@public_page
def compiled_report_list(request):
    runs = compiled_report_selectors.compiled_reports_published(_language()).defer("figures")
    page = Paginator(runs, COMPILED_REPORTS_PER_PAGE).get_page(
        page_number(request.GET.get("page"), last=10**6)
    )
    return render(request, "reporting/public/compiled_report_list.html", {"page": page})


@public_page
def event_index(request):
    return render(request, "reporting/public/event_index.html", {
        "events": event_selectors.event_index_public(),
    })


@public_page
def compiled_report_detail(request, pk: int):
    language = _language()
    run = compiled_report_selectors.compiled_report_get_public(pk, language)
    document = compiled_report_document(compiled_report_selectors.compiled_report_page_figures(run),
                                         title=run.title, language=language)
    for section in [*document.delivery_sections, *document.sections]:
        section.chart = compiled_report_files.bar_chart_svg(section, f"chart-{section.key}")
    return render(request, "reporting/public/compiled_report_detail.html", {
        "run": run,
        "document": document,
        "files": run.downloads,
        "year_on_year_note": YEAR_ON_YEAR_NOTE,
    })


@require_safe
def compiled_report_file(request, pk: int, language: str, file_format: str):
    """A published report's file, as it was compiled: the same bytes for everyone, so shared
    caches may keep it (a compiled report never changes; a rebuild is a new edition), but only
    for a minute, so that unpublishing takes effect quickly."""
    response = compiled_report_file_response(
        compiled_report_selectors.compiled_report_file_get_public(pk, language, file_format)
    )
    patch_cache_control(response, public=True, max_age=60)
    return response



def _goals_as_of(request) -> tuple[datetime.date, str]:
    """The day the goals are shown as of (?as_of=YYYY-MM-DD, default today), and what was wrong
    with the one asked for, if anything."""
    today = timezone.localdate()
    asked = (request.GET.get("as_of") or "").strip()
    if not asked:
        return today, ""
    try:
        day = datetime.date.fromisoformat(asked[:10]) if len(asked) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return today, _("The date is not valid: give it as YYYY-MM-DD. Today's figures are shown.")
    if not EARLIEST_AS_OF <= day <= today:
        return today, _("Choose a date between %(first)s and today. Today's figures are shown.") % {
            "first": EARLIEST_AS_OF.isoformat()}
    return day, ""


@public_page
def goal_list(request):
    as_of, date_problem = _goals_as_of(request)
    goals = goal_selectors.goal_list_with_figures(as_of=as_of)
    for figures in goals:
        figures.chart = goal_chart_svg(figures, f"goal-{figures.goal.code}")
        figures.values = _goal_values(figures)
    return render(request, "reporting/public/goal_list.html", {
        "goals": goals, "as_of": as_of, "date_problem": date_problem,
        "is_today": as_of == timezone.localdate(),
    })


def _goal_values(figures) -> dict:
    goal = figures.goal
    return {"goal": goal_value(goal, goal.target_value),
            "committed": goal_value(goal, figures.committed),
            "achieved": goal_value(goal, figures.achieved)}


@public_page
def goal_detail(request, code: str):
    goal = goal_selectors.goal_get_public(code)
    as_of, date_problem = _goals_as_of(request)
    figures = goal_selectors.goal_figures([(goal, goal_selectors.Slice())], as_of=as_of)[0]
    figures.chart = goal_chart_svg(figures, f"goal-{goal.code}")
    figures.values = _goal_values(figures)
    drilldown = goal_selectors.goal_drilldown(goal, as_of=as_of)
    for rows in drilldown.values():
        for row in rows:
            row.values = _goal_values(row)
    pledges = Paginator(goal_selectors.goal_contributing_pledges(goal, as_of=as_of),
                        CONTRIBUTING_PLEDGES_PER_PAGE)
    page = pledges.get_page(page_number(request.GET.get("page"), last=10**6))
    for pledge in page.object_list:
        pledge.goal_value_text = goal_value(goal, getattr(pledge, "goal_value", None))
    return render(request, "reporting/public/goal_detail.html", {
        "goal": goal, "figures": figures, "as_of": as_of, "date_problem": date_problem,
        "is_today": as_of == timezone.localdate(),
        "drilldown": [
            (_("By action area"), drilldown[goal_selectors.ACTION_AREA]),
            (_("By country group"), drilldown[goal_selectors.COUNTRY_GROUP]),
            (_("By ITU-D region"), drilldown[goal_selectors.REGION]),
            (_("By stakeholder group"), drilldown[goal_selectors.STAKEHOLDER_GROUP]),
        ],
        "page": page,
    })


@public_page
def campaign_list(request):
    page = Paginator(campaign_selectors.campaign_list_public(), CAMPAIGNS_PER_PAGE).get_page(
        page_number(request.GET.get("page"), last=10**6))
    return render(request, "reporting/public/campaign_list.html", {
        "page": page, "today": timezone.localdate()})


@public_page
def campaign_detail(request, slug: str):
    """A campaign: its theme and period, its goals' progress (committed and achieved by its
    confirmed pledges, as on the Goals page) and its confirmed public pledges."""
    campaign = campaign_selectors.campaign_get_public(slug)
    goals = goal_selectors.goal_figures(
        [(goal, goal_selectors.Slice()) for goal in campaign_selectors.campaign_goals_public(
            campaign)])
    for figures in goals:
        figures.chart = goal_chart_svg(figures, f"goal-{figures.goal.code}")
        figures.values = _goal_values(figures)
    page = Paginator(campaign_selectors.campaign_pledges_public(campaign),
                     CAMPAIGN_PLEDGES_PER_PAGE).get_page(
        page_number(request.GET.get("page"), last=10**6))
    return render(request, "reporting/public/campaign_detail.html", {
        "campaign": campaign, "goals": goals, "page": page,
        "is_open": campaign.is_open_on(timezone.localdate()),
    })


@public_page
def goals_csv(request):
    """The goals and their figures as open data (one row per goal; ?as_of=YYYY-MM-DD)."""
    as_of, _problem = _goals_as_of(request)
    response = HttpResponse(goal_open_data.goals_csv(
        goal_selectors.goal_list_with_figures(as_of=as_of), as_of=as_of),
        content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="p2c-goals-{as_of.isoformat()}.csv"'
    return response
