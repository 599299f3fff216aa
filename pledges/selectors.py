"""Reads of the public site: only Pledge.objects.public() (published or completed, past any
embargo) and approved entities. The lists of pledges themselves are read live; what is expensive
to compute (counters, facets, totals) goes through pledges.public_cache. The member area's reads
are in pledges.member_selectors, the review desk's in pledges.desk_selectors."""

import datetime
import functools
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Greatest, JSONObject, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Campaign,
    CoalitionGoal,
    Country,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from action_areas.reference_memo import reference_data, reference_rows, set_loaded
from members.models import Entity
from p2c_portal.locale_formats import collation_key, format_list

from . import facet_bitsets, filters, pledge_references, public_cache
from .models import (
    CampaignTag,
    CoalitionSettings,
    Event,
    Pledge,
    PledgeRevision,
    Target,
)
from .partnership_selectors import accepted_partners_prefetch, entity_roles_prefetch
from .pledge_changes import revision_changes
from .rates import awaiting_rate, usd_committed


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
        options["campaign"] = [(c.slug, c.name) for c in Campaign.objects.public()]
        return options

    return public_cache.cached(f"options|{_language()}", compute)


def pledge_filters_from_query(query) -> filters.PledgeFilters:
    return filters.PledgeFilters.from_query(query, pledge_filter_options())


def pledge_filters_in_words(pledge_filters: filters.PledgeFilters) -> str:
    """The filters as a reader names them, in the active language: "Type of pledge: Financial ·
    Region: Africa or Europe" ("" when nothing is filtered); values of one facet are
    alternatives, facets add up."""
    options = pledge_filter_options()
    labels = {spec.name: spec.label for spec in filters.FACETS}
    between = pgettext("between a label and its value", ": ")
    parts = []
    if pledge_filters.q:
        parts.append("{}{}“{}”".format(_("Search"), between, pledge_filters.q))
    if pledge_filters.entity:
        name = entity_name_public(pledge_filters.entity) or _("One entity")
        parts.append("{}{}{}".format(_("Entity"), between, name))
    for name, values in pledge_filters.values.items():
        known = dict(options.get(name, []))
        words = format_list([known.get(value, value) for value in values], alternatives=True)
        parts.append(f"{labels[name]}{between}{words}")
    return " · ".join(parts)


