"""What a compiled report says: the pledges it covers and their figures, as of the report's date.

Reads only. `compiled_report_figures(run)` returns a JSON-ready dict whose every list has a
fixed order (reference data order, then codes), numbers as strings with two decimals and labels
in English and French copied from the reference data, so that the same data always give the same
bytes and a compiled report stays true when a pillar is renamed later.
`compiled_report_pledge_rows(run)` walks the pledge list in chunks of CHUNK_SIZE by reference
(keyset), so memory stays bounded however many pledges there are.

Which pledges a report covers (always public ones: published or completed, past any embargo):
- event report: announced at the event and/or first submitted on or before the cut-off day;
- cycle report: those the cycle covered when its period ended (published by then, started
  before its end, and still published then — a pledge completed since still counts), or with a
  public progress report in it;
- custom report: the public list's filters, stored as its query string, over the pledges
  published by the report's date.
LDC/LLDC/SIDS targeting uses the country groupings valid on the report's date, not today's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    CountryGroup,
    CountryGroupMembership,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
    text_in,
)
from action_areas.selectors import name_sort_key
from members.models import Entity, StakeholderGroup
from pledges.in_force import usd_in_force
from pledges.models import Pledge, PledgeStatusChange, PledgeType
from pledges.partnership_selectors import partner_ids_as_of
from pledges.rates import awaiting_rate
from pledges.selectors import pledge_filters_from_query

from .models import ImplementationStatus, ProgressReport, ReportRun, TargetProgress
from .selectors.goals import goal_list_with_figures


def report_languages() -> list[str]:
    """The languages a compiled report can be written in: every offered language."""
    return [code for code, _name in settings.LANGUAGES]

SCHEMA_VERSION = 1
CHUNK_SIZE = 1000
GLOBAL = "global"
ANY_GROUP = "any"
NOT_REPORTED = "not_reported"
CENT = Decimal("0.01")

FINANCIAL = Q(pledge_type=PledgeType.FINANCIAL)


def _day_after(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP))


def _share(part: int | Decimal, whole: int | Decimal) -> str | None:
    """A percentage with one decimal, as text; None when there is nothing to divide by."""
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"),
                                                               rounding=ROUND_HALF_UP))


def _labels(make) -> dict:
    """{"label_en": …, "label_fr": …, …}: `make()` called in each language of
    settings.LANGUAGES (a report's figures are frozen once, then written in every language)."""
    labels = {}
    for language in report_languages():
        with translation.override(language):
            labels[f"label_{language}"] = str(make())
    return labels


def _bilingual(obj) -> dict:
    """A reference object's name in every offered language (English where it has none)."""
    return {f"label_{language}": obj.name_in(language) for language in report_languages()}


# --- Which pledges ------------------------------------------------------------


def compiled_report_pledges(run: ReportRun) -> QuerySet[Pledge]:
    """The public pledges a report covers (see the module docstring), each with `usd_then`: its
    USD equivalent in force on the report's date (pledges.in_force: an amendment approved
    later changes nothing in the report)."""
    return _covered(run).annotate(usd_then=usd_in_force(run.as_of))


def _covered(run: ReportRun) -> QuerySet[Pledge]:
    public = Pledge.objects.public()
    if run.kind == ReportRun.Kind.EVENT:
        selection = public
        if run.event_id:
            selection = selection.filter(event_id=run.event_id)
        if run.cutoff:
            selection = selection.filter(first_submitted_at__lt=_day_after(run.cutoff))
        return selection
    if run.kind == ReportRun.Kind.CYCLE:
        return _cycle_pledges(run, public)
    # Custom: the public list's filters, as the list stood on the report's date: pledges
    # published by then, LDC/LLDC/SIDS targeting with that day's groupings.
    filters = pledge_filters_from_query(QueryDict(run.filter_query))
    selection = filters.apply(public, skip="targeting").filter(
        published_at__lt=_day_after(run.as_of))
    groups = filters.values.get("targeting")
    if groups:
        in_groups = CountryGroupMembership.objects.valid_on(run.as_of).filter(group__in=groups)
        selection = selection.filter(pk__in=_through("countries").objects.filter(
            country_id__in=in_groups.values("country_id")).values("pledge_id"))
    return selection


def _cycle_pledges(run: ReportRun, public: QuerySet) -> QuerySet[Pledge]:
    """The public pledges a cycle covered when its period ended (ReportingCycle.covered_pledges
    asks about today: it leaves out pledges completed since, which were due to report then),
    and any public pledge with a public report in the cycle."""
    cycle = run.cycle
    after_period = _day_after(cycle.period_end)
    completed_since_start = PledgeStatusChange.objects.filter(
        to_status=Pledge.Status.COMPLETED,
        created_at__gte=timezone.make_aware(
            datetime.datetime.combine(cycle.period_start, datetime.time.min)),
    ).values("pledge_id")
    active_in_period = public.filter(
        Q(status=Pledge.Status.PUBLISHED) | Q(pk__in=completed_since_start),
        Q(start_date__isnull=True) | Q(start_date__lte=cycle.period_end),
        Q(published_at__isnull=True) | Q(published_at__lt=after_period),
    )
    reported = ProgressReport.objects.public().filter(cycle_id=run.cycle_id)
    return public.filter(Q(pk__in=active_in_period.values("pk"))
                         | Q(pk__in=reported.values("pledge_id")))


# --- Figures ------------------------------------------------------------


def _row(code: str, labels: dict, pledges: int, usd) -> dict:
    return {"code": code, **labels, "pledges": pledges, "usd": _money(usd)}


def _through(name: str):
    return Pledge._meta.get_field(name).remote_field.through


def _m2m_rows(name: str, column: str, reference: list, selection: QuerySet,
              as_of: datetime.date) -> list[dict]:
    """One row per reference item (in its order, zeros included): pledges linked, USD."""
    counts = {
        item[column]: item
        for item in _through(name).objects.filter(pledge_id__in=selection.values("pk"))
        .order_by().values(column)
        .annotate(n=Count("pledge_id", distinct=True),
                  usd=Sum(usd_in_force(as_of, pledge_id="pledge_id", current="pledge__usd_amount"),
                          filter=Q(pledge__pledge_type=PledgeType.FINANCIAL)))
    }
    rows = []
    for code, obj in reference:
        found = counts.get(obj.pk, {})
        rows.append(_row(str(code), _bilingual(obj), found.get("n", 0), found.get("usd")))
    return rows


def _aggregate(selection: QuerySet) -> tuple[int, Decimal | None]:
    totals = selection.order_by().aggregate(n=Count("pk"), usd=Sum("usd_then", filter=FINANCIAL))
    return totals["n"], totals["usd"]


def _choice_rows(selection: QuerySet, field: str, choices) -> list[dict]:
    counts = {
        item[field]: item
        for item in selection.order_by().values(field)
        .annotate(n=Count("pk"), usd=Sum("usd_then", filter=FINANCIAL))
    }
    rows = []
    for value, label in choices:
        found = counts.get(value, {})
        rows.append(_row(value, _labels(lambda label=label: label), found.get("n", 0),
                         found.get("usd")))
    return rows


def _region_rows(selection: QuerySet) -> list[dict]:
    """Per ITU-D region, the pledges naming the region or one of its countries (each once);
    then the pledges marked global."""
    regions_through, countries_through = _through("regions"), _through("countries")
    rows = []
    for region in Region.objects.order_by("position", "code"):
        n, usd = _aggregate(selection.filter(
            Q(pk__in=regions_through.objects.filter(region=region).values("pledge_id"))
            | Q(pk__in=countries_through.objects.filter(country__region=region)
                .values("pledge_id"))
        ))
        rows.append(_row(region.code, _bilingual(region), n, usd))
    n, usd = _aggregate(selection.filter(is_global=True))
    rows.append(_row(GLOBAL, _labels(lambda: _("Global")), n, usd))
    return rows


def _targeting_rows(selection: QuerySet, as_of: datetime.date) -> list[dict]:
    """Pledges acting in at least one country of each grouping as it stood on `as_of`."""
    countries_through = _through("countries")
    valid = CountryGroupMembership.objects.valid_on(as_of)
    rows = []
    groups = [(value, [value], label) for value, label in CountryGroup.choices]
    groups.append((ANY_GROUP, CountryGroup.values, _("Any LDC, LLDC or SIDS")))
    for code, members, label in groups:
        in_group = valid.filter(group__in=members).values("country_id")
        n, usd = _aggregate(selection.filter(
            pk__in=countries_through.objects.filter(country_id__in=in_group).values("pledge_id")
        ))
        rows.append(_row(code, _labels(lambda label=label: label), n, usd))
    return rows


def _totals(selection: QuerySet, as_of: datetime.date) -> dict:
    aggregated = selection.order_by().aggregate(
        n=Count("pk"), usd=Sum("usd_then", filter=FINANCIAL),
        awaiting_rate=Count("pk", filter=awaiting_rate()),
    )
    n, usd = aggregated["n"], aggregated["usd"]
    pledge_ids = selection.values("pk")
    # As the home page counts: pledging entities, and the approved co-pledgers (the others
    # are not shown to the public) that were partners on `as_of` (pledges.partnerships' history).
    entities = Entity.objects.filter(
        Q(pk__in=selection.values("entity_id"))
        | Q(pk__in=partner_ids_as_of(pledge_ids, _day_after(as_of)))
    ).count()
    countries = Country.objects.filter(
        pk__in=_through("countries").objects.filter(pledge_id__in=pledge_ids).values("country_id")
    ).count()
    totals = {"pledges": n, "entities": entities, "countries": countries, "usd": _money(usd)}
    if aggregated["awaiting_rate"]:
        # Financial pledges in a currency whose month has no rate yet: not in "usd", said so.
        totals["awaiting_rate"] = aggregated["awaiting_rate"]
    return totals


def _delivery(run: ReportRun, selection: QuerySet, covered: int, committed: str) -> dict:
    """Cycle reports: how the pledges are being delivered, from their public progress reports."""
    reports = ProgressReport.objects.public().filter(cycle_id=run.cycle_id,
                                                     pledge__in=selection.values("pk"))
    reported = reports.count()
    by_status = dict(
        reports.order_by().values_list("implementation_status").annotate(n=Count("pk"))
    )
    statuses = [
        _row(value, _labels(lambda label=label: label), by_status.get(value, 0), None)
        for value, label in ImplementationStatus.choices
    ]
    unstated = by_status.get("", 0)
    if unstated:
        statuses.append(_row("unstated", _labels(lambda: _("Status not given")), unstated, None))
    statuses.append(_row(NOT_REPORTED, _labels(lambda: _("No report")), covered - reported, None))
    for row in statuses:
        del row["usd"]

    targets = {"reported": 0, "with_value": 0, "achieved": 0, "percent_sum": 0}
    progress = TargetProgress.objects.filter(report__in=reports.values("pk")).order_by("pk")
    for item in progress.iterator(chunk_size=CHUNK_SIZE):
        targets["reported"] += 1
        percent = item.percent
        if percent is not None:
            targets["with_value"] += 1
            targets["percent_sum"] += percent
            targets["achieved"] += percent >= 100
    average = (
        str((Decimal(targets["percent_sum"]) / targets["with_value"]).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP))
        if targets["with_value"] else None
    )
    disbursed = reports.filter(pledge__pledge_type=PledgeType.FINANCIAL).aggregate(
        usd=Sum("usd_disbursed"))["usd"]
    return {
        "covered": covered,
        "reported": reported,
        "reporting_rate": _share(reported, covered),
        "implementation_status": statuses,
        "targets": {
            "reported": targets["reported"],
            "with_value": targets["with_value"],
            "achieved": targets["achieved"],
            "average_percent": average,
        },
        "usd_committed": committed,
        "usd_disbursed": _money(disbursed),
        "disbursed_share": _share(Decimal(disbursed or 0), Decimal(committed)),
    }


