"""The open data written by PostgreSQL (pledges.open_data_sql) is, byte for byte, what the Python
writer gives: every column, awkward values in each (formula starts, commas, quotes, line breaks,
Arabic, control characters, the edges of the numbers), in English and Arabic, and the pre-built
files the same as the downloads."""

import csv
import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    CountryGroupMembership,
    Indicator,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from pledges import open_data, open_data_files, open_data_sql
from pledges.models import Partnership, Pledge
from tests.factories import EntityFactory, EventFactory, PledgeFactory, TargetFactory

pytestmark = pytest.mark.django_db

AWKWARD = [
    "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=tab", "\r=cr", "\n=lf",
    'Quote "inside", and a comma', "Line one\r\nline two\nline three", "تعهد لربط المدارس",
    "Backslash \\ and \\u0000 written out", "Control \x01 and \x1f characters",
    "Trailing space ", " leading space", "Emoji 📶 and 中文", "'already quoted",
]


def _python_csv(queryset, url: str) -> str:
    """The Python writer as it was before PostgreSQL wrote the rows: the reference."""
    writer = csv.writer(open_data._Line())
    lines = [open_data.csv_header()]
    for record in open_data.records(queryset, url=url):
        lines.append(writer.writerow([write(record[name])
                                      for name, write in open_data._CSV_FORMATTERS]))
    return "".join(lines)


def _python_json(queryset, url: str) -> str:
    return ",\n".join(
        json.dumps({name: open_data._json_value(record[name]) for name in
                    open_data.COLUMN_NAMES}, ensure_ascii=False)
        for record in open_data.records(queryset, url=url))


def _sql_csv(queryset) -> str:
    return "".join(open_data.csv_lines(queryset))


def _sql_json(queryset) -> str:
    text = "".join(open_data.json_chunks(queryset, source_url="x"))
    return text.split(', "pledges": [', 1)[1].removeprefix("\n").removesuffix(open_data.JSON_END)


