"""The public view of shared pledges (issue 18): the "joint pledges" facet counts pledges with
at least one accepted partner, like the other facets and in the same one query; the open data
gain a `partners` column ("name (role)", accepted partners only, safe in a spreadsheet); the
pledge page shows each partner's progress without more queries for more partners."""

import csv
import io
import json

import pytest
from django.core.cache import cache

from pledges.models import Partnership
from tests.factories import EntityFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def _partner(pledge, name: str, *, status="accepted", role="co_implementer"):
    entity = EntityFactory(name=name)
    Partnership.objects.create(pledge=pledge, entity=entity, role=role, status=status,
                               accepted_at=pledge.published_at if status == "accepted" else None)
    if status == "accepted":
        pledge.co_pledgers.add(entity)
    return entity


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.fixture
def pledges(entity):
    """A joint pledge (one accepted partner, one pending), a pledge with only a declined and a
    pending partner, and a pledge with none."""
    joint = PledgeFactory(entity=entity, published=True, title="Joint schools")
    _partner(joint, "Accepted Partner Org", role="funder")
    _partner(joint, "Pending Partner Org", status="invited")
    lonely = PledgeFactory(entity=entity, published=True, title="Lonely clinics")
    _partner(lonely, "Declined Partner Org", status="declined")
    _partner(lonely, "Another Pending Org", status="invited")
    PledgeFactory(entity=entity, published=True, title="Alone")
    return {"joint": joint, "lonely": lonely}


def test_the_joint_facet_counts_and_finds_pledges_with_an_accepted_partner(anonymous, pledges):
    response = anonymous.get("/en/pledges/")
    joint_panel = next(p for p in response.context["facets"] if p["name"] == "joint")
    assert [(v["value"], v["count"]) for v in joint_panel["values"]] == [("yes", 1)]
    assert "Joint pledges" in response.content.decode()
    filtered = anonymous.get("/en/pledges/?joint=yes")
    assert filtered.context["total"] == 1
    assert [p.title for p in filtered.context["page"].items] == ["Joint schools"]
    # An unknown value is dropped, never a 500.
    assert anonymous.get("/en/pledges/?joint=%3Cscript%3E").status_code == 200


def test_the_joint_facet_costs_no_query_more_with_more_joint_pledges(
        anonymous, pledges, entity, django_assert_max_num_queries):
    cache.clear()
    with django_assert_max_num_queries(60) as captured:
        assert anonymous.get("/en/pledges/?joint=yes").status_code == 200
    before = len(captured)
    for n in range(5):
        _partner(PledgeFactory(entity=entity, published=True), f"Partner {n}")
    cache.clear()  # uncached, as the first time
    with django_assert_max_num_queries(before):
        response = anonymous.get("/en/pledges/?joint=yes")
    assert response.context["total"] == 6


def test_open_data_list_accepted_partners_with_their_role(anonymous, pledges):
    rows = list(csv.DictReader(io.StringIO(_text(anonymous.get("/en/pledges/export.csv")))))
    by_title = {row["title"]: row for row in rows}
    assert by_title["Joint schools"]["partners"] == "Accepted Partner Org (funder)"
    assert by_title["Lonely clinics"]["partners"] == ""
    records = json.loads(_text(anonymous.get("/en/pledges/export.json")))["pledges"]
    joint = next(r for r in records if r["title"] == "Joint schools")
    assert joint["partners"] == [{"name": "Accepted Partner Org", "role": "funder"}]
    everything = _text(anonymous.get("/en/pledges/export.csv")) + _text(
        anonymous.get("/en/pledges/export.json"))
    for hidden in ("Pending Partner Org", "Declined Partner Org", "Another Pending Org"):
        assert hidden not in everything
    package = anonymous.get("/en/open-data/datapackage.json").json()
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert "role" in fields["partners"]["description"]


def test_a_partner_named_like_a_formula_is_not_run_by_a_spreadsheet(anonymous, entity):
    pledge = PledgeFactory(entity=entity, published=True, title="Formula")
    _partner(pledge, "=HYPERLINK(\"http://evil.example\")")
    rows = list(csv.DictReader(io.StringIO(_text(anonymous.get("/en/pledges/export.csv")))))
    cell = next(row for row in rows if row["title"] == "Formula")["partners"]
    assert cell.startswith("'=")
