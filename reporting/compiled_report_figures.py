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
  published by the report's date; a campaign filter counts the tags confirmed by that date.
Cycle reports also compare the whole coalition at the report's date with a year before (year
on year).
LDC/LLDC/SIDS targeting uses the country groupings valid on the report's date, not today's.
Each pledge is read in its version in force on the report's date (pledges.in_force): its type,
title, event, "global", start date, USD equivalent and related records (action areas, pillars,
regions, countries, beneficiary groups, SDGs), for the selection, the figures and the list, so
that an amendment approved later changes nothing in the report.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Campaign,
    Country,
    CountryGroup,
    CountryGroupMembership,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
    text_in,
)
from action_areas.selectors import name_sort_key
from members.models import Entity, EntityIdentityChange, StakeholderGroup
from pledges.filters import GLOBAL_REGION, PledgeFilters
from pledges.in_force import (
    amended_since,
    contributions_in_force,
    event_in_force,
    global_in_force,
    linked_in_force,
    related_ids_in_force,
    start_date_in_force,
    title_in_force,
    type_in_force,
    usd_in_force,
    versions_replaced,
)
from pledges.models import (
    CampaignTag,
    Event,
    Partnership,
    Pledge,
    PledgeRevision,
    PledgeStatusChange,
    PledgeType,
)
from pledges.partnership_selectors import partner_ids_as_of
from pledges.rates import awaiting_rate, usd_committed
from pledges.selectors import pledge_filters_from_query

from .compiled_report_sections import contributed_figures
from .models import ImplementationStatus, ProgressReport, ReportRun, TargetProgress
from .selectors.goals import goal_list_with_figures, public_pledges_as_of


def report_languages() -> list[str]:
    """The languages a compiled report can be written in: every offered language."""
    return [code for code, _name in settings.LANGUAGES]

SCHEMA_VERSION = 1
CHUNK_SIZE = 1000
GLOBAL = "global"
ANY_GROUP = "any"
NOT_REPORTED = "not_reported"
CENT = Decimal("0.01")

FINANCIAL = Q(type_then=PledgeType.FINANCIAL)


def _usd(condition: Q | None = None):
    """USD committed then: the financial pledges' amounts in force, plus once the
    contributions of their accepted funders then (pledges.rates.usd_committed)."""
    return usd_committed(usd="usd_then", pledge_type="type_then",
                         contributions="contributed_then", condition=condition)


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
    """The public pledges a report covers (see the module docstring), each with its version in
    force on the report's date (pledges.in_force): `usd_then`, `type_then`, `title_then`,
    `global_then` and `event_then`."""
    return _covered(run, _in_force(Pledge.objects.public(), run.as_of))


def _in_force(pledges: QuerySet[Pledge], as_of: datetime.date) -> QuerySet[Pledge]:
    return pledges.annotate(
        usd_then=usd_in_force(as_of), type_then=type_in_force(as_of),
        title_then=title_in_force(as_of), global_then=global_in_force(as_of),
        event_then=event_in_force(as_of), contributed_then=contributions_in_force(as_of),
    )


def _covered(run: ReportRun, public: QuerySet[Pledge]) -> QuerySet[Pledge]:
    if run.kind == ReportRun.Kind.EVENT:
        selection = public
        if run.event_id:
            selection = selection.filter(event_then=run.event_id)
        if run.cutoff:
            selection = selection.filter(first_submitted_at__lt=_day_after(run.cutoff))
        return selection
    if run.kind == ReportRun.Kind.CYCLE:
        return _cycle_pledges(run, public)
    # Custom: the public list's filters, as the list stood on the report's date: pledges
    # published by then, in their version in force then, LDC/LLDC/SIDS targeting with that
    # day's groupings.
    query = QueryDict(run.filter_query)
    filters = pledge_filters_from_query(query)
    unamendable = PledgeFilters(
        values={name: values for name, values in filters.values.items()
                if name not in IN_FORCE_FACETS},
        q=filters.q, entity=filters.entity,
    )
    selection = unamendable.apply(public).filter(published_at__lt=_day_after(run.as_of))
    in_force = {name: values for name, values in filters.values.items()
                if name in IN_FORCE_FACETS}
    campaigns = report_campaign_slugs(run.filter_query)
    if campaigns:  # as asked, even if the campaign was made inactive since (no longer listed)
        in_force["campaign"] = campaigns
    for name, values in in_force.items():
        selection = selection.filter(IN_FORCE_FACETS[name](values, run.as_of))
    return selection