# The breakdowns, in the order every output shows them.
BREAKDOWNS = ("action_area", "pillar", "type", "stakeholder_group", "region", "targeting",
              "beneficiary_group", "sdg")


def _breakdowns(selection: QuerySet, as_of: datetime.date) -> dict[str, list[dict]]:
    return {
        "action_area": _m2m_rows(
            "action_areas", "actionarea_id",
            [(a.code, a) for a in ActionArea.objects.order_by("position", "code")], selection,
            as_of),
        "pillar": _m2m_rows(
            "pillars", "pillar_id",
            [(p.code, p) for p in Pillar.objects.order_by("action_area__position", "position",
                                                          "code")], selection, as_of),
        "type": _choice_rows(selection, "pledge_type", PledgeType.choices),
        "stakeholder_group": _choice_rows(selection, "entity__stakeholder_group",
                                          StakeholderGroup.choices),
        "region": _region_rows(selection),
        "targeting": _targeting_rows(selection, as_of),
        "beneficiary_group": _m2m_rows(
            "beneficiary_groups", "beneficiarygroup_id",
            [(b.code, b) for b in BeneficiaryGroup.objects.order_by("position", "code")],
            selection, as_of),
        "sdg": _m2m_rows(
            "sdgs", "sustainabledevelopmentgoal_id",
            [(s.number, s) for s in SustainableDevelopmentGoal.objects.order_by("number")],
            selection, as_of),
    }


