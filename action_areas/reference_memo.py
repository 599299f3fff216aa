"""The reference data the public pages show (action areas, pillars, regions, countries with their
dated groupings, beneficiary groups, SDGs, indicators, campaigns, coalition goals), read once per
process and reused until it changes.

A distinct pledge page spent most of its CPU building ORM statements for these rows (BENCHMARKS.md,
"Where a distinct page's time goes"); they are a few hundred rows that change a few times a year.
Each reference table has a version (action_areas.models.ReferenceVersion) that database triggers
replace at every write (action_areas.reference_versions), so that the admin, data migrations and
raw SQL all tell the memo. A request reads the versions (one small query, or a few rows of one it
already makes: `versions_sql()`) and reads again only the sections whose tables changed, all in
one REPEATABLE READ snapshot, so that the rows and the versions they are stored with agree.

The rows are shared by every thread of the process: read them, never change or save them. Their
`name` is in the active language (action_areas.models.text_in), as the ORM's rows are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import QuerySet

from .models import (
    ActionArea,
    BeneficiaryGroup,
    Campaign,
    CoalitionGoal,
    Country,
    CountryGroupMembership,
    Indicator,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from .reference_versions import VERSION_TABLE


def versions_sql() -> str:
    """Rows (table name, version): for a query of the caller's to UNION with (piggybacking)."""
    return f"SELECT table_name, version FROM {VERSION_TABLE}"  # noqa: S608 - a model's table


class LoadedRows(QuerySet):
    """Rows given to a relation without a query (set_loaded): iterate, count, index them; any
    new queryset made from them (filter, order_by, all) would be an unfiltered query of the
    whole table, so it is refused: filter them in Python."""

    def _chain(self):
        raise TypeError(f"{self.model.__name__} rows loaded without a query (reference memo): "
                        "filter or order them in Python")


def set_loaded(instance, relation: str, rows: list) -> None:
    """Give `instance.<relation>.all()` these rows, as prefetch_related would, without a query
    (prefetch_related builds a filtered queryset per instance: most of its cost)."""
    model = instance._meta.get_field(relation).related_model
    loaded = LoadedRows(model=model)
    loaded._result_cache = rows
    loaded._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[relation] = loaded


@dataclass
class ReferenceData:
    """One consistent state of the reference data, each section by id."""

    versions: dict[str, int] = field(default_factory=dict)
    areas: dict[int, ActionArea] = field(default_factory=dict)
    pillars: dict[int, Pillar] = field(default_factory=dict)
    regions: dict[int, Region] = field(default_factory=dict)
    countries: dict[int, Country] = field(default_factory=dict)
    beneficiary_groups: dict[int, BeneficiaryGroup] = field(default_factory=dict)
    sdgs: dict[int, SustainableDevelopmentGoal] = field(default_factory=dict)
    indicators: dict[int, Indicator] = field(default_factory=dict)
    campaigns: dict[int, Campaign] = field(default_factory=dict)
    goals: dict[int, CoalitionGoal] = field(default_factory=dict)  # in their order
    country_by_iso3: dict[str, Country] = field(default_factory=dict)

    def pick(self, section: str, ids: Iterable[int]) -> list:
        """The rows of these ids in the section's own order (the models' Meta.ordering).
        Raises KeyError for an id this state does not know (a row written after it was read)."""
        rows = getattr(self, section)
        chosen = {pk: rows[pk] for pk in ids}
        return [row for pk, row in rows.items() if pk in chosen]


def _by_id(rows) -> dict:
    return {row.pk: row for row in rows}


def _load_areas(data: ReferenceData) -> None:
    data.areas = _by_id(ActionArea.objects.order_by("position", "code"))


def _load_pillars(data: ReferenceData) -> None:
    pillars = list(Pillar.objects.order_by("position", "code"))
    for pillar in pillars:
        pillar.action_area = data.areas[pillar.action_area_id]
    pillars.sort(key=lambda pillar: (pillar.action_area.position, pillar.position, pillar.code))
    data.pillars = _by_id(pillars)


def _load_regions(data: ReferenceData) -> None:
    data.regions = _by_id(Region.objects.order_by("position", "code"))


