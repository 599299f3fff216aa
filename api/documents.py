"""The API's pledge documents, built from rows: one query for a page's pledges (only the
columns the API shows) and one per related list (areas, countries, targets, partners…), whatever
the page size. Model instances and nested serializers cost ~100 ms of Python a page of 100;
plain rows less than half (BENCHMARKS.md, "Open data API"). Which pledges are public is never
decided here: the page's rows come from pledges.selectors (pledge_changes_public), the partners from
pledges.partnership_selectors. serializers.PledgeSerializer describes these documents in the
OpenAPI schema; tests/api check that every answer keeps to it."""

import json

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils.translation import get_language
from rest_framework import serializers

from action_areas.models import text_in
from pledges.models import Pledge, PledgeRevision, PledgeType, Target
from pledges.partnership_models import Partnership
from pledges.partnership_selectors import accepted_partners_of_pledges
from pledges.selectors import co_pledgers_of_pledges

# The pledge's own columns the API shows, read as they are; the others it shows are built below.
PLAIN_COLUMNS = (
    "reference", "description", "status", "other_partners", "is_global", "currency",
    "usd_rate_is_test_data", "modality", "policy_instrument", "policy_stage", "jurisdiction",
    "audience", "programme_kind", "people_to_reach",
)
PAGE_COLUMNS = (
    "id", "changed_at", *PLAIN_COLUMNS, "title", "summary", "language", "translations",
    "pledge_type", "published_at", "start_date", "end_date", "amount", "usd_amount",
    "advocacy_activities", "entity_id", "entity__name", "event__slug", "event__name_en",
    "event__name_translations",
)

# DRF's own formats, as the schema's fields state them (ISO 8601, decimals as strings).
_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()
_AMOUNT = serializers.DecimalField(max_digits=16, decimal_places=2)
_QUANTITY = serializers.DecimalField(max_digits=20, decimal_places=2)


def _moment(value):
    return None if value is None else _MOMENT.to_representation(value)


def _day(value):
    return None if value is None else _DAY.to_representation(value)


def _decimal(field, value):
    return None if value is None else field.to_representation(value)


class _PledgeText:
    """The model's own rule for which title and summary to show (Pledge.text_in), on a row:
    a model instance per row would cost more than the rest of the document."""

    text_in = Pledge.text_in
    translation = Pledge.translation
    original_text = Pledge.original_text

    def __init__(self, row: dict):
        self.title, self.summary = row["title"], row["summary"]
        self.language, self.translations = row["language"], row["translations"]


def pledge_page_rows(pledges):
    """The rows of a queryset of pledge_changes_public (a page of it once sliced)."""
    return pledges.values(*PAGE_COLUMNS)


# The reference lists of a pledge: document key → (Pledge's many-to-many field, the code
# column, the column ordering the list before the code). Codes are text in the document, but the
# SDGs' numbers.
REFERENCE_LISTS = {
    "action_areas": ("action_areas", "code", "position"),
    "pillars": ("pillars", "code", "position"),
    "regions": ("regions", "code", "position"),
    "countries": ("countries", "iso3", None),
    "beneficiary_groups": ("beneficiary_groups", "code", "position"),
    "sdgs": ("sdgs", "number", "number"),
}


def _reference_lists(pledge_ids: list[int], language: str) -> dict[str, dict[int, list]]:
    """{document key: {pledge id: [(code, label)]}} for every reference list, in two queries
    whatever the page: the join tables' links in one, then the names of the rows they link to
    in one (each name read once, not once per pledge)."""
    quoted = connection.ops.quote_name
    links, names = [], []
    # Identifiers from the models' metadata only; every value is a parameter. Plain SQL that
    # SQLite (the embedded default) runs as well as PostgreSQL.
    for field_name, code, order in REFERENCE_LISTS.values():
        field = Pledge._meta.get_field(field_name)
        pledge_column = quoted(field.m2m_column_name())
        links.append(
            f"SELECT CAST(%s AS TEXT), {pledge_column}, "  # noqa: S608
            f"{quoted(field.m2m_reverse_name())} FROM {quoted(field.m2m_db_table())} "
            f"WHERE {pledge_column} IN {{}}")
        names.append(
            f"SELECT CAST(%s AS TEXT), id, CAST({quoted(code)} AS TEXT), "  # noqa: S608
            f"{quoted(order) if order else '0'}, name_en, CAST(name_translations AS TEXT) "
            f"FROM {quoted(field.related_model._meta.db_table)} WHERE id IN {{}}")

    def union(selects: list[str], values_of_each: list[list]) -> tuple[str, list]:
        parts, parameters = [], []
        keyed = zip(REFERENCE_LISTS, values_of_each, strict=True)
        for select, (key, values) in zip(selects, keyed, strict=True):
            parts.append(select.format("(" + ", ".join(["%s"] * len(values)) + ")"
                                       if values else "(NULL)"))
            parameters += [key, *values]
        return " UNION ALL ".join(parts), parameters

    with connection.cursor() as cursor:
        cursor.execute(*union(links, [pledge_ids] * len(REFERENCE_LISTS)))
        linked: dict[str, dict[int, list[int]]] = {key: {} for key in REFERENCE_LISTS}
        for key, pledge_id, related_id in cursor.fetchall():
            linked[key].setdefault(pledge_id, []).append(related_id)
        cursor.execute(*union(names, [sorted({i for ids in linked[key].values() for i in ids})
                                      for key in REFERENCE_LISTS]))
        rows = {key: {} for key in REFERENCE_LISTS}
        for key, related_id, code, order, name_en, translations in cursor.fetchall():
            rows[key][related_id] = (
                order, code, int(code) if key == "sdgs" else code,
                text_in(name_en, json.loads(translations) if translations else {}, language))
    return {key: {pledge_id: [rows[key][i][2:] for i in sorted(ids, key=rows[key].__getitem__)]
                  for pledge_id, ids in linked[key].items()}
            for key in REFERENCE_LISTS}


