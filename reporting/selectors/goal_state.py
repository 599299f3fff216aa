"""Today's goal figures from memory: what the public pledges commit and report, per pledge
position of the facet bitsets (pledges.facet_bitsets), so that a goal over a scope and a slice is
a few bitset ANDs and popcounts instead of a grouped scan of the targets and reports.

The SQL figures (reporting.selectors.goals) read every target of the goal's indicator and every
latest reported value for each request: ~130 ms for the USD goal alone and 3.8 s with twelve
indicator goals at 100,000 pledges (BENCHMARKS.md). Here each measure is a *bit-sliced column*:
the value of each public pledge (its targets of an indicator summed, or their maximum; its
latest reported values alike; its USD committed and disbursed) written in binary across bitsets,
bitset k holding the pledges whose value has bit k set. The sum over any set of pledges is then
Σ 2^k · popcount(set & plane k), and the maximum a walk down the planes: exact integers (values
in hundredths), whatever the number of pledges.

The state describes one state of the public pledges and their progress reports, told by
`fingerprint` (the facet bitsets' public fingerprint, the latest save of a progress report, the
reporting cycles' periods): it is built again when that changes, never by time alone, once for all
processes (kept in the cache under the fingerprint; the processes keep the latest in memory).
Goals and indicators are read per request: editing one shows at once without a rebuild. What to
read comes from reporting.selectors.goals (`StateRows`), which also turns goals and slices into
the bitsets to AND.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pledges import facet_bitsets, public_cache

STATE_VERSION = 1  # bump when the shape of GoalState changes
HUNDREDTHS = 100  # every value read has two decimal places (DecimalField(decimal_places=2))
_ONE = re.compile("1")


def _bitset(positions: Iterable[int], size: int) -> int:
    buffer = bytearray((size >> 3) + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


# For each bit of a byte, the table turning a byte into the digit "0" or "1" of that bit.
_BIT_DIGITS = [bytes(b"01"[byte >> bit & 1] for byte in range(256)) for bit in range(8)]


def _planes(values: dict[int, int], size: int) -> list[int]:
    """For non-negative `values` (position -> integer), bitset k: the positions with bit k set.
    The values are written once as fixed-width bytes; each plane is then read in C: one byte of
    every value (a stepped slice), translated to the binary digits of one bit, parsed as a
    base-2 int (a Python pass per bit took 1.4 s for the 13 goals at 100,000 pledges)."""
    width = max(values.values(), default=0).bit_length()
    octets = (width + 7) // 8
    written = bytearray(size * octets)
    for position, value in values.items():
        start = position * octets
        written[start:start + octets] = value.to_bytes(octets, "little")
    planes = []
    for octet in range(octets):
        column = bytes(written[octet::octets])  # that byte of every position's value
        for bit in range(min(8, width - 8 * octet)):
            # Position 0 last: the lowest bit of the int.
            planes.append(int(column.translate(_BIT_DIGITS[bit])[::-1], 2) if column else 0)
    return planes


@dataclass
class Column:
    """Integers by pledge position, bit-sliced; positions without a value are not `present`."""

    present: int
    planes: list[int]  # of the non-negative values
    negative: int  # the positions whose value is below zero
    negative_planes: list[int]  # of their magnitudes

    @classmethod
    def of(cls, values: dict[int, int], size: int) -> Column:
        below = {position: -value for position, value in values.items() if value < 0}
        return cls(present=_bitset(values, size),
                   planes=_planes({p: v for p, v in values.items() if v >= 0}, size),
                   negative=_bitset(below, size), negative_planes=_planes(below, size))

    def value_at(self, position: int) -> int | None:
        if not self.present >> position & 1:
            return None
        if self.negative >> position & 1:
            return -sum(1 << bit for bit, plane in enumerate(self.negative_planes)
                        if plane >> position & 1)
        return sum(1 << bit for bit, plane in enumerate(self.planes) if plane >> position & 1)

    def total(self, selection: int) -> int:
        positive = sum((selection & plane).bit_count() << bit
                       for bit, plane in enumerate(self.planes))
        if not selection & self.negative:
            return positive
        return positive - sum((selection & plane).bit_count() << bit
                              for bit, plane in enumerate(self.negative_planes))

    def largest(self, selection: int) -> int | None:
        """The largest value among the selected positions (None: none has a value)."""
        selection &= self.present
        if not selection:
            return None
        candidates = selection & ~self.negative
        if candidates:  # the largest non-negative: keep the candidates with the highest bits
            value = 0
            for bit in range(len(self.planes) - 1, -1, -1):
                narrowed = candidates & self.planes[bit]
                if narrowed:
                    candidates, value = narrowed, value | 1 << bit
            return value
        magnitude = 0  # all negative: the smallest magnitude
        for bit in range(len(self.negative_planes) - 1, -1, -1):
            narrowed = selection & ~self.negative_planes[bit]
            if narrowed:
                selection = narrowed
            else:
                magnitude |= 1 << bit
        return -magnitude


def positions(bits: int) -> list[int]:
    """The positions of a bitset's set bits, in ascending order."""
    digits = bin(bits)[:1:-1]  # bit 0 first
    return [match.start() for match in _ONE.finditer(digits)]


