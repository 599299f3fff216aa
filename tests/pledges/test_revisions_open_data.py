"""The revisions open-data files: one row per field changed by each approved amendment of a
public pledge, safe to open in a spreadsheet, listed on the open-data page."""

import csv
import io
import json
from decimal import Decimal

import pytest

from action_areas.models import Country
from pledges import amendment_workflow
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

HOSTILE_REASON = '=HYPERLINK("http://evil.example","Budget cut")'


@pytest.fixture
def amended(entity, member, secretariat):
    pledge = PledgeFactory(entity=entity, published=True, financial=True, currency="EUR",
                           amount=Decimal("5000000"))
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=pledge.pk,
        values={"amount": Decimal("3000000"),
                "countries": [Country.objects.get(iso3="RWA"), Country.objects.get(iso3="KEN")]},
        reason=HOSTILE_REASON,
    )
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="OK")
    return pledge


def _csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_changed_field_and_formulas_neutralised(anonymous, amended):
    response = anonymous.get("/en/open-data/revisions.csv")
    assert response.status_code == 200
    rows = _csv_rows(response)
    assert [(r["pledge_reference"], r["field"], r["before"], r["after"]) for r in rows] == [
        (amended.reference, "amount", "5000000", "3000000"),
        (amended.reference, "countries", "RWA", "KEN; RWA"),
    ]
    assert {r["reason"] for r in rows} == {"'" + HOSTILE_REASON}


def test_the_json_file_has_the_same_rows_with_the_stored_text(anonymous, amended):
    response = anonymous.get("/en/open-data/revisions.json")
    data = json.loads(b"".join(response.streaming_content))
    assert data["licence"] == "CC BY 4.0"
    assert [(r["field"], r["after"]) for r in data["revisions"]] == [
        ("amount", "3000000"), ("countries", "KEN; RWA")]
    assert data["revisions"][0]["reason"] == HOSTILE_REASON


def test_revisions_of_pledges_no_longer_public_are_left_out(anonymous, amended, member):
    from pledges.workflow import pledge_transition

    pledge_transition(pledge_id=amended.pk, name="withdraw", actor=member)
    assert _csv_rows(anonymous.get("/en/open-data/revisions.csv")) == []


def test_the_open_data_page_lists_the_revisions_files(anonymous):
    html = anonymous.get("/en/open-data/").content.decode()
    assert 'href="/en/open-data/revisions.csv"' in html
    assert 'href="/en/open-data/revisions.json"' in html
