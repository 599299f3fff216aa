"""A compiled report's matchmaking section (issue 21): needs published, introductions made and
accepted, needs met, by action area and country group, as of the report's date. The page, the
figures CSV, the workbook and the PDF state the same numbers, and never a contact detail."""

import csv
import datetime
import io
import re
import shutil
import subprocess

import openpyxl
import pytest

from action_areas.models import ActionArea, Country
from matchmaking.models import Introduction, Need
from reporting.models import ReportFile, ReportRun
from reporting.services import compiled_reports
from tests.conftest import require_service
from tests.factories import (
    EntityFactory,
    MembershipFactory,
    NeedFactory,
    PledgeFactory,
    UserFactory,
)
from tests.reporting.cycles import at, moment

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 5, 1)
CONTACTS = ("ict@minict.example.org", "ada@minict.example.org", "hello@funders.example.org",
            "fran@funders.example.org")

# What the report states, as of 1 May 2026 (what happened after it is left out).
TOTALS = {"Needs published": 3, "Introductions made": 2, "Introductions accepted": 1,
          "Needs met": 1}
TABLE = {  # (needs published, needs met)
    "Access": (2, 1), "Adoption": (1, 0), "Value Creation": (0, 0), "Accelerate": (0, 0),
    "Least Developed Country": (1, 1), "Landlocked Developing Country": (1, 1),
    "Small Island Developing State": (1, 0),
}


def _need(entity, *, area: str, country: str, published: str, **fields) -> Need:
    need = NeedFactory(entity=entity, published=True, published_at=at(published), **fields)
    need.action_areas.set([ActionArea.objects.get(code=area)])
    need.countries.set([Country.objects.get(iso3=country)])
    return need


@pytest.fixture
def matchmaking_run(django_capture_on_commit_callbacks):
    government = EntityFactory(name="Ministry of ICT of Rwanda",
                               contact_email="ict@minict.example.org")
    MembershipFactory(user=UserFactory(email="ada@minict.example.org"), entity=government,
                      role="administrator")
    funders = EntityFactory(name="Digital Funders Alliance",
                            contact_email="hello@funders.example.org")
    MembershipFactory(user=UserFactory(email="fran@funders.example.org"), entity=funders,
                      role="administrator")
    fund = PledgeFactory(entity=funders, published=True, financial=True)
    backhaul = _need(government, area="access", country="RWA", published="2026-03-01",
                     status="met", ended_at=at("2026-04-01"), met_by_pledge=fund)
    islands = _need(government, area="adoption", country="FJI", published="2026-03-02")
    _need(government, area="access", country="KEN", published="2026-03-03")
    later = _need(government, area="access", country="RWA", published="2026-06-01")
    NeedFactory(entity=government)  # a draft: never counted
    Introduction.objects.create(
        need=backhaul, pledge=fund, from_entity=funders, to_entity=government,
        message="Our fund?", status="accepted", created_at=at("2026-03-05"),
        answered_at=at("2026-03-06"))
    Introduction.objects.create(need=islands, pledge=fund, from_entity=funders,
                                to_entity=government, message="Islands?",
                                created_at=at("2026-04-20"))
    Introduction.objects.create(  # made and accepted after the report's date
        need=later, pledge=fund, from_entity=funders, to_entity=government, message="Later?",
        status="accepted", created_at=at("2026-06-02"), answered_at=at("2026-06-03"))
    with moment("2026-06-10"), django_capture_on_commit_callbacks(execute=True):
        run, _created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(kind="custom", as_of=AS_OF),
            languages=["en", "fr"])
    run.refresh_from_db()
    assert run.status == "done", run.error
    compiled_reports.compiled_report_set_published(run=run, published=True)
    return run


def _file(run, file_format: str, language: str = "en") -> bytes:
    return ReportFile.objects.get(run=run, format=file_format, language=language).read()


def _expected() -> dict[str, tuple[int, ...]]:
    return {**{label: (value,) for label, value in TOTALS.items()}, **TABLE}


def _from_page(html: str) -> dict[str, tuple[int, ...]]:
    section = html[html.index('id="report-matchmaking"'):]
    section = section[:section.index("</section>")]
    found = {label: (int(value),) for label, value in re.findall(
        r'<dt class="figure-label">([^<]+)</dt><dd class="figure-value mb-0">(\d+)</dd>', section)}
    row = r'<th scope="row"><bdi>([^<]+)</bdi></th>((?:<td[^>]*>\d+</td>)+)'
    for label, cells in re.findall(row, section):
        found[label] = tuple(int(n) for n in re.findall(r">(\d+)<", cells))
    return found


