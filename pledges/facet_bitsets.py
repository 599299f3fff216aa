"""The public pledges' facets as bitsets, kept in memory: counting a facet is a bitwise AND and a
popcount instead of a database scan.

EXPLAIN ANALYZE at 100,000 pledges (BENCHMARKS.md, issue 20): the grouped facet query of
pledges.filters.facet_counts joins each chosen facet's set of public pledges to the through
tables (180,000–306,000 link rows) and took 0.7–2.5 s per distinct filtered list. Here every
public pledge has a position (its rank by id), and every facet value (an area, a country, a
year...) the set of positions of the public pledges that have it, as one Python int used as a
bitset (70,491 public pledges: 8.8 kB a value, some 400 values). A list's counts are then a few
hundred ANDs and int.bit_count() calls: milliseconds, whatever the filters.

The bitsets describe one state of the public pledges, told by public_cache.public_fingerprint()
(publication, withdrawal, edit, end of an embargo, an entity's save, the day): they are built
again when it changes, once for all processes (kept in the cache under the fingerprint; the
processes keep the latest in memory), and the facet counts are the same as the grouped query's
(tests/pledges/test_facet_bitsets.py compares them on every filter the list offers).
"""

from __future__ import annotations

import hashlib
import pickle
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.functions import ExtractYear
from django.utils import timezone

from action_areas.models import Country, CountryGroupMembership

from . import public_cache
from .filters import FACET_NAMES, GLOBAL_REGION, PledgeFilters
from .models import Pledge

BITSETS_VERSION = 1  # bump when the shape of FacetBitsets changes
_M2M = {  # facet -> (pledge field, attribute of the other model naming the value)
    "area": ("action_areas", "code"),
    "pillar": ("pillars", "code"),
    "country": ("countries", "iso3"),
    "beneficiary": ("beneficiary_groups", "code"),
    "sdg": ("sdgs", "number"),
}