def report_campaign_slugs(filter_query: str) -> list[str]:
    """The campaigns a custom report is about (its filters were checked when it was asked)."""
    return [slug for slug in dict.fromkeys(QueryDict(filter_query).getlist("campaign")) if slug]


def _campaign_in_force(values: list[str], as_of: datetime.date) -> Q:
    """The pledges the secretariat had confirmed in one of the campaigns by the end of `as_of`
    (a tag is confirmed once, for good: pledges.campaign_tags)."""
    return Q(pk__in=CampaignTag.objects.confirmed().filter(
        campaign__slug__in=values, decided_at__lt=_day_after(as_of)).values("pledge_id"))


def _linked_by(name: str, model, key: str):
    """The public list's filter on a related record (pledges.filters), on the version in force."""
    return lambda values, as_of: linked_in_force(
        name, as_of, model.objects.filter(**{f"{key}__in": values}).values("pk"))


def _region_in_force(values: list[str], as_of: datetime.date) -> Q:
    codes = [value for value in values if value != GLOBAL_REGION]
    condition = Q(pk__in=[])
    if codes:
        condition |= linked_in_force("regions", as_of,
                                     Region.objects.filter(code__in=codes).values("pk"))
        condition |= linked_in_force("countries", as_of,
                                     Country.objects.filter(region__code__in=codes).values("pk"))
    if GLOBAL_REGION in values:
        condition |= Q(global_then=True)
    return condition


def _targeting_in_force(values: list[str], as_of: datetime.date) -> Q:
    in_groups = CountryGroupMembership.objects.valid_on(as_of).filter(group__in=values)
    return linked_in_force("countries", as_of, in_groups.values("country_id"))


