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
(publication, withdrawal, edit, deletion, end of an embargo, an entity's save, the day...): they
are built again when it changes, once for all processes (kept in the cache under the fingerprint;
the processes keep the latest in memory), and the facet counts are the same as the grouped
query's (tests/pledges/test_facet_bitsets.py compares them on every filter the list offers).
"""

from __future__ import annotations

import re
import secrets
import time
from array import array
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, F
from django.db.models.functions import Cast, ExtractYear
from django.utils import timezone

from action_areas.models import Campaign, Country, CountryGroupMembership
from members.models import Entity
from p2c_portal.locale_formats import ROOT_COLLATION

from . import public_cache
from .filters import FACET_NAMES, GLOBAL_REGION, JOINT, PledgeFilters
from .models import CampaignTag, Pledge
from .rates import awaiting_rate, usd_committed_by_pledge

_ONE = re.compile("1")


def available() -> bool:
    """PostgreSQL builds them (grouped arrays); on SQLite (`make run`) the grouped query counts."""
    return connection.vendor == "postgresql"


BITSETS_VERSION = 5  # bump when the shape of FacetBitsets changes
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
    orders: dict[str, list[int]]  # sort -> every position in the list's order
    # A country's or an event's totals (pledges.selectors.pledge_totals_public), per position:
    entity_ids: array  # the pledging entity's id
    usd_cents: array  # the USD committed (rates.usd_committed_by_pledge) in cents, 0 for none
    with_usd: int  # the pledges that commit USD (a sum of none of them is None, not 0)
    awaiting_rate: int  # the pledges counted apart from every USD total (rates.awaiting_rate)

    def page_ids(self, bits: int, sort: str, offset: int, limit: int) -> list[int] | None:
        """The ids of the pledges of `bits` from `offset` on (`limit` of them) in the list's
        order `sort`; None for an order they do not keep (bitsets stored by an older version)."""
        order = self.orders.get(sort)
        if order is None:
            return None
        digits = bin(bits)[:1:-1]  # bit 0 first
        found_count = bits.bit_count()
        if found_count * found_count < (offset + limit) * len(order):
            # Few pledges match: sort them by their rank rather than walk the whole order.
            rank = self._ranks(sort)
            chosen = sorted((match.start() for match in _ONE.finditer(digits)),
                            key=rank.__getitem__)
            return [self.ids[position] for position in chosen[offset:offset + limit]]
        length = len(digits)
        found: list[int] = []
        for position in order:
            if position < length and digits[position] == "1":
                if offset:
                    offset -= 1
                    continue
                found.append(self.ids[position])
                if len(found) == limit:
                    break
        return found

    def positions_of(self, pledge_ids) -> int:
        """The public pledges among `pledge_ids`, as a bitset."""
        index = self._index()
        return _bitset((index[pk] for pk in pledge_ids if pk in index), len(self.ids))

    def totals(self, bits: int) -> dict:
        """What pledges.selectors.pledge_totals_public tells of the pledges of `bits`: their
        number, the USD they commit, those awaiting a rate, the entities that made them."""
        positions = self.positions(bits)
        cents = sum(map(self.usd_cents.__getitem__, positions))
        return {
            "pledges": len(positions),
            "usd": Decimal(cents).scaleb(-2) if bits & self.with_usd else None,
            "awaiting_rate": (bits & self.awaiting_rate).bit_count(),
            "entities": len(set(map(self.entity_ids.__getitem__, positions))),
        }

    def positions(self, bits: int) -> list[int]:
        """The positions of a bitset's pledges (their ranks by id), ascending."""
        return [match.start() for match in _ONE.finditer(bin(bits)[:1:-1])]

    def ids_of(self, bits: int) -> list[int]:
        """The ids of the pledges of a bitset."""
        digits = bin(bits)[:1:-1]  # bit 0 first
        ids = self.ids
        return [ids[match.start()] for match in _ONE.finditer(digits)]

    def _ranks(self, sort: str) -> list[int]:
        ranks = self.__dict__.setdefault("_rank_by_sort", {})
        if sort not in ranks:
            rank = [0] * len(self.ids)
            for number, position in enumerate(self.orders[sort]):
                rank[position] = number
            ranks[sort] = rank
        return ranks[sort]

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


def _build_sql() -> tuple[str, list]:
    """One statement: every public pledge's position (its rank by id), then for each facet value
    the positions of the public pledges that have it, as arrays (grouped in the database: some
    800,000 links at 100,000 pledges, which Python would otherwise read row by row)."""
    quote = connection.ops.quote_name
    base_sql, params = (
        Pledge.objects.public().order_by().values(
            b_id=F("pk"),
            b_type=F("pledge_type"),
            b_stakeholder=F("entity__stakeholder_group"),
            b_event=F("event__slug"),
            b_year=ExtractYear("published_at"),  # in the current time zone, like the filter
            b_global=F("is_global"),
            b_published=F("published_at"),
            b_usd=F("usd_amount"),
            b_title=F("title"),
            b_entity=F("entity_id"),
            # Exact: the amounts have two decimals (DecimalField(decimal_places=2)).
            b_cents=Cast(usd_committed_by_pledge() * 100, BigIntegerField()),
            b_awaiting=ExpressionWrapper(awaiting_rate(), output_field=BooleanField()),
        ).query.sql_with_params()
    )
    groups_sql, groups_params = (
        CountryGroupMembership.objects.valid_on(timezone.localdate()).order_by()
        .values("country_id", "group").query.sql_with_params()
    )
    params = [*params, *groups_params]
    parts = [
        "SELECT 'id', '', array_agg(b_id ORDER BY pos) FROM p",
        # Per position, for totals (FacetBitsets.totals): values, not positions.
        "SELECT 'entity_ids', '', array_agg(b_entity ORDER BY pos) FROM p",
        "SELECT 'usd_cents', '', array_agg(COALESCE(b_cents, 0) ORDER BY pos) FROM p",
        "SELECT 'with_usd', '', array_agg(pos) FROM p WHERE b_cents IS NOT NULL",
        "SELECT 'awaiting_rate', '', array_agg(pos) FROM p WHERE b_awaiting",
        # The list's orders (pledges.filters.PledgeFilters.ordering).
        "SELECT 'order', 'newest', array_agg(pos ORDER BY b_published DESC NULLS LAST, "
        "b_id DESC) FROM p",
        "SELECT 'order', 'usd', array_agg(pos ORDER BY b_usd DESC NULLS LAST, "
        "b_published DESC NULLS LAST, b_id DESC) FROM p",
        # Titles in Unicode's root order, as the list and its index sort them (ordering() and
        # migration 0013): ICU's, which Python does not have.
        f"SELECT 'order', 'title', array_agg(pos ORDER BY b_title "  # noqa: S608
        f"COLLATE {quote(ROOT_COLLATION)}, b_id) FROM p",
        "SELECT 'type', b_type, array_agg(pos) FROM p GROUP BY b_type",
        "SELECT 'stakeholder', b_stakeholder, array_agg(pos) FROM p "
        "WHERE b_stakeholder IS NOT NULL GROUP BY b_stakeholder",
        "SELECT 'event', b_event, array_agg(pos) FROM p WHERE b_event IS NOT NULL GROUP BY b_event",
        "SELECT 'year', CAST(CAST(b_year AS integer) AS text), array_agg(pos) FROM p "
        "WHERE b_year IS NOT NULL GROUP BY b_year",
        f"SELECT 'region', '{GLOBAL_REGION}', array_agg(pos) FROM p WHERE b_global",  # noqa: S608
    ]
    for name, (field_name, key) in _M2M.items():
        field = Pledge._meta.get_field(field_name)
        through = field.remote_field.through
        target = through._meta.get_field(field.m2m_reverse_field_name()).column
        parts.append(
            f"SELECT '{name}', CAST(o.{quote(key)} AS text), array_agg(p.pos) "  # noqa: S608
            f"FROM {quote(through._meta.db_table)} t JOIN p ON p.b_id = t.pledge_id "
            f"JOIN {quote(field.related_model._meta.db_table)} o ON o.id = t.{quote(target)} "
            f"GROUP BY o.{quote(key)}"
        )
    regions = Pledge._meta.get_field("regions").remote_field.through
    countries = Pledge._meta.get_field("countries").remote_field.through
    region_table = quote(Country._meta.get_field("region").related_model._meta.db_table)
    parts.append(  # the region named, or the region of one of its countries
        f"SELECT 'region', r.code, array_agg(links.pos) FROM ("  # noqa: S608
        f"SELECT p.pos, pr.region_id FROM {quote(regions._meta.db_table)} pr "
        f"JOIN p ON p.b_id = pr.pledge_id "
        f"UNION SELECT p.pos, c.region_id FROM {quote(countries._meta.db_table)} pc "
        f"JOIN p ON p.b_id = pc.pledge_id JOIN {quote(Country._meta.db_table)} c "
        f"ON c.id = pc.country_id) links JOIN {region_table} r ON r.id = links.region_id "
        f"GROUP BY r.code"
    )
    parts.append(  # a country of the grouping, on today's date
        f"SELECT 'targeting', g.grp, array_agg(DISTINCT p.pos) "  # noqa: S608
        f"FROM {quote(countries._meta.db_table)} pc JOIN p ON p.b_id = pc.pledge_id "
        f"JOIN groups_today g ON g.country_id = pc.country_id GROUP BY g.grp"
    )
    co_pledgers = Pledge._meta.get_field("co_pledgers").remote_field.through
    entity_table = quote(co_pledgers._meta.get_field("entity").related_model._meta.db_table)
    approved = Entity.Status.APPROVED.value  # a constant of the code, never input
    parts.append(  # at least one accepted partner of an approved entity (filters "joint")
        f"SELECT 'joint', '{JOINT}', array_agg(DISTINCT p.pos) "  # noqa: S608
        f"FROM {quote(co_pledgers._meta.db_table)} cp JOIN p ON p.b_id = cp.pledge_id "
        f"JOIN {entity_table} e ON e.id = cp.entity_id WHERE e.status = '{approved}'"
    )
    confirmed = CampaignTag.Status.CONFIRMED.value  # a constant of the code, never input
    parts.append(  # a tag the secretariat confirmed, in an active campaign (filters "campaign")
        f"SELECT 'campaign', c.slug, array_agg(p.pos) "  # noqa: S608
        f"FROM {quote(CampaignTag._meta.db_table)} t JOIN p ON p.b_id = t.pledge_id "
        f"JOIN {quote(Campaign._meta.db_table)} c ON c.id = t.campaign_id "
        f"WHERE t.status = '{confirmed}' AND c.is_active GROUP BY c.slug"
    )
    # Names from the models, values as parameters.
    ctes = (f"WITH b AS ({base_sql}), "  # noqa: S608
            "p AS MATERIALIZED (SELECT b.*, CAST(row_number() OVER (ORDER BY b_id) - 1 AS integer)"
            f" AS pos FROM b), groups_today (country_id, grp) AS ({groups_sql}) ")
    sql = ctes + " UNION ALL ".join(parts)
    return sql, params


def build(fingerprint: tuple) -> FacetBitsets:
    """Read the public pledges' facet values into bitsets, in one query."""
    sql, params = _build_sql()
    ids: list[int] = []
    orders: dict[str, list[int]] = {}
    per_position: dict[str, list] = {}
    found: dict[str, dict[str, list[int]]] = defaultdict(dict)
    with transaction.atomic(), connection.cursor() as cursor:
        # The groupings hash 800,000 links: in memory, not spilled to disk at the default 4 MB.
        cursor.execute("SELECT set_config('work_mem', '64MB', true)")
        cursor.execute(sql, params)
        for facet, value, positions in cursor.fetchall():
            if facet == "id":
                ids = positions or []
            elif facet in ("entity_ids", "usd_cents", "with_usd", "awaiting_rate"):
                per_position[facet] = positions or []
            elif facet == "order":
                orders[value] = positions or []
            elif positions:
                found[facet][str(value)] = positions
    size = len(ids)
    values = {name: {value: _bitset(positions, size) for value, positions in by_value.items()}
              for name, by_value in found.items()}
    return FacetBitsets(fingerprint=fingerprint, token=secrets.token_hex(8),
                        built_at=time.time(), ids=ids, everything=(1 << size) - 1,
                        values=values, orders=orders,
                        entity_ids=array("q", per_position["entity_ids"]),
                        usd_cents=array("q", per_position["usd_cents"]),
                        with_usd=_bitset(per_position["with_usd"], size),
                        awaiting_rate=_bitset(per_position["awaiting_rate"], size))


# --- Kept once per state of the public pledges ------------------------------------------------

_KEPT = public_cache.KeptPerState(f"pledges:facet-bitsets:v{BITSETS_VERSION}")


def current() -> FacetBitsets:
    """The bitsets of the public pledges as they are now (one indexed query tells it, one cache
    read confirms this process's copy), built once per change for every process
    (public_cache.KeptPerState)."""
    fingerprint = public_cache.public_fingerprint()
    return _KEPT.get(fingerprint, lambda: build(fingerprint))


def forget() -> None:
    """Drop this process's bitsets (tests that change the data under a frozen fingerprint)."""
    _KEPT.forget()