def _goals(as_of: datetime.date) -> list[dict]:
    """The coalition's goals as of the report's date (the whole coalition's pledges, whatever
    the report's selection): committed and achieved against each goal, names in every
    language."""
    rows = []
    for figures in goal_list_with_figures(as_of=as_of):
        goal = figures.goal
        unit = ({f"unit_{language}": goal.indicator.unit_in(language)
                 for language in report_languages()} if goal.indicator_id else {})
        rows.append({
            "code": goal.code, **_bilingual(goal), **unit, "measure": goal.measure,
            "indicator": goal.indicator.code if goal.indicator_id else "",
            "goal_value": _money(goal.target_value), "goal_date": goal.target_date.isoformat(),
            "committed": None if figures.committed is None else _money(figures.committed),
            "achieved": None if figures.achieved is None else _money(figures.achieved),
            "pledges": figures.pledges,
        })
    return rows


def _parameters(run: ReportRun) -> dict:
    parameters: dict = {"kind": run.kind, "as_of": run.as_of.isoformat()}
    if run.event_id:
        event = run.event
        parameters["event"] = {"slug": event.slug, **_bilingual(event),
                               "start": event.start_date.isoformat(),
                               "end": event.end_date.isoformat(), "location": event.location}
    if run.cutoff:
        parameters["cutoff"] = run.cutoff.isoformat()
    if run.cycle_id:
        cycle = run.cycle
        parameters["cycle"] = {**_bilingual(cycle),
                               "period_start": cycle.period_start.isoformat(),
                               "period_end": cycle.period_end.isoformat(),
                               "due_on": cycle.due_on.isoformat()}
    if run.kind == ReportRun.Kind.CUSTOM:
        parameters["filter_query"] = run.filter_query
    return parameters