# The public list's facets an amendment can change, read on the version in force (the others —
# stakeholder group, year published, search, entity — are applied as the list applies them).
IN_FORCE_FACETS = {
    "type": lambda values, as_of: Q(type_then__in=values),
    "area": _linked_by("action_areas", ActionArea, "code"),
    "pillar": _linked_by("pillars", Pillar, "code"),
    "region": _region_in_force,
    "country": _linked_by("countries", Country, "iso3"),
    "targeting": _targeting_in_force,
    "beneficiary": _linked_by("beneficiary_groups", BeneficiaryGroup, "code"),
    "sdg": lambda values, as_of: linked_in_force(
        "sdgs", as_of, SustainableDevelopmentGoal.objects.filter(
            number__in=[int(value) for value in values]).values("pk")),
    "event": lambda values, as_of: Q(event_then__in=Event.objects.filter(
        slug__in=values).values("pk")),
    # Joint pledges: those with a partner accepted by then and not ended (the partnerships'
    # history), not today's partners.
    "joint": lambda values, as_of: Q(pk__in=Partnership.objects.filter(
        accepted_at__lt=_day_after(as_of), entity__status=Entity.Status.APPROVED).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=_day_after(as_of))).values("pledge_id")),
    # A campaign: the tags confirmed by then (not proposed or declined ones).
    "campaign": _campaign_in_force,
}


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
    active_in_period = public.annotate(start_then=start_date_in_force(run.as_of)).filter(
        Q(status=Pledge.Status.PUBLISHED) | Q(pk__in=completed_since_start),
        Q(start_then__isnull=True) | Q(start_then__lte=cycle.period_end),
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


# --- Set-based figures: one query per breakdown, however many items and pledges ---------------
# The selection (with its version-in-force columns) is computed once as a CTE, the links of each
# pledge's version in force (the link table for the pledges not amended since the report's date,
# the version an amendment replaced for the others, as pledges.in_force.linked_in_force reads
# them) once as another, then grouped by item: no per-item EXISTS over every pledge.


def _selection_cte(selection: QuerySet) -> tuple[str, list]:
    try:
        sql, params = (selection.order_by()
                       .values("pk", "usd_then", "type_then", "contributed_then")
                       .query.sql_with_params())
    except EmptyResultSet:  # a selection Django knows is empty (`pk__in=[]`) writes no SQL
        sql, params = "SELECT 0, 0.0, '', 0.0 WHERE 1 = 0", []
    return f"sel(pk, usd_then, type_then, contributed_then) AS ({sql})", list(params)


def _links_sql(name: str, as_of: datetime.date) -> tuple[str, list]:
    """(pledge_id, item) of each selected pledge's version in force on `as_of`, each pair once;
    needs the CTE `sel`."""
    through = _through(name)
    item = connection.ops.quote_name(
        Pledge._meta.get_field(name).m2m_reverse_field_name() + "_id")
    links = connection.ops.quote_name(through._meta.db_table)
    revisions = connection.ops.quote_name(PledgeRevision._meta.db_table)
    after = connection.ops.adapt_datetimefield_value(_day_after(as_of))
    now_linked = f"""
        SELECT t.pledge_id, t.{item} AS item FROM {links} t JOIN sel ON sel.pk = t.pledge_id
        WHERE NOT EXISTS (SELECT 1 FROM {revisions} r
                          WHERE r.pledge_id = t.pledge_id AND r.approved_at >= %s)
        UNION
    """  # noqa: S608 - table and column names from the models, values as parameters
    if connection.vendor != "postgresql":  # SQLite (`make run`): json_each, no DISTINCT ON
        return now_linked + f"""
            SELECT r.pledge_id, CAST(j.value AS integer) FROM {revisions} r
            JOIN sel ON sel.pk = r.pledge_id, json_each(r.before, %s) j
            WHERE r.id = (SELECT r2.id FROM {revisions} r2 WHERE r2.pledge_id = r.pledge_id
                          AND r2.approved_at >= %s ORDER BY r2.approved_at, r2.id LIMIT 1)
        """, [after, f"$.{name}", after]  # noqa: S608 - names from the models
    return now_linked + f"""
        SELECT r.pledge_id, jsonb_array_elements_text(r.before -> %s)::integer FROM (
            SELECT DISTINCT ON (r.pledge_id) r.pledge_id, r.before FROM {revisions} r
            JOIN sel ON sel.pk = r.pledge_id WHERE r.approved_at >= %s
            ORDER BY r.pledge_id, r.approved_at, r.id) r
    """, [after, name, after]  # noqa: S608 - table and column names from the models


def _grouped(selection: QuerySet, links: tuple[str, list]) -> dict:
    """{item: (pledges, USD committed)} over `links` (SQL of (pledge_id, item)): the USD as
    pledges.rates.usd_committed sums it (a financial pledge's amount, plus once its accepted
    funders' contributions then)."""
    cte, params = _selection_cte(selection)
    links_sql, links_params = links
    sql = f"""
        WITH {cte}, links AS ({links_sql})
        SELECT links.item, COUNT(*), SUM(CASE
            WHEN sel.type_then = %s AND sel.usd_then IS NOT NULL
            THEN sel.usd_then + COALESCE(sel.contributed_then, 0)
            ELSE sel.contributed_then END)
        FROM links JOIN sel ON sel.pk = links.pledge_id GROUP BY links.item
    """  # noqa: S608 - built from the models' SQL, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *links_params, PledgeType.FINANCIAL])
        return {item: (n, usd) for item, n, usd in cursor.fetchall()}


def _m2m_rows(name: str, reference: list, selection: QuerySet,
              as_of: datetime.date) -> list[dict]:
    """One row per reference item (in its order, zeros included): pledges linked in their
    version in force on `as_of`, USD. One query for all the items."""
    counts = _grouped(selection, _links_sql(name, as_of)) if reference else {}
    return [_row(str(code), _bilingual(obj), *counts.get(obj.pk, (0, None)))
            for code, obj in reference]


def _aggregate(selection: QuerySet) -> tuple[int, Decimal | None]:
    totals = selection.order_by().aggregate(n=Count("pk"), usd=_usd())
    return totals["n"], totals["usd"]


def _choice_rows(selection: QuerySet, field: str, choices) -> list[dict]:
    counts = {
        item[field]: item
        for item in selection.order_by().values(field)
        .annotate(n=Count("pk"), usd=_usd())
    }
    rows = []
    for value, label in choices:
        found = counts.get(value, {})
        rows.append(_row(value, _labels(lambda label=label: label), found.get("n", 0),
                         found.get("usd")))
    return rows


def _region_rows(selection: QuerySet, as_of: datetime.date) -> list[dict]:
    """Per ITU-D region, the pledges naming the region or one of its countries (each once);
    then the pledges marked global."""
    regions_sql, regions_params = _links_sql("regions", as_of)
    countries_sql, countries_params = _links_sql("countries", as_of)
    country = connection.ops.quote_name(Country._meta.db_table)
    in_region = connection.ops.quote_name(Country._meta.get_field("region").column)
    counts = _grouped(selection, (
        f"""SELECT pledge_id, item FROM ({regions_sql}) AS named
            UNION
            SELECT l.pledge_id, c.{in_region} FROM ({countries_sql}) AS l
            JOIN {country} c ON c.id = l.item WHERE c.{in_region} IS NOT NULL""",  # noqa: S608
        [*regions_params, *countries_params],
    ))
    rows = [_row(region.code, _bilingual(region), *counts.get(region.pk, (0, None)))
            for region in Region.objects.order_by("position", "code")]
    n, usd = _aggregate(selection.filter(global_then=True))
    rows.append(_row(GLOBAL, _labels(lambda: _("Global")), n, usd))
    return rows


def _targeting_rows(selection: QuerySet, as_of: datetime.date) -> list[dict]:
    """Pledges acting in at least one country of each grouping as it stood on `as_of`."""
    valid_sql, valid_params = (CountryGroupMembership.objects.valid_on(as_of).order_by()
                               .values("country_id", grp=F("group")).query.sql_with_params())
    countries_sql, countries_params = _links_sql("countries", as_of)
    counts = _grouped(selection, (
        f"""SELECT DISTINCT l.pledge_id, m.grp AS item FROM ({countries_sql}) AS l
            JOIN ({valid_sql}) AS m ON m.country_id = l.item
            UNION
            SELECT DISTINCT l.pledge_id, %s FROM ({countries_sql}) AS l
            JOIN ({valid_sql}) AS m ON m.country_id = l.item""",  # noqa: S608
        [*countries_params, *valid_params, ANY_GROUP, *countries_params, *valid_params],
    ))
    groups = [(value, label) for value, label in CountryGroup.choices]
    groups.append((ANY_GROUP, _("Any LDC, LLDC or SIDS")))
    return [_row(code, _labels(lambda label=label: label), *counts.get(code, (0, None)))
            for code, label in groups]


def _totals(selection: QuerySet, as_of: datetime.date) -> dict:
    aggregated = selection.order_by().aggregate(
        n=Count("pk"), usd=_usd(),
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
        related_ids_in_force("countries", as_of, pledge_ids)).count()
    totals = {"pledges": n, "entities": entities, "countries": countries, "usd": _money(usd)}
    if aggregated["awaiting_rate"]:
        # Financial pledges in a currency whose month has no rate yet: not in "usd", said so.
        totals["awaiting_rate"] = aggregated["awaiting_rate"]
    return totals


def _delivery(run: ReportRun, selection: QuerySet, covered: int, committed: str) -> dict:
    """Cycle reports: how the pledges are being delivered, from their public progress reports.
    One report per pledge: the pledging entity's (partners' shares count in the goals)."""
    reports = ProgressReport.objects.public().filter(cycle_id=run.cycle_id,
                                                     pledge__in=selection.values("pk"),
                                                     entity_id=F("pledge__entity_id"))
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
    disbursed = reports.filter(pledge__in=selection.filter(FINANCIAL).values("pk")).aggregate(
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
            "action_areas",
            [(a.code, a) for a in ActionArea.objects.order_by("position", "code")], selection,
            as_of),
        "pillar": _m2m_rows(
            "pillars",
            [(p.code, p) for p in Pillar.objects.order_by("action_area__position", "position",
                                                          "code")], selection, as_of),
        "type": _choice_rows(selection, "type_then", PledgeType.choices),
        "stakeholder_group": _choice_rows(selection, "entity__stakeholder_group",
                                          StakeholderGroup.choices),
        "region": _region_rows(selection, as_of),
        "targeting": _targeting_rows(selection, as_of),
        "beneficiary_group": _m2m_rows(
            "beneficiary_groups",
            [(b.code, b) for b in BeneficiaryGroup.objects.order_by("position", "code")],
            selection, as_of),
        "sdg": _m2m_rows(
            "sdgs",
            [(s.number, s) for s in SustainableDevelopmentGoal.objects.order_by("number")],
            selection, as_of),
    }


