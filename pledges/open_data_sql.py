"""The open-data rows written by PostgreSQL: the same bytes as pledges.open_data's Python writer,
about ten times faster (issue #20).

Python formatting 45 columns per row costs ~0.3 ms a row (3 MB/s); here one query builds each row's
text — CSV fields quoted as Python's csv module quotes them, the formula guard of
spreadsheets.files.spreadsheet_safe, JSON numbers as Python prints floats — and Python only
fetches batches from a server-side cursor and joins them. The related rows (areas, countries,
targets, partners …) are aggregated once per link table for the whole selection, grouped by
pledge, not looked up per row.

Each row comes as (head, pledge id, tail): the pledge page's address, the only value that depends
on the language, goes between them (open_data.url_parts), so the pre-built files of the six
languages are written from one read. tests/pledges/test_open_data_sql.py compares every column with
the Python writer, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from action_areas.models import CountryGroupMembership
from members.models import Entity
from spreadsheets.files import FORMULA_TRIGGERS

from .models import AdvocacyActivity, Partnership, Pledge, Target

LIST_SEPARATOR = "; "  # as open_data.LIST_SEPARATOR

# --- SQL text of one value ------------------------------------------------------------------------

_TRIGGERS = ", ".join(f"chr({ord(character)})" for character in FORMULA_TRIGGERS)


def _literal(text: str) -> str:
    """A constant of this module as an SQL string literal (never user input)."""
    return "'" + text.replace("'", "''") + "'"


def _csv_text(value: str) -> str:
    """A non-null text as a CSV field: the formula guard (spreadsheet_safe: an apostrophe before
    = + - @ tab CR LF), then quoted when it holds a comma, a quote, CR or LF (csv.QUOTE_MINIMAL,
    quotes doubled)."""
    guarded = f"(CASE WHEN left({value}, 1) IN ({_TRIGGERS}) THEN '''' || {value} ELSE {value} END)"
    return (f"(CASE WHEN {value} ~ '[\",\\r\\n]' "
            f"THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' ELSE {guarded} END)")


def _csv_nullable_text(column: str) -> str:
    return _csv_text(f"coalesce({column}, '')")


def _csv_bool(column: str) -> str:
    return f"(CASE WHEN {column} THEN 'true' ELSE 'false' END)"


def _iso_date(column: str) -> str:
    return f"to_char({column}, 'YYYY-MM-DD')"


def _iso_datetime(column: str) -> str:
    """datetime.isoformat() of an aware UTC datetime: microseconds only when there are some."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', "
            f"{utc}) = {utc} THEN '' ELSE '.' || to_char({utc}, 'US') END || '+00:00')")


def _json_text(column: str) -> str:
    return f"coalesce(to_json({column})::text, 'null')"


def _json_bool(column: str) -> str:
    return f"(CASE WHEN {column} IS NULL THEN 'null' WHEN {column} THEN 'true' ELSE 'false' END)"


def _json_quoted(text: str, column: str) -> str:
    return f"(CASE WHEN {column} IS NULL THEN 'null' ELSE '\"' || {text} || '\"' END)"


def _json_float(column: str) -> str:
    """A decimal as json.dumps writes float(decimal): the shortest digits that read back as the
    same double (PostgreSQL's float8 output and Python's repr agree on them), with ".0" on whole
    numbers; from 1e15 to 1e16 Python still writes the digits out where PostgreSQL uses an
    exponent, so those are rewritten (16 digits before the point, at most one after)."""
    double = f"({column})::float8"
    text = f"{double}::text"
    digits = f"translate(split_part({text}, 'e', 1), '-.', '')"
    return (
        f"(CASE WHEN {column} IS NULL THEN 'null' "
        f"WHEN abs({double}) >= 1e15 AND abs({double}) < 1e16 THEN "
        f"(CASE WHEN {double} < 0 THEN '-' ELSE '' END) || rpad(left({digits}, 16), 16, '0') "
        f"|| '.' || coalesce(nullif(substr({digits}, 17), ''), '0') "
        f"WHEN strpos({text}, 'e') > 0 OR strpos({text}, '.') > 0 THEN {text} "
        f"ELSE {text} || '.0' END)"
    )


