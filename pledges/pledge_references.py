"""The reference rows public pledges point to (action areas, pillars, regions, countries,
beneficiary groups, SDGs, campaigns, indicators), taken from the per-process memo of the
reference data (action_areas.reference_memo) instead of one prefetch query each.

One statement reads, for the pledges asked about, the ids of their links (a UNION ALL over the
through tables) and, in the same statement, the memo's versions; the rows come from the memo and
are given to the pledges as prefetch_related would (`pledge.countries.all()` reads no database),
in the order the prefetches had (the models' Meta.ordering). A distinct pledge page spent
1.5–2.5 ms of CPU per ORM statement (BENCHMARKS.md): this statement is written once per process.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from django.db import connection

from action_areas.reference_memo import (
    ReferenceData,
    reference_data,
    reference_rows,
    set_loaded,
)
from action_areas.reference_versions import VERSION_TABLE

from .campaign_tag_models import CampaignTag
from .models import Pledge, PledgeRevision
from .partnership_models import Partnership

# A pledge's many-to-many relation -> the memo's section holding its rows.
SECTIONS = {
    "action_areas": "areas",
    "pillars": "pillars",
    "regions": "regions",
    "countries": "countries",
    "beneficiary_groups": "beneficiary_groups",
    "sdgs": "sdgs",
}
CARD_RELATIONS = ("action_areas", "countries", "regions")  # what a pledge's card shows
PAGE_RELATIONS = tuple(SECTIONS)
# On the pledge page also: its confirmed campaign tags (campaign ids), and whether it has a
# revision or an accepted partner (their queries are skipped when it has none: most pledges).
PAGE_EXTRAS = ("campaign_tags", "revisions", "partnerships")
_VERSION = "version"
# Rows of the apps above pledges that point to a pledge (register_page_link): kind -> (table,
# pledge column, value column).
_REGISTERED: dict[str, tuple[str, str, str]] = {}


def register_page_link(kind: str, model, pledge_field: str) -> None:
    """An app above pledges (reporting, matchmaking: pledges may not import them) names rows of
    its own that point to a pledge, so that the pledge page's links statement also tells whether
    the pledge has any: `pledge.page_links[kind]` (their ids), and the app's part of the page
    skips its queries when there are none (most pledges). Called from the app's ready()."""
    _REGISTERED[kind] = (model._meta.db_table, model._meta.get_field(pledge_field).column,
                         model._meta.pk.column)
    _select.cache_clear()


def page_links(pledge, kind: str) -> list[int] | None:
    """The ids of the registered rows of `kind` pointing to the pledge, when its page read them
    (pledge_get_public); None when it did not (another page: ask the database)."""
    links = getattr(pledge, "page_links", None)
    return None if links is None else links.get(kind, [])


@cache
def _select(kind: str) -> str:
    """SELECT kind, pledge id, value FROM …  WHERE pledge id IN ({ids}): `{ids}` is filled with
    placeholders. Names from the models, never from input."""
    quote = connection.ops.quote_name
    if kind in SECTIONS:
        field = Pledge._meta.get_field(kind)
        through = field.remote_field.through
        table = through._meta.db_table
        pledge_column = through._meta.get_field(field.m2m_field_name()).column
        value_column = through._meta.get_field(field.m2m_reverse_field_name()).column
        condition = ""
    elif kind == "campaign_tags":
        table, pledge_column, value_column = CampaignTag._meta.db_table, "pledge_id", "campaign_id"
        condition = f" AND status = '{CampaignTag.Status.CONFIRMED.value}'"
    elif kind == "revisions":
        table, pledge_column, value_column = PledgeRevision._meta.db_table, "pledge_id", "id"
        condition = ""
    elif kind == "partnerships":
        table, pledge_column, value_column = Partnership._meta.db_table, "pledge_id", "id"
        condition = f" AND status = '{Partnership.Status.ACCEPTED.value}'"
    elif kind in _REGISTERED:
        table, pledge_column, value_column = _REGISTERED[kind]
        condition = ""
    else:
        raise ValueError(kind)
    return (f"SELECT '{kind}', {quote(pledge_column)}, {quote(value_column)} "  # noqa: S608
            f"FROM {quote(table)} WHERE {quote(pledge_column)} IN ({{ids}}){condition}")


def _read(pledge_ids: list[int], kinds) -> tuple[dict[str, int], dict]:
    """({table: version}, {kind: {pledge id: [value, …]}}) in one statement."""
    ids = ", ".join(["%s"] * len(pledge_ids))
    parts = [_select(kind).format(ids=ids) for kind in kinds]
    params = pledge_ids * len(parts)
    # The memo's versions, last: the first SELECT's columns give the types.
    parts.append(f"SELECT '{_VERSION}:' || table_name, NULL, version "  # noqa: S608
                 f"FROM {VERSION_TABLE}")
    versions: dict[str, int] = {}
    found: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, pledge_id, value in cursor.fetchall():
            if kind.startswith(f"{_VERSION}:"):
                versions[kind.split(":", 1)[1]] = value
            else:
                found[kind][pledge_id].append(value)
    return versions, found


def attach_references(pledges: list[Pledge], relations=CARD_RELATIONS,
                      extras=()) -> ReferenceData | None:
    """Give each pledge its rows of `relations` (pledge.<relation>.all()) from the memo; for
    `extras` (PAGE_EXTRAS), set pledge.confirmed_campaign_ids, pledge.has_revisions and
    pledge.has_accepted_partners. One query, whatever the number of pledges."""
    if not pledges:
        return None
    registered = list(_REGISTERED) if extras else []
    versions, found = _read([pledge.pk for pledge in pledges],
                            [*relations, *extras, *registered])
    data = reference_data(versions)
    for pledge in pledges:
        for relation in relations:
            set_loaded(pledge, relation, reference_rows(
                data, SECTIONS[relation], found[relation].get(pledge.pk, ())))
        if "campaign_tags" in extras:
            pledge.confirmed_campaign_ids = set(found["campaign_tags"].get(pledge.pk, ()))
        if "revisions" in extras:
            pledge.has_revisions = bool(found["revisions"].get(pledge.pk))
        if "partnerships" in extras:
            pledge.has_accepted_partners = bool(found["partnerships"].get(pledge.pk))
        if registered:
            pledge.page_links = {kind: found[kind].get(pledge.pk, []) for kind in registered}
    return data