# --- Year on year (cycle reports) ------------------------------------------------------------
#
# The coalition's growth, as its annual reports lead with it: the whole coalition's public
# pledges at the end of the report's date and a year before, each in its version in force then,
# with that day's country groupings (an LDC that graduated in between counts as an LDC in the
# first year only). A pledge withdrawn or unpublished since counts in neither year, as everywhere
# in the compiled reports.

# The shares compared, in the order every output shows them.
YEAR_ON_YEAR_SHARES = ("type", "action_area", "sdg", "region_of_origin", "targeting",
                       "beneficiary_group")
YEAR_ON_YEAR_TOTALS = ("pledges", "usd", "entities", "countries")


def a_year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _origin_region_then(as_of: datetime.date) -> Case:
    """The ITU-D region of the pledging entity's headquarters country at the end of `as_of`:
    the country that the first identity change approved after that day replaced, else today's
    (members.EntityIdentityChange keeps both)."""
    replaced = (EntityIdentityChange.objects
                .filter(entity_id=OuterRef("entity_id"),
                        status=EntityIdentityChange.Status.APPROVED,
                        decided_at__gte=_day_after(as_of))
                .order_by("decided_at", "pk"))
    return Case(
        When(Exists(replaced), then=Subquery(
            replaced.values("previous_headquarters_country__region_id")[:1])),
        default=F("entity__headquarters_country__region_id"),
        output_field=IntegerField(),
    )


