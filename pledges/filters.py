"""The public pledge list: its query-string state, the facets and how they filter and count.

Everything a visitor can choose lives in the query string, so every view of the list is a
shareable URL. Values are checked against the reference data: an unknown value is dropped (the
page shows what remains), never passed to the database as is.

Facets are disjunctive: values of one facet are OR-ed (Access or Adoption), facets are AND-ed,
and the counts shown next to a facet's values are computed with every *other* facet applied, so
that ticking a second value shows how many pledges it would add.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from action_areas.models import Campaign, Country, CountryGroup, CountryGroupMembership, Region
from members.models import Entity, StakeholderGroup
from p2c_portal.locale_formats import Collated
from p2c_portal.query_params import ascii_int, clean_text, database_id, page_number

from .models import CampaignTag, Pledge, PledgeType
from .text_search import search_condition, search_document  # noqa: F401 (the list's search)

PAGE_SIZE = 20
MAX_PAGE = 5000  # beyond 100,000 rows in: an empty page without asking the database
MAX_SEARCH_LENGTH = 200
MAX_VALUES_PER_FACET = 50
GLOBAL_REGION = "global"  # pseudo-region of the region facet: pledges marked global

SORTS = {
    "newest": _("Newest first"),
    "usd": _("Largest USD amount first"),
    "title": _("Title (A to Z)"),
}
DEFAULT_SORT = "newest"


@dataclass(frozen=True)
class FacetSpec:
    name: str  # the query-string parameter
    label: str
    widget: str = "checkbox"  # or "select" for long lists (countries, events, years)


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("type", _("Type of pledge")),
    FacetSpec("area", _("Action area")),
    FacetSpec("pillar", _("Pillar")),
    FacetSpec("stakeholder", _("Stakeholder group")),
    FacetSpec("region", _("Region")),
    FacetSpec("country", _("Country"), "select"),
    FacetSpec("targeting", _("Targets LDCs, LLDCs or SIDS")),
    FacetSpec("beneficiary", _("Beneficiary group")),
    FacetSpec("sdg", _("Sustainable Development Goal")),
    FacetSpec("event", _("Announced at"), "select"),
    FacetSpec("year", _("Year published"), "select"),
    FacetSpec("joint", _("Joint pledges")),
    FacetSpec("campaign", pgettext_lazy("a pledging campaign", "Campaign")),
)
JOINT = "yes"  # the joint facet's one value: pledges with at least one accepted partner
FACET_NAMES = tuple(spec.name for spec in FACETS)
# Facets whose codes are capitals (ISO3 countries; LDC, LLDC, SIDS): an address typed or
# lower-cased by hand ("targeting=ldc") means the same list.
CAPITALISED_FACETS = frozenset({"country", "targeting"})


def facet_value(name: str, raw: str) -> str:
    """One value of a facet as the list compares it with the known ones."""
    value = clean_text(raw, 60)
    return value.upper() if name in CAPITALISED_FACETS else value




def entity_pledge_ids(entity_id: int) -> list[int]:
    """The pledges an entity makes or co-pledges, whatever their status, in one indexed query.
    A list, not a subquery: the database then reads those rows, rather than every public
    pledge in date order until it has found enough of them."""
    own = Pledge.objects.filter(entity_id=entity_id).order_by().values_list("pk", flat=True)
    shared = (
        _through("co_pledgers").objects.filter(entity_id=entity_id)
        .order_by().values_list("pledge_id", flat=True)
    )
    return list(own.union(shared))


def _through(name: str):
    return Pledge._meta.get_field(name).remote_field.through


def _target(name: str) -> str:
    """The through table's column naming the other side, e.g. "actionarea" for action_areas."""
    return Pledge._meta.get_field(name).m2m_reverse_field_name()


def _m2m_filter(name: str, key: str, values) -> Q:
    through = _through(name)
    return Q(pk__in=through.objects.filter(**{f"{_target(name)}__{key}__in": values})
             .values("pledge_id"))


def _group_memberships_today():
    return CountryGroupMembership.objects.valid_on(timezone.localdate())


def _region_filter(values) -> Q:
    codes = [v for v in values if v != GLOBAL_REGION]
    condition = Q(pk__in=[])
    if codes:
        condition |= _m2m_filter("regions", "code", codes)
        condition |= _m2m_filter("countries", "region__code", codes)
    if GLOBAL_REGION in values:
        condition |= Q(is_global=True)
    return condition


