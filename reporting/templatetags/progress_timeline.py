"""The public progress timeline of a pledge, at the end of its body (pledges/includes/
pledge_body.html): its reporting status and its submitted progress reports (hidden ones
excepted), latest cycle first, each with per-target progress bars. Written in Python rather than
as template nodes, as the pledge body is (pledges.templatetags.pledge_body): a pledge with
reports spent several milliseconds of its page's CPU in the timeline's nodes (issue 20).

Four queries, however many reports and targets. Bars are native <progress> elements (no inline
style: strict CSP), named by their label and their text; class `report-progress` is there to
style them. As in a template: what people wrote is escaped, catalogue sentences are not, and the
values put into a sentence are escaped first."""

from django import template
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import linebreaks_filter, truncatechars
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from p2c_portal.templatetags.locale_formats import local_amount, local_date, local_number
from pledges.models import Pledge
from pledges.pledge_references import page_links
from pledges.templatetags.pledge_body import html_bdi, html_text

from ..selectors import progress as selectors
from .progress_reporting import implementation_badge, reporting_badge

register = template.Library()


def _bar(name: str, report_pk, percent, text: str) -> str:
    """A labelled progress bar and its sentence (`name`: what it measures, for the ids)."""
    return (f'<progress class="report-progress w-100" max="100" value="{html_text(percent)}" '
            f'aria-labelledby="{name}-label-{report_pk} {name}-text-{report_pk}">'
            f"{html_text(percent)} %</progress>\n"
            f'<span id="{name}-text-{report_pk}" class="small">{text}</span>\n')