def _origin_rows(selection: QuerySet, as_of: datetime.date, regions: list) -> list[dict]:
    """Per ITU-D region, the pledges whose entity had its headquarters there (one query)."""
    counts = dict(selection.annotate(origin_then=_origin_region_then(as_of)).order_by()
                  .values("origin_then").annotate(n=Count("pk")).values_list("origin_then", "n"))
    return [_row(region.code, _bilingual(region), counts.get(region.pk, 0), None)
            for region in regions]


def _year_end_figures(as_of: datetime.date, references: dict) -> tuple[dict, dict]:
    """(totals, {share: rows}) of the whole coalition's public pledges at the end of `as_of`."""
    selection = _in_force(public_pledges_as_of(as_of), as_of)
    totals = _totals(selection, as_of)
    rows = {
        "type": _choice_rows(selection, "type_then", PledgeType.choices),
        "action_area": _m2m_rows("action_areas", references["action_area"], selection, as_of),
        "sdg": _m2m_rows("sdgs", references["sdg"], selection, as_of),
        "region_of_origin": _origin_rows(selection, as_of, references["region"]),
        "targeting": _targeting_rows(selection, as_of),
        "beneficiary_group": _m2m_rows("beneficiary_groups", references["beneficiary_group"],
                                       selection, as_of),
    }
    return totals, rows


def _year_on_year(as_of: datetime.date) -> dict:
    """The totals and shares at the end of the year before and of the report's date: each a
    pair [year before, report's date]; shares in percent of that day's pledges."""
    ends = [a_year_before(as_of), as_of]
    references = {
        "action_area": [(a.code, a) for a in ActionArea.objects.order_by("position", "code")],
        "sdg": [(s.number, s) for s in SustainableDevelopmentGoal.objects.order_by("number")],
        "region": list(Region.objects.order_by("position", "code")),
        "beneficiary_group": [(b.code, b) for b in BeneficiaryGroup.objects.order_by(
            "position", "code")],
    }
    years = [_year_end_figures(end, references) for end in ends]
    totals = {key: [year_totals[key] for year_totals, _rows in years]
              for key in YEAR_ON_YEAR_TOTALS}
    shares = {}
    for key in YEAR_ON_YEAR_SHARES:
        shares[key] = []
        for before, now in zip(years[0][1][key], years[1][1][key], strict=True):
            counts = [before["pledges"], now["pledges"]]
            shares[key].append({
                "code": now["code"],
                **{name: text for name, text in now.items() if name.startswith("label_")},
                "pledges": counts,
                "shares": [_share(count, whole)
                           for count, whole in zip(counts, totals["pledges"], strict=True)],
            })
    return {"as_of": [end.isoformat() for end in ends], "totals": totals, "shares": shares}


