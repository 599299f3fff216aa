"""The public Goals pages: committed and achieved per goal as a bar and a table, drill-downs,
contributing pledges, an as-of date, bad input answered plainly; query counts that do not grow
with the number of pledges or goals."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reporting import goal_data
from tests.reporting.goal_data import goal

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data():
    built = goal_data.build()
    built["people"] = goal("people", name_en="Connect people",
                           name_translations={"ar": "ربط الناس"},
                           indicator=goal_data.indicator("people-connected"))
    return built


def test_goals_page_shows_each_goal_committed_and_achieved(anonymous, data):
    page = anonymous.get("/en/goals/").content.decode()
    assert "Connect people" in page and "USD 100 billion in pledges" in page
    assert "Committed: 157 people (15.7% of the goal)" in page  # in the chart's words
    assert "Achieved: 80 people (8% of the goal)" in page
    assert '<svg class="report-chart goal-chart" role="img"' in page


def test_as_of_kigali_and_bad_dates(anonymous, data):
    page = anonymous.get("/en/goals/?as_of=2022-06-30").content.decode()
    assert "Committed: 150 people" in page and "Figures as of 30 June 2022." in page
    for bad in ("30/06/2022", "2022-02-30", "1999-01-01", "2030-01-01", "x" * 5000):
        response = anonymous.get("/en/goals/", {"as_of": bad})
        assert response.status_code == 200
        assert "Committed: 157 people" in response.content.decode()
        assert 'aria-invalid="true"' in response.content.decode()


def test_goal_page_drills_down_and_lists_contributing_pledges(anonymous, data):
    page = anonymous.get("/en/goals/people/").content.decode()
    for heading in ("By action area", "By country group", "By ITU-D region",
                    "By stakeholder group", "Contributing pledges"):
        assert heading in page
    assert data["rwanda"].reference in page and data["bhutan"].reference in page
    assert anonymous.get("/en/goals/no-such-goal/").status_code == 404
    assert anonymous.get("/en/goals/" + "a" * 300 + "/").status_code == 404


def test_arabic_goal_page(anonymous, data):
    page = anonymous.get("/ar/goals/people/").content.decode()
    assert "ربط الناس" in page and 'dir="rtl"' in page


def test_query_counts_do_not_grow_with_pledges_or_goals(
        anonymous, data, django_assert_max_num_queries):
    def count(path):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get(path).status_code == 200
        return len(queries)

    list_before, detail_before = count("/en/goals/"), count("/en/goals/people/")
    for _ in range(4):
        goal_data.public_pledge(targets=[("people-connected", "5")])
    for n in range(4):
        goal(f"more-{n}", indicator=goal_data.indicator("people-trained-digital-skills"))
    assert count("/en/goals/") == list_before
    assert count("/en/goals/people/") == detail_before
    with django_assert_max_num_queries(8):
        anonymous.get("/en/goals/?as_of=2024-01-01")


def test_goals_csv_is_open_data_safe_in_spreadsheets(anonymous, data):
    data["people"].name_en = '=HYPERLINK("http://evil")'
    data["people"].save()
    response = anonymous.get("/en/open-data/goals.csv?as_of=2022-06-30")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    people = next(row for row in rows if row["code"] == "people")
    assert people["name"].startswith("'=HYPERLINK")
    assert (people["indicator_code"], people["committed"], people["achieved"],
            people["pledges_counted"], people["as_of"]) == (
        "people-connected", "150", "0", "2", "2022-06-30")
    usd = next(row for row in rows if row["code"] == "usd-100-billion")
    assert (usd["measure"], usd["unit"], usd["goal_value"]) == ("usd", "USD", "100000000000")


def test_open_data_targets_carry_the_indicator_code(anonymous, data):
    pledges = json.loads(b"".join(
        anonymous.get("/en/pledges/export.json").streaming_content))["pledges"]
    rwanda = next(p for p in pledges if p["reference"] == data["rwanda"].reference)
    assert [t["indicator_code"] for t in rwanda["targets"]] == [
        "people-connected", "mobile-broadband-coverage", None]
    rows = list(csv.DictReader(io.StringIO(
        b"".join(anonymous.get("/en/pledges/export.csv").streaming_content).decode("utf-8-sig"))))
    row = next(r for r in rows if r["reference"] == data["rwanda"].reference)
    assert row["targets"].split("; ") == [
        "Schools connected [people-connected]: 0.00 → 100.00 schools by 2026-06-30",
        "Schools connected [mobile-broadband-coverage]: 0.00 → 40.00 schools by 2026-06-30",
        "Schools connected: 0.00 → 5000.00 schools by 2026-06-30"]