@pytest.fixture
def awkward_pledges(postgresql):
    """Pledges of every type whose every column holds something awkward. On PostgreSQL only:
    SQLite keeps decimals as floats, which cannot give back the edges of the numbers."""
    today = timezone.localdate()
    nepal, fiji, kenya = (Country.objects.get(iso3=code) for code in ("NPL", "FJI", "KEN"))
    CountryGroupMembership.objects.filter(country=kenya).delete()
    CountryGroupMembership.objects.create(country=kenya, group="LDC",
                                          valid_to=today - datetime.timedelta(days=1))
    CountryGroupMembership.objects.create(country=kenya, group="SIDS",
                                          valid_from=today + datetime.timedelta(days=1))
    indicator = Indicator.objects.first()
    event = EventFactory(slug="event-awkward")
    approved = [EntityFactory(name=name) for name in ("=Zeta, Inc.", "Alpha \"A\"", "بيت")]
    applied = EntityFactory(name="Not approved yet", status="applied")
    pledges = []
    for number, text in enumerate(AWKWARD):
        kind = ["financial", "policy", "advocacy", "programme"][number % 4]
        pledge = PledgeFactory(
            published=True, with_defaults=False, pledge_type=kind, title=text,
            summary=AWKWARD[-number - 1], description=text * 3, other_partners=text,
            entity=EntityFactory(name=text, acronym=AWKWARD[number - 1][:20],
                                 headquarters_country=fiji if number % 3 else nepal),
            event=event if number % 2 else None, is_global=number % 5 == 0,
            start_date=None if number == 3 else datetime.date(999 + number, 1, 31),
            published_at=timezone.now().replace(microsecond=0 if number % 2 else 123456),
            programme_kind="", people_to_reach=None,
        )
        if kind == "financial":
            pledge.amount = [Decimal("0.01"), Decimal("99999999999999.99"),
                             Decimal("1234567.50"), Decimal("100")][number % 4]
            pledge.currency = "EUR"
            pledge.usd_amount = pledge.amount
            pledge.usd_rate = [Decimal("0.000001"), Decimal("1"), Decimal("0.952381"),
                               Decimal("12345678901234.123456")][(number // 4) % 4]
            pledge.usd_rate_date = datetime.date(2022, 6, 1)
            pledge.usd_rate_is_test_data = number % 8 == 0
            pledge.modality = "grant"
            pledge.disbursement_start = datetime.date(2023, 1, 1)
        elif kind == "policy":
            pledge.policy_instrument, pledge.policy_stage = "law", "adopted"
            pledge.jurisdiction = text
        elif kind == "advocacy":
            pledge.advocacy_activities = (["research", "not-a-code", 3, "campaign", None]
                                          if number % 8 == 2 else {"not": "a list"})
            pledge.audience = text
        else:
            pledge.programme_kind, pledge.people_to_reach = "new", 10_000_000_000 - number
        pledge.save()
        pledge.action_areas.set(ActionArea.objects.all()[: number % 4])
        pledge.pillars.set(Pillar.objects.all()[: number % 3])
        pledge.regions.set(Region.objects.all()[: number % 2 + 1])
        pledge.countries.set([nepal, fiji, kenya][: number % 4])
        pledge.beneficiary_groups.set(BeneficiaryGroup.objects.all()[: number % 3])
        pledge.sdgs.set(SustainableDevelopmentGoal.objects.all()[: number % 4])
        pledge.co_pledgers.set([*approved[: number % 4], applied])
        for entity, role, status in [
            (approved[0], "funder", "accepted"), (approved[1], "co_implementer", "accepted"),
            (approved[2], "adopter", "accepted" if number % 2 else "invited"),
            (applied, "funder", "accepted"),
        ][: number % 5]:
            Partnership.objects.create(pledge=pledge, entity=entity, role=role, status=status,
                                       accepted_at=timezone.now())
        for position, (baseline, target_value) in enumerate([
            (None, Decimal("7.01")), (Decimal("0"), Decimal("100")),
            (Decimal("-12.5"), Decimal("0.5")),
            (Decimal("1234567890123456.78"), Decimal("1500000000000000.50")),
            (Decimal("999999999999999999.99"), Decimal("0.01")),
        ][: number % 6]):
            TargetFactory(pledge=pledge, indicator=AWKWARD[(number + position) % len(AWKWARD)],
                          unit=text[:50], baseline=baseline, target_value=target_value,
                          catalogue_indicator=indicator if position % 2 else None,
                          position=10 - position)
        pledges.append(pledge)
    PledgeFactory(title="A draft, never in the files")
    return pledges


@pytest.mark.parametrize("language", ["en", "ar"])
def test_csv_is_byte_for_byte_the_python_writer(awkward_pledges, language):
    queryset = Pledge.objects.public()
    with translation.override(language):
        expected = _python_csv(queryset, open_data.pledge_url_template())
        got = _sql_csv(queryset)
    assert len(awkward_pledges) == len(AWKWARD)
    assert got.count("P2C-") == len(AWKWARD)
    assert f"/{language}/pledges/" in got
    # Only the known activity codes of a stored list (not "not-a-code", 3, null, or a dict).
    assert ",research; campaign," in got and "not-a-code" not in got
    assert got == expected


@pytest.mark.parametrize("language", ["en", "ar"])
def test_json_is_byte_for_byte_the_python_writer(awkward_pledges, language):
    queryset = Pledge.objects.public()
    with translation.override(language):
        expected = _python_json(queryset, open_data.pledge_url_template())
        got = _sql_json(queryset)
    records = json.loads(f"[{got}]")
    assert len(records) == len(AWKWARD)
    assert {record["title"] for record in records} == set(AWKWARD)
    assert got == expected


def test_a_filtered_selection_is_the_same_too(awkward_pledges):
    queryset = Pledge.objects.public().filter(pledge_type="advocacy")
    assert _sql_csv(queryset) == _python_csv(queryset, open_data.pledge_url_template())


def test_the_python_rows_used_without_postgresql_are_the_same(awkward_pledges):
    """SQLite (`make run`) keeps the Python writer: cut at the address, put back together, the
    same bytes."""
    queryset = Pledge.objects.public()
    url = open_data.pledge_url_template()
    for file_format in ("csv", "json"):
        parts = open_data.url_parts(file_format, url)
        python = [open_data.rows_text(batch, parts) for batch in
                  open_data._python_row_batches(queryset, file_format)]
        sql = [open_data.rows_text(batch, parts) for batch in
               open_data_sql.row_batches(queryset, file_format, open_data.COLUMN_NAMES, 1000)]
        assert python == sql


@pytest.mark.parametrize("site_url", ["https://pledges.example.org",
                                      'https://a,b.example.org/"x"', "=cmd|' /C calc'"])
def test_the_address_is_quoted_and_guarded_as_the_python_writer_does(awkward_pledges, settings,
                                                                     site_url):
    settings.SITE_URL = site_url
    queryset = Pledge.objects.public()
    assert _sql_csv(queryset) == _python_csv(queryset, open_data.pledge_url_template())
    assert _sql_json(queryset) == _python_json(queryset, open_data.pledge_url_template())


def test_every_language_file_is_the_download_in_that_language(awkward_pledges, settings,
                                                              tmp_path):
    settings.OPEN_DATA_DIR = tmp_path
    open_data_files.open_data_files_build()
    version = open_data_files.public_version()
    queryset = Pledge.objects.public()
    for language in ("fr", "ar"):
        with translation.override(language):
            csv_text = _python_csv(queryset, open_data.pledge_url_template())
            json_text = _python_json(queryset, open_data.pledge_url_template())
        built = open_data_files.file_path("csv", language, version).read_bytes().decode()
        assert built == csv_text
        built = open_data_files.file_path("json", language, version).read_bytes().decode()
        assert built.split(', "pledges": [\n', 1)[1] == json_text + open_data.JSON_END
