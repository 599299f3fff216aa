"""datapackage.json describes the open-data downloads well enough for standard tools: the
`frictionless` library validates a real downloaded CSV against it."""

import json

import pytest
from frictionless import Package, validate

from tests.factories import PledgeFactory


@pytest.mark.django_db
def test_the_downloaded_csv_is_valid_against_the_data_package(client, tmp_path):
    PledgeFactory(published=True, financial=True, other_partners="=HYPERLINK(\"x\")")
    PledgeFactory(published=True, is_global=True)
    PledgeFactory(status="draft")
    response = client.get("/en/open-data/datapackage.json")
    assert response.status_code == 200
    package = response.json()
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    csv_resource = package["resources"][0]
    (tmp_path / "pledges.csv").write_bytes(
        b"".join(client.get("/en/pledges/export.csv").streaming_content))
    (tmp_path / "pledges.json").write_bytes(
        b"".join(client.get("/en/pledges/export.json").streaming_content))
    csv_resource["path"] = "pledges.csv"
    package["resources"][1]["path"] = "pledges.json"
    # The coalition goals' file is a resource of the package too (reporting.goal_open_data).
    (tmp_path / "goals.csv").write_bytes(client.get("/en/open-data/goals.csv").content)
    goals = next(resource for resource in package["resources"] if resource["name"] == "goals-csv")
    goals["path"] = "goals.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(package))

    report = validate(str(tmp_path / "datapackage.json"))

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = Package(str(tmp_path / "datapackage.json")).get_resource("pledges-csv").read_rows()
    assert len(rows) == 2
    financial = next(row for row in rows if row["pledge_type"] == "financial")
    assert financial["usd_amount"] == 1000000
    assert financial["is_global"] is False


@pytest.mark.django_db
def test_every_download_column_is_described(client):
    from pledges.open_data import COLUMN_NAMES

    fields = client.get("/en/open-data/datapackage.json").json()["resources"][0]["schema"]
    assert [field["name"] for field in fields["fields"]] == list(COLUMN_NAMES)
    assert all(field["description"] for field in fields["fields"])