def _from_figure_rows(rows: list[list]) -> dict[str, tuple[int, ...]]:
    """Rows of (code, label, pledges, usd, value, unit) of the Matchmaking section."""
    found: dict[str, list[int]] = {}
    for code, label, _pledges, _usd, value, _unit in rows:
        if code.endswith((".published", ".met")):
            label = label.rsplit(": ", 1)[0]
        found.setdefault(label, []).append(int(value))
    return {label: tuple(values) for label, values in found.items()}


def test_the_page_and_every_file_state_the_same_matchmaking_figures(matchmaking_run, anonymous,
                                                                   tmp_path):
    page = anonymous.get(f"/en/reports/{matchmaking_run.pk}/").content.decode()
    assert _from_page(page) == _expected()

    figures_csv = list(csv.reader(io.StringIO(
        _file(matchmaking_run, "figures.csv").decode("utf-8-sig"))))
    in_csv = [row[1:] for row in figures_csv if row[0] == "Matchmaking"]
    assert in_csv[0] == ["needs_published", "Needs published", "", "", "3", ""]
    assert ["area.access.met", "Access: Needs met", "", "", "1", ""] in in_csv
    assert ["group.SIDS.published", "Small Island Developing State: Needs published", "", "",
            "1", ""] in in_csv
    assert _from_figure_rows(in_csv) == _expected()

    book = openpyxl.load_workbook(io.BytesIO(_file(matchmaking_run, "xlsx")), read_only=True)
    assert "Matchmaking" in book.sheetnames
    sheet = [list(row) for row in book["Matchmaking"].iter_rows(values_only=True)]
    assert sheet[0][0] == "Matchmaking"
    assert sheet[1] == ["Code", "Label", "Pledges", "USD", "Value", "Unit"]
    assert all(isinstance(row[4], int) for row in sheet[2:])  # numbers: they sum and sort
    assert _from_figure_rows([["" if v is None else v for v in row] for row in sheet[2:]]) == (
        _expected())

    require_service(shutil.which("pdftotext") is not None, "pdftotext (Debian poppler-utils)")
    (tmp_path / "report.pdf").write_bytes(_file(matchmaking_run, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
                          check=True, capture_output=True, text=True, timeout=60).stdout
    section = text[text.index("Matchmaking"):text.index("Needs by action area")]
    in_pdf = {label.strip(): tuple(int(n) for n in numbers.split())
              for label, numbers in re.findall(r"^\s*([A-Z][A-Za-z ]+?)\s{2,}([\d ]+?)\s*$",
                                               section, flags=re.MULTILINE)}
    assert in_pdf == _expected()

    everything = [page, _file(matchmaking_run, "figures.csv").decode("utf-8-sig"), text,
                  str(matchmaking_run.figures)]
    everything += ["\n".join(str(row) for row in sheet)]
    assert not any(contact in part for contact in CONTACTS for part in everything)


def test_the_french_files_and_page_say_it_in_french(matchmaking_run, anonymous):
    page = anonymous.get(f"/fr/reports/{matchmaking_run.pk}/").content.decode()
    assert '<h2 id="report-matchmaking">Mise en relation</h2>' in page
    assert "<th scope=\"row\"><bdi>Accès</bdi></th>" in page
    figures_csv = list(csv.reader(io.StringIO(
        _file(matchmaking_run, "figures.csv", "fr").decode("utf-8-sig"))))
    rows = {row[1]: row for row in figures_csv if row[0] == "Mise en relation"}
    assert rows["introductions_made"][2] == "Mises en relation effectuées"
    assert rows["introductions_made"][5] == "2"
    assert rows["area.access.published"][2] == "Accès : Besoins publiés"
    book = openpyxl.load_workbook(io.BytesIO(_file(matchmaking_run, "xlsx", "fr")),
                                  read_only=True)
    assert "Mise en relation" in book.sheetnames


def test_the_section_is_frozen_with_the_report(matchmaking_run, anonymous):
    """A need published later does not change the report's page: it states its files' numbers."""
    NeedFactory(published=True, published_at=at("2026-04-10"))  # late entry, dated before
    page = anonymous.get(f"/en/reports/{matchmaking_run.pk}/").content.decode()
    assert _from_page(page)["Needs published"] == (3,)
    assert matchmaking_run.figures["contributed"]["matchmaking"]["totals"][0]["value"] == 3


def test_a_report_compiled_before_the_section_existed_shows_it_as_of_its_date(
        matchmaking_run, anonymous):
    figures = dict(matchmaking_run.figures)
    del figures["contributed"]
    ReportRun.objects.filter(pk=matchmaking_run.pk).update(figures=figures)
    page = anonymous.get(f"/en/reports/{matchmaking_run.pk}/").content.decode()
    assert _from_page(page) == _expected()
