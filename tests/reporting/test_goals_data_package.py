"""The goals file is part of the portal's data package (datapackage.json): described column by
column, and a real download validates against it; a campaign goal names its campaign."""

import datetime
import json
from decimal import Decimal

import pytest
from frictionless import Package, validate

from action_areas.models import Campaign
from reporting.goal_open_data import COLUMNS
from tests.reporting import goal_data

pytestmark = pytest.mark.django_db


def test_the_downloaded_goals_file_is_valid_against_the_data_package(client, tmp_path):
    campaign = Campaign.objects.create(slug="schools", name_en="School connectivity",
                                       starts_on=datetime.date(2025, 1, 1),
                                       ends_on=datetime.date(2025, 12, 31))
    goal_data.goal("schools-goal", indicator=goal_data.indicator("schools-connected"),
                   scope="campaign", campaign=campaign, target_value=Decimal("1000"))
    package = client.get("/en/open-data/datapackage.json").json()
    resource = next(r for r in package["resources"] if r["name"] == "goals-csv")
    assert resource["path"].endswith("/en/open-data/goals.csv")
    assert resource["licenses"][0]["name"] == "CC-BY-4.0"
    assert [field["name"] for field in resource["schema"]["fields"]] == list(COLUMNS)
    assert all(field["description"] for field in resource["schema"]["fields"])

    (tmp_path / "goals.csv").write_bytes(client.get("/en/open-data/goals.csv").content)
    package["resources"] = [{**resource, "path": "goals.csv"}]
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = Package(str(tmp_path / "datapackage.json")).get_resource("goals-csv").read_rows()
    by_code = {row["code"]: row for row in rows}
    assert (by_code["schools-goal"]["scope"], by_code["schools-goal"]["scope_code"]) == (
        "campaign", "schools")
    assert by_code["schools-goal"]["indicator_code"] == "schools-connected"
