"""The as-of rule "member of the group on date D" is applied by the database (valid_on) for the
open data, the public facets, the desk's filter and the report figures: a country that
graduates from LDC status on D is not an LDC on D, and still was one the day before. Each
surface is asked on both days, so that moving the boundary by one day fails here."""

import datetime
import json

import pytest
import time_machine
from django.http import QueryDict

from action_areas.models import Country, CountryGroupMembership
from reporting.compiled_report_figures import compiled_report_figures, compiled_report_pledges
from reporting.models import ReportRun
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

GRADUATION = datetime.date(2023, 12, 13)  # Bhutan (reference data: ldc_graduation.csv)
DAY_BEFORE = GRADUATION - datetime.timedelta(days=1)
DAYS = [(DAY_BEFORE, True), (GRADUATION, False)]


@pytest.fixture
def bhutan_pledge():
    bhutan = Country.objects.get(iso3="BTN")
    assert CountryGroupMembership.objects.get(country=bhutan, group="LDC").valid_to == GRADUATION
    with time_machine.travel(datetime.datetime(2023, 6, 1, 12, tzinfo=datetime.UTC)):
        pledge = PledgeFactory(title="Bhutan broadband", published=True, financial=True)
    pledge.countries.set([bhutan])
    return pledge


def at_noon(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), datetime.UTC))


@pytest.mark.parametrize(("day", "is_ldc"), DAYS)
def test_open_data(day, is_ldc, bhutan_pledge, anonymous):
    with at_noon(day):
        response = anonymous.get("/en/pledges/export.json")
        [record] = json.loads(b"".join(response.streaming_content))["pledges"]
    assert record["targets_ldc"] is is_ldc


@pytest.mark.parametrize(("day", "is_ldc"), DAYS)
def test_public_facet(day, is_ldc, bhutan_pledge, anonymous):
    with at_noon(day):
        html = anonymous.get("/en/pledges/?targeting=LDC").content.decode()
    assert ("Bhutan broadband" in html) is is_ldc


@pytest.mark.parametrize(("day", "is_ldc"), DAYS)
def test_desk_filter(day, is_ldc, bhutan_pledge, secretariat_client):
    with at_noon(day):
        response = secretariat_client.get("/en/admin/pledges/pledge/?targets=LDC")
    assert response.status_code == 200
    listed = {pledge.title for pledge in response.context["cl"].result_list}
    assert ("Bhutan broadband" in listed) is is_ldc


@pytest.mark.parametrize(("day", "is_ldc"), DAYS)
def test_report_figures(day, is_ldc, bhutan_pledge):
    custom = ReportRun(kind=ReportRun.Kind.CUSTOM, filter_query="targeting=LDC", as_of=day)
    assert compiled_report_pledges(custom).filter(pk=bhutan_pledge.pk).exists() is is_ldc
    everything = ReportRun(kind=ReportRun.Kind.CUSTOM, filter_query=QueryDict().urlencode(),
                           as_of=day)
    targeting = compiled_report_figures(everything, today=day)["breakdowns"]["targeting"]
    ldc = next(row for row in targeting if row["code"] == "LDC")
    assert ldc["pledges"] == (1 if is_ldc else 0)
