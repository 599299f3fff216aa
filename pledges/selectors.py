"""Reads for the pledges app, scoped to who is asking."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from members.permissions import role_in

from . import permissions
from .models import Pledge, PledgeStatusChange

PLEDGE_DETAIL_PREFETCH = (
    "action_areas", "pillars__action_area", "regions", "countries__group_memberships",
    "countries__region", "beneficiary_groups", "sdgs", "co_pledgers", "targets",
)


# --- Member area ------------------------------------------------------------------------------

def pledge_list_for_entity(entity) -> QuerySet[Pledge]:
    """'My pledges': the entity's pledges with what the secretariat last said."""
    return (
        Pledge.objects.for_entity(entity)
        .select_related("entity", "event")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=PledgeStatusChange.objects.select_related("actor"),
            )
        )
        .order_by("-updated_at", "-pk")
    )


def pledge_get_for_member(user, pledge_id: int) -> Pledge:
    """A pledge's private side: its entity's members and the secretariat; anyone else 404."""
    pledge = (
        Pledge.objects.select_related("entity", "entity__headquarters_country", "event",
                                      "created_by")
        .prefetch_related(*PLEDGE_DETAIL_PREFETCH)
        .filter(pk=pledge_id)
        .first()
    )
    if pledge is None or not (
        role_in(user, pledge.entity) is not None or permissions.can_review_pledges(user)
    ):
        raise Http404
    return pledge


def pledge_status_history(pledge: Pledge) -> QuerySet[PledgeStatusChange]:
    return pledge.status_changes.select_related("actor")