# --- The columns --------------------------------------------------------------------------------

def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Read from the pledge row (p), its entity (e), the entity's country (hq) and the event (ev).
_TEXT = {
    "reference": "p.reference", "title": "p.title", "summary": "p.summary",
    "description": "p.description", "pledge_type": "p.pledge_type", "status": "p.status",
    "entity": "e.name", "entity_acronym": "e.acronym",
    "entity_stakeholder_group": "e.stakeholder_group", "entity_country": "hq.iso3",
    "other_partners": "p.other_partners", "event": "ev.slug", "currency": "p.currency",
    "modality": "p.modality", "policy_instrument": "p.policy_instrument",
    "policy_stage": "p.policy_stage", "jurisdiction": "p.jurisdiction",
    "audience": "p.audience", "programme_kind": "p.programme_kind",
}
_BOOL = {"is_global": "p.is_global", "usd_rate_is_test_data": "p.usd_rate_is_test_data",
         "targets_ldc": "coalesce(cg.ldc, false)", "targets_lldc": "coalesce(cg.lldc, false)",
         "targets_sids": "coalesce(cg.sids, false)"}
_DATE = {name: f"p.{name}" for name in ("start_date", "end_date", "usd_rate_date",
                                         "disbursement_start", "disbursement_end")}
_DECIMAL = {"amount": "p.amount", "usd_amount": "p.usd_amount", "usd_rate": "p.usd_rate"}
# Lists aggregated per pledge in a joined subquery (alias): its value, as CSV text or JSON.
_LISTS = {name: f"l_{name}" for name in (
    "action_areas", "pillars", "regions", "countries", "beneficiary_groups", "sdgs",
    "co_pledgers", "advocacy_activities", "targets", "partners")}
# Many-to-many field -> the column of the other side shown (its code, number or name).
_M2M_SHOWN = {
    "action_areas": "code", "pillars": "code", "regions": "code", "countries": "iso3",
    "beneficiary_groups": "code", "sdgs": "number", "co_pledgers": "name",
}


def _csv_column(name: str) -> str:
    if name in _TEXT:
        return _csv_nullable_text(_TEXT[name])
    if name in _BOOL:
        return _csv_bool(_BOOL[name])
    if name in _DATE:
        return f"coalesce({_iso_date(_DATE[name])}, '')"
    if name in _DECIMAL:
        return f"coalesce({_DECIMAL[name]}::text, '')"
    if name == "published_at":
        return f"coalesce({_iso_datetime('p.published_at')}, '')"
    if name == "people_to_reach":
        return "coalesce(p.people_to_reach::text, '')"
    if name in _LISTS:
        return _csv_nullable_text(f"{_LISTS[name]}.value")
    raise KeyError(name)


def _json_column(name: str) -> str:
    if name in _TEXT:
        return _json_text(_TEXT[name])
    if name in _BOOL:
        return _json_bool(_BOOL[name])
    if name in _DATE:
        return _json_quoted(_iso_date(_DATE[name]), _DATE[name])
    if name in _DECIMAL:
        return _json_float(_DECIMAL[name])
    if name == "published_at":
        return _json_quoted(_iso_datetime("p.published_at"), "p.published_at")
    if name == "people_to_reach":
        return "coalesce(p.people_to_reach::text, 'null')"
    if name in _LISTS:
        return f"coalesce({_LISTS[name]}.value, '[]')"
    raise KeyError(name)