def _bitset(positions, size: int) -> int:
    """The int whose bit p is set for each position p."""
    buffer = bytearray((size >> 3) + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


@dataclass
class FacetBitsets:
    fingerprint: tuple
    token: str  # this build's, also kept in the cache: a cleared cache means build again
    built_at: float
    ids: list[int]  # position -> pledge id, ascending
    everything: int  # every public pledge
    values: dict[str, dict[str, int]]  # facet -> value -> the pledges that have it

    def positions_of(self, pledge_ids) -> int:
        """The public pledges among `pledge_ids`, as a bitset."""
        index = self._index()
        return _bitset((index[pk] for pk in pledge_ids if pk in index), len(self.ids))

    def _index(self) -> dict[int, int]:
        index = getattr(self, "_position_by_id", None)
        if index is None:
            index = {pk: position for position, pk in enumerate(self.ids)}
            self._position_by_id = index
        return index

    def matching(self, filters: PledgeFilters, within: int, *, skip: str | None = None) -> int:
        """The pledges of `within` matching every chosen facet but `skip`: values of one facet
        OR-ed, facets AND-ed (pledges.filters.FILTERS)."""
        result = within
        for name, chosen in filters.values.items():
            if name == skip:
                continue
            bits = 0
            known = self.values.get(name, {})
            for value in chosen:
                bits |= known.get(value, 0)
            result &= bits
        return result

    def counts(self, filters: PledgeFilters, within: int) -> dict:
        """What pledges.filters.facet_counts returns, for the pledges of `within` (the public
        ones, narrowed by the search and the entity): each facet counted over the pledges
        matching every other facet."""
        everything_else = self.matching(filters, within)
        counts: dict[str, dict[str, int]] = {}
        for name in FACET_NAMES:
            base = (self.matching(filters, within, skip=name) if name in filters.values
                    else everything_else)
            facet = {}
            for value, bits in self.values.get(name, {}).items():
                n = (bits & base).bit_count()
                if n:
                    facet[value] = n
            counts[name] = facet
        return {"total": everything_else.bit_count(), "counts": counts}


def build(fingerprint: tuple) -> FacetBitsets:
    """Read the public pledges' facet values (seven queries, no per-pledge one) into bitsets."""
    public = Pledge.objects.public()
    rows = list(
        public.order_by("pk").values_list(
            "pk", "pledge_type", "entity__stakeholder_group", "event__slug",
            ExtractYear("published_at"),  # in the current time zone, like the year filter
            "is_global",
        )
    )
    ids = [row[0] for row in rows]
    size = len(ids)
    position_of = {pk: position for position, pk in enumerate(ids)}
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for position, (_pk, kind, stakeholder, event, year, is_global) in enumerate(rows):
        found["type"][kind].append(position)
        if stakeholder:
            found["stakeholder"][stakeholder].append(position)
        if event:
            found["event"][event].append(position)
        if year is not None:
            found["year"][str(int(year))].append(position)
        if is_global:
            found["region"][GLOBAL_REGION].append(position)
    public_ids = public.values("pk")
    for name, (field_name, key) in _M2M.items():
        field = Pledge._meta.get_field(field_name)
        links = field.remote_field.through.objects.filter(pledge_id__in=public_ids).values_list(
            "pledge_id", f"{field.m2m_reverse_field_name()}__{key}")
        for pledge_id, value in links.iterator(chunk_size=20000):
            position = position_of.get(pledge_id)
            if position is None:  # left the public set since the first query
                continue
            found[name][str(value)].append(position)
    country_positions = found["country"]
    regions = Pledge._meta.get_field("regions").remote_field.through.objects
    for pledge_id, code in regions.filter(pledge_id__in=public_ids).values_list(
        "pledge_id", "region__code"
    ):
        if pledge_id in position_of:
            found["region"][code].append(position_of[pledge_id])
    for iso3, code in Country.objects.values_list("iso3", "region__code"):
        if iso3 in country_positions:  # the region of one of its countries
            found["region"][code].extend(country_positions[iso3])
    today = timezone.localdate()
    for iso3, group in CountryGroupMembership.objects.valid_on(today).values_list(
        "country__iso3", "group"
    ):
        found["targeting"][group].extend(country_positions.get(iso3, ()))
    # A pledge naming two countries of a region (or of a grouping) counts there once.
    values = {name: {value: _bitset(positions, size) for value, positions in by_value.items()}
              for name, by_value in found.items()}
    return FacetBitsets(fingerprint=fingerprint, token=secrets.token_hex(8),
                        built_at=time.time(), ids=ids, everything=(1 << size) - 1,
                        values=values)


# --- Kept once per state of the public pledges ------------------------------------------------

_latest: FacetBitsets | None = None  # this process's, for every thread
_building = threading.Lock()


def _cache_key(fingerprint: tuple) -> str:
    digest = hashlib.sha256("|".join(fingerprint).encode()).hexdigest()
    return f"pledges:facet-bitsets:v{BITSETS_VERSION}:{digest}"


def current() -> FacetBitsets:
    """The bitsets of the public pledges as they are now (one indexed query tells it, one cache
    read confirms this process's copy). Built by one request per change for every process; a
    request arriving while another thread of this process builds them gets the previous ones (a
    change of a moment ago) rather than waiting."""
    global _latest
    fingerprint = public_cache.public_fingerprint()
    key = _cache_key(fingerprint)
    latest = _latest
    if (latest is not None and latest.fingerprint == fingerprint
            and time.time() - latest.built_at < public_cache.PUBLIC_CACHE_LONGEST
            and cache.get(f"{key}:token") == latest.token):
        return latest
    stored = cache.get(key)
    if stored is not None:
        loaded = pickle.loads(stored)  # noqa: S301 -- written below by this code, never by users
        if cache.get(f"{key}:token") == loaded.token:
            _latest = loaded
            return loaded
    if not _building.acquire(blocking=latest is None):
        return latest  # another thread of this process is building the new ones
    try:
        bitsets = build(fingerprint)
        # Kept PUBLIC_CACHE_LONGEST at most: a safety net for changes no save tells.
        cache.set_many({key: pickle.dumps(bitsets, pickle.HIGHEST_PROTOCOL),
                        f"{key}:token": bitsets.token}, public_cache.PUBLIC_CACHE_LONGEST)
        _latest = bitsets
        return bitsets
    finally:
        _building.release()


def forget() -> None:
    """Drop this process's bitsets (tests that change the data under a frozen fingerprint)."""
    global _latest
    _latest = None