def _joint_partners():
    """The accepted partners that appear publicly (Pledge.co_pledgers holds accepted partners
    only; a suspended or unapproved entity is not shown)."""
    return _through("co_pledgers").objects.filter(entity__status=Entity.Status.APPROVED)


def _targeting_filter(values) -> Q:
    countries = _group_memberships_today().filter(group__in=values).values("country_id")
    return Q(pk__in=_through("countries").objects.filter(country_id__in=countries)
             .values("pledge_id"))


def _campaign_tags():
    """The tags that put a pledge in a campaign on the list: confirmed by the secretariat, in an
    active campaign (an inactive campaign is shown nowhere)."""
    return CampaignTag.objects.confirmed().filter(campaign__is_active=True)


FILTERS: dict[str, Callable[[list], Q]] = {
    "type": lambda values: Q(pledge_type__in=values),
    "area": lambda values: _m2m_filter("action_areas", "code", values),
    "pillar": lambda values: _m2m_filter("pillars", "code", values),
    "stakeholder": lambda values: Q(entity__stakeholder_group__in=values),
    "region": _region_filter,
    "country": lambda values: _m2m_filter("countries", "iso3", values),
    "targeting": _targeting_filter,
    "beneficiary": lambda values: _m2m_filter("beneficiary_groups", "code", values),
    "sdg": lambda values: _m2m_filter("sdgs", "number", [int(v) for v in values]),
    "event": lambda values: Q(event__slug__in=values),
    "year": lambda values: Q(published_at__year__in=[int(v) for v in values]),
    "joint": lambda values: Q(pk__in=_joint_partners().values("pledge_id")),
    "campaign": lambda values: Q(pk__in=_campaign_tags().filter(campaign__slug__in=values)
                                 .values("pledge_id")),
}

def fixed_options() -> dict[str, list[tuple[str, str]]]:
    """The facets whose values are choices in the code, not rows in the database."""
    return {
        "type": [(v, str(label)) for v, label in PledgeType.choices],
        "stakeholder": [(v, str(label)) for v, label in StakeholderGroup.choices],
        "targeting": [(v, str(label)) for v, label in CountryGroup.choices],
        "joint": [(JOINT, str(_("With partners (joint pledges)")))],
    }


def valid_year(value: str) -> bool:
    return ascii_int(value, minimum=2000, maximum=2100) is not None


