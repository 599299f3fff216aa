"""Reads of the public site: only Pledge.objects.public() (published or completed, past any
embargo) and approved entities. The lists of pledges themselves are read live; what is expensive
to compute (counters, facets, totals) goes through pledges.public_cache. The member area's reads
are in pledges.member_selectors, the review desk's in pledges.desk_selectors."""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from members.models import Entity
from p2c_portal.locale_formats import Collated, collation_key

from . import filters, public_cache
from .models import CoalitionSettings, Event, Pledge, PledgeRevision, PledgeType
from .pledge_changes import revision_changes
from .rates import awaiting_rate


@dataclass
class PledgePage:
    """One page of a list, found without counting the whole list: page_size + 1 rows tell
    whether there is a next page."""

    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def is_past_end(self) -> bool:
        return not self.items and self.number > 1


@contextmanager
def _counting():
    """PostgreSQL settings for the few queries that count every public pledge, for their
    transaction only. EXPLAIN ANALYZE at 100,000 pledges: the planner's cost estimate crossed
    jit_above_cost, and compiling the facet query took 5.8 s of its 7.5 s (2.2 s without JIT);
    with the default 4 MB of work_mem its groupings spilled to disk."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), "
                       "set_config('work_mem', '32MB', true)")
        yield


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def pledge_filter_options() -> dict[str, list[tuple[str, str]]]:
    """Every facet's known values and their labels in the active language (years excepted:
    any plausible year is accepted)."""

    def compute():
        options = filters.fixed_options()
        options["area"] = [(a.code, a.name) for a in ActionArea.objects.order_by("position")]
        options["pillar"] = [
            (p.code, p.name)
            for p in Pillar.objects.order_by("action_area__position", "position", "code")
        ]
        options["region"] = [
            *((r.code, r.name) for r in Region.objects.order_by("position", "code")),
            (filters.GLOBAL_REGION, str(_("Global"))),
        ]
        options["country"] = sorted(
            ((c.iso3, c.name)
             for c in Country.objects.only("iso3", "name_en", "name_translations")),
            key=lambda pair: collation_key(pair[1]),
        )
        options["beneficiary"] = [
            (b.code, b.name) for b in BeneficiaryGroup.objects.order_by("position", "code")
        ]
        options["sdg"] = [
            (str(s.number), str(s)) for s in SustainableDevelopmentGoal.objects.order_by("number")
        ]
        options["event"] = [(e.slug, e.name) for e in Event.objects.order_by("-start_date")]
        return options

    return public_cache.cached(f"options|{_language()}", compute)


def pledge_filters_from_query(query) -> filters.PledgeFilters:
    return filters.PledgeFilters.from_query(query, pledge_filter_options())


def _card_queryset(queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """What a pledge in a list shows: its entity, type, action areas, where it acts."""
    return queryset.select_related("entity", "event").prefetch_related(
        Prefetch("action_areas", queryset=ActionArea.objects.order_by("position")),
        Prefetch("countries",
                 queryset=Country.objects.only("pk", "iso3", "name_en", "name_translations")),
        Prefetch("regions", queryset=Region.objects.order_by("position")),
    )


def _page(queryset: QuerySet[Pledge], number: int, page_size: int) -> PledgePage:
    if number > filters.MAX_PAGE:
        return PledgePage(items=[], number=number, has_next=False)
    start = (number - 1) * page_size
    rows = list(queryset[start : start + page_size + 1])
    return PledgePage(items=rows[:page_size], number=number, has_next=len(rows) > page_size)


def pledge_list_public(pledge_filters: filters.PledgeFilters) -> QuerySet[Pledge]:
    """The public pledges matching the filters, in the chosen order, ready for list cards."""
    return _card_queryset(
        pledge_filters.apply(Pledge.objects.public()).order_by(*pledge_filters.ordering())
    )


def pledge_page_public(
    pledge_filters: filters.PledgeFilters, page_size: int = filters.PAGE_SIZE
) -> PledgePage:
    return _page(pledge_list_public(pledge_filters), pledge_filters.page, page_size)


def pledge_facets_public(pledge_filters: filters.PledgeFilters) -> dict:
    """{"total": pledges matching, "counts": {facet: {value: n}}}, in one query. Those of the
    unfiltered list (also its other pages and orders) are kept until a public pledge changes;
    those of a filtered list, briefly."""

    def compute():
        with _counting():
            return filters.facet_counts(Pledge.objects.public(), pledge_filters)

    key = f"facets|{pledge_filters.cache_key()}"
    if pledge_filters.is_filtered:
        return public_cache.cached(key, compute)
    return public_cache.cached_until_changed(key, compute)


def pledge_totals_public(pledge_filters: filters.PledgeFilters) -> dict:
    """Number of pledges and USD committed by the financial ones, for a country or an event."""

    def compute():
        matching = pledge_filters.apply(Pledge.objects.public())
        return matching.aggregate(
            pledges=Count("pk"),
            usd=Sum("usd_amount", filter=Q(pledge_type=PledgeType.FINANCIAL)),
            awaiting_rate=Count("pk", filter=awaiting_rate()),
            entities=Count("entity", distinct=True),
        )

    return public_cache.cached(f"totals|{pledge_filters.cache_key()}", compute)


def coalition_figures() -> dict:
    """The home page's counters and breakdowns (codes, not labels: the same in every language),
    kept until a public pledge changes; the goal, which the secretariat sets, read each time."""
    figures = dict(public_cache.cached_until_changed("figures", _figures))
    goal = CoalitionSettings.load().usd_goal
    figures.update(usd_goal=goal, goal_percent=_percent(figures["usd"], goal))
    return figures


def _figures() -> dict:
    public = Pledge.objects.public()
    financial = Q(pledge_type=PledgeType.FINANCIAL)
    # Per entity and per country, "has a public pledge?": a few thousand index probes,
    # not a scan of every pledge.
    co_pledges = Pledge.co_pledgers.through.objects.filter(
        entity_id=OuterRef("pk"), pledge__in=public
    )
    entities = Entity.objects.filter(
        Exists(public.filter(entity_id=OuterRef("pk")))
        | (Q(status=Entity.Status.APPROVED) & Exists(co_pledges))
    ).count()
    countries = Country.objects.filter(
        Exists(Pledge.countries.through.objects.filter(
            country_id=OuterRef("pk"), pledge__in=public
        ))
    ).count()
    by_type = {
        row["pledge_type"]: {"pledges": row["n"], "usd": row["usd"],
                             "awaiting_rate": row["awaiting"]}
        for row in public.order_by().values("pledge_type")
        .annotate(n=Count("pk"), usd=Sum("usd_amount", filter=financial),
                  awaiting=Count("pk", filter=awaiting_rate()))
    }
    # From the public pledges (their columns in one index) to their areas: half the time of
    # going from the links to the pledges.
    by_area = {
        row["action_areas__code"]: {"pledges": row["n"], "usd": row["usd"],
                                    "awaiting_rate": row["awaiting"]}
        for row in public.filter(action_areas__isnull=False).order_by()
        .values("action_areas__code")
        .annotate(n=Count("pk"), usd=Sum("usd_amount", filter=financial),
                  awaiting=Count("pk", filter=awaiting_rate()))
    }
    return {
        # The totals are the sums of the breakdown by type (one scan fewer).
        "pledges": sum(row["pledges"] for row in by_type.values()),
        "entities": entities,
        "countries": countries,
        "usd": sum((row["usd"] for row in by_type.values() if row["usd"]), Decimal(0)),
        # Financial pledges whose month has no rate yet: never silently out of the USD total.
        "awaiting_rate": sum(row["awaiting_rate"] for row in by_type.values()),
        "by_type": by_type,
        "by_area": by_area,
    }


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    """One decimal (25.0), two below 1 % so that a start shows (0.03), at most 100."""
    percent = part * 100 / whole
    step = Decimal("0.01" if percent < 1 else "0.1")
    return min(Decimal(100), percent.quantize(step, rounding=ROUND_HALF_UP))


def pledge_latest_public(limit: int = 6) -> list[Pledge]:
    return list(
        _card_queryset(Pledge.objects.public()).order_by(
            F("published_at").desc(nulls_last=True), "-pk"
        )[:limit]
    )


def pledge_get_public(pledge_id: int) -> Pledge:
    """A public pledge with everything its page shows; 404 for anything not public."""
    if not 0 < pledge_id < 2**63:  # beyond any database integer: no such pledge
        raise Http404
    pledge = (
        Pledge.objects.public()
        .select_related("entity", "entity__headquarters_country", "event")
        .prefetch_related(
            Prefetch("action_areas", queryset=ActionArea.objects.order_by("position")),
            Prefetch("pillars", queryset=Pillar.objects.select_related("action_area")),
            "regions",
            Prefetch(
                "countries",
                queryset=Country.objects.select_related("region").prefetch_related(
                    "group_memberships"
                ),
            ),
            "beneficiary_groups",
            "sdgs",
            Prefetch("co_pledgers",
                     queryset=Entity.objects.approved().order_by(Collated("name"), "pk")),
            "targets",
        )
        .filter(pk=pledge_id)
        .first()
    )
    if pledge is None:
        raise Http404
    return pledge


@dataclass
class Revision:
    date: datetime.date
    reason: str
    changes: list


def pledge_revisions_public(pledge: Pledge) -> list[Revision]:
    """The approved amendments of a public pledge, oldest first, with their changes as text:
    the same queries for one revision or a hundred (pledges.pledge_changes.revision_changes)."""
    revisions = list(PledgeRevision.objects.filter(pledge=pledge).order_by("approved_at", "pk"))
    texts = revision_changes(revisions)
    return [Revision(timezone.localdate(revision.approved_at), revision.reason,
                     texts[revision.pk]) for revision in revisions]


def revision_list_public() -> QuerySet[PledgeRevision]:
    """Every revision of a public pledge (open data), in the order they took effect."""
    return (PledgeRevision.objects.filter(pledge__in=Pledge.objects.public())
            .select_related("pledge").order_by("approved_at", "pk"))


@dataclass
class EntityPledges:
    items: list
    total: int
    list_url_query: str


def entity_pledges_public(entity, limit: int = 20) -> EntityPledges:
    """The entity's public pledges, as pledging entity or co-pledger, newest first."""
    entity_filter = filters.PledgeFilters(entity=entity.pk)
    matching = entity_filter.apply(Pledge.objects.public())
    items = list(
        _card_queryset(matching).order_by(*entity_filter.ordering())[: limit]
    )
    total = len(items) if len(items) < limit else matching.count()
    return EntityPledges(items=items, total=total, list_url_query=entity_filter.query_string())


def entity_name_public(entity_id: int) -> str | None:
    """The name of an approved entity, for the "pledges of …" filter; None for any other."""
    return Entity.objects.approved().filter(pk=entity_id).values_list("name", flat=True).first()


def country_get_public(iso3: str) -> Country:
    country = (
        Country.objects.select_related("region")
        .prefetch_related("group_memberships")
        .filter(iso3=(iso3 or "").upper())
        .first()
        if len(iso3 or "") == 3
        else None
    )
    if country is None:
        raise Http404
    return country


def event_get_public(slug: str) -> Event:
    event = Event.objects.filter(slug=slug).first() if len(slug) <= 60 else None
    if event is None:
        raise Http404
    return event