def _totals(totals: list) -> str:
    if not totals:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{html_bdi(total.indicator)}</th>'
        f"<td>{html_text(local_number(total.achieved))} {html_bdi(total.unit)}</td>"
        f"<td>{html_text(total.entities)}</td></tr>\n" for total in totals)
    together, target, entities = (gettext("Achieved together"), gettext("Target"),
                                  gettext("Entities reporting"))
    caption = gettext("Achieved so far by all the entities that report on this pledge: each "
                      "entity's latest value, added up.")
    # Focusable: a phone scrolls it (WCAG 2.1.1).
    return (
        f'<div class="table-responsive mb-3" tabindex="0" role="group" '
        f'aria-label="{together}">\n<table class="table table-sm progress-totals">\n'
        f"<caption>{caption}</caption>\n"
        f'<thead><tr><th scope="col">{target}</th><th scope="col">{together}</th>'
        f'<th scope="col">{entities}</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table>\n</div>\n")


def _target_rows(rows: list) -> str:
    if not rows:
        return ""
    items = ""
    for row in rows:
        if row.percent is not None:
            sentence = gettext(
                "%(achieved)s of %(target)s %(unit)s (%(percent)s %% of the way)") % {
                "achieved": html_text(local_number(row.achieved_value)),
                "target": html_text(local_number(row.target_value)),
                "unit": html_bdi(row.unit), "percent": html_text(row.percent)}
            progress = _bar("target", row.pk, row.percent, sentence)
        else:
            progress = '<span class="small text-body-secondary">{}</span>\n'.format(
                gettext("Not reported."))
        items += (f'<li class="mb-2">\n<span id="target-label-{row.pk}" class="d-block">'
                  f"{html_bdi(row.indicator)}</span>\n{progress}</li>\n")
    return f'<ul class="list-unstyled mb-3 target-progress">\n{items}</ul>\n'


def _disbursed(pledge, entry) -> str:
    report = entry.report
    if report.amount_disbursed is None:
        return ""
    if entry.disbursed_percent is not None:
        sentence = gettext("%(amount)s of %(total)s %(currency)s (%(percent)s %%)") % {
            "amount": html_text(local_number(report.amount_disbursed)),
            "total": html_text(local_number(pledge.amount)),
            "currency": html_bdi(report.currency), "percent": html_text(entry.disbursed_percent)}
        figure = _bar("disbursed", report.pk, entry.disbursed_percent, sentence)
    else:
        figure = (f'<span class="small">'
                  f"{html_text(local_amount(report.amount_disbursed, report.currency))}</span>\n")
    label = gettext("Amount disbursed so far")
    return (f'<div class="mb-3">\n<span id="disbursed-label-{report.pk}" class="d-block">'
            f"{label}</span>\n{figure}</div>\n")


def _entry(pledge, entry, sub: int) -> str:
    report = entry.report
    cycle = report.cycle
    partner = (' <span class="badge text-bg-light">{}</span>'.format(gettext("Partner"))
               if report.entity_id != pledge.entity_id else "")
    period = gettext("Period from %(start)s to %(end)s") % {
        "start": html_text(local_date(cycle.period_start)),
        "end": html_text(local_date(cycle.period_end))}
    if report.submitted_at:
        moment = html_text(date_format(template_localtime(report.submitted_at), "c"))
        reported_on = gettext("reported on")
        period += (f' · {reported_on} <time datetime="{moment}">'
                   f"{html_text(local_date(report.submitted_at))}</time>")
    status = (f'<span class="badge {implementation_badge(report.implementation_status)}">'
              f"{html_text(report.get_implementation_status_display())}</span>"
              if report.implementation_status else "")
    overall = ""
    if report.percent_complete is not None:
        sentence = gettext("%(percent)s %% complete") % {
            "percent": html_text(report.percent_complete)}
        label = gettext("Whole pledge")
        overall = (f'<div class="mb-3">\n<span id="overall-label-{report.pk}" '
                   f'class="d-block fw-semibold">{label}</span>\n'
                   f'{_bar("overall", report.pk, report.percent_complete, sentence)}</div>\n')
    narrative = (f'<div class="report-narrative" dir="auto">'
                 f"{linebreaks_filter(report.narrative)}</div>\n" if report.narrative else "")
    evidence = ""
    if report.evidence_links:
        links = "".join(f'<li><a href="{html_text(link)}" rel="nofollow noopener noreferrer">'
                        f"{html_bdi(truncatechars(link, 80))}</a></li>"
                        for link in report.evidence_links)
        label = gettext("Evidence")
        evidence = (f'<p class="mb-1 fw-semibold">{label}</p>\n'
                    f'<ul class="evidence-links">\n{links}\n</ul>\n')
    reported_by = gettext("Reported by %(entity)s") % {"entity": html_bdi(report.entity.name)}
    return (
        f'<li class="card mb-3" id="progress-report-{report.pk}">\n<div class="card-body">\n'
        f'<h{sub} class="h6 mb-1">{html_bdi(cycle.name)}</h{sub}>\n'
        f'<p class="mb-1 progress-reported-by">{reported_by}{partner}</p>\n'
        f'<p class="text-body-secondary small mb-2">\n{period}\n</p>\n'
        f'<p class="mb-2">\n{status}\n</p>\n'
        f"{overall}{_target_rows(entry.targets)}{_disbursed(pledge, entry)}{narrative}{evidence}"
        f"</div>\n</li>\n")


@register.simple_tag
def progress_timeline_section(pledge: Pledge, heading_level=2) -> SafeString:
    """The timeline's <section>, its heading at `heading_level` (default 2) and each report's
    one level below; nothing for a pledge that is not published or completed."""
    if pledge.status not in (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED):
        return SafeString("")
    # The pledge page read whether the pledge has any report at all: most have none.
    has_reports = page_links(pledge, "progress_reports") != []
    entries = selectors.progress_timeline(pledge) if has_reports else []
    # The versions read with the page's links: the cycles then come from the process's memo.
    references = getattr(pledge, "references", None)
    reporting = selectors.reporting_for_pledge(
        pledge, has_reports=has_reports,
        versions=references.versions if references is not None else None)
    level = int(heading_level or 2)
    sub = level + 1
    status = ""
    if reporting.status:
        label = gettext("Reporting status:")
        status = (f'<p class="mb-2">{label} '
                  f'<span class="badge {reporting_badge(reporting.status)}">'
                  f"{html_text(reporting.label)}</span></p>\n")
    if entries:
        reports = "".join(_entry(pledge, entry, sub) for entry in entries)
        reports = f'<ol class="list-unstyled progress-reports">\n{reports}</ol>\n'
    else:
        reports = "<p>{}</p>\n".format(
            gettext("No progress report has been published for this pledge yet."))
    heading = gettext("Progress")
    # Every part is escaped, safe or a catalogue sentence with escaped values.
    return mark_safe(
        f'<section class="mt-4 progress-timeline" aria-labelledby="progress-title-{pledge.pk}">\n'
        f'<h{level} id="progress-title-{pledge.pk}" class="h5">{heading}</h{level}>\n'
        f"{status}{_totals(selectors.achieved_by_target(entries))}{reports}</section>\n")