def pledge_documents(rows: list[dict], request=None) -> list[dict]:
    """The API's document of each pledge row (PAGE_COLUMNS), in the rows' order."""
    language = get_language() or settings.LANGUAGE_CODE
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    lists = _reference_lists(ids, language)
    co_pledgers = co_pledgers_of_pledges(ids)
    targets: dict[int, list[dict]] = {}
    for target in (Target.objects.filter(pledge_id__in=ids).order_by("position", "pk")
                   .values("pledge_id", "indicator", "catalogue_indicator__code", "unit",
                           "baseline", "target_value", "target_date")):
        targets.setdefault(target["pledge_id"], []).append({
            "indicator": target["indicator"],
            "indicator_code": target["catalogue_indicator__code"],
            "unit": target["unit"],
            "baseline": _decimal(_QUANTITY, target["baseline"]),
            "target_value": _decimal(_QUANTITY, target["target_value"]),
            "target_date": _day(target["target_date"]),
        })
    revisions: dict[int, list[dict]] = {}
    for revision in (PledgeRevision.objects.filter(pledge_id__in=ids)
                     .order_by("approved_at", "pk")
                     .values("pledge_id", "approved_at", "reason")):
        revisions.setdefault(revision["pledge_id"], []).append({
            "in_force_since": _moment(revision["approved_at"]), "reason": revision["reason"]})
    partners = accepted_partners_of_pledges(ids)
    role_names = {code: str(label) for code, label in Partnership.Role.choices}
    type_names = {code: str(label) for code, label in PledgeType.choices}
    # One reverse() for the page: the pledge URLs differ only by the id.
    url_pattern = reverse("pledges:pledge_detail", args=[2**62]).replace(str(2**62), "{}")
    documents = []
    for row in rows:
        pledge_id = row["id"]
        text = _PledgeText(row).text_in(language)
        url = url_pattern.format(pledge_id)
        documents.append({
            "id": pledge_id,
            **{column: row[column] for column in PLAIN_COLUMNS},
            "url": request.build_absolute_uri(url) if request is not None else url,
            "title": text["title"],
            "summary": text["summary"],
            "text_language": text["language"],
            "pledge_type": ({"code": row["pledge_type"],
                             "name": type_names.get(row["pledge_type"], row["pledge_type"])}
                            if row["pledge_type"] else None),
            "published_at": _moment(row["published_at"]),
            "changed_at": _moment(row["changed_at"]),
            "entity": {"id": row["entity_id"], "name": row["entity__name"]},
            "co_pledgers": co_pledgers.get(pledge_id, []),
            "partners": [{"entity": {"id": p["entity_id"], "name": p["entity_name"]},
                          "role": {"code": p["role"],
                                   "name": role_names.get(p["role"], p["role"])},
                          "since": _moment(p["since"])}
                         for p in partners.get(pledge_id, [])],
            "event": ({"code": row["event__slug"],
                       "name": text_in(row["event__name_en"], row["event__name_translations"],
                                       language)}
                      if row["event__slug"] else None),
            "start_date": _day(row["start_date"]),
            "end_date": _day(row["end_date"]),
            **{key: [{"iso3" if key == "countries" else "number" if key == "sdgs" else "code":
                      code, "name": name} for code, name in lists[key].get(pledge_id, ())]
               for key in REFERENCE_LISTS},
            "amount": _decimal(_AMOUNT, row["amount"]),
            "usd_amount": _decimal(_AMOUNT, row["usd_amount"]),
            "advocacy_activities": list(row["advocacy_activities"] or []),
            "targets": targets.get(pledge_id, []),
            "revisions": revisions.get(pledge_id, []),
        })
    return documents