def compiled_report_figures(run: ReportRun, *, today: datetime.date | None = None) -> dict:
    """Everything a report states except the pledge list, JSON-ready and in a stable order."""
    today = today or timezone.localdate()
    selection = compiled_report_pledges(run)
    totals = _totals(selection, run.as_of)
    notes = []
    if run.kind == ReportRun.Kind.EVENT and run.cutoff and run.cutoff > today:
        notes.append("future_cutoff")
    if run.as_of > today:
        notes.append("future_date")
    if not totals["pledges"]:
        notes.append("empty_selection")
    figures = {
        "schema": SCHEMA_VERSION,
        "parameters": _parameters(run),
        "notes": notes,
        "totals": totals,
        "breakdowns": _breakdowns(selection, run.as_of),
    }
    goals = _goals(run.as_of)
    if goals:
        figures["goals"] = goals
    if run.kind == ReportRun.Kind.CYCLE:
        figures["delivery"] = _delivery(run, selection, totals["pledges"], totals["usd"])
        if not figures["delivery"]["reported"]:
            notes.append("no_reports")
    return figures


# --- The pledge list ------------------------------------------------------------


@dataclass
class PledgeRow:
    reference: str
    title: str
    entity: str
    pledge_type: str
    action_areas: list[str]
    countries: list[str]
    regions: list[str]
    is_global: bool
    groups: list[str]  # LDC/LLDC/SIDS targeted, as of the report's date
    usd_amount: str  # "" when not financial
    event: str
    published_on: str
    implementation_status: str = ""  # cycle reports
    percent_complete: str = ""
    usd_disbursed: str = ""


