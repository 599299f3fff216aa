"""Issue 8, end to end in a browser, in English and in French: the Kigali report, from the
secretariat's desk to a visitor's printer.

The pledges of the Kigali fixture (four announced at the roundtable and submitted by 16 June 2022,
five that the report must leave out). A secretariat member — staff in the Secretariat group, not a
superuser — logs into the admin, opens "Compiled reports", asks for the event report of WTDC-22
Kigali with cut-off 16 June 2022 and comes back to a finished run (the test settings run tasks
eagerly, in the request) with its eight files; downloads one, and publishes the report. A visitor,
in a browser of their own, finds it under Reports in the menu: the totals, the section on LDCs,
LLDCs and SIDS with its chart, the PDF and the workbook; the page on a phone, and as it prints.

Every page visited gets an axe check and a check that
no browser logged an error (a CSP violation is one).
"""

import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.utils.text import capfirst
from playwright.sync_api import expect

from pledges.models import Event
from reporting.models import ReportRun
from tests.browser.support import LANGUAGES, in_language, log_in, shot_path, t
from tests.conftest import require_service
from tests.reporting.kigali import KIGALI_CUTOFF, kigali_pledges

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What the visitor reads, as each language writes it (CLDR: French groups digits with a narrow
# no-break space and writes the dollar sign after the amount).
TOTAL_USD = {"en": "US$7,000,000", "fr": "7\u202f000\u202f000\u00a0$US"}
LDC_USD = {"en": "5,000,000", "fr": "5\u202f000\u202f000"}
CUTOFF_TYPED = {"en": KIGALI_CUTOFF.isoformat(), "fr": KIGALI_CUTOFF.strftime("%d/%m/%Y")}
PHONE = {"width": 390, "height": 844}


def admin_field(page, language: str, name: str):
    """An admin form field by its label, with or without the colon the admin adds."""
    text = re.escape(capfirst(t(language, name)))
    return page.get_by_label(re.compile(rf"^\s*{text}\s*:?\s*$"))


def figure_value(region, label: str):
    """The <dd> of the figure whose <dt> reads `label`."""
    term = region.page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    return region.locator(".figure-box").filter(has=term).locator("dd")


def downloaded(person_page, link) -> bytes:
    with person_page.expect_download() as download:
        link.click()
    return Path(download.value.path()).read_bytes()


def squashed(text: str) -> str:
    """Letters and digits only: text as pdftotext gives it back, whatever the line breaks,
    hyphenation and spaces of the printed page."""
    return re.sub(r"[\W_]+", "", text)


def no_horizontal_scroll(person_page) -> None:
    overflow = person_page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {person_page.url}"


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_secretariat_compiles_and_publishes_the_kigali_report_and_a_visitor_reads_it(
    page, checkpoint, checkpoint_of, person_browser, request, language, secretariat
):
    kigali_pledges()
    h1 = page.get_by_role("heading", level=1)

    # --- The secretariat logs into the admin and opens "Compiled reports". --------------------
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    checkpoint("01-login")
    log_in(page, language, secretariat.email)
    expect(page).to_have_url(re.compile(rf"/{language}/admin/$"))
    checkpoint("02-admin-home")

    page.get_by_role("link", name=capfirst(t(language, "compiled reports")), exact=True).click()
    expect(h1).to_have_text(t(language, "Select %s to view") % t(language, "compiled report"))
    checkpoint("03-compiled-reports-empty")

    # --- Asks for the Kigali event report. ----------------------------------------------------
    page.get_by_role(
        "link", name=t(language, "Add %(name)s", name=t(language, "compiled report"))
    ).click()
    admin_field(page, language, "kind").select_option(label=t(language, "Event report"))
    kigali_event = in_language(language, Event.objects.get(slug="wtdc-22-kigali"))
    admin_field(page, language, "event").select_option(label=kigali_event)
    admin_field(page, language, "submitted up to").fill(CUTOFF_TYPED[language])
    # The help text shows a query string as typed, not "&reg" read as an HTML entity.
    expect(page.get_by_text(re.compile(r"area=access&region=africa"))).to_be_visible()
    checkpoint("04-add-event-report")
    # Without a worker (SQLite, `make run`) the report compiles within this request: seconds,
    # more than a click's 10 s on a busy machine.
    page.get_by_role("button", name=t(language, "Save"), exact=True).click(timeout=60_000)

    # Tasks run eagerly under the test settings: the run is done when the page comes back.
    expect(page).to_have_url(re.compile(rf"/{language}/admin/reporting/reportrun/\d+/change/$"))
    run = ReportRun.objects.get()
    expect(page.locator(".messagelist")).to_contain_text(
        t(language, "Report requested. This page shows its compilation and, once it is done, "
                    "its files."))
    panel = page.get_by_role("region", name=t(language, "Compilation"), exact=True)
    expect(panel).to_contain_text(
        re.sub(r"<[^>]+>", "", t(language, "Status: <strong>%(status)s</strong> · edition "
                                 "%(edition)s.", status=t(language, "Done"), edition=1))
    )
    downloads = page.get_by_role("link", name=t(language, "Download"), exact=True)
    expect(downloads).to_have_count(4 * 6)  # four formats in each of the six languages
    checkpoint("05-report-done")
    assert downloaded(page, downloads.first)  # the secretariat reads a file before publishing

    panel.get_by_role("button", name=t(language, "Publish on the Reports page")).click()
    expect(page.locator(".messagelist")).to_contain_text(
        t(language, "Published: the report is on the public Reports page.")
    )
    public_link = panel.get_by_role("link", name=t(language, "Public page"), exact=True)
    expect(public_link).to_have_attribute("href", f"/{language}/reports/{run.pk}/")
    checkpoint("06-published")

    # --- A visitor finds it under Reports. -----------------------------------------------------
    visitor = person_browser("visitor", language)
    visitor_h1 = visitor.get_by_role("heading", level=1)
    visitor.goto(f"/{language}/")
    visitor.get_by_role("navigation", name=t(language, "Main navigation")).get_by_role(
        "link", name=t(language, "Reports"), exact=True
    ).click()
    expect(visitor_h1).to_have_text(t(language, "Reports"))
    title = run.title_in(language)
    checkpoint_of(visitor, "07-reports")

    visitor.get_by_role("main").get_by_role("link", name=title, exact=True).click()
    expect(visitor_h1).to_have_text(title)
    main = visitor.get_by_role("main")
    figures = main.get_by_role("region", name=t(language, "In figures"))
    expect(figure_value(figures, t(language, "Pledges"))).to_have_text("4")
    expect(figure_value(figures, t(language, "Committed by financial pledges"))).to_have_text(
        TOTAL_USD[language])

    section_title = t(language, "Pledges acting in LDCs, LLDCs and SIDS")
    section = main.get_by_role("region", name=section_title)
    chart = section.get_by_role(
        "img", name=t(language, "Bar chart: %(title)s, number of pledges", title=section_title),
        exact=True,
    )
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_count(1)
    ldc = section.get_by_role("row").filter(has_text=t(language, "Least Developed Country"))
    expect(ldc.get_by_role("cell")).to_have_text(["2", LDC_USD[language]])
    expect(main.locator("svg[role=img]")).to_have_count(8)  # one chart per breakdown
    checkpoint_of(visitor, "08-report")

    link = lambda name: main.get_by_role("link", name=t(language, name))  # noqa: E731
    assert downloaded(visitor, link("Print-ready report (PDF)")).startswith(b"%PDF-")
    workbook = downloaded(visitor, link("Excel workbook (XLSX)"))
    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    assert book.sheetnames[0] == t(language, "Summary")
    assert t(language, "Pledges") in book.sheetnames

    # --- On a phone: nothing wider than the screen. --------------------------------------------
    visitor.set_viewport_size(PHONE)
    expect(chart).to_be_visible()
    no_horizontal_scroll(visitor)
    checkpoint_of(visitor, "09-report-on-a-phone")

    # --- In print: the report alone, without the site's header, menus, footer or links. -------
    visitor.set_viewport_size({"width": 1280, "height": 900})
    visitor.emulate_media(media="print")
    expect(visitor.get_by_role("banner")).to_be_hidden()
    expect(visitor.get_by_role("contentinfo")).to_be_hidden()
    expect(visitor.get_by_role("navigation")).to_have_count(0)  # breadcrumb included
    expect(link("Print-ready report (PDF)")).to_be_hidden()
    expect(visitor_h1).to_be_visible()
    expect(chart).to_be_visible()
    checkpoint_of(visitor, "10-report-printed")
    printed_at = shot_path(request.node.name, "10-report-printed").with_suffix(".pdf")
    printed = visitor.pdf(path=str(printed_at), format="A4", print_background=True)
    assert printed.startswith(b"%PDF-")
    require_service(shutil.which("pdftotext") is not None, "pdftotext (Debian poppler-utils)")
    text = squashed(subprocess.run(["pdftotext", str(printed_at), "-"], check=True,
                                   capture_output=True, text=True, timeout=60).stdout)
    assert squashed(title) in text
    assert squashed(section_title) in text
    for site_chrome in (t(language, "Skip to main content"), t(language, "Open data"),
                        t(language, "Sign in"), t(language, "Open-source pledge portal.")):
        assert squashed(site_chrome) not in text, f"{site_chrome!r} is printed"