def _decimal(hundredths: int | None) -> Decimal | None:
    return None if hundredths is None else Decimal(hundredths).scaleb(-2)


@dataclass
class StateRows:
    """What the state reads (reporting.selectors.goals._state_rows gives it, as of today)."""

    targets: Iterable[tuple[int, int, Decimal]]  # pledge id, indicator id, target value
    achieved: Iterable[tuple[int, int, Decimal]]  # pledge id, indicator id, a latest value
    # pledge id, financial?, its USD equivalent, its accepted funders' contributions in USD
    pledges_usd: Iterable[tuple[int, bool, Decimal | None, Decimal | None]]
    disbursed_usd: Iterable[tuple[int, Decimal]]  # pledge id, a latest USD disbursement
    by_reference: Iterable[int]  # the public pledges' ids in the order of their references
    codes: dict[str, dict[object, str]]  # facet -> {id: the facet's value}, e.g. areas' codes


@dataclass
class IndicatorColumns:
    pledges: int  # the public pledges with a target of the indicator
    targets: Column  # how many targets each has
    committed_sum: Column
    committed_max: Column
    achieved_sum: Column
    achieved_max: Column


@dataclass
class GoalState:
    fingerprint: tuple
    token: str  # this build's, also kept in the cache: a cleared cache means build again
    built_at: float
    everything: int
    facets: dict[str, dict[str, int]]  # the bitsets' facets that goals and slices read
    codes: dict[str, dict[object, str]]
    indicators: dict[int, IndicatorColumns]
    usd_counted: int  # financial pledges, and pledges with accepted funders
    usd_committed: Column
    usd_disbursed: Column
    financial: int
    usd_own: Column  # the financial pledges' own USD equivalents
    ids: list[int]  # position -> pledge id
    reference_rank: list[int]  # position -> its rank by reference
    build_seconds: float = field(default=0.0)

    def value_of(self, column: Column, pledge_id: int) -> Decimal | None:
        """A public pledge's value in one of the state's columns."""
        index = self.__dict__.get("_position_by_id")
        if index is None:  # built on first use, in this process only
            index = self.__dict__["_position_by_id"] = {
                pk: position for position, pk in enumerate(self.ids)}
        position = index.get(pledge_id)
        return None if position is None else _decimal(column.value_at(position))

    def in_reference_order(self, selection: int) -> list[int]:
        """The ids of the pledges of `selection`, by reference."""
        rank = self.reference_rank
        return [self.ids[position]
                for position in sorted(positions(selection), key=rank.__getitem__)]

    def bits(self, facet: str, key) -> int:
        """The public pledges with that facet value (an id is looked up in `codes` first)."""
        if facet in self.codes:
            key = self.codes[facet].get(key)
        return self.facets.get(facet, {}).get(str(key), 0)

    def indicator_figures(self, indicator_id: int, aggregation: str, selection: int) -> dict:
        columns = self.indicators.get(indicator_id)
        if columns is None:
            return {"committed": None, "achieved": None, "targets": 0, "pledges": 0}
        if aggregation == "max":
            committed = columns.committed_max.largest(selection)
            achieved = columns.achieved_max.largest(selection)
        elif aggregation == "sum":
            mine = selection & columns.pledges
            committed = columns.committed_sum.total(selection) if mine else None
            achieved = (columns.achieved_sum.total(selection)
                        if selection & columns.achieved_sum.present else None)
        else:
            committed = achieved = None
        return {"committed": _decimal(committed), "achieved": _decimal(achieved),
                "targets": columns.targets.total(selection),
                "pledges": (selection & columns.pledges).bit_count()}

    def usd_figures(self, selection: int) -> dict:
        counted = (selection & self.usd_counted).bit_count()
        return {"committed": _decimal(self.usd_committed.total(selection)),
                "achieved": _decimal(self.usd_disbursed.total(selection)),
                "targets": counted, "pledges": counted}


