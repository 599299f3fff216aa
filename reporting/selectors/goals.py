"""Coalition goals' figures, worked out in SQL from the pledges' targets and progress reports.

- *committed*: the target values of the public pledges, for the goal's indicator and in its
  scope, summed (or their maximum, for coverage-like indicators); for the USD goal, the USD
  equivalent of the financial pledges. A target is counted once: pledges are selected by id
  (`pledge_id IN (…)`), never joined through their areas, countries or co-pledgers.
- *achieved*: the latest value reported for each of those targets (the latest public progress
  report with a value), summed or maximised alike; for the USD goal, each financial pledge's
  latest reported disbursement. Where partners share a pledge's delivery, each reporting entity's
  own latest value is counted once and the entities' values add up (the same rule as the pledge
  page, reporting.selectors.progress.achieved_by_target).
- *as of a date*: pledges published by the end of that day (and public today), progress
  reports submitted by then, and the LDC/LLDC/SIDS groupings valid on that day; each pledge's
  type, USD equivalent, action areas, regions, countries and targets in their version in force
  on that day (pledges.in_force: an amendment approved later changes nothing).
- *today* (the Goals page, the API's default): the version in force is the pledge as it is now,
  since nothing can have been approved, accepted or ended after the end of today. The figures
  then read the pledges' own columns (the public counting index pledge_public_facets, with the
  funders' contributions kept in Pledge.contributions_usd) and link tables, not the per-pledge
  subqueries of the revisions and partnerships: the same figures, a set-based read (BENCHMARKS.md,
  "Open data API (issue 22) and the Goals page"). On PostgreSQL they come from memory
  (reporting.selectors.goal_state: the same rows, read once per change of the public pledges or
  their reports), but for a campaign's scope or slice (its tags are not in the facet bitsets).

In SQL, whatever the number of goals, slices and pledges, a set of figures costs at most five
queries (one per measure and side, and one for the targets of pledges amended since a past date):
the USD goals are filtered aggregates of one query; the indicator goals' targets, and their
latest reported values, are each grouped once by indicator and scope (_scope_flags)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.http import Http404
from django.utils import timezone

from action_areas.models import (
    ActionArea,
    CoalitionGoal,
    Country,
    CountryGroup,
    CountryGroupMembership,
    Indicator,
    Region,
)
from members.models import StakeholderGroup
from pledges.in_force import (
    contributions_in_force,
    linked_in_force,
    replacing_revisions,
    type_in_force,
    usd_in_force,
)
from pledges.models import CampaignTag, Pledge, PledgeType, Target
from pledges.rates import usd_committed

from ..models import ProgressReport, ReportingCycle, TargetProgress
from . import goal_state

ALL = "all"
ACTION_AREA = "action_area"
COUNTRY_GROUP = "country_group"
REGION = "region"
STAKEHOLDER_GROUP = "stakeholder_group"
CAMPAIGN = "campaign"


@dataclass(frozen=True)
class Slice:
    """A part of the pledges: all of them, or those of an action area, a country group (as of
    the figures' date), an ITU-D region, or a stakeholder group."""

    kind: str = ALL
    value: object = None
    label: str = ""


@dataclass
class GoalFigures:
    goal: CoalitionGoal
    slice: Slice
    committed: Decimal | None  # None: the indicator's values cannot be combined
    achieved: Decimal | None
    targets: int  # targets counted (financial pledges, for the USD goal)
    pledges: int

    @property
    def combinable(self) -> bool:
        return self.goal.aggregation != Indicator.Aggregation.NONE

    def _percent(self, value: Decimal | None) -> Decimal | None:
        if value is None:
            return None
        return (value * 100 / self.goal.target_value).quantize(Decimal("0.1"))

    @property
    def committed_percent(self) -> Decimal | None:
        return self._percent(self.committed)

    @property
    def achieved_percent(self) -> Decimal | None:
        return self._percent(self.achieved)


def _day_after(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def public_pledges_as_of(as_of: datetime.date) -> QuerySet[Pledge]:
    """Public today, and published and past any embargo by the end of `as_of`."""
    day_after = _day_after(as_of)
    return Pledge.objects.public().filter(published_at__lt=day_after).filter(
        Q(embargo_until__isnull=True) | Q(embargo_until__lt=day_after))


def _reads_as_now(as_of: datetime.date) -> bool:
    """Figures as of today read every pledge as it is now: no amendment can have been approved,
    no partner accepted nor ended, after the end of today."""
    return as_of >= timezone.localdate()


def _linked(name: str, as_of: datetime.date, items) -> QuerySet:
    """The ids of the pledges whose version in force at the end of `as_of` links (many-to-many
    field `name`) to one of `items`; as of today, read from the link table alone."""
    if _reads_as_now(as_of):
        field = Pledge._meta.get_field(name)
        return field.remote_field.through.objects.filter(
            **{f"{field.m2m_reverse_field_name()}__in": items}).values("pledge_id")
    return Pledge.objects.filter(linked_in_force(name, as_of, items)).values("pk")


def _pledges_in(kind: str, value, as_of: datetime.date) -> QuerySet | None:
    """The ids of the pledges of a scope or slice (None: all pledges)."""
    if kind == ACTION_AREA:
        return _linked("action_areas", as_of, [value])
    if kind == REGION:
        # Naming the region or one of its countries: each pledge once (an IN, not a join).
        if _reads_as_now(as_of):  # the two link tables' pledges, not every pledge tested
            return _linked("regions", as_of, [value]).union(_linked(
                "countries", as_of, Country.objects.filter(region_id=value).values("pk")))
        return Pledge.objects.filter(
            linked_in_force("regions", as_of, [value])
            | linked_in_force("countries", as_of,
                              Country.objects.filter(region_id=value).values("pk"))
        ).values("pk")
    if kind == COUNTRY_GROUP:
        in_group = CountryGroupMembership.objects.valid_on(as_of).filter(group=value)
        return _linked("countries", as_of, in_group.values("country_id"))
    if kind == STAKEHOLDER_GROUP:
        return Pledge.objects.filter(entity__stakeholder_group=value).values("pk")
    if kind == CAMPAIGN:
        # Tags the secretariat had confirmed by the end of that day.
        return CampaignTag.objects.confirmed().filter(
            campaign_id=value, decided_at__lt=_day_after(as_of)).values("pledge_id")
    return None


def _goal_scope(goal: CoalitionGoal) -> tuple[str, object]:
    values = {CoalitionGoal.Scope.ACTION_AREA: goal.action_area_id,
              CoalitionGoal.Scope.REGION: goal.region_id,
              CoalitionGoal.Scope.COUNTRY_GROUP: goal.country_group,
              CoalitionGoal.Scope.CAMPAIGN: goal.campaign_id}
    return goal.scope, values.get(goal.scope)


def _in_scope(pledge_field: str, goal: CoalitionGoal, part: Slice, as_of) -> Q:
    condition = Q()
    for kind, value in (_goal_scope(goal), (part.kind, part.value)):
        pledges = _pledges_in(kind, value, as_of)
        if pledges is not None:
            condition &= Q(**{f"{pledge_field}__in": pledges})
    return condition


def _combine(aggregation: str, field: str, condition: Q):
    if aggregation == Indicator.Aggregation.MAX:
        return Max(field, filter=condition)
    if aggregation == Indicator.Aggregation.SUM:
        return Sum(field, filter=condition)
    return None


def _latest_of_each(rows: QuerySet, partition: tuple[str, ...],
                    newest_first: tuple[str, ...]) -> QuerySet:
    """The latest of `rows` in each partition (ordered by `newest_first`), as a query of the
    same model. PostgreSQL sorts the rows once (DISTINCT ON); a correlated subquery looking up
    the latest of each row's partition cost one index probe per row (~0.5 s at 100,000
    pledges). SQLite (`make run`) has no DISTINCT ON and keeps the subquery: the same rows."""
    if connection.vendor == "postgresql":
        latest = rows.order_by(*partition, *newest_first).distinct(*partition).values("pk")
        return rows.model.objects.filter(pk__in=latest)
    latest = rows.filter(**{field: OuterRef(field) for field in partition}).order_by(
        *newest_first).values("pk")[:1]
    return rows.filter(pk=Subquery(latest))


def _latest_progress(as_of: datetime.date) -> QuerySet[TargetProgress]:
    """Values reported by the end of `as_of` in public progress reports."""
    return TargetProgress.objects.filter(
        achieved_value__isnull=False,
        report__in=ProgressReport.objects.public().filter(
            submitted_at__lt=_day_after(as_of)).values("pk"),
    )


def _targets_replaced(public_ids, as_of: datetime.date) -> dict[int, list[dict]]:
    """{pledge id: its targets in force at the end of `as_of`} for the public pledges amended
    since (pledges.in_force: what the first later revision replaced, each target with its
    catalogue indicator). None can have been amended after today: no query for today's figures."""
    if as_of >= timezone.localdate():
        return {}
    return {pledge_id: before.get("targets", []) for pledge_id, before in
            replacing_revisions(as_of).filter(pledge_id__in=public_ids)
            .values_list("pledge_id", "before")}


def _add_targets_replaced(committed: dict, cells, replaced: dict[int, list[dict]],
                          as_of: datetime.date) -> None:
    """Count the targets in force of the pledges amended since `as_of` into `committed` (the
    other pledges' targets are counted from their rows): one query for the scopes."""
    flags = {}
    for index, (goal, part) in enumerate(cells):
        condition = _in_scope("pk", goal, part, as_of)
        flags[f"c{index}"] = (ExpressionWrapper(condition, output_field=BooleanField())
                              if condition else Value(True))
    in_scope = {row["pk"]: row for row in
                Pledge.objects.filter(pk__in=list(replaced)).annotate(**flags)
                .values("pk", *flags)}
    for index, (goal, _part) in enumerate(cells):
        values, pledges = [], 0
        for pledge_id, targets in replaced.items():
            if not in_scope.get(pledge_id, {}).get(f"c{index}"):
                continue
            mine = [Decimal(str(target["target_value"])) for target in targets
                    if target.get("catalogue_indicator") == goal.indicator_id
                    and target.get("target_value") is not None]
            values += mine
            pledges += bool(mine)
        committed[f"n{index}"] += len(values)
        committed[f"p{index}"] += pledges
        if f"v{index}" not in committed or not values:
            continue
        current = committed[f"v{index}"]
        if goal.aggregation == Indicator.Aggregation.MAX:
            committed[f"v{index}"] = max([*values, *([current] if current is not None else [])])
        else:
            committed[f"v{index}"] = (current or Decimal(0)) + sum(values)


def _scope_flags(cells, pledge_field: str, as_of) -> tuple[dict, list[list[str]]]:
    """A boolean per distinct scope or slice among the cells (is the row's pledge in it?), and
    for each cell the flags it needs. Grouping the rows by these flags reads each row once
    whatever the number of goals: a FILTER clause per goal and figure evaluated every scope
    against every target (committed figures of 13 goals at 100,000 pledges: 4.75 s → 1.4 s
    under load 9)."""
    flags, names, needed = {}, {}, []
    for goal, part in cells:
        mine = []
        for kind, value in (_goal_scope(goal), (part.kind, part.value)):
            pledges = _pledges_in(kind, value, as_of)
            if pledges is None:
                continue
            if (kind, value) not in names:
                names[kind, value] = name = f"in_scope_{len(names)}"
                flags[name] = ExpressionWrapper(Q(**{f"{pledge_field}__in": pledges}),
                                                output_field=BooleanField())
            mine.append(names[kind, value])
        needed.append(mine)
    return flags, needed


def _grouped(rows: QuerySet, indicator_field: str, value_field: str, cells, as_of,
             pledge_field: str, **counts) -> list[dict]:
    """For each cell, its rows' figures: `rows` grouped by indicator and scope flags, then the
    groups of the cell's indicator and scopes added up in Python. A pledge's rows share its
    flags, so that a pledge is in one group per indicator: counts of distinct pledges add up."""
    flags, needed = _scope_flags(cells, pledge_field, as_of)
    groups = list(rows.annotate(**flags).values(indicator_field, *flags).annotate(
        total=Sum(value_field), top=Max(value_field), **counts).order_by())
    figures = []
    for (goal, _part), wanted in zip(cells, needed, strict=True):
        mine = [group for group in groups if group[indicator_field] == goal.indicator_id
                and all(group[flag] for flag in wanted)]
        figure = {name: sum(group[name] for group in mine) for name in counts}
        if goal.aggregation == Indicator.Aggregation.SUM:
            figure["value"] = sum((group["total"] for group in mine), Decimal(0)) if mine else None
        elif goal.aggregation == Indicator.Aggregation.MAX:
            figure["value"] = max((group["top"] for group in mine), default=None)
        figures.append(figure)
    return figures


def _indicator_figures(cells, as_of) -> dict[int, dict]:
    public_ids = public_pledges_as_of(as_of).values("pk")
    indicator_ids = {goal.indicator_id for goal, _part in cells}
    replaced = _targets_replaced(public_ids, as_of)
    targets = Target.objects.filter(pledge_id__in=public_ids,
                                    catalogue_indicator_id__in=indicator_ids)
    committed = {}
    for index, figure in enumerate(_grouped(
            targets.exclude(pledge_id__in=list(replaced)), "catalogue_indicator_id",
            "target_value", cells, as_of, "pledge_id",
            targets=Count("pk"), pledges=Count("pledge_id", distinct=True))):
        committed[f"n{index}"], committed[f"p{index}"] = figure["targets"], figure["pledges"]
        if "value" in figure:
            committed[f"v{index}"] = figure["value"]
    if replaced:
        _add_targets_replaced(committed, cells, replaced, as_of)
    achieved = [{}] * len(cells)
    if any(goal.aggregation != Indicator.Aggregation.NONE for goal, _part in cells):
        achieved = _grouped(_latest_target_values(targets, as_of),
                            "target__catalogue_indicator_id", "achieved_value", cells, as_of,
                            "target__pledge_id")
    return {
        index: {"committed": committed.get(f"v{index}"),
                "achieved": achieved[index].get("value"),
                "targets": committed[f"n{index}"], "pledges": committed[f"p{index}"]}
        for index in range(len(cells))
    }


def _pledges_then(as_of: datetime.date) -> QuerySet[Pledge]:
    """The public pledges as of `as_of` with `type_then`, `usd_then` and `contributed_then`:
    their type, USD equivalent and accepted funders' contributions in force then. Today, the
    pledges' own columns (Pledge.contributions_usd is the sum of the accepted funders' USD,
    kept by pledges.partnerships in the transaction that changes them)."""
    if _reads_as_now(as_of):
        return public_pledges_as_of(as_of).annotate(
            type_then=F("pledge_type"), usd_then=F("usd_amount"),
            contributed_then=F("contributions_usd"))
    return public_pledges_as_of(as_of).annotate(
        type_then=type_in_force(as_of), usd_then=usd_in_force(as_of),
        contributed_then=contributions_in_force(as_of),
    )


def _latest_disbursements(financial: QuerySet[Pledge], as_of) -> QuerySet[ProgressReport]:
    """Each reporting entity's latest public report with a USD disbursement on each of the
    `financial` pledges, by the end of `as_of`."""
    reports = ProgressReport.objects.public().filter(
        submitted_at__lt=_day_after(as_of), usd_disbursed__isnull=False,
        pledge_id__in=financial.values("pk"))
    return _latest_of_each(reports, ("pledge_id", "entity_id"),
                           ("-cycle__period_end", "-submitted_at", "-pk"))


def _latest_target_values(targets: QuerySet[Target], as_of) -> QuerySet[TargetProgress]:
    """Each reporting entity's latest public value on each of `targets` by the end of `as_of`."""
    return _latest_of_each(_latest_progress(as_of).filter(target__in=targets),
                           ("target_id", "report__entity_id"),
                           ("-report__cycle__period_end", "-report__submitted_at", "-pk"))


def _usd_figures(cells, as_of) -> dict[int, dict]:
    # The financial pledges, and the pledges of any type with accepted funders then: a
    # funder's contribution counts once, with the pledge it funds (pledges.rates.usd_committed).
    counted = _pledges_then(as_of)
    financial = counted.filter(type_then=PledgeType.FINANCIAL)
    funded = Q(type_then=PledgeType.FINANCIAL) | Q(contributed_then__isnull=False)
    committed_aggregates, achieved_aggregates = {}, {}
    for index, (goal, part) in enumerate(cells):
        condition = _in_scope("pk", goal, part, as_of)
        committed_aggregates[f"v{index}"] = usd_committed(
            usd="usd_then", pledge_type="type_then", contributions="contributed_then",
            condition=condition)
        committed_aggregates[f"n{index}"] = Count("pk", filter=condition & funded)
        achieved_aggregates[f"v{index}"] = Sum(
            "usd_disbursed", filter=_in_scope("pledge_id", goal, part, as_of))
    committed = counted.order_by().aggregate(**committed_aggregates)
    achieved = _latest_disbursements(financial, as_of).order_by().aggregate(**achieved_aggregates)
    return {
        index: {"committed": committed[f"v{index}"] or Decimal(0),
                "achieved": achieved[f"v{index}"] or Decimal(0),
                "targets": committed[f"n{index}"], "pledges": committed[f"n{index}"]}
        for index in range(len(cells))
    }


def _state_rows() -> goal_state.StateRows:
    """What today's figures read, for the in-memory state: the rows the SQL figures aggregate."""
    today = timezone.localdate()
    public_ids = public_pledges_as_of(today).values("pk")
    targets = Target.objects.filter(pledge_id__in=public_ids, catalogue_indicator__isnull=False)
    counted = _pledges_then(today)
    pledges_usd = [(pk, pledge_type == PledgeType.FINANCIAL, usd, contributed)
                   for pk, pledge_type, usd, contributed in counted.order_by().values_list(
                       "pk", "type_then", "usd_then", "contributed_then")]
    financial = counted.filter(type_then=PledgeType.FINANCIAL)
    return goal_state.StateRows(
        targets=targets.order_by().values_list("pledge_id", "catalogue_indicator_id",
                                               "target_value"),
        achieved=_latest_target_values(targets, today).order_by().values_list(
            "target__pledge_id", "target__catalogue_indicator_id", "achieved_value"),
        pledges_usd=pledges_usd,
        disbursed_usd=_latest_disbursements(financial, today).order_by().values_list(
            "pledge_id", "usd_disbursed"),
        by_reference=public_pledges_as_of(today).order_by("reference", "pk").values_list(
            "pk", flat=True),
        codes={"area": dict(ActionArea.objects.values_list("pk", "code")),
               "region": dict(Region.objects.values_list("pk", "code"))},
    )


def _reporting_fingerprint() -> tuple:
    """What today's figures read beyond the public pledges, in one query from indexes: the last
    save of a submitted progress report (its submission, a hiding or showing: report_updated
    index; a submitted report is never a draft again, and drafts, saved all through a cycle,
    count in no figure) and the cycles' periods (a report's cycle end decides which is the
    latest)."""
    quote = connection.ops.quote_name
    sql = (f"SELECT (SELECT MAX(updated_at) FROM {quote(ProgressReport._meta.db_table)} "  # noqa: S608
           f"WHERE status = %s), "
           f"(SELECT string_agg(CONCAT(id, ':', period_end), ',' ORDER BY id) "
           f"FROM {quote(ReportingCycle._meta.db_table)})")
    with connection.cursor() as cursor:  # table names from the models, values as parameters
        cursor.execute(sql, [ProgressReport.Status.SUBMITTED])
        return tuple(str(value) for value in cursor.fetchone())


_STATE_FACETS = {ACTION_AREA: "area", REGION: "region", COUNTRY_GROUP: "targeting",
                 STAKEHOLDER_GROUP: "stakeholder"}


def _state_selection(state: goal_state.GoalState, goal: CoalitionGoal, part: Slice) -> int | None:
    """The public pledges of the goal's scope and the slice, as a bitset (None: a campaign's,
    which the state does not hold)."""
    selection = state.everything
    for kind, value in (_goal_scope(goal), (part.kind, part.value)):
        if kind == ALL:
            continue
        if kind not in _STATE_FACETS:
            return None
        selection &= state.bits(_STATE_FACETS[kind], value)
    return selection


def _figures_from_state(cells, found: dict[int, dict]) -> list[int]:
    """Today's figures of the cells the in-memory state answers, into `found`; returns the
    indexes of the others."""
    state = goal_state.current(_reporting_fingerprint(), _state_rows)
    others = []
    for index, (goal, part) in enumerate(cells):
        selection = _state_selection(state, goal, part)
        if selection is None:
            others.append(index)
        elif goal.measure == CoalitionGoal.Measure.USD_COMMITTED:
            found[index] = state.usd_figures(selection)
        else:
            found[index] = state.indicator_figures(goal.indicator_id, goal.aggregation,
                                                   selection)
    return others


def goal_figures(cells: list[tuple[CoalitionGoal, Slice]], *,
                 as_of: datetime.date | None = None,
                 from_memory: bool = True) -> list[GoalFigures]:
    """The figures of each (goal, slice), in the order given: today's from memory (two queries
    telling whether it is current), otherwise at most four queries. `from_memory=False`: from
    the database's snapshot, for a compiled report whose other figures are read in it (the
    state is now's, and building it in a report's process would cost its memory)."""
    as_of = as_of or timezone.localdate()
    found: dict[int, dict] = {}
    remaining = list(range(len(cells)))
    if cells and from_memory and _reads_as_now(as_of) and goal_state.available():
        remaining = _figures_from_state(cells, found)
    by_measure: dict[str, list[int]] = {}
    for index in remaining:
        by_measure.setdefault(cells[index][0].measure, []).append(index)
    for measure, indexes in by_measure.items():
        compute = (_usd_figures if measure == CoalitionGoal.Measure.USD_COMMITTED
                   else _indicator_figures)
        figures = compute([cells[i] for i in indexes], as_of)
        found.update({indexes[position]: value for position, value in figures.items()})
    results = []
    for index, (goal, part) in enumerate(cells):
        values = found[index]
        sum_or_max = goal.aggregation != Indicator.Aggregation.NONE
        results.append(GoalFigures(
            goal=goal, slice=part,
            committed=(values["committed"] or Decimal(0)) if sum_or_max else None,
            achieved=(values["achieved"] or Decimal(0)) if sum_or_max else None,
            targets=values["targets"], pledges=values["pledges"],
        ))
    return results


def goal_list_public() -> QuerySet[CoalitionGoal]:
    return CoalitionGoal.objects.shown().select_related("indicator", "action_area", "region",
                                                        "campaign")


def goal_get_public(code: str) -> CoalitionGoal:
    goal = goal_list_public().filter(code=code).first() if len(code) <= 50 else None
    if goal is None:
        raise Http404
    return goal


def goal_list_with_figures(*, as_of: datetime.date | None = None,
                           from_memory: bool = True) -> list[GoalFigures]:
    """Every goal shown on the Goals page, over its whole scope."""
    return goal_figures([(goal, Slice()) for goal in goal_list_public()], as_of=as_of,
                        from_memory=from_memory)


def goal_drilldown(goal: CoalitionGoal, *, as_of: datetime.date | None = None
                   ) -> dict[str, list[GoalFigures]]:
    """The goal's figures by action area, country group, region and stakeholder group."""
    slices = {
        ACTION_AREA: [Slice(ACTION_AREA, area.pk, area.name)
                      for area in ActionArea.objects.order_by("position", "code")],
        COUNTRY_GROUP: [Slice(COUNTRY_GROUP, value, str(label))
                        for value, label in CountryGroup.choices],
        REGION: [Slice(REGION, region.pk, region.name)
                 for region in Region.objects.order_by("position", "code")],
        STAKEHOLDER_GROUP: [Slice(STAKEHOLDER_GROUP, value, str(label))
                            for value, label in StakeholderGroup.choices],
    }
    cells = [(goal, part) for parts in slices.values() for part in parts]
    figures = iter(goal_figures(cells, as_of=as_of))
    return {kind: [next(figures) for _part in parts] for kind, parts in slices.items()}


class _ContributingToday(Sequence):
    """Today's goal_contributing_pledges from the in-memory state: counted, ordered and sliced
    in memory, then only the pledges of the page read (the grouped SQL sorted every contributing
    pledge by reference: ~0.55 s a page for a goal of 20,000 pledges at 100,000)."""

    def __init__(self, state: goal_state.GoalState, goal: CoalitionGoal, selection: int):
        self.state, self.goal = state, goal
        if goal.measure == CoalitionGoal.Measure.USD_COMMITTED:
            self.selection = selection & state.financial
            self.values = state.usd_own
        else:
            columns = state.indicators.get(goal.indicator_id)
            self.selection = selection & columns.pledges if columns else 0
            self.values = None if columns is None else {
                Indicator.Aggregation.SUM: columns.committed_sum,
                Indicator.Aggregation.MAX: columns.committed_max}.get(goal.aggregation)
        self._ids: list[int] | None = None

    def __len__(self) -> int:
        return self.selection.bit_count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1 if index != -1 else None][0]
        if self._ids is None:
            self._ids = self.state.in_reference_order(self.selection)
        ids = self._ids[index]
        # Public ones only: a state being rebuilt after a change (the previous one is given
        # meanwhile) may still hold a pledge withdrawn, or of an entity suspended, a moment ago.
        found = Pledge.objects.public().select_related("entity").in_bulk(ids)
        pledges = [found[pk] for pk in ids if pk in found]
        for pledge in pledges:
            if self.values is not None:
                pledge.goal_value = self.state.value_of(self.values, pledge.pk)
        return pledges

    def __iter__(self):
        return iter(self[:])


def goal_contributing_pledges(goal: CoalitionGoal, *, as_of: datetime.date | None = None
                              ) -> QuerySet[Pledge] | Sequence[Pledge]:
    """The public pledges counted in the goal, by reference, each with `goal_value`: what its
    targets commit (summed or maximised as the indicator says; its USD equivalent). Today's
    from the in-memory state (a sequence that Paginator slices), but for a campaign's goal."""
    as_of = as_of or timezone.localdate()
    if _reads_as_now(as_of) and goal_state.available():
        state = goal_state.current(_reporting_fingerprint(), _state_rows)
        selection = _state_selection(state, goal, Slice())
        if selection is not None:
            return _ContributingToday(state, goal, selection)
    pledges = public_pledges_as_of(as_of).filter(_in_scope("pk", goal, Slice(), as_of))
    if goal.measure == CoalitionGoal.Measure.USD_COMMITTED:
        if _reads_as_now(as_of):
            pledges = pledges.filter(pledge_type=PledgeType.FINANCIAL).annotate(
                goal_value=F("usd_amount"))
        else:
            pledges = pledges.annotate(type_then=type_in_force(as_of)).filter(
                type_then=PledgeType.FINANCIAL).annotate(goal_value=usd_in_force(as_of))
    else:
        of_indicator = Q(targets__catalogue_indicator_id=goal.indicator_id)
        pledges = pledges.filter(pk__in=Target.objects.filter(
            catalogue_indicator_id=goal.indicator_id).values("pledge_id"))
        combined = _combine(goal.aggregation, "targets__target_value", of_indicator)
        if combined is not None:
            pledges = pledges.annotate(goal_value=combined)
    return pledges.select_related("entity").order_by("reference", "pk")