# --- Public site ------------------------------------------------------------------------------
# Imports of the public part live here, so that the two parts can be edited independently.
import hashlib  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Exists, F, OuterRef, Q, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import get_language  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from action_areas.models import (  # noqa: E402
    ActionArea,
    BeneficiaryGroup,
    Country,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from members.models import Entity  # noqa: E402

from . import filters  # noqa: E402
from .models import CoalitionSettings, Event, PledgeType  # noqa: E402

# Only Pledge.objects.public() is read below: published or completed, past any embargo.
# The lists of pledges themselves are read live. What is expensive to compute (counters,
# facets, totals) is cached, keyed by language and query string, in one of two ways:
# - _cached: served as is for PUBLIC_CACHE_FRESH seconds, then for at most PUBLIC_CACHE_STALE
#   more while one request recomputes it (the others do not pile onto the database);
# - _cached_until_changed, for what covers every public pledge (the home page's figures, the
#   facets of the unfiltered list: seconds of work at 100,000 pledges): kept until the public
#   pledges change, told by public_fingerprint() (one indexed query), or PUBLIC_CACHE_LONGEST
#   seconds at most. On a change, one request recomputes while the others get the last value.
# With whole pages kept p2c_portal.page_cache.PAGE_CACHE_SECONDS and browsers keeping them
# BROWSER_MAX_AGE seconds, a publication, withdrawal or edit shows within a minute.

PUBLIC_CACHE_FRESH = 20
PUBLIC_CACHE_STALE = 10
PUBLIC_CACHE_WAIT = 10  # at most, for a value another request is computing
PUBLIC_CACHE_LONGEST = 600  # a safety net for changes no save tells (reference data)
PUBLIC_CACHE_VERSION = 3  # bump when the shape of a cached value changes
# Statuses a public pledge is in, or leaves it for: a save into or out of the public set, and
# any edit of a public pledge, moves the latest updated_at among them (auto_now: every save).
_PUBLIC_OR_LEFT = (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED, Pledge.Status.WITHDRAWN)


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


def _wait_for(key: str):
    """The entry that another request is computing (it holds key:refresh), once it is there;
    None if it does not come within PUBLIC_CACHE_WAIT seconds. Identical requests arriving
    together (a shared link, a crawler) then cost one computation, not one each."""
    deadline = time.monotonic() + PUBLIC_CACHE_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(key)
        if entry is not None:
            return entry
    return None


def _cached(key: str, compute):
    """compute() cached briefly; past its freshness, one caller recomputes it while the others
    get the previous value (stale-while-revalidate), so an expiry never stampedes. With no
    previous value, the others wait for the one being computed."""
    key = f"pledges:public:v{PUBLIC_CACHE_VERSION}:" + hashlib.sha256(key.encode()).hexdigest()
    entry = cache.get(key)
    if entry is not None:
        fresh_until, value = entry
        if time.time() < fresh_until:
            return value
        if not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
            return value  # someone else is refreshing it
    elif not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
        entry = _wait_for(key)  # someone else is computing it
        if entry is not None:
            return entry[1]
    try:
        value = compute()
        cache.set(key, (time.time() + PUBLIC_CACHE_FRESH, value),
                  PUBLIC_CACHE_FRESH + PUBLIC_CACHE_STALE)
    finally:
        cache.delete(f"{key}:refresh")
    return value


def public_fingerprint() -> tuple:
    """What the public pledges' counters depend on, read in one query from indexes: the last
    save of a pledge that is or was public (publication, withdrawal, completion, edit), the next
    end of an embargo (it changes when one ends), the last save of an entity (its stakeholder
    group, its approval), and the day (groupings of countries are dated)."""
    pledges = connection.ops.quote_name(Pledge._meta.db_table)
    entities = connection.ops.quote_name(Entity._meta.db_table)
    statuses = ", ".join(["%s"] * len(_PUBLIC_OR_LEFT))
    sql = f"""
        SELECT (SELECT MAX(updated_at) FROM {pledges} WHERE status IN ({statuses})),
               (SELECT MIN(embargo_until) FROM {pledges} WHERE embargo_until > %s),
               (SELECT MAX(updated_at) FROM {entities})
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_PUBLIC_OR_LEFT, timezone.now()])
        row = cursor.fetchone()
    return (*(str(value) for value in row), str(timezone.localdate()))


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


def _cached_until_changed(key: str, compute):
    """compute() kept while public_fingerprint() stays the same (PUBLIC_CACHE_LONGEST seconds
    at most). When it changes, one caller recomputes while the others get the previous value
    for PUBLIC_CACHE_STALE seconds at most."""
    key = f"pledges:public:v{PUBLIC_CACHE_VERSION}:" + hashlib.sha256(key.encode()).hexdigest()
    fingerprint = public_fingerprint()
    entry = cache.get(key)
    if entry is not None:
        seen, fresh_until, value = entry
        if seen == fingerprint and time.time() < fresh_until:
            return value
        if not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
            return value  # someone else is refreshing it
    elif not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
        entry = _wait_for(key)  # someone else is computing it
        if entry is not None:
            return entry[2]
    try:
        value = compute()
        cache.set(key, (fingerprint, time.time() + PUBLIC_CACHE_LONGEST, value),
                  PUBLIC_CACHE_LONGEST + PUBLIC_CACHE_STALE)
    finally:
        cache.delete(f"{key}:refresh")
    return value


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _sort_key(label: str) -> str:
    decomposed = unicodedata.normalize("NFKD", label)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


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
            ((c.iso3, c.name) for c in Country.objects.only("iso3", "name_en", "name_fr")),
            key=lambda pair: _sort_key(pair[1]),
        )
        options["beneficiary"] = [
            (b.code, b.name) for b in BeneficiaryGroup.objects.order_by("position", "code")
        ]
        options["sdg"] = [
            (str(s.number), str(s)) for s in SustainableDevelopmentGoal.objects.order_by("number")
        ]
        options["event"] = [(e.slug, e.name) for e in Event.objects.order_by("-start_date")]
        return options

    return _cached(f"options|{_language()}", compute)


def pledge_filters_from_query(query) -> filters.PledgeFilters:
    return filters.PledgeFilters.from_query(query, pledge_filter_options())


def _card_queryset(queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """What a pledge in a list shows: its entity, type, action areas, where it acts."""
    return queryset.select_related("entity", "event").prefetch_related(
        Prefetch("action_areas", queryset=ActionArea.objects.order_by("position")),
        Prefetch("countries", queryset=Country.objects.only("pk", "iso3", "name_en", "name_fr")),
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
        return _cached(key, compute)
    return _cached_until_changed(key, compute)


def pledge_totals_public(pledge_filters: filters.PledgeFilters) -> dict:
    """Number of pledges and USD committed by the financial ones, for a country or an event."""

    def compute():
        matching = pledge_filters.apply(Pledge.objects.public())
        return matching.aggregate(
            pledges=Count("pk"),
            usd=Sum("usd_amount", filter=Q(pledge_type=PledgeType.FINANCIAL)),
            entities=Count("entity", distinct=True),
        )

    return _cached(f"totals|{pledge_filters.cache_key()}", compute)


def coalition_figures() -> dict:
    """The home page's counters and breakdowns (codes, not labels: the same in every language),
    kept until a public pledge changes; the goal, which the secretariat sets, read each time."""
    figures = dict(_cached_until_changed("figures", _figures))
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
        row["pledge_type"]: {"pledges": row["n"], "usd": row["usd"]}
        for row in public.order_by().values("pledge_type")
        .annotate(n=Count("pk"), usd=Sum("usd_amount", filter=financial))
    }
    # From the public pledges (their columns in one index) to their areas: half the time of
    # going from the links to the pledges.
    by_area = {
        row["action_areas__code"]: {"pledges": row["n"], "usd": row["usd"]}
        for row in public.filter(action_areas__isnull=False).order_by()
        .values("action_areas__code")
        .annotate(n=Count("pk"), usd=Sum("usd_amount", filter=financial))
    }
    return {
        # The totals are the sums of the breakdown by type (one scan fewer).
        "pledges": sum(row["pledges"] for row in by_type.values()),
        "entities": entities,
        "countries": countries,
        "usd": sum((row["usd"] for row in by_type.values() if row["usd"]), Decimal(0)),
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
            Prefetch("co_pledgers", queryset=Entity.objects.approved().order_by("name")),
            "targets",
        )
        .filter(pk=pledge_id)
        .first()
    )
    if pledge is None:
        raise Http404
    return pledge


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