def _grouped(alias: str, file_format: str, item: tuple[str, str], order: str,
             source: str) -> str:
    """LEFT JOIN of each pledge's list (`alias`.value): the items (`item`: as CSV text, as
    JSON) of `source` (link table t, its joins and WHERE) for the pledges of the selection,
    joined by "; " (CSV) or as a JSON array, in `order`. The items are aggregated from a sorted
    subquery, which keeps their order (PostgreSQL's documented way; an ORDER BY inside the
    aggregate sorts each pledge's few items apart, several times slower), and the lists come out
    by pledge id, so that the rows are merged without sorting."""
    aggregate = ("string_agg(o.item, '" + LIST_SEPARATOR + "')" if file_format == "csv"
                 else "'[' || string_agg(o.item, ', ') || ']'")
    return (f"LEFT JOIN (SELECT o.pledge_id, {aggregate} AS value FROM (SELECT t.pledge_id, "  # noqa: S608 - names from the models, values as parameters
            f"{item[0] if file_format == 'csv' else item[1]} AS item FROM {source} "
            f"ORDER BY t.pledge_id, {order}) o GROUP BY o.pledge_id) {alias} "
            f"ON {alias}.pledge_id = p.id")


_IN_SELECTION = "JOIN selection s ON s.id = t.pledge_id"


def _list_joins(params: list, file_format: str) -> str:
    """LEFT JOINs of one grouped subquery per list column, each read once for the selection."""
    joins = []
    for name, shown in _M2M_SHOWN.items():
        field = Pledge._meta.get_field(name)
        item = f"r.{shown}::text" if shown == "number" else f"r.{shown}"
        condition = "true"
        if name == "co_pledgers":  # shown only once approved, like on the pledge page
            condition = "r.status = %s"
            params.append(Entity.Status.APPROVED)
        joins.append(_grouped(
            _LISTS[name], file_format,
            (item, item if shown == "number" else f"to_json({item})::text"), "t.id",
            f"{_table(field.remote_field.through)} t {_IN_SELECTION} "
            f"JOIN {_table(field.related_model)} r ON r.id = t.{field.m2m_reverse_name()} "
            f"WHERE {condition}"))
    # Accepted partners of approved entities, by role then name, "name (role)".
    params.extend([Entity.Status.APPROVED, Partnership.Status.ACCEPTED])
    partner_json = ("'{\"name\": ' || to_json(r.name)::text || ', \"role\": ' "
                    "|| to_json(t.role)::text || '}'")
    joins.append(_grouped(
        "l_partners", file_format, ("r.name || ' (' || t.role || ')'", partner_json),
        "t.role, r.name, t.id",
        f"{_table(Partnership)} t {_IN_SELECTION} JOIN {_table(Entity)} r "
        "ON r.id = t.entity_id AND r.status = %s WHERE t.status = %s"))
    # Targets: "indicator [code]: baseline → target unit by date" / objects, by position.
    indicator = Target._meta.get_field("catalogue_indicator").related_model
    target_csv = ("t.indicator || CASE WHEN coalesce(i.code, '') <> '' "
                  "THEN ' [' || i.code || ']' ELSE '' END || ': ' || "
                  "coalesce(t.baseline::text, '?') || ' → ' || t.target_value::text || ' ' || "
                  f"t.unit || ' by ' || {_iso_date('t.target_date')}")
    target_json = (
        "'{\"indicator\": ' || to_json(t.indicator)::text || ', \"unit\": ' || "
        f"to_json(t.unit)::text || ', \"baseline\": ' || {_json_float('t.baseline')} || "
        f"', \"target_value\": ' || {_json_float('t.target_value')} || ', \"target_date\": \"' "
        f"|| {_iso_date('t.target_date')} || '\", \"indicator_code\": ' || "
        f"{_json_text('i.code')} || '}}'")
    joins.append(_grouped(
        "l_targets", file_format, (target_csv, target_json), "t.position, t.id",
        f"{_table(Target)} t {_IN_SELECTION} LEFT JOIN {_table(indicator)} i "
        "ON i.id = t.catalogue_indicator_id"))
    # Advocacy activities: the known codes of the stored JSON list, in their order.
    params.append(list(AdvocacyActivity.values))
    aggregate = ("string_agg(a.value #>> '{}', '" + LIST_SEPARATOR + "' ORDER BY a.n)"
                 if file_format == "csv" else
                 "'[' || string_agg(a.value::text, ', ' ORDER BY a.n) || ']'")
    joins.append(
        f"LEFT JOIN LATERAL (SELECT {aggregate} AS value "  # noqa: S608 - constants, values as parameters
        "FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.advocacy_activities) = 'array' "
        "THEN p.advocacy_activities ELSE '[]'::jsonb END) WITH ORDINALITY AS a(value, n) "
        "WHERE jsonb_typeof(a.value) = 'string' AND (a.value #>> '{}') = ANY(%s)) "
        "l_advocacy_activities ON true")
    # LDC / LLDC / SIDS: one of the countries is in the group on the day of the download.
    today = timezone.localdate()
    params.extend([today, today])
    joins.append(
        "LEFT JOIN (SELECT o.pledge_id, bool_or(o.item = 'LDC') AS ldc, "  # noqa: S608 - names from the models, values as parameters
        "bool_or(o.item = 'LLDC') AS lldc, bool_or(o.item = 'SIDS') AS sids "
        f"FROM (SELECT t.pledge_id, m.\"group\" AS item FROM {_table(Pledge.countries.through)} "
        f"t {_IN_SELECTION} JOIN {_table(CountryGroupMembership)} m "
        "ON m.country_id = t.country_id WHERE (m.valid_from IS NULL OR m.valid_from <= %s) "
        "AND (m.valid_to IS NULL OR m.valid_to > %s) ORDER BY t.pledge_id) o "
        "GROUP BY o.pledge_id) cg ON cg.pledge_id = p.id")
    return "\n".join(joins)


