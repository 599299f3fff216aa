"""Open data: the public pledges as CSV and JSON, streamed, with a documented stable column set.

Rows are read in batches (never model instances, never the whole list at once), so 100,000
pledges cost the memory of one batch. On PostgreSQL the database writes each row's text
(pledges.open_data_sql: the same bytes, ten times faster); elsewhere (SQLite in `make run`) the
Python writer below does, from values(). In the CSV, text that a spreadsheet would run as a
formula is neutralised by `spreadsheet_safe`, which every spreadsheet export of the portal uses;
the JSON, read by programs rather than spreadsheets, gives the values exactly as stored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.db import connection
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    CountryGroupMembership,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from members.models import Entity
from spreadsheets.files import FORMULA_TRIGGERS, spreadsheet_safe  # one guard for every export

from . import open_data_sql
from .models import AdvocacyActivity, Partnership, Pledge, Target

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
BATCH_SIZE = 1000  # rows read, and related rows looked up, at a time
LIST_SEPARATOR = "; "
# The pledge page's address as "NUL id NUL" while the Python writer writes a row, which is then
# cut at the NULs (row_batches): no text of the database can hold a NUL, so no other NUL is in
# the row.
URL_PLACEHOLDER = "\x00%d\x00"

@dataclass(frozen=True)
class Column:
    name: str
    description: str
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("reference", _("The pledge's reference."), "P2C-2022-0042"),
    Column("url", _("Address of the pledge's public page.")),
    Column("title", _("Title.")),
    Column("summary", _("One-paragraph summary.")),
    Column("description", _("Full description.")),
    Column("pledge_type", _("Type: financial, policy, advocacy or programme."), "financial"),
    Column("status", _("published, or completed once the secretariat marks it so."),
           "published"),
    Column("published_at", _("When the secretariat published the pledge (UTC, ISO 8601)."),
           "2022-06-08T10:00:00+00:00"),
    Column("entity", _("Name of the pledging entity.")),
    Column("entity_acronym", _("Its acronym, if any.")),
    Column("entity_stakeholder_group",
           _("Its stakeholder group: government, private_sector, international, civil_society, "
             "academia, youth or media."), "government"),
    Column("entity_country", _("ISO 3166-1 alpha-3 code of its headquarters country."), "RWA"),
    Column("co_pledgers", _("Names of co-pledging member entities, separated by “; ”.")),
    Column("other_partners", _("Other partners, as written by the entity.")),
    Column("action_areas", _("Action area codes, separated by “; ”."), "access; adoption"),
    Column("pillars", _("Pillar codes, separated by “; ”."), "affordability"),
    Column("is_global", _("true if the pledge acts worldwide."), "false"),
    Column("regions", _("ITU-D region codes, separated by “; ”."), "africa"),
    Column("countries", _("ISO 3166-1 alpha-3 codes of the countries, separated by “; ”."),
           "RWA; UGA"),
    Column("targets_ldc", _("true if one of the countries is a Least Developed Country on the "
                            "day of the download."), "true"),
    Column("targets_lldc", _("true if one of the countries is a Landlocked Developing Country "
                             "on the day of the download."), "true"),
    Column("targets_sids", _("true if one of the countries is a Small Island Developing State "
                             "on the day of the download."), "false"),
    Column("beneficiary_groups", _("Beneficiary group codes, separated by “; ”."),
           "women-girls; youth"),
    Column("sdgs", _("Numbers of the Sustainable Development Goals, separated by “; ”."), "4; 9"),
    Column("event", _("Code of the event at which the pledge was announced."), "wtdc-22-kigali"),
    Column("start_date", _("Start date (ISO 8601)."), "2022-06-01"),
    Column("end_date", _("End date (ISO 8601)."), "2026-12-31"),
    Column("amount", _("Financial pledges: amount in the pledged currency."), "5000000.00"),
    Column("currency", _("Financial pledges: ISO 4217 currency code."), "EUR"),
    Column("usd_amount", _("Financial pledges: amount in US dollars."), "5250000.00"),
    Column("usd_rate", _("Financial pledges: the UN operational rate of exchange used, in units "
                          "of the currency per US dollar (1 for US dollars)."), "0.952381"),
    Column("usd_rate_date", _("Financial pledges: the month of the rate used, as its first day "
                              "(ISO 8601): the month the amount was pledged."), "2022-06-01"),
    Column("usd_rate_is_test_data", _("Financial pledges: true when the rate used is test data "
                                      "shipped with the portal, not an official rate."), "false"),
    Column("modality", _("Financial pledges: grant, loan, equity, guarantee, in_kind or other."),
           "grant"),
    Column("disbursement_start", _("Financial pledges: disbursement from (ISO 8601).")),
    Column("disbursement_end", _("Financial pledges: disbursement until (ISO 8601).")),
    Column("policy_instrument", _("Policy pledges: law, regulation, strategy or other.")),
    Column("policy_stage", _("Policy pledges: proposed, adopted or in_force.")),
    Column("jurisdiction", _("Policy pledges: where the policy applies.")),
    Column("advocacy_activities", _("Advocacy pledges: activity codes, separated by “; ”."),
           "research; campaign"),
    Column("audience", _("Advocacy pledges: the audience.")),
    Column("programme_kind", _("Programme pledges: new or expansion.")),
    Column("people_to_reach", _("Programme pledges: number of people to reach."), "50000"),
    Column("targets", _("Quantified targets. CSV: “indicator [indicator code]: baseline → "
                        "target unit by date”, separated by “; ” (the code of the coalition's "
                        "indicator catalogue when the target uses one). JSON: a list of objects "
                        "with indicator, indicator_code (null: not from the catalogue), unit, "
                        "baseline, target_value and target_date.")),
    # Added after the first publication: at the end, so that scripts reading by position work.
    Column("partners", _("The member entities taking part in the pledge, once they accepted, "
                         "with their role (co_pledger, co_implementer, adopter or funder). CSV: "
                         "“name (role)”, separated by “; ”. JSON: a list of objects with name "
                         "and role."), "Ministry of ICT (co_implementer); GSMA (funder)"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)

# Read straight from the pledge row (and its entity and event) with values().
_VALUES = {
    "pk": "pk",
    "reference": "reference",
    "title": "title",
    "summary": "summary",
    "description": "description",
    "pledge_type": "pledge_type",
    "status": "status",
    "published_at": "published_at",
    "entity": "entity__name",
    "entity_acronym": "entity__acronym",
    "entity_stakeholder_group": "entity__stakeholder_group",
    "entity_country": "entity__headquarters_country__iso3",
    "other_partners": "other_partners",
    "is_global": "is_global",
    "event": "event__slug",
    "start_date": "start_date",
    "end_date": "end_date",
    "amount": "amount",
    "currency": "currency",
    "usd_amount": "usd_amount",
    "usd_rate": "usd_rate",
    "usd_rate_date": "usd_rate_date",
    "usd_rate_is_test_data": "usd_rate_is_test_data",
    "modality": "modality",
    "disbursement_start": "disbursement_start",
    "disbursement_end": "disbursement_end",
    "policy_instrument": "policy_instrument",
    "policy_stage": "policy_stage",
    "jurisdiction": "jurisdiction",
    "advocacy_activities": "advocacy_activities",
    "audience": "audience",
    "programme_kind": "programme_kind",
    "people_to_reach": "people_to_reach",
}
# Many-to-many columns: pledge field -> (through column naming the other side, lookup table).
_M2M = {
    "action_areas": "actionarea_id",
    "pillars": "pillar_id",
    "regions": "region_id",
    "countries": "country_id",
    "beneficiary_groups": "beneficiarygroup_id",
    "sdgs": "sustainabledevelopmentgoal_id",
    "co_pledgers": "entity_id",
}


class _Lookups:
    """Small reference tables read once per download: id -> code (or name)."""

    def __init__(self):
        self.codes = {
            "action_areas": dict(ActionArea.objects.values_list("pk", "code")),
            "pillars": dict(Pillar.objects.values_list("pk", "code")),
            "regions": dict(Region.objects.values_list("pk", "code")),
            "countries": dict(Country.objects.values_list("pk", "iso3")),
            "beneficiary_groups": dict(BeneficiaryGroup.objects.values_list("pk", "code")),
            "sdgs": dict(SustainableDevelopmentGoal.objects.values_list("pk", "number")),
            # Co-pledgers are shown only once approved, like on the pledge page.
            "co_pledgers": dict(Entity.objects.approved().values_list("pk", "name")),
        }
        self.groups: dict[int, set[str]] = {}
        memberships = CountryGroupMembership.objects.valid_on(timezone.localdate())
        for country_id, group in memberships.values_list("country_id", "group"):
            self.groups.setdefault(country_id, set()).add(group)
        self.advocacy = set(AdvocacyActivity.values)


def _batches(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _batch_filter(ids: list[int]) -> dict:
    """The batch's pledges as a range when they are dense (the usual case: every public pledge
    in id order), as a list otherwise. A range spares turning 1,000 ids into parameters."""
    low, high = ids[0], ids[-1]
    if high - low < 2 * len(ids):
        return {"pledge_id__gte": low, "pledge_id__lte": high}
    return {"pledge_id__in": ids}


def _partners(batch: dict, wanted: set[int], names: dict[int, str]) -> dict[int, list]:
    """pledge id -> [{"name", "role"}] of its accepted partners (approved entities only, as on
    the pledge page), by role then name: one query per batch."""
    per_pledge: dict[int, list] = {}
    rows = (Partnership.objects.accepted().filter(**batch)
            .order_by("pledge_id", "role", "entity__name", "pk")
            .values_list("pledge_id", "entity_id", "role"))
    for pledge_id, entity_id, role in rows:
        if pledge_id in wanted and entity_id in names:
            per_pledge.setdefault(pledge_id, []).append({"name": names[entity_id], "role": role})
    return per_pledge


def _related(ids: list[int], lookups: _Lookups) -> tuple[dict, dict]:
    """For a batch of pledges: field -> pledge id -> [ids of related rows] (and the partners),
    and the targets."""
    wanted = set(ids)
    batch = _batch_filter(ids)
    related: dict[str, dict[int, list]] = {
        "partners": _partners(batch, wanted, lookups.codes["co_pledgers"])}
    for name, column in _M2M.items():
        through = Pledge._meta.get_field(name).remote_field.through
        per_pledge: dict[int, list] = {}
        rows = through.objects.filter(**batch).order_by("pk").values_list("pledge_id", column)
        for pledge_id, other_id in rows:
            if pledge_id in wanted:
                per_pledge.setdefault(pledge_id, []).append(other_id)
        related[name] = per_pledge
    targets: dict[int, list] = {}
    rows = Target.objects.filter(**batch).order_by("pledge_id", "position", "pk")
    for row in rows.values("pledge_id", "indicator", "unit", "baseline", "target_value",
                           "target_date", indicator_code=F("catalogue_indicator__code")):
        pledge_id = row.pop("pledge_id")
        if pledge_id in wanted:
            targets.setdefault(pledge_id, []).append(row)
    return related, targets


_GROUP_COLUMNS = {"targets_ldc": "LDC", "targets_lldc": "LLDC", "targets_sids": "SIDS"}


def _record(row: dict, related: dict, targets: dict, lookups: _Lookups, url: str) -> dict:
    """One pledge as the documented columns, in order, values still typed. `url`: the address
    of pledge pages with %d for the id."""
    pk = row["pk"]
    groups = set()
    for country_id in related["countries"].get(pk, ()):
        groups |= lookups.groups.get(country_id, set())
    activities = row["advocacy_activities"] if isinstance(row["advocacy_activities"], list) else []
    record = {}
    for name in COLUMN_NAMES:
        if name == "advocacy_activities":  # the known codes of a list, whatever was stored
            record[name] = [a for a in activities if isinstance(a, str) and a in lookups.advocacy]
        elif name in _VALUES:
            record[name] = row[_VALUES[name]]
        elif name in _M2M:
            codes = lookups.codes[name]  # ids missing from it: co-pledgers not approved
            record[name] = [codes[i] for i in related[name].get(pk, ()) if i in codes]
        elif name in _GROUP_COLUMNS:
            record[name] = _GROUP_COLUMNS[name] in groups
        elif name == "url":
            record[name] = url % pk
        elif name == "partners":
            record[name] = related["partners"].get(pk, [])
        else:  # targets
            record[name] = targets.get(pk, [])
    return record


def pledge_url_template() -> str:
    """The address of a pledge page in the active language, %d for its id, from one reverse()
    (the id is the only variable part)."""
    return settings.SITE_URL + reverse("pledges:pledge_detail", args=[4242]).replace("4242", "%d")


def records(queryset: QuerySet[Pledge], *, url: str | None = None) -> Iterator[dict]:
    """The pledges of `queryset` (already public and filtered) as records, in batches."""
    lookups = _Lookups()
    url = url or pledge_url_template()
    rows = (
        queryset.order_by("pk")
        .values(*_VALUES.values())
        .iterator(chunk_size=BATCH_SIZE)
    )
    for batch in _batches(rows, BATCH_SIZE):
        related, targets = _related([row["pk"] for row in batch], lookups)
        for row in batch:
            yield _record(row, related, targets, lookups, url)


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _text(value) -> str:
    return spreadsheet_safe(value) if value else ""


def _joined(values) -> str:
    return spreadsheet_safe(LIST_SEPARATOR.join(map(str, values)))


def _iso(value) -> str:
    return value.isoformat() if value is not None else ""


def _partner_list(partners) -> str:
    return spreadsheet_safe(LIST_SEPARATOR.join(
        f"{partner['name']} ({partner['role']})" for partner in partners))


def _targets(targets) -> str:
    return spreadsheet_safe(LIST_SEPARATOR.join(
        f"{t['indicator']}{f' [{code}]' if (code := t['indicator_code']) else ''}: "
        f"{_number(t['baseline']) or '?'} → {_number(t['target_value'])} "
        f"{t['unit']} by {t['target_date'].isoformat()}"
        for t in targets
    ))


# How each column is written in CSV, chosen once rather than by testing every value's type.
_CSV_FORMAT = {
    "is_global": lambda value: "true" if value else "false",
    **dict.fromkeys(_GROUP_COLUMNS, lambda value: "true" if value else "false"),
    **dict.fromkeys([*_M2M, "advocacy_activities"], _joined),
    **dict.fromkeys(["published_at", "start_date", "end_date", "usd_rate_date",
                     "disbursement_start", "disbursement_end"], _iso),
    "amount": _number,
    "usd_amount": _number,
    "usd_rate": _number,
    "usd_rate_is_test_data": lambda value: "true" if value else "false",
    "people_to_reach": lambda value: "" if value is None else str(value),
    "targets": _targets,
    "partners": _partner_list,
}
_CSV_FORMATTERS = [(name, _CSV_FORMAT.get(name, _text)) for name in COLUMN_NAMES]


class _Line:
    """A file-like object for csv.writer that hands back the line written."""

    def write(self, value: str) -> str:
        return value


# --- The rows, written once, the pledge's address put in per language ---------------------------
# Each row comes as (head, pledge id, tail): the CSV fields or JSON members before the address and
# after it. Every language's file is then head + its address + tail, from one read of the rows.
Row = tuple[str, int, str]


def row_batches(queryset: QuerySet[Pledge], file_format: str) -> Iterator[list[Row]]:
    """The pledges of `queryset` (already public and filtered), BATCH_SIZE rows at a time, in id
    order: written by PostgreSQL (pledges.open_data_sql, the same bytes ten times faster), by
    Python on other databases (SQLite in `make run`)."""
    if connection.vendor == "postgresql":
        return open_data_sql.row_batches(queryset, file_format, COLUMN_NAMES, BATCH_SIZE)
    return _python_row_batches(queryset, file_format)


def _python_row(record: dict, file_format: str, writer) -> Row:
    """A record written with URL_PLACEHOLDER as its address, cut where the address is."""
    if file_format == "csv":
        head, pk, tail = writer.writerow(
            [write(record[name]) for name, write in _CSV_FORMATTERS]).split("\x00")
        return head, int(pk), tail
    line = json.dumps({name: _json_value(record[name]) for name in COLUMN_NAMES},
                      ensure_ascii=False)
    head, rest = line.split('"\\u0000', 1)  # the address comes before any free text
    pk, tail = rest.split('\\u0000"', 1)
    return head, int(pk), tail


def _python_row_batches(queryset: QuerySet[Pledge], file_format: str) -> Iterator[list[Row]]:
    writer = csv.writer(_Line())
    rows = (_python_row(record, file_format, writer)
            for record in records(queryset, url=URL_PLACEHOLDER))
    yield from _batches(rows, BATCH_SIZE)


def url_parts(file_format: str, url: str) -> tuple[str, str]:
    """The address of pledge pages (`url`, %d for the id) as written before and after the id in
    a row: a CSV field (the formula guard, quoted as csv.writer quotes) or a JSON string."""
    before, after = url.split("%d")
    if file_format == "json":
        return ('"' + json.dumps(before, ensure_ascii=False)[1:-1],
                json.dumps(after, ensure_ascii=False)[1:-1] + '"')
    guard = "'" if (before or "0").startswith(FORMULA_TRIGGERS) else ""
    quote = '"' if any(character in before + after for character in ',"\r\n') else ""
    return (quote + (guard + before).replace('"', '""'),
            after.replace('"', '""') + quote)


def rows_text(batch: list[Row], parts: tuple[str, str], separator: str = "") -> str:
    before, after = parts
    return separator.join(f"{head}{before}{pk}{after}{tail}" for head, pk, tail in batch)


def csv_header() -> str:
    # A byte-order mark, so that spreadsheet programs read the accents of French text right.
    return "\ufeff" + csv.writer(_Line()).writerow(COLUMN_NAMES)


def csv_lines(queryset: QuerySet[Pledge], *, url: str | None = None) -> Iterator[str]:
    """The header, then the rows a batch at a time."""
    yield csv_header()
    parts = url_parts("csv", url or pledge_url_template())
    for batch in row_batches(queryset, "csv"):
        yield rows_text(batch, parts)


def _json_value(value):
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    # Raw: the formula guard is for spreadsheets (CSV), a JSON reader gets the stored text.
    return value


JSON_END = "\n]}\n"
JSON_SEPARATOR = ",\n"


def json_header(*, source_url: str) -> str:
    header = {
        "licence": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "attribution": "Partner2Connect Digital Coalition (ITU)",
        "source": source_url,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "columns": list(COLUMN_NAMES),
    }
    return json.dumps(header, ensure_ascii=False)[:-1] + ', "pledges": ['


def json_chunks(queryset: QuerySet[Pledge], *, source_url: str) -> Iterator[str]:
    """The header, then the pledges a batch at a time, one object a line."""
    yield json_header(source_url=source_url)
    parts = url_parts("json", pledge_url_template())
    separator = "\n"
    for batch in row_batches(queryset, "json"):
        yield separator + rows_text(batch, parts, JSON_SEPARATOR)
        separator = JSON_SEPARATOR
    yield JSON_END


# --- The Frictionless Data package describing the downloads (datapackage.json) ----------------
# Each column's type as a Table Schema reads the CSV; a column not listed is text.
_TABLE_SCHEMA_TYPES = {
    "published_at": "datetime",
    "is_global": "boolean", "targets_ldc": "boolean", "targets_lldc": "boolean",
    "targets_sids": "boolean", "usd_rate_is_test_data": "boolean",
    "start_date": "date", "end_date": "date", "usd_rate_date": "date",
    "disbursement_start": "date", "disbursement_end": "date",
    "amount": "number", "usd_amount": "number", "usd_rate": "number",
    "people_to_reach": "integer",
}


# The open-data files of the apps above this one (the coalition goals, from reporting), each a
# function of the page's absolute_url(path) giving its resource: registered by that app when it
# is ready, since pledges cannot import it.
MORE_RESOURCES: list[Callable[[Callable[[str], str]], dict]] = []


def data_package(*, csv_url: str, json_url: str, page_url: str,
                 more_resources: list[dict] = ()) -> dict:
    """The downloads as a Frictionless Data package: the CSV as a tabular resource with its
    Table Schema (names, types, descriptions of COLUMNS), the JSON beside it, the other apps'
    files (`more_resources`), the licence."""
    fields = []
    for column in COLUMNS:
        field = {"name": column.name, "type": _TABLE_SCHEMA_TYPES.get(column.name, "string"),
                 "description": str(column.description)}
        if field["type"] == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        if column.example:
            field["example"] = column.example
        fields.append(field)
    licence = [{"name": "CC-BY-4.0", "path": LICENCE_URL,
                "title": "Creative Commons Attribution 4.0"}]
    return {
        "profile": "data-package",
        "name": "p2c-pledges",
        "title": "Partner2Connect Digital Coalition: public pledges",
        "homepage": page_url,
        "licenses": licence,
        "resources": [
            {
                "name": "pledges-csv",
                "path": csv_url,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "header": True},
                "schema": {"fields": fields, "primaryKey": ["reference"],
                           "missingValues": [""]},
                "licenses": licence,
            },
            {
                "name": "pledges-json",
                "path": json_url,
                "format": "json",
                "mediatype": "application/json",
                "description": str(_("The same pledges as JSON: an object whose “pledges” "
                                     "holds one object per pledge, keyed by the column names "
                                     "of the CSV.")),
                "licenses": licence,
            },
            *({**resource, "licenses": licence} for resource in more_resources),
        ],
    }
# --- Revisions: one row per changed field per approved amendment ---------------------------------

REVISION_COLUMNS = ["pledge_reference", "pledge_url", "amended_at", "reason", "field", "before",
                    "after"]


def _revision_value(value) -> str:
    """A snapshot value as plain text: lists joined, targets as in the pledges file."""
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return LIST_SEPARATOR.join(
                f"{t.get('indicator')}: {t.get('baseline') or '?'} → {t.get('target_value')} "
                f"{t.get('unit')} by {t.get('target_date')}" for t in value
            )
        return LIST_SEPARATOR.join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def revision_records(revisions: Iterable) -> Iterator[dict]:
    """The values as stored (ISO dates, decimal text), countries by their ISO3 code."""
    iso3 = dict(Country.objects.values_list("pk", "iso3"))
    for revision in revisions.iterator(chunk_size=BATCH_SIZE):
        url = settings.SITE_URL + revision.pledge.get_absolute_url()
        for change in revision.changes:
            yield {
                "pledge_reference": revision.pledge.reference,
                "pledge_url": url,
                "amended_at": revision.approved_at.isoformat(timespec="seconds"),
                "reason": revision.reason,
                "field": change["field"],
                **{side: _revision_value(
                    [iso3.get(pk, pk) for pk in change[side] or []]
                    if change["field"] == "countries" else change[side]
                ) for side in ("before", "after")},
            }


def revision_csv_lines(revisions) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(REVISION_COLUMNS)
    for record in revision_records(revisions):
        yield writer.writerow([spreadsheet_safe(record[name]) if record[name] else ""
                               for name in REVISION_COLUMNS])


def revision_json_chunks(revisions, *, source_url: str) -> Iterator[str]:
    header = {
        "licence": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "attribution": "Partner2Connect Digital Coalition (ITU)",
        "source": source_url,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "columns": REVISION_COLUMNS,
    }
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "revisions": ['
    separator = "\n"
    for record in revision_records(revisions):
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"