def _load_countries(data: ReferenceData) -> None:
    memberships: dict[int, list] = {}
    for membership in CountryGroupMembership.objects.order_by("group", "valid_from", "pk"):
        memberships.setdefault(membership.country_id, []).append(membership)
    countries = list(Country.objects.order_by("name_en", "pk"))
    for country in countries:
        country.region = data.regions[country.region_id]
        for membership in memberships.get(country.pk, []):
            membership.country = country
        set_loaded(country, "group_memberships", memberships.get(country.pk, []))
    data.countries = _by_id(countries)
    data.country_by_iso3 = {country.iso3: country for country in countries}


def _load_beneficiary_groups(data: ReferenceData) -> None:
    data.beneficiary_groups = _by_id(BeneficiaryGroup.objects.order_by("position", "code"))


def _load_sdgs(data: ReferenceData) -> None:
    data.sdgs = _by_id(SustainableDevelopmentGoal.objects.order_by("number"))


def _load_indicators(data: ReferenceData) -> None:
    data.indicators = _by_id(Indicator.objects.order_by("position", "code"))


def _load_campaigns(data: ReferenceData) -> None:
    data.campaigns = _by_id(Campaign.objects.order_by("-starts_on", "slug"))


def _load_goals(data: ReferenceData) -> None:
    goals = list(CoalitionGoal.objects.order_by("position", "code"))
    for goal in goals:  # what scope_label() and the unit read
        goal.indicator = data.indicators.get(goal.indicator_id) if goal.indicator_id else None
        goal.action_area = data.areas.get(goal.action_area_id) if goal.action_area_id else None
        goal.region = data.regions.get(goal.region_id) if goal.region_id else None
        goal.campaign = data.campaigns.get(goal.campaign_id) if goal.campaign_id else None
    data.goals = _by_id(goals)


def _table(model) -> str:
    return model._meta.db_table


# Each section, the tables whose change makes it read again, in the order they are loaded
# (a section after those it links to).
SECTIONS: list[tuple[Callable[[ReferenceData], None], tuple[str, ...]]] = [
    (_load_areas, (_table(ActionArea),)),
    (_load_pillars, (_table(Pillar), _table(ActionArea))),
    (_load_regions, (_table(Region),)),
    (_load_countries, (_table(Country), _table(Region), _table(CountryGroupMembership))),
    (_load_beneficiary_groups, (_table(BeneficiaryGroup),)),
    (_load_sdgs, (_table(SustainableDevelopmentGoal),)),
    (_load_indicators, (_table(Indicator),)),
    (_load_campaigns, (_table(Campaign),)),
    (_load_goals, (_table(CoalitionGoal), _table(Indicator), _table(ActionArea),
                   _table(Region), _table(Campaign))),
]

_memo: ReferenceData | None = None
_reloading = threading.Lock()


def _read_versions() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(versions_sql())
        return dict(cursor.fetchall())


@contextmanager
def _snapshot():
    """One snapshot for the versions and the rows stored with them: a REPEATABLE READ
    transaction on PostgreSQL. Inside a transaction already (a service, a test), that
    transaction's reads: the versions are read first, so rows newer than them only make the
    next request read them again."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:  # the transaction's first statement
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _reload(*, everything: bool = False) -> ReferenceData:
    global _memo
    with _reloading:
        held = _memo
        with _snapshot():
            versions = _read_versions()
            if held is not None and held.versions == versions and not everything:
                return held  # another thread read them meanwhile
            data = (replace(held, versions=versions) if held is not None
                    else ReferenceData(versions=versions))
            for load, tables in SECTIONS:
                if (everything or held is None
                        or any(held.versions.get(table) != versions.get(table)
                               for table in tables)):
                    load(data)
        _memo = data
        return data


def reference_data(versions: dict[str, int] | None = None) -> ReferenceData:
    """The reference data as the database holds it now. `versions`: the rows of versions_sql()
    when the caller's own query read them; else one query reads them here."""
    held = _memo
    if versions is None:
        versions = _read_versions()
    if held is not None and held.versions == versions:
        return held
    return _reload()


def reference_rows(data: ReferenceData, section: str, ids: Iterable[int]) -> list:
    """data.pick(section, ids); a row written after `data` was read (the caller read its ids
    later) makes the whole memo read again, once: a row deleted since is then left out."""
    ids = list(ids)
    try:
        return data.pick(section, ids)
    except KeyError:
        fresh = _reload(everything=True)
        known = getattr(fresh, section)
        return fresh.pick(section, [pk for pk in ids if pk in known])