def _hundredths(value: Decimal) -> int:
    return int(value * HUNDREDTHS)


def _add(sums: dict, tops: dict, indicator_id: int, position: int, value: int) -> None:
    """One value of a pledge for an indicator, into its sum and its maximum."""
    mine = sums.setdefault(indicator_id, {})
    mine[position] = mine.get(position, 0) + value
    top = tops.setdefault(indicator_id, {})
    top[position] = max(top.get(position, value), value)


def build(fingerprint: tuple, bitsets: facet_bitsets.FacetBitsets, rows: StateRows) -> GoalState:
    started = time.monotonic()
    index = {pk: position for position, pk in enumerate(bitsets.ids)}
    size = len(bitsets.ids)
    sums: dict[int, dict[int, int]] = {}
    tops: dict[int, dict[int, int]] = {}
    counts: dict[int, dict[int, int]] = {}
    for pledge_id, indicator_id, value in rows.targets:
        position = index.get(pledge_id)
        if position is None:  # not public in the bitsets' state
            continue
        _add(sums, tops, indicator_id, position, _hundredths(value))
        count = counts.setdefault(indicator_id, {})
        count[position] = count.get(position, 0) + 1
    achieved_sums: dict[int, dict[int, int]] = {}
    achieved_tops: dict[int, dict[int, int]] = {}
    for pledge_id, indicator_id, value in rows.achieved:
        position = index.get(pledge_id)
        if position is None or indicator_id not in sums:
            continue
        _add(achieved_sums, achieved_tops, indicator_id, position, _hundredths(value))
    indicators = {
        indicator_id: IndicatorColumns(
            pledges=_bitset(by_position, size),
            targets=Column.of(counts[indicator_id], size),
            committed_sum=Column.of(by_position, size),
            committed_max=Column.of(tops[indicator_id], size),
            achieved_sum=Column.of(achieved_sums.get(indicator_id, {}), size),
            achieved_max=Column.of(achieved_tops.get(indicator_id, {}), size))
        for indicator_id, by_position in sums.items()}
    committed, counted, own, financial = {}, [], {}, []
    for pledge_id, is_financial, usd, contributed in rows.pledges_usd:
        position = index.get(pledge_id)
        if position is None:
            continue
        # The pledge's share of pledges.rates.usd_committed: its own USD equivalent if financial,
        # plus its accepted funders' contributions; counted if it has either kind.
        if is_financial:
            financial.append(position)
            if usd is not None:
                own[position] = _hundredths(usd)
                committed[position] = _hundredths(usd + (contributed or 0))
        if position not in committed and contributed is not None:
            committed[position] = _hundredths(contributed)
        if is_financial or contributed is not None:
            counted.append(position)
    reference_rank = [0] * size
    for rank, pledge_id in enumerate(rows.by_reference):
        position = index.get(pledge_id)
        if position is not None:
            reference_rank[position] = rank
    disbursed: dict[int, int] = {}
    for pledge_id, usd in rows.disbursed_usd:
        position = index.get(pledge_id)
        if position is not None:
            disbursed[position] = disbursed.get(position, 0) + _hundredths(usd)
    facets = {name: bitsets.values.get(name, {})
              for name in ("area", "region", "targeting", "stakeholder")}
    return GoalState(
        fingerprint=fingerprint, token=secrets.token_hex(8), built_at=time.time(),
        everything=bitsets.everything, facets=facets, codes=rows.codes, indicators=indicators,
        usd_counted=_bitset(counted, size), usd_committed=Column.of(committed, size),
        usd_disbursed=Column.of(disbursed, size), financial=_bitset(financial, size),
        usd_own=Column.of(own, size), ids=bitsets.ids, reference_rank=reference_rank,
        build_seconds=time.monotonic() - started)


# --- Kept once per state of the public pledges and their reports -----------------------------

_KEPT = public_cache.KeptPerState(f"reporting:goal-state:v{STATE_VERSION}")


def available() -> bool:
    return facet_bitsets.available()


def current(reporting_fingerprint: tuple, read_rows: Callable[[], StateRows]) -> GoalState:
    """The state as the public pledges and `reporting_fingerprint` (what else the rows depend on)
    are now, built once per change for every process, like the facet bitsets
    (public_cache.KeptPerState)."""
    bitsets = facet_bitsets.current()
    fingerprint = (*bitsets.fingerprint, *reporting_fingerprint)
    return _KEPT.get(fingerprint, lambda: build(fingerprint, bitsets, read_rows()))


def forget() -> None:
    """Drop this process's state (tests that change the data under a frozen fingerprint)."""
    _KEPT.forget()