@dataclass
class PledgeFilters:
    """What the visitor chose, already validated."""

    values: dict[str, list[str]] = field(default_factory=dict)
    q: str = ""
    entity: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    # The parameters whose value was dropped as unknown: the list shows what remains, the API
    # refuses the request naming them (api.views), from this one validation.
    rejected: list[str] = field(default_factory=list, repr=False, compare=False)
    _search: Q | None = field(default=None, init=False, repr=False, compare=False)
    _entity_pledges: list[int] | None = field(default=None, init=False, repr=False,
                                              compare=False)

    @classmethod
    def from_query(cls, query, options: dict[str, list[tuple[str, str]]]) -> PledgeFilters:
        """`query` is request.GET; `options` maps each facet to its known (value, label)s."""
        values = {}
        rejected = []
        for name in FACET_NAMES:
            known = {value for value, _label in options.get(name, ())}
            chosen = []
            raw_values = query.getlist(name)
            if len(raw_values) > MAX_VALUES_PER_FACET:
                rejected.append(name)
            for raw in raw_values[:MAX_VALUES_PER_FACET]:
                value = facet_value(name, raw)
                ok = valid_year(value) if name == "year" else value in known
                if ok and value not in chosen:
                    chosen.append(value)
                elif not ok and name not in rejected:
                    rejected.append(name)
            if chosen:
                values[name] = chosen
        sort = query.get("sort", "")
        if sort and sort not in SORTS:
            rejected.append("sort")
        entity = database_id(query.get("entity"))
        if query.get("entity") and entity is None:
            rejected.append("entity")
        return cls(
            values=values,
            q=clean_text(query.get("q", ""), MAX_SEARCH_LENGTH),
            entity=entity,
            sort=sort if sort in SORTS else DEFAULT_SORT,
            page=page_number(query.get("page"), last=MAX_PAGE + 1),
            rejected=rejected,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.values or self.q or self.entity)

    def apply(self, queryset: QuerySet, *, skip: str | None = None) -> QuerySet:
        if self.q:
            if self._search is None:  # looks entity names up once, however often applied
                self._search = search_condition(self.q)
            queryset = queryset.filter(self._search)
        if self.entity:
            if self._entity_pledges is None:
                self._entity_pledges = entity_pledge_ids(self.entity)
            queryset = queryset.filter(pk__in=self._entity_pledges)
        for name, values in self.values.items():
            if name != skip:
                queryset = queryset.filter(FILTERS[name](values))
        return queryset

    def ordering(self) -> list:
        newest = [F("published_at").desc(nulls_last=True), F("pk").desc()]
        if self.sort == "usd":
            return [F("usd_amount").desc(nulls_last=True), *newest]
        if self.sort == "title":
            # Titles are written in every language: Unicode's root order, accents and case
            # after the letters, read in order from the index pledge_public_title (migration 0013).
            return [Collated("title", root=True), "pk"]
        return newest

    def params(self, *, page: int | None = None, include_sort: bool = True) -> list:
        """The canonical query-string pairs of this state."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in FACET_NAMES:
            pairs.extend((name, value) for value in self.values.get(name, ()))
        if self.entity:
            pairs.append(("entity", str(self.entity)))
        if include_sort and self.sort != DEFAULT_SORT:
            pairs.append(("sort", self.sort))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return pairs

    def query_string(self, **kwargs) -> str:
        return urlencode(self.params(**kwargs))

    def cache_key(self) -> str:
        """What the facets and the total depend on: neither the page nor the sort."""
        return urlencode(self.params(include_sort=False)) + f"|{timezone.localdate()}"

    def without(self, name: str, value: str | None = None) -> PledgeFilters:
        """The same state with one value (or a whole facet, or the search) removed."""
        values = {k: list(v) for k, v in self.values.items()}
        q, entity = self.q, self.entity
        if name == "q":
            q = ""
        elif name == "entity":
            entity = None
        elif value is None:
            values.pop(name, None)
        else:
            values[name] = [v for v in values.get(name, []) if v != value]
            if not values[name]:
                del values[name]
        return PledgeFilters(values=values, q=q, entity=entity, sort=self.sort)


# --- Counting: every facet, and the total, in one query --------------------------------------
#
# A facet's counts are taken over the pledges matching every *other* facet: the same set for
# every facet nobody chose ("b0", which also gives the total), one set more per chosen facet.
# Each set is a common table expression read once (PostgreSQL materialises a CTE used more than
# once), carrying the per-pledge values of the single-valued facets; the many-to-many facets join
# it to their through tables. One statement of UNION ALL parts, however many facets and choices:
# one round trip and one scan of each table, instead of a query per facet re-running the filters.

_BASE_COLUMNS = ("b_id", "b_type", "b_stakeholder", "b_event", "b_year", "b_global")
_M2M_FACETS = {  # facet -> (pledge field, column of the other table counted by)
    "area": ("action_areas", "code"),
    "pillar": ("pillars", "code"),
    "country": ("countries", "iso3"),
    "beneficiary": ("beneficiary_groups", "code"),
    "sdg": ("sdgs", "number"),
}


def _base_sql(queryset: QuerySet) -> tuple[str, tuple]:
    """The matching pledges with the values of the single-valued facets, as SQL."""

    def rows(queryset):
        return queryset.order_by().values(
            b_id=F("pk"),
            b_type=F("pledge_type"),
            b_stakeholder=F("entity__stakeholder_group"),
            b_event=F("event__slug"),
            b_year=ExtractYear("published_at"),  # in the current time zone, like the filter
            b_global=F("is_global"),
        ).query.sql_with_params()

    try:
        return rows(queryset)
    except EmptyResultSet:  # e.g. an entity with no pledge: an empty set, as SQL
        return rows(Pledge.objects.filter(pk__lt=0))


def _table(model_or_name) -> str:
    meta = model_or_name._meta if hasattr(model_or_name, "_meta") else model_or_name
    return connection.ops.quote_name(meta.db_table)


def _facet_parts(name: str, base: str) -> list[str]:
    """SELECT facet, value, n over the pledges of CTE `base`, as UNION ALL parts."""
    quote = connection.ops.quote_name
    single = {"type": "b_type", "stakeholder": "b_stakeholder", "event": "b_event",
              "year": "b_year"}
    if name in single:
        column = single[name]
        return [f"SELECT '{name}', CAST({column} AS TEXT), COUNT(*) FROM {base} "  # noqa: S608
                f"WHERE {column} IS NOT NULL GROUP BY {column}"]
    if name in _M2M_FACETS:
        field_name, key = _M2M_FACETS[name]
        through = _through(field_name)
        other = Pledge._meta.get_field(field_name).related_model
        target = through._meta.get_field(_target(field_name)).column
        return [f"SELECT '{name}', CAST(o.{quote(key)} AS TEXT), COUNT(*) "  # noqa: S608
                f"FROM {_table(through)} t JOIN {base} ON {base}.b_id = t.pledge_id "
                f"JOIN {_table(other)} o ON o.id = t.{quote(target)} GROUP BY o.{quote(key)}"]
    countries = _table(_through("countries"))
    if name == "region":  # the region named, or one of its countries: each pledge once
        return [
            f"SELECT 'region', r.code, COUNT(*) FROM (SELECT DISTINCT pledge_id, region_id FROM ("  # noqa: S608
            f"SELECT pr.pledge_id, pr.region_id FROM {_table(_through('regions'))} pr "
            f"JOIN {base} ON {base}.b_id = pr.pledge_id "
            f"UNION ALL SELECT pc.pledge_id, c.region_id FROM {countries} pc "
            f"JOIN {base} ON {base}.b_id = pc.pledge_id "
            f"JOIN {_table(Country)} c ON c.id = pc.country_id"
            f") links) pairs JOIN {_table(Region)} r ON r.id = pairs.region_id GROUP BY r.code",
            f"SELECT 'region', '{GLOBAL_REGION}', COUNT(*) FROM {base} WHERE b_global",  # noqa: S608
        ]
    if name == "targeting":  # a country of the group (on today's date): each pledge once
        return [f"SELECT 'targeting', grp, COUNT(*) FROM (SELECT DISTINCT pc.pledge_id, g.grp "  # noqa: S608
                f"FROM {countries} pc JOIN {base} ON {base}.b_id = pc.pledge_id "
                f"JOIN groups_today g ON g.country_id = pc.country_id) pairs GROUP BY grp"]
    if name == "joint":  # at least one accepted, approved partner: each pledge once
        partners = _table(_through("co_pledgers"))
        entities = _table(Entity)
        approved = Entity.Status.APPROVED.value  # a constant of the code, never input
        return [f"SELECT 'joint', '{JOINT}', COUNT(*) FROM {base} WHERE EXISTS ("  # noqa: S608
                f"SELECT 1 FROM {partners} cp JOIN {entities} e ON e.id = cp.entity_id "
                f"WHERE cp.pledge_id = {base}.b_id AND e.status = '{approved}')"]
    if name == "campaign":  # a tag confirmed in an active campaign (one per pledge and campaign)
        confirmed = CampaignTag.Status.CONFIRMED.value  # a constant of the code, never input
        return [f"SELECT 'campaign', c.slug, COUNT(*) FROM {_table(CampaignTag)} t "  # noqa: S608
                f"JOIN {base} ON {base}.b_id = t.pledge_id "
                f"JOIN {_table(Campaign)} c ON c.id = t.campaign_id "
                f"WHERE t.status = '{confirmed}' AND c.is_active GROUP BY c.slug"]
    raise KeyError(name)


def facet_counts(public: QuerySet, filters: PledgeFilters) -> dict:
    """{"total": pledges matching, "counts": {facet: {value: n}}}: each facet's counts with the
    other facets (and the search and entity) applied. One query."""
    bases = {None: "b0"}
    ctes, params = [], []
    for number, skip in enumerate([None, *filters.values], start=0):
        bases[skip] = f"b{number}"
        sql, base_params = _base_sql(filters.apply(public, skip=skip))
        ctes.append(f"b{number} ({', '.join(_BASE_COLUMNS)}) AS ({sql})")
        params.extend(base_params)
    groups_sql, groups_params = (
        _group_memberships_today().order_by().values("country_id", "group").query
        .sql_with_params()
    )
    ctes.append(f"groups_today (country_id, grp) AS ({groups_sql})")
    params.extend(groups_params)
    parts = ["SELECT 'total', '', COUNT(*) FROM b0"]
    for name in FACET_NAMES:
        parts.extend(_facet_parts(name, bases.get(name, "b0")))
    sql = "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL ".join(parts)
    counts: dict[str, dict[str, int]] = {name: {} for name in FACET_NAMES}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, n in cursor.fetchall():
            if facet == "total":
                total = n
            elif n and value not in (None, ""):
                if facet in ("year", "sdg"):  # numbers: 2022, not 2022.0 or Decimal("2022")
                    value = str(int(float(value)))
                counts[facet][str(value)] = n
    return {"total": total, "counts": counts}