def _names(rows, language: str) -> dict[int, list[str]]:
    """{pledge_id: [names]} from (pledge_id, name_en, name_translations) rows, in their order."""
    names: dict[int, list[str]] = {}
    for pledge_id, name_en, translations in rows:
        names.setdefault(pledge_id, []).append(text_in(name_en, translations, language))
    return names


def compiled_report_pledge_rows(run: ReportRun, *, language: str) -> Iterator[PledgeRow]:
    """The report's pledges by reference, read CHUNK_SIZE at a time."""
    selection = compiled_report_pledges(run)
    groups_by_country: dict[int, list[str]] = {}
    for country_id, group in (CountryGroupMembership.objects.valid_on(run.as_of)
                              .order_by("group").values_list("country_id", "group")):
        groups_by_country.setdefault(country_id, []).append(group)
    type_labels = dict(PledgeType.choices)
    status_labels = dict(ImplementationStatus.choices)
    last_reference = ""
    with translation.override(language):
        while True:
            chunk = list(
                selection.filter(reference__gt=last_reference).order_by("reference")
                .values("pk", "reference", "title", "entity__name", "pledge_type", "is_global",
                        "usd_then", "event__name_en", "event__name_translations", "published_at")
                [:CHUNK_SIZE]
            )
            if not chunk:
                return
            last_reference = chunk[-1]["reference"]
            ids = [row["pk"] for row in chunk]
            areas = _names(_through("action_areas").objects.filter(pledge_id__in=ids)
                           .order_by("pledge_id", "actionarea__position")
                           .values_list("pledge_id", "actionarea__name_en",
                                        "actionarea__name_translations"), language)
            countries = _names(_through("countries").objects.filter(pledge_id__in=ids)
                               .order_by("pledge_id", "country__name_en")
                               .values_list("pledge_id", "country__name_en",
                                            "country__name_translations"), language)
            # In the report's language's order (the database only knows the English names).
            countries = {pledge_id: sorted(names, key=lambda name: name_sort_key(name))
                         for pledge_id, names in countries.items()}
            country_ids: dict[int, list[int]] = {}
            for pledge_id, country_id in (_through("countries").objects.filter(pledge_id__in=ids)
                                          .values_list("pledge_id", "country_id")):
                country_ids.setdefault(pledge_id, []).append(country_id)
            regions = _names(_through("regions").objects.filter(pledge_id__in=ids)
                             .order_by("pledge_id", "region__position")
                             .values_list("pledge_id", "region__name_en",
                                          "region__name_translations"),
                             language)
            reports = {}
            if run.kind == ReportRun.Kind.CYCLE:
                reports = {
                    item["pledge_id"]: item
                    for item in ProgressReport.objects.public()
                    .filter(cycle_id=run.cycle_id, pledge_id__in=ids)
                    .values("pledge_id", "implementation_status", "percent_complete",
                            "usd_disbursed")
                }
            for row in chunk:
                pk = row["pk"]
                groups = sorted({group for country_id in country_ids.get(pk, ())
                                 for group in groups_by_country.get(country_id, ())})
                report = reports.get(pk)
                event = text_in(row["event__name_en"] or "", row["event__name_translations"],
                                language)
                yield PledgeRow(
                    reference=row["reference"],
                    title=row["title"],
                    entity=row["entity__name"],
                    pledge_type=str(type_labels.get(row["pledge_type"], "")),
                    action_areas=areas.get(pk, []),
                    countries=countries.get(pk, []),
                    regions=regions.get(pk, []),
                    is_global=row["is_global"],
                    groups=groups,
                    usd_amount=(_money(row["usd_then"])
                                if row["pledge_type"] == PledgeType.FINANCIAL
                                and row["usd_then"] is not None else ""),
                    event=event,
                    published_on=(timezone.localdate(row["published_at"]).isoformat()
                                  if row["published_at"] else ""),
                    implementation_status=str(
                        status_labels.get(report["implementation_status"], "")) if report else "",
                    percent_complete=(str(report["percent_complete"])
                                      if report and report["percent_complete"] is not None
                                      else ""),
                    usd_disbursed=(_money(report["usd_disbursed"])
                                   if report and report["usd_disbursed"] is not None else ""),
                )