def _card_queryset(queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """What a pledge in a list shows: its entity, type, action areas, where it acts (the last
    three from the reference memo: one query for the page's pledges)."""
    return queryset.select_related("entity", "event").then(pledge_references.attach_references)


# What a card shows of each linked row (action_areas.models.TranslatedNameMixin names them), in
# the order the card lists them: pledge field -> (key, ordering).
_CARD_LINKS = {
    "action_areas": ("code", ("position", "code")),
    "countries": ("iso3", ("name_en",)),
    "regions": ("code", ("position", "code")),
}


# What a card shows of the pledge itself (templatetags.pledges_public.pledge_card):
# not the description, nor the JSON of a draft's unsaved input, which the database would send
# and Python decode for nothing.
_CARD_FIELDS = ("pledge_type", "reference", "status", "title", "summary", "language",
                "translations", "is_global", "usd_amount", "contributions_usd", "published_at",
                "entity__name")


def _card_links(field_name: str) -> ArraySubquery:
    """PostgreSQL: a pledge's linked rows of `field_name` as an array of small JSON objects,
    in the statement that reads the pledge."""
    field = Pledge._meta.get_field(field_name)
    through = field.remote_field.through
    target = field.m2m_reverse_field_name()
    key, ordering = _CARD_LINKS[field_name]
    return ArraySubquery(
        through.objects.filter(pledge_id=OuterRef("pk"))
        .order_by(*(f"{target}__{column}" for column in ordering))
        .values(row=JSONObject(id=f"{target}_id", key=f"{target}__{key}",
                               name_en=f"{target}__name_en",
                               name_translations=f"{target}__name_translations"))
    )


def _cards(queryset: QuerySet[Pledge]) -> list[Pledge]:
    """The pledges of a page (an ordered, sliced queryset of public pledges), ready for their
    cards. PostgreSQL: in one statement, each pledge with its entity and its areas, countries
    and regions as arrays of JSON objects; the ORM building three prefetches (and a queryset
    per pledge and relation to hold them) took some 10 ms of a distinct list's 45 ms of CPU
    (bench/profile_pages.py). SQLite (`make run`): the prefetches."""
    if connection.vendor != "postgresql":
        return list(_card_queryset(queryset))
    rows = list(queryset.select_related("entity").only(*_CARD_FIELDS).annotate(
        **{f"card_{name}": _card_links(name) for name in _CARD_LINKS}))
    for pledge in rows:
        linked_by_name = pledge.__dict__.setdefault("_prefetched_objects_cache", {})
        for name, (key, _ordering) in _CARD_LINKS.items():
            model = Pledge._meta.get_field(name).related_model
            fields = ("id", "name_en", "name_translations", key)
            # A list where prefetch_related leaves a queryset: `pledge.<name>.all()` returns
            # it (the card only reads it in order) and asks the database nothing more.
            linked_by_name[name] = [
                model.from_db(queryset.db, fields, (row["id"], row["name_en"],
                                             row["name_translations"], row["key"]))
                for row in pledge.__dict__.pop(f"card_{name}")]
    return rows


def _page(queryset: QuerySet[Pledge], number: int, page_size: int) -> PledgePage:
    """One page of an ordered queryset of public pledges (without card relations)."""
    if number > filters.MAX_PAGE:
        return PledgePage(items=[], number=number, has_next=False)
    start = (number - 1) * page_size
    rows = _cards(queryset[start : start + page_size + 1])
    return PledgePage(items=rows[:page_size], number=number, has_next=len(rows) > page_size)


def pledge_list_public(pledge_filters: filters.PledgeFilters) -> QuerySet[Pledge]:
    """The public pledges matching the filters, in the chosen order, ready for list cards."""
    return _card_queryset(
        pledge_filters.apply(Pledge.objects.public()).order_by(*pledge_filters.ordering())
    )


def pledge_changes_public(
    pledge_filters: filters.PledgeFilters, *, changed_since=None
) -> QuerySet[Pledge]:
    """The public pledges matching the filters (the open API), each annotated with
    `changed_at`, in the order of that moment then the key: a stable order in which a consumer
    reads what changed since its last visit. `changed_at` is the later of the last save and the
    end of the embargo, so that a pledge whose embargo ends shows as a change then (the index
    pledge_public_changed reads it in this order). No related rows: the API reads them for a
    page at a time (api.documents, with co_pledgers_of_pledges and
    partnership_selectors.accepted_partners_of_pledges)."""
    pledges = (
        pledge_filters.apply(Pledge.objects.public())
        .annotate(changed_at=Pledge.public_change_moment())
        .order_by("changed_at", "pk")
    )
    if changed_since is not None:
        # A pledge also changes for the public when its entity does: renamed, or reinstated
        # after a suspension (its pledges public again, unchanged since long before).
        pledges = pledges.filter(
            Q(changed_at__gte=changed_since)
            | Q(entity__in=Entity.objects.filter(updated_at__gte=changed_since).values("pk")))
    return pledges


def co_pledgers_of_pledges(pledge_ids) -> dict[int, list[dict]]:
    """{pledge id: [{"id", "name"}]}: the co-pledgers of these pledges as the pledge page shows
    them (approved entities only), by key, in one query for any number of pledges."""
    co_pledgers: dict[int, list[dict]] = {}
    for link in (Pledge.co_pledgers.through.objects
                 .filter(pledge_id__in=list(pledge_ids), entity__status=Entity.Status.APPROVED)
                 .order_by("entity_id").values("pledge_id", "entity_id", "entity__name")):
        co_pledgers.setdefault(link["pledge_id"], []).append(
            {"id": link["entity_id"], "name": link["entity__name"]})
    return co_pledgers


def pledge_removals_public(*, removed_since=None) -> QuerySet[Pledge]:
    """The pledges the public saw once and sees no more (withdrawn after publication, of an
    entity now suspended…), each with `removed_at`, in the order of that moment then the key:
    what a consumer syncing the public pledges deletes. "Saw once": published, past any embargo
    (a pledge still under embargo was never public). The moment is the pledge's last save, or
    its entity's if the entity's suspension hides it. Only ids and moments leave this: nothing
    of a pledge that is not public."""
    now = timezone.now()
    # Each condition reads an index (the partial index pledge_removed; the entity's key), so
    # that only the few removed pledges are read and sorted, not the public ones.
    suspended = list(Entity.objects.filter(status=Entity.Status.SUSPENDED)
                     .values_list("pk", flat=True))
    removals = (
        Pledge.objects.filter(published_at__isnull=False)
        .filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
        .filter(~Q(status__in=["published", "completed"]) | Q(entity_id__in=suspended))
        .annotate(removed_at=Greatest(
            F("updated_at"),
            Case(When(entity__status=Entity.Status.SUSPENDED, then=F("entity__updated_at")),
                 default=F("updated_at")),
        ))
        .order_by("removed_at", "pk")
    )
    if removed_since is not None:
        removals = removals.filter(removed_at__gte=removed_since)
    return removals


# A page read in the list's order from its index finds its rows within this many public pledges
# (rows before it / share of pledges matching): beyond, the matching pledges are named instead.
INDEX_WALK_LIMIT = 4000
NAMED_PLEDGES_LIMIT = 20000  # at most, named to the database by id (then it walks the index)


def pledge_facets_and_page_public(pledge_filters: filters.PledgeFilters
                                  ) -> tuple[dict, PledgePage]:
    """The list's facet counts and its page (pledge_facets_public, pledge_page_public) from one
    reading of the facet bitsets: each reading asks the database for the public fingerprint
    and the cache for the bitsets' token."""
    bitsets = facet_bitsets.current() if facet_bitsets.available() else None
    return (pledge_facets_public(pledge_filters, bitsets=bitsets),
            pledge_page_public(pledge_filters, bitsets=bitsets))


def pledge_page_public(
    pledge_filters: filters.PledgeFilters, page_size: int = filters.PAGE_SIZE, *,
    bitsets: facet_bitsets.FacetBitsets | None = None,
) -> PledgePage:
    """One page of the list. PostgreSQL reads it in the list's order from an index, checking each
    row against the filters: quick when many pledges match, but a few matching ones (a narrow
    filter, a rare word) deep in the list made it check tens of thousands of rows (0.3–7 s at
    100,000 pledges). The facet bitsets know which pledges match and keep the list's orders:
    the page is found there and only its rows are read. Bitsets without an order (stored by an
    older version): a page that PostgreSQL would find far down its index is read from the
    pledges named by id."""
    public = Pledge.objects.public()
    if (pledge_filters.is_filtered and pledge_filters.page <= filters.MAX_PAGE
            and facet_bitsets.available()):
        bitsets = bitsets or facet_bitsets.current()
        matching = bitsets.matching(pledge_filters, _narrowed(bitsets, pledge_filters))
        found = matching.bit_count()
        offset = (pledge_filters.page - 1) * page_size
        if not found:
            return PledgePage(items=[], number=pledge_filters.page, has_next=False)
        ids = bitsets.page_ids(matching, pledge_filters.sort, offset, page_size + 1)
        if ids is not None:  # the order is kept with the bitsets: the page's rows by id
            by_id = {pledge.pk: pledge for pledge in _cards(public.filter(pk__in=ids))}
            rows = [by_id[pk] for pk in ids if pk in by_id]
            return PledgePage(items=rows[:page_size], number=pledge_filters.page,
                              has_next=len(ids) > page_size)
        if ((offset + page_size + 1) * len(bitsets.ids) / found > INDEX_WALK_LIMIT
                and found <= NAMED_PLEDGES_LIMIT):
            named = public.filter(pk__in=bitsets.ids_of(matching))
            return _page(named.order_by(*pledge_filters.ordering()), pledge_filters.page,
                         page_size)
    # Only here is the search written as SQL (and entity names matched): the bitsets' paths
    # above have the matching pledges already.
    queryset = pledge_filters.apply(public).order_by(*pledge_filters.ordering())
    return _page(queryset, pledge_filters.page, page_size)


def pledge_positions_public(pledge_filters: filters.PledgeFilters
                           ) -> tuple[tuple, list[int], list[int]] | None:
    """The public pledges matching the filters as their positions in the public set (ranks by
    id, ascending), with the fingerprint of that set and its ids by position: what a filtered
    download cuts from the pre-built files (pledges.open_data_files). None without the facet
    bitsets (SQLite), and while another request builds those of a change just made (the
    previous ones are given meanwhile: a download cut with them would hold a pledge withdrawn
    a moment ago; the database writes it then)."""
    if not facet_bitsets.available():
        return None
    bitsets = facet_bitsets.current()
    if bitsets.fingerprint != public_cache.public_fingerprint():
        return None
    matching = bitsets.matching(pledge_filters, _narrowed(bitsets, pledge_filters))
    return bitsets.fingerprint, bitsets.positions(matching), bitsets.ids


def pledge_facets_public(pledge_filters: filters.PledgeFilters, *,
                         bitsets: facet_bitsets.FacetBitsets | None = None) -> dict:
    """{"total": pledges matching, "counts": {facet: {value: n}}}, counted on the public
    pledges' facet bitsets (pledges.facet_bitsets: milliseconds, kept until a public pledge
    changes); a search or an entity first reads which pledges they match, in one query."""
    if not facet_bitsets.available():  # SQLite (`make run`): the grouped query
        with _counting():
            return filters.facet_counts(Pledge.objects.public(), pledge_filters)
    bitsets = bitsets or facet_bitsets.current()
    return bitsets.counts(pledge_filters, _narrowed(bitsets, pledge_filters))


def _narrowed(bitsets: facet_bitsets.FacetBitsets, pledge_filters: filters.PledgeFilters) -> int:
    """The public pledges matching the search and the entity (all when there are neither); read
    once per request (the facets and the page both need it)."""
    if not (pledge_filters.q or pledge_filters.entity):
        return bitsets.everything
    kept = getattr(pledge_filters, "_narrowed_bits", None)
    if kept is not None and kept[0] == bitsets.token:
        return kept[1]
    # Kept with this state of the public pledges (the token of their bitsets): the same words
    # come back with other filters and pages.
    key = (f"pledges:narrowed:{bitsets.token}:"
           + hashlib.sha256(f"{pledge_filters.q}|{pledge_filters.entity}".encode()).hexdigest())
    stored = cache.get(key)
    if stored is not None:
        bits = int.from_bytes(stored, "little")
    else:
        bits = _narrowed_bits(bitsets, pledge_filters)
        # As bytes: the cache would write a Python int out in decimal digits.
        cache.set(key, bits.to_bytes((bits.bit_length() + 7) // 8, "little"),
                  public_cache.PUBLIC_CACHE_LONGEST)
    pledge_filters._narrowed_bits = (bitsets.token, bits)
    return bits


def _narrowed_bits(bitsets: facet_bitsets.FacetBitsets,
                   pledge_filters: filters.PledgeFilters) -> int:
    narrowing = filters.PledgeFilters(q=pledge_filters.q, entity=pledge_filters.entity)
    # Every pledge matching, public or not (the bitsets keep the public ones): the search alone
    # is read from its GIN index, without checking each row's status and embargo (EXPLAIN
    # ANALYZE "women" at 100,000 pledges: 1.6 s through the public pledges' index, BENCHMARKS.md).
    matching = narrowing.apply(Pledge.objects.all()).order_by().values_list("pk", flat=True)
    if connection.vendor != "postgresql":
        return bitsets.positions_of(list(matching))
    # As one array: a frequent word's 60,000 ids as one value instead of 60,000 rows for the
    # driver to make tuples of.
    try:
        sql, params = matching.query.sql_with_params()
    except EmptyResultSet:  # nothing can match (an entity without pledges)
        return 0
    with _search_from_its_index(), connection.cursor() as cursor:
        cursor.execute(f"SELECT ARRAY({sql})", params)
        return bitsets.positions_of(cursor.fetchone()[0])


@contextmanager
def _search_from_its_index():
    """A frequent word ("women": 64,594 of 100,000 pledges) made PostgreSQL read every row and
    its stored document (2.0 s); from the GIN index, which needs no document, 0.5–0.75 s."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true), "
                       "set_config('work_mem', '32MB', true)")
        yield


def pledge_totals_public(pledge_filters: filters.PledgeFilters) -> dict:
    """Number of pledges and USD committed by the financial ones, for a country or an event:
    on PostgreSQL summed from the facet bitsets' per-pledge values (an aggregate over a
    country's pledges took 12–18 ms of a distinct country page at 100,000 pledges)."""
    if facet_bitsets.available():
        bitsets = facet_bitsets.current()
        return bitsets.totals(bitsets.matching(pledge_filters,
                                               _narrowed(bitsets, pledge_filters)))

    def compute():
        matching = pledge_filters.apply(Pledge.objects.public())
        return matching.aggregate(
            pledges=Count("pk"),
            usd=usd_committed(),
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
    # By type and stakeholder group of the pledging entity in one scan; each breakdown is a sum
    # of its cells. Global pledges are counted on the way (the map shows them apart).
    by_type, by_stakeholder, global_pledges = {}, {}, 0
    for row in (public.order_by().values("pledge_type", "entity__stakeholder_group")
                .annotate(n=Count("pk"), usd=usd_committed(),
                          awaiting=Count("pk", filter=awaiting_rate()),
                          global_n=Count("pk", filter=Q(is_global=True)))):
        cell = by_type.setdefault(row["pledge_type"],
                                  {"pledges": 0, "usd": None, "awaiting_rate": 0})
        cell["pledges"] += row["n"]
        cell["awaiting_rate"] += row["awaiting"]
        if row["usd"] is not None:
            cell["usd"] = (cell["usd"] or Decimal(0)) + row["usd"]
        group = by_stakeholder.setdefault(row["entity__stakeholder_group"],
                                          {"pledges": 0, "usd": Decimal(0)})
        group["pledges"] += row["n"]
        group["usd"] += row["usd"] or Decimal(0)
        global_pledges += row["global_n"]
    # From the public pledges (their columns in one index) to their areas: half the time of
    # going from the links to the pledges.
    by_area = {
        row["action_areas__code"]: {"pledges": row["n"], "usd": row["usd"],
                                    "awaiting_rate": row["awaiting"]}
        for row in public.filter(action_areas__isnull=False).order_by()
        .values("action_areas__code")
        .annotate(n=Count("pk"), usd=usd_committed(),
                  awaiting=Count("pk", filter=awaiting_rate()))
    }
    return {
        **_map_and_chart_figures(public),
        "by_stakeholder": by_stakeholder,
        "global": global_pledges,
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


def _map_and_chart_figures(public: QuerySet[Pledge]) -> dict:
    """What the home page's map and timeline show, in four grouped queries (none per country):
    - by_country: iso3 -> {iso2, name_en, name_translations, pledges, usd}; a pledge counts in
      every country it names (as on the country's page);
    - regional: region code -> {name_en, name_translations, pledges} of the pledges naming a
      whole region (shown apart from the countries, like the global ones);
    - by_month: [(first day of the month, pledges, usd)] by month of publication, oldest first,
      and events: [(start date, name_en, name_translations)] to mark on that timeline."""
    financial_usd = usd_committed(usd="pledge__usd_amount", pledge_type="pledge__pledge_type",
                                  contributions="pledge__contributions_usd")
    by_country = {
        row["country__iso3"]: {
            "iso2": row["country__iso2"], "name_en": row["country__name_en"],
            "name_translations": row["country__name_translations"],
            "pledges": row["n"], "usd": row["usd"] or Decimal(0),
        }
        for row in Pledge.countries.through.objects.filter(pledge__in=public).order_by()
        .values("country__iso3", "country__iso2", "country__name_en",
                "country__name_translations")
        .annotate(n=Count("pledge_id"), usd=financial_usd)
    }
    regional = {
        row["region__code"]: {"name_en": row["region__name_en"],
                              "name_translations": row["region__name_translations"],
                              "position": row["region__position"], "pledges": row["n"]}
        for row in Pledge.regions.through.objects.filter(pledge__in=public).order_by()
        .values("region__code", "region__name_en", "region__name_translations",
                "region__position")
        .annotate(n=Count("pledge_id"))
    }
    by_month = []
    for row in (public.filter(published_at__isnull=False).order_by()
                .annotate(month=TruncMonth("published_at")).values("month")
                .annotate(n=Count("pk"), usd=usd_committed())
                .order_by("month")):
        by_month.append((row["month"].date() if hasattr(row["month"], "date") else row["month"],
                         row["n"], row["usd"] or Decimal(0)))
    return {
        "by_country": by_country,
        "regional": regional,
        "by_month": by_month,
        "events": list(Event.objects.order_by("start_date")
                       .values_list("start_date", "name_en", "name_translations")),
    }


def country_iso2_codes() -> dict[str, str]:
    """ISO alpha-3 -> alpha-2 of every country, for the list's map (its facets count by
    alpha-3; the map's outlines are keyed by alpha-2)."""
    return public_cache.cached(
        "country-iso2", lambda: dict(Country.objects.values_list("iso3", "iso2"))
    )


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


@functools.cache
def _page_targets_sql() -> str:
    """A pledge's targets in their order, its id the one parameter: the ORM's statement, written
    once per process (building it was most of the targets' CPU on a distinct pledge page)."""
    sql, _params = (Target.objects.filter(pledge_id=0).order_by("position", "pk")
                    .query.sql_with_params())
    return sql


# What the public page of a pledge never shows, left in the database: the member's unsaved input
# and contact person (private), and the entity's logo (up to a PNG's bytes per page view), its
# description and its application to the coalition (its profile shows those).
_NOT_ON_THE_PUBLIC_PAGE = (
    "unsaved_input", "contact_name", "contact_email",
    "entity__logo_png", "entity__description", "entity__commitment_evidence",
    "entity__commitment_links", "entity__pledge_readiness", "entity__contact_email",
    "entity__leader_name", "entity__leader_title",
)


def pledge_get_public(pledge_id: int) -> Pledge:
    """A public pledge with everything its page shows; 404 for anything not public. Its
    reference rows (areas, pillars, places, groups, SDGs, campaigns, the targets' indicators)
    come from the reference memo (pledges.pledge_references): the pledge, its links and
    targets are three queries; its accepted partners a fourth only when it has any."""
    if not 0 < pledge_id < 2**63:  # beyond any database integer: no such pledge
        raise Http404
    pledge = (Pledge.objects.public().select_related("entity", "event")
              .defer(*_NOT_ON_THE_PUBLIC_PAGE).filter(pk=pledge_id).first())
    if pledge is None:
        raise Http404
    references = pledge_references.attach_references(
        [pledge], pledge_references.PAGE_RELATIONS, pledge_references.PAGE_EXTRAS)
    pledge.references = references
    targets = list(Target.objects.raw(_page_targets_sql(), [pledge.pk]))
    indicator_ids = {target.catalogue_indicator_id for target in targets}
    indicators = {indicator.pk: indicator for indicator in reference_rows(
        references, "indicators", indicator_ids - {None})}
    for target in targets:
        target.pledge = pledge
        if target.catalogue_indicator_id:
            # None when deleted since the links were read: the free text then shows.
            target.catalogue_indicator = indicators.get(target.catalogue_indicator_id)
    set_loaded(pledge, "targets", targets)
    if pledge.has_accepted_partners:
        prefetch_related_objects([pledge], accepted_partners_prefetch())
    else:
        pledge.accepted_partners = []
    return pledge


@dataclass
class Revision:
    date: datetime.date
    reason: str
    changes: list


def pledge_revisions_public(pledge: Pledge) -> list[Revision]:
    """The approved amendments of a public pledge, oldest first, with their changes as text:
    the same queries for one revision or a hundred (pledges.pledge_changes.revision_changes)."""
    if not getattr(pledge, "has_revisions", True):  # pledge_get_public looked: none
        return []
    revisions = list(PledgeRevision.objects.filter(pledge=pledge).order_by("approved_at", "pk"))
    if not revisions:  # most pledges: no need to prepare the related records' names
        return []
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
    items = _cards(matching.order_by(*entity_filter.ordering())[: limit])
    # Its roles in the pledges it takes part in (one query, none when it makes them all).
    prefetch_related_objects([pledge for pledge in items if pledge.entity_id != entity.pk],
                             entity_roles_prefetch(entity))
    total = len(items) if len(items) < limit else matching.count()
    return EntityPledges(items=items, total=total, list_url_query=entity_filter.query_string())


def entity_name_public(entity_id: int) -> str | None:
    """The name of an approved entity, for the "pledges of …" filter; None for any other."""
    return Entity.objects.approved().filter(pk=entity_id).values_list("name", flat=True).first()


def country_get_public(iso3: str) -> Country:
    """A country with its region and dated groupings, from the reference memo."""
    country = (reference_data().country_by_iso3.get((iso3 or "").upper())
               if len(iso3 or "") == 3 else None)
    if country is None:
        raise Http404
    return country


def event_get_public(slug: str) -> Event:
    event = Event.objects.filter(slug=slug).first() if len(slug) <= 60 else None
    if event is None:
        raise Http404
    return event


def pledge_goals_public(pledge: Pledge) -> list[CoalitionGoal]:
    """The coalition goals shown on the Goals page that the pledge counts toward: a target on
    the goal's indicator (for the USD goal: a financial pledge with its USD equivalent), in the
    goal's scope as it stands today. Reads the pledge as pledge_get_public loads it (its
    areas, regions, countries, targets, confirmed campaigns) and the goals from the reference
    memo: no query."""
    indicator_ids = {target.catalogue_indicator_id for target in pledge.targets.all()
                     if target.catalogue_indicator_id}
    # A financial pledge with its USD equivalent, or any pledge with accepted funders.
    financial = pledge.usd_committed is not None
    if not indicator_ids and not financial:
        return []
    today = timezone.localdate()
    countries = list(pledge.countries.all())
    in_scope = {
        CoalitionGoal.Scope.ALL: lambda goal: True,
        CoalitionGoal.Scope.ACTION_AREA: lambda goal: goal.action_area_id in {
            area.pk for area in pledge.action_areas.all()},
        CoalitionGoal.Scope.REGION: lambda goal: goal.region_id in {
            region.pk for region in pledge.regions.all()} | {c.region_id for c in countries},
        CoalitionGoal.Scope.COUNTRY_GROUP: lambda goal: any(
            goal.country_group in country.groups_on(today) for country in countries),
        CoalitionGoal.Scope.CAMPAIGN: lambda goal: goal.campaign_id in (
            _confirmed_campaign_ids(pledge)),
    }
    return [goal for goal in _references(pledge).goals.values()
            if goal.is_shown
            and (goal.indicator_id in indicator_ids
                 or (financial and goal.measure == CoalitionGoal.Measure.USD_COMMITTED))
            and in_scope[goal.scope](goal)]


def pledge_campaigns_public(pledge: Pledge) -> list[Campaign]:
    """The active campaigns the secretariat confirmed the pledge in (its public page names
    them), newest first, from the reference memo (pledge_get_public read the tags)."""
    confirmed = _confirmed_campaign_ids(pledge)
    return [campaign for campaign in _references(pledge).campaigns.values()
            if campaign.is_active and campaign.pk in confirmed]


def _references(pledge: Pledge):
    """The reference data pledge_get_public read with the pledge (else as it is now)."""
    return getattr(pledge, "references", None) or reference_data()


def _confirmed_campaign_ids(pledge: Pledge) -> set[int]:
    """The campaigns the secretariat confirmed the pledge in, as pledge_get_public read them
    (else one query)."""
    confirmed = getattr(pledge, "confirmed_campaign_ids", None)
    if confirmed is None:
        confirmed = set(CampaignTag.objects.confirmed().filter(pledge=pledge)
                        .values_list("campaign_id", flat=True))
    return confirmed


@dataclass(frozen=True)
class CountryPledges:
    country: Country  # the reference memo's: shared, never changed here
    public_pledges: int
    groups_today: list[str]  # codes, in order


@dataclass
class RegionCountries:
    region: Region
    countries: list[CountryPledges]


def pledge_counts_public(facet: str) -> dict[str, int]:
    """How many public pledges each value of a facet has (a country's ISO3, an event's slug):
    the popcounts of the facet bitsets on PostgreSQL (an aggregate over some 200,000 country
    links took most of the countries page at 100,000 pledges), the grouped query elsewhere."""
    if facet_bitsets.available():
        values = facet_bitsets.current().values.get(facet, {})
        return {value: bits.bit_count() for value, bits in values.items()}
    return pledge_facets_public(filters.PledgeFilters())["counts"].get(facet, {})


def country_index_public(today: datetime.date) -> list[RegionCountries]:
    """The countries page: every country named by a public pledge, with how many, grouped by
    ITU-D region (in the regions' order, countries by name as the language sorts them), each
    with its LDC/LLDC/SIDS groupings valid on `today`. The countries from the reference memo,
    the numbers from pledge_counts_public."""
    countries = reference_data().country_by_iso3
    by_region: dict[int, RegionCountries] = {}
    for iso3, count in pledge_counts_public("country").items():
        country = countries.get(iso3)
        if country is None or not count:
            continue
        entry = by_region.setdefault(country.region_id, RegionCountries(country.region, []))
        entry.countries.append(CountryPledges(country, count, country.groups_on(today)))
    for entry in by_region.values():
        entry.countries.sort(key=lambda item: collation_key(item.country.name))
    return sorted(by_region.values(), key=lambda e: (e.region.position, e.region.code))