def _goals(as_of: datetime.date) -> list[dict]:
    """The coalition's goals as of the report's date (the whole coalition's pledges, whatever
    the report's selection): committed and achieved against each goal, names in every
    language."""
    rows = []
    for figures in goal_list_with_figures(as_of=as_of, from_memory=False):
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
        slugs = report_campaign_slugs(run.filter_query)
        if slugs:  # their names as they were: the report stays true if one is renamed
            by_slug = {campaign.slug: campaign for campaign in Campaign.objects.filter(
                slug__in=slugs)}
            parameters["campaigns"] = [{"slug": slug, **_bilingual(by_slug[slug])}
                                       for slug in slugs if slug in by_slug]
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
    contributed = contributed_figures(run.as_of)  # matchmaking's (compiled_report_sections)
    if contributed:
        figures["contributed"] = contributed
    if run.kind == ReportRun.Kind.CYCLE:
        figures["year_on_year"] = _year_on_year(run.as_of)
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


class _Linked:
    """The records `name` ("countries"…) linked to each pledge in its version in force: the link
    table for the pledges not amended since, the version replaced for the others. The link rows
    are read as bare id pairs; each record (a few hundred countries, areas or regions, met for
    each of 70,000 pledges) is read once per report, with its name's translations and its
    place in `order`."""

    def __init__(self, name: str, order: str):
        field = Pledge._meta.get_field(name)
        self.name, self.order, self.model = name, order, field.related_model
        self.through, self.column = _through(name), f"{field.m2m_reverse_field_name()}_id"
        self.records: dict[int, tuple] = {}  # pk: (order value, pk, name_en, translations)
        self.named: dict[str, dict[int, tuple]] = {}  # language: {pk: (sort key, name)}
        self.lists: dict[str, dict[tuple, list[str]]] = {}  # language: {pks: names}

    def _load(self, pks: set[int]) -> None:
        missing = pks - self.records.keys()
        if missing:
            for order_value, pk, name_en, translations in self.model.objects.filter(
                    pk__in=missing).values_list(self.order, "pk", "name_en",
                                                "name_translations"):
                self.records[pk] = (order_value, pk, name_en, translations)

    def of(self, ids: list[int], replaced: dict[int, dict]) -> dict[int, tuple[int, ...]]:
        """{pledge_id: (record id, ...)}, each in `order`."""
        pairs = list(self.through.objects.filter(
            pledge_id__in=[pk for pk in ids if pk not in replaced]
        ).values_list("pledge_id", self.column))
        by_pledge: dict[int, list[int]] = {}
        for pledge_id, pk in pairs:
            by_pledge.setdefault(pledge_id, []).append(pk)
        for pledge_id, before in replaced.items():
            by_pledge[pledge_id] = list(set(before.get(self.name) or ()))
        self._load({pk for pks in by_pledge.values() for pk in pks})
        records = self.records
        # (a record deleted since an amendment replaced its version is left out, as before)
        return {pledge_id: tuple(sorted((pk for pk in pks if pk in records),
                                        key=lambda pk: records[pk][:2]))
                for pledge_id, pks in by_pledge.items()}

    def names(self, linked: dict[int, tuple[int, ...]], language: str, *,
              by_name: bool = False) -> dict[int, list[str]]:
        """{pledge_id: [names in `language`]}; `by_name`: in that language's alphabetical
        order (the database only knows the English names' order). Pledges linked to the same
        records share one list (most do: four areas, a few regions), which nobody changes."""
        named = self.named.setdefault(language, {})
        lists = self.lists.setdefault(language, {})
        if len(lists) > 2 * CHUNK_SIZE:  # countries: combinations without end, memory bounded
            lists.clear()
        out = {}
        for pledge_id, pks in linked.items():
            names = lists.get(pks)
            if names is None:
                for pk in pks:
                    if pk not in named:
                        _order, _pk, name_en, translations = self.records[pk]
                        name = text_in(name_en, translations, language)
                        named[pk] = (name_sort_key(name) if by_name else None, name)
                ordered = sorted(pks, key=lambda pk: named[pk][0]) if by_name else pks
                names = lists[pks] = [named[pk][1] for pk in ordered]
            out[pledge_id] = names
        return out


def compiled_report_pledge_rows(run: ReportRun, *, language: str) -> Iterator[PledgeRow]:
    """The report's pledges by reference, in their version in force on the report's date, read
    CHUNK_SIZE at a time."""
    for rows in compiled_report_pledge_rows_in(run, languages=[language]):
        yield rows[language]


