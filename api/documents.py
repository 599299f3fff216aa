"""The API's pledge documents, built from rows: one query for a page's pledges (only the
columns the API shows) and one per related list (areas, countries, targets, partners…), whatever
the page size. Model instances and nested serializers cost ~5 ms a pledge at 100,000 pledges;
plain rows cost a fraction of that. Which pledges are public is never decided here: the page's
rows come from pledges.selectors (pledge_changes_public), the partners from
pledges.partnership_selectors. serializers.PledgeSerializer describes these documents in the
OpenAPI schema; tests/api check that every answer keeps to it."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from rest_framework import serializers

from action_areas.models import text_in
from members.models import Entity
from pledges.models import Pledge, PledgeRevision, PledgeType, Target
from pledges.partnership_models import Partnership
from pledges.partnership_selectors import accepted_partners_of_pledges

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


def pledge_page_rows(pledges):
    """The rows of a queryset of pledge_changes_public (a page of it once sliced)."""
    return pledges.prefetch_related(None).values(*PAGE_COLUMNS)


def _related(field_name: str, columns: dict, ordering: tuple, pledge_ids, **conditions):
    """{pledge id: [{name: value}]} of one many-to-many field of Pledge, in one query, read
    through its join table: `columns` maps the document's names to the related model's
    columns."""
    field = Pledge._meta.get_field(field_name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = (through.objects.filter(**{f"{source}_id__in": pledge_ids},
                                   **{f"{target}__{k}": v for k, v in conditions.items()})
            .order_by(*(f"{target}__{column}" for column in ordering))
            .values(f"{source}_id", *(f"{target}__{column}" for column in columns.values())))
    related: dict[int, list[dict]] = {}
    for row in rows:
        related.setdefault(row[f"{source}_id"], []).append(
            {name: row[f"{target}__{column}"] for name, column in columns.items()})
    return related


def _labelled(rows: list[dict], key: str, language: str) -> list[dict]:
    return [{key: row[key], "name": text_in(row["name_en"], row["translations"], language)}
            for row in rows]


NAMED = {"code": "code", "name_en": "name_en", "translations": "name_translations"}


def pledge_documents(rows: list[dict], request=None) -> list[dict]:
    """The API's document of each pledge row (PAGE_COLUMNS), in the rows' order."""
    language = get_language() or settings.LANGUAGE_CODE
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    areas = _related("action_areas", NAMED, ("position",), ids)
    pillars = _related("pillars", NAMED, ("position", "code"), ids)
    regions = _related("regions", NAMED, ("position",), ids)
    countries = _related("countries", {"code": "iso3", "name_en": "name_en",
                                       "translations": "name_translations"}, ("iso3",), ids)
    groups = _related("beneficiary_groups", NAMED, ("position", "code"), ids)
    sdgs = _related("sdgs", {"code": "number", "name_en": "name_en",
                             "translations": "name_translations"}, ("number",), ids)
    co_pledgers = _related("co_pledgers", {"id": "pk", "name": "name"}, ("pk",), ids,
                           status=Entity.Status.APPROVED)
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
        text = Pledge(title=row["title"], summary=row["summary"], language=row["language"],
                      translations=row["translations"]).text_in(language)
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
            "action_areas": _labelled(areas.get(pledge_id, []), "code", language),
            "pillars": _labelled(pillars.get(pledge_id, []), "code", language),
            "regions": _labelled(regions.get(pledge_id, []), "code", language),
            "countries": [{"iso3": c["code"],
                           "name": text_in(c["name_en"], c["translations"], language)}
                          for c in countries.get(pledge_id, [])],
            "beneficiary_groups": _labelled(groups.get(pledge_id, []), "code", language),
            "sdgs": [{"number": g["code"],
                      "name": text_in(g["name_en"], g["translations"], language)}
                     for g in sdgs.get(pledge_id, [])],
            "amount": _decimal(_AMOUNT, row["amount"]),
            "usd_amount": _decimal(_AMOUNT, row["usd_amount"]),
            "advocacy_activities": list(row["advocacy_activities"] or []),
            "targets": targets.get(pledge_id, []),
            "revisions": revisions.get(pledge_id, []),
        })
    return documents