def _row_sql(queryset: QuerySet[Pledge], file_format: str,
             column_names: tuple[str, ...]) -> tuple[str, list]:
    """SELECT head, id, tail FROM the selection in id order: the columns before "url" and
    after it, each already written as CSV fields or JSON members."""
    selection, params = (queryset.order_by().values("pk").query
                         .get_compiler(connection=connection).as_sql())
    params = list(params)
    joins = _list_joins(params, file_format)
    position = column_names.index("url")
    before, after = column_names[:position], column_names[position + 1:]
    if file_format == "csv":
        fields_before = [_csv_column(name) for name in before]
        fields_after = [_csv_column(name) for name in after]
        head = " || ',' || ".join(fields_before) + " || ','" if before else "''"
        tail = ("',' || " + " || ',' || ".join(fields_after) if after else "''") \
            + " || chr(13) || chr(10)"
    else:
        members_before = [f"'\"{name}\": ' || {_json_column(name)}" for name in before]
        members_after = [f"'\"{name}\": ' || {_json_column(name)}" for name in after]
        head = "'{' || " + " || ', ' || ".join([*members_before, "'\"url\": '"])
        tail = ("', ' || " + " || ', ' || ".join(members_after) if after else "''") + " || '}'"
    sql = (
        f"WITH selection (id) AS MATERIALIZED ({selection})\n"
        f"SELECT {head} AS head, p.id, {tail} AS tail\n"
        f"FROM selection s JOIN {_table(Pledge)} p ON p.id = s.id\n"
        f"JOIN {_table(Entity)} e ON e.id = p.entity_id\n"
        f"LEFT JOIN {_table(Pledge._meta.get_field('event').related_model)} ev "
        f"ON ev.id = p.event_id\n"
        f"LEFT JOIN {_table(Entity._meta.get_field('headquarters_country').related_model)} hq "
        f"ON hq.id = e.headquarters_country_id\n"
        f"{joins}\n"
        f"ORDER BY p.id"
    )
    return sql, params


def row_batches(queryset: QuerySet[Pledge], file_format: str, column_names: tuple[str, ...],
                batch_size: int) -> Iterator[list[tuple[str, int, str]]]:
    """The selection's rows as (head, id, tail), `batch_size` at a time, from a server-side
    cursor: the memory of one batch, whatever the number of pledges."""
    try:
        sql, params = _row_sql(queryset, file_format, column_names)
    except EmptyResultSet:  # a selection nothing can match (an entity without pledges): no rows
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(batch_size):
            yield batch
