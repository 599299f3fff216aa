"""Open data: the filtered list as CSV and JSON, streamed, with the documented columns, safe to
open in a spreadsheet, without any private field."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges import open_data
from pledges.models import PledgeStatusChange
from tests.factories import EntityFactory, PledgeFactory, TargetFactory
from tests.pledges.public_data import bulk_pledges

pytestmark = pytest.mark.django_db

# The published column set. Changing it breaks people's scripts: add at the end, never rename.
DOCUMENTED_COLUMNS = [
    "reference", "url", "title", "summary", "description", "pledge_type", "status",
    "published_at", "entity", "entity_acronym", "entity_stakeholder_group", "entity_country",
    "co_pledgers", "other_partners", "action_areas", "pillars", "is_global", "regions",
    "countries", "targets_ldc", "targets_lldc", "targets_sids", "beneficiary_groups", "sdgs",
    "event", "start_date", "end_date", "amount", "currency", "usd_amount", "usd_rate",
    "usd_rate_date", "usd_rate_is_test_data",
    "modality", "disbursement_start", "disbursement_end", "policy_instrument", "policy_stage",
    "jurisdiction", "advocacy_activities", "audience", "programme_kind", "people_to_reach",
    "targets", "partners",
]
FORMULAS = ["=1+1", "==1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _json(response) -> dict:
    return json.loads(b"".join(response.streaming_content).decode())


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def test_csv_download_has_the_documented_columns(anonymous):
    PledgeFactory(published=True, financial=True, title="Fibre for Kigali")
    response = anonymous.get("/en/pledges/export.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="p2c-pledges-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffreference,url,title,")  # a BOM for spreadsheets, then names
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert list(rows[0]) == DOCUMENTED_COLUMNS
    assert rows[0]["title"] == "Fibre for Kigali"
    assert rows[0]["usd_amount"] == "1000000.00"
    assert rows[0]["countries"] == "RWA"
    assert rows[0]["targets_ldc"] == "true" and rows[0]["targets_sids"] == "false"
    assert rows[0]["url"].endswith(f"/en/pledges/{rows[0]['url'].split('/')[-2]}/")


def test_json_download_has_the_documented_columns_and_the_licence(anonymous):
    PledgeFactory(published=True, financial=True, title="Fibre for Kigali")
    response = anonymous.get("/en/pledges/export.json?type=financial")
    assert response.streaming
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = _json(response)
    assert data["licence"] == "CC BY 4.0"
    assert data["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["columns"] == DOCUMENTED_COLUMNS
    assert data["source"].endswith("/en/pledges/?type=financial")
    [pledge] = data["pledges"]
    assert list(pledge) == DOCUMENTED_COLUMNS
    assert pledge["usd_amount"] == 1000000.0
    assert pledge["countries"] == ["RWA"]
    assert pledge["action_areas"] == ["access"]
    assert pledge["targets"][0]["indicator"] == "Schools connected"


def test_the_documentation_lists_every_column_and_the_licence(anonymous):
    assert [c.name for c in open_data.COLUMNS] == DOCUMENTED_COLUMNS
    html = anonymous.get("/en/open-data/").content.decode()
    for name in DOCUMENTED_COLUMNS:
        assert f'<code lang="en" translate="no">{name}</code>' in html
    assert "CC BY 4.0" in html and "https://creativecommons.org/licenses/by/4.0/" in html
    assert "The JSON file gives the values exactly as stored." in html
    assert "Creative Commons Attribution 4.0" in anonymous.get("/fr/open-data/").content.decode()


def test_downloads_take_the_list_filters(anonymous):
    PledgeFactory(published=True, financial=True, title="Money pledge")
    PledgeFactory(published=True, title="Programme pledge")
    rows = _csv(anonymous.get("/en/pledges/export.csv?type=financial"))
    assert [row["title"] for row in rows] == ["Money pledge"]
    rows = _csv(anonymous.get("/en/pledges/export.csv?q=Programme"))
    assert [row["title"] for row in rows] == ["Programme pledge"]
    html = anonymous.get("/en/pledges/?type=financial&sort=usd&page=1").content.decode()
    assert 'href="/en/pledges/export.csv?type=financial"' in html


def test_downloads_of_an_entity_without_public_pledges_are_empty_not_an_error(anonymous):
    """The list's download link of an entity that has no public pledge (or an unknown entity
    number): the database is asked nothing it cannot answer (it was a server error)."""
    PledgeFactory(published=True, title="Someone else's pledge")
    quiet = EntityFactory()
    for query in (f"entity={quiet.pk}", "entity=999999"):
        csv_response = anonymous.get(f"/en/pledges/export.csv?{query}")
        assert csv_response.status_code == 200
        assert _csv(csv_response) == []
        assert _json(anonymous.get(f"/en/pledges/export.json?{query}"))["pledges"] == []


def test_formulas_are_neutralised_in_csv_and_raw_in_json(anonymous):
    partner = EntityFactory(name="@SUM(A1)")
    pledge = PledgeFactory(
        published=True, title="=1+1", summary="==1+1", description="+cmd|' /C calc'!A0",
        other_partners="-2+3", pledge_type="advocacy", programme_kind="", people_to_reach=None,
        audience="\t=1+1", advocacy_activities=["research"],
        entity=EntityFactory(name="\r=1+1", acronym="-A"), with_defaults=False,
    )
    pledge.co_pledgers.add(partner)
    TargetFactory(pledge=pledge, indicator="=HYPERLINK(\"http://evil\")", unit="@units")

    [row] = _csv(anonymous.get("/en/pledges/export.csv"))
    for name, cell in row.items():
        assert not cell.startswith(TRIGGERS), f"{name}: {cell!r}"
    assert row["title"] == "'=1+1"
    assert row["summary"] == "'==1+1"
    assert row["description"] == "'+cmd|' /C calc'!A0"
    assert row["other_partners"] == "'-2+3"
    assert row["audience"] == "'\t=1+1"
    assert row["entity"] == "'\r=1+1"
    assert row["co_pledgers"] == "'@SUM(A1)"
    assert row["targets"].startswith("'=HYPERLINK")

    # JSON is read by programs, not spreadsheets: the values exactly as stored, no apostrophe.
    [record] = _json(anonymous.get("/en/pledges/export.json"))["pledges"]
    assert not [text for text in _strings(record) if text.startswith("'")]
    assert record["title"] == "=1+1"
    assert record["summary"] == "==1+1"
    assert record["description"] == "+cmd|' /C calc'!A0"
    assert record["audience"] == "\t=1+1"
    assert record["entity"] == "\r=1+1"
    assert record["entity_acronym"] == "-A"
    assert record["co_pledgers"] == ["@SUM(A1)"]
    assert record["targets"][0]["indicator"] == '=HYPERLINK("http://evil")'
    assert record["targets"][0]["unit"] == "@units"


@pytest.mark.parametrize("payload", FORMULAS)
def test_spreadsheet_safe_neutralises_every_formula_start(payload):
    assert open_data.spreadsheet_safe(payload) == "'" + payload
    assert open_data.spreadsheet_safe("Plain text - with a dash") == "Plain text - with a dash"
    assert open_data.spreadsheet_safe(-2) == -2  # numbers stay numbers
    assert open_data.spreadsheet_safe(None) is None


def test_private_fields_are_never_in_the_files(anonymous, secretariat):
    pledge = PledgeFactory(published=True, contact_name="Paul Pledger",
                           contact_email="paul@example.org",
                           unsaved_input={"basics": {"title": "UNSAVED SECRET"}})
    PledgeStatusChange.objects.create(pledge=pledge, actor=secretariat, from_status="submitted",
                                      to_status="changes_requested",
                                      message="SECRETARIAT MESSAGE about the budget")
    for url in ("/en/pledges/export.csv", "/en/pledges/export.json"):
        text = b"".join(anonymous.get(url).streaming_content).decode("utf-8-sig")
        for secret in ("Paul Pledger", "paul@example.org", "UNSAVED SECRET",
                       "SECRETARIAT MESSAGE", "contact"):
            assert secret not in text, (url, secret)


def test_downloads_stream_batch_by_batch(anonymous, monkeypatch):
    """Rows are read a batch at a time while the file is sent (a server-side cursor: the first
    rows leave before the last ones are read), so 100,000 pledges cost the memory of one batch."""
    monkeypatch.setattr(open_data, "BATCH_SIZE", 10)
    bulk_pledges(35)
    response = anonymous.get("/en/pledges/export.csv")
    chunks = list(response.streaming_content)
    assert chunks[0].startswith("\ufeffreference".encode())
    assert [chunk.count(b"Bulk pledge") for chunk in chunks[1:]] == [10, 10, 10, 5]


def test_postgresql_writes_the_whole_download_in_one_query(postgresql, anonymous, monkeypatch):
    """PostgreSQL writes the rows (pledges.open_data_sql): one query for the whole download,
    not one per batch and link table (SQLite's Python writer reads each batch's links)."""
    monkeypatch.setattr(open_data, "BATCH_SIZE", 10)
    bulk_pledges(35)
    response = anonymous.get("/en/pledges/export.csv")
    with CaptureQueriesContext(connection) as queries:
        assert b"".join(response.streaming_content).count(b"Bulk pledge") == 35
    assert len([q for q in queries.captured_queries if "pledges_target" in q["sql"]]) == 1


def test_json_download_streams_and_is_valid_for_many_pledges(anonymous, monkeypatch):
    monkeypatch.setattr(open_data, "BATCH_SIZE", 7)
    bulk_pledges(40)
    data = _json(anonymous.get("/en/pledges/export.json"))
    assert len(data["pledges"]) == 40
    assert len({p["reference"] for p in data["pledges"]}) == 40


@pytest.mark.parametrize("query", ["", "type=financial"])  # dense batches, sparse batches
def test_every_row_carries_its_own_links_and_targets(anonymous, monkeypatch, query):
    monkeypatch.setattr(open_data, "BATCH_SIZE", 6)
    pledges = bulk_pledges(24)
    bulk_pledges(4, status="draft")  # in the id ranges, never in the files
    expected = {
        p.reference: (sorted(p.countries.values_list("iso3", flat=True)),
                      list(p.targets.values_list("indicator", flat=True)))
        for p in pledges if not query or p.pledge_type == "financial"
    }
    rows = _csv(anonymous.get(f"/en/pledges/export.csv?{query}"))
    got = {
        row["reference"]: (sorted(row["countries"].split("; ")),
                           [t.split(":")[0] for t in row["targets"].split("; ")])
        for row in rows
    }
    assert got == expected
