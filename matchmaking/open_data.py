"""The published needs as open data (CSV and JSON): public fields only, never a contact
detail, every text cell safe against spreadsheet formula injection."""

import csv
import json
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet

from spreadsheets.files import spreadsheet_safe

from .models import Need

COLUMNS = ("id", "url", "title", "description", "entity", "stakeholder_group", "support_kind",
           "action_areas", "pillars", "countries", "amount", "currency", "usd_amount",
           "open_until", "status", "published_at", "met_by_pledge_url")


def records(queryset: QuerySet[Need]) -> Iterator[dict]:
    queryset = queryset.prefetch_related("action_areas", "pillars", "countries")
    for need in queryset.iterator(chunk_size=500):
        yield {
            "id": need.pk,
            "url": settings.SITE_URL + need.get_absolute_url(),
            "title": need.title,
            "description": need.description,
            "entity": need.entity.name,
            "stakeholder_group": need.entity.stakeholder_group,
            "support_kind": need.support_kind,
            "action_areas": [area.code for area in need.action_areas.all()],
            "pillars": [pillar.code for pillar in need.pillars.all()],
            "countries": [country.iso3 for country in need.countries.all()],
            "amount": str(need.amount) if need.amount is not None else None,
            "currency": need.currency,
            "usd_amount": str(need.usd_amount) if need.usd_amount is not None else None,
            "open_until": need.open_until.isoformat() if need.open_until else None,
            "status": need.status,
            "published_at": need.published_at.isoformat() if need.published_at else None,
            "met_by_pledge_url": (settings.SITE_URL + need.met_by_pledge.get_absolute_url()
                                  if need.met_by_pledge_id and need.status == Need.Status.MET
                                  else None),
        }


class _Line:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    return spreadsheet_safe(str(value)) if value != "" else ""


def csv_lines(queryset: QuerySet[Need]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for record in records(queryset):
        yield writer.writerow([_cell(record[name]) for name in COLUMNS])


def json_chunks(queryset: QuerySet[Need]) -> Iterator[str]:
    yield '{"licence": "CC BY 4.0", "needs": ['
    first = True
    for record in records(queryset):
        yield ("" if first else ",") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "]}"