def compiled_report_pledge_rows_in(run: ReportRun, *, languages: list[str]
                                   ) -> Iterator[dict[str, PledgeRow]]:
    """{language: the pledge's row in it} for each of the report's pledges, by reference: the
    pledges and their links read once (CHUNK_SIZE at a time) for every language, only the
    names and labels looked up per language."""
    selection = compiled_report_pledges(run)
    groups_by_country: dict[int, list[str]] = {}
    for country_id, group in (CountryGroupMembership.objects.valid_on(run.as_of)
                              .order_by("group").values_list("country_id", "group")):
        groups_by_country.setdefault(country_id, []).append(group)
    type_labels, status_labels = {}, {}
    for language in languages:
        with translation.override(language):
            type_labels[language] = {value: str(label) for value, label in PledgeType.choices}
            status_labels[language] = {value: str(label)
                                       for value, label in ImplementationStatus.choices}
    links = {name: _Linked(name, order) for name, order in (
        ("action_areas", "position"), ("countries", "name_en"), ("regions", "position"))}
    zone = timezone.get_current_timezone()  # (timezone.localdate looks it up on every call)
    amended = amended_since(run.as_of)
    event_names: dict[tuple[int, str], str] = {}

    def event_name(event: Event, language: str) -> str:
        name = event_names.get((event.pk, language))
        if name is None:
            name = event_names[event.pk, language] = text_in(
                event.name_en, event.name_translations, language)
        return name

    # One query, read CHUNK_SIZE rows at a time (a server-side cursor).
    rows_by_reference = (
        selection.order_by("reference")
        .values("pk", "reference", "title_then", "entity__name", "type_then",
                "global_then", "usd_then", "event_then", "published_at")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    while chunk := list(islice(rows_by_reference, CHUNK_SIZE)):
        ids = [row["pk"] for row in chunk]
        maybe_amended = [pk for pk in ids if pk in amended]
        replaced = versions_replaced(run.as_of, maybe_amended) if maybe_amended else {}
        events = {event.pk: event for event in Event.objects.filter(
            pk__in={row["event_then"] for row in chunk} - {None})}
        linked_areas = links["action_areas"].of(ids, replaced)
        linked_countries = links["countries"].of(ids, replaced)
        linked_regions = links["regions"].of(ids, replaced)
        names = {language: (links["action_areas"].names(linked_areas, language),
                            links["countries"].names(linked_countries, language, by_name=True),
                            links["regions"].names(linked_regions, language))
                 for language in languages}
        reports = {}
        if run.kind == ReportRun.Kind.CYCLE:
            reports = {
                item["pledge_id"]: item
                for item in ProgressReport.objects.public()
                .filter(cycle_id=run.cycle_id, pledge_id__in=ids,
                        entity_id=F("pledge__entity_id"))  # the pledge's own, one per pledge
                .values("pledge_id", "implementation_status", "percent_complete",
                        "usd_disbursed")
            }
        for row in chunk:
            pk = row["pk"]
            groups = sorted({group for country_id in linked_countries.get(pk, ())
                             for group in groups_by_country.get(country_id, ())})
            report = reports.get(pk)
            event = events.get(row["event_then"])
            usd_amount = (_money(row["usd_then"])
                          if row["type_then"] == PledgeType.FINANCIAL
                          and row["usd_then"] is not None else "")
            published_on = (row["published_at"].astimezone(zone).date().isoformat()
                            if row["published_at"] else "")
            percent = (str(report["percent_complete"])
                       if report and report["percent_complete"] is not None else "")
            disbursed = (_money(report["usd_disbursed"])
                         if report and report["usd_disbursed"] is not None else "")
            rows = {}
            for language in languages:
                areas, countries, regions = names[language]
                rows[language] = PledgeRow(
                    reference=row["reference"],
                    title=row["title_then"],
                    entity=row["entity__name"],
                    pledge_type=type_labels[language].get(row["type_then"], ""),
                    action_areas=areas.get(pk, []),
                    countries=countries.get(pk, []),
                    regions=regions.get(pk, []),
                    is_global=row["global_then"],
                    groups=groups,
                    usd_amount=usd_amount,
                    event=event_name(event, language) if event else "",
                    published_on=published_on,
                    implementation_status=status_labels[language].get(
                        report["implementation_status"], "") if report else "",
                    percent_complete=percent,
                    usd_disbursed=disbursed,
                )
            yield rows
