"""A compiled report writes its dates and amounts as each language does (CLDR, the functions of
the site's pages), not with Django's English-shaped formats ("June 16, 2022", "USD 7,000,000")."""

import pytest

from pledges.models import Event
from reporting.compiled_report_document import compiled_report_document
from reporting.services import compiled_reports

from .kigali import KIGALI_CUTOFF

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\u00a0"

# The report's day (16 June 2022) and its USD total (7,000,000) as each language writes them.
REPORT_FORMATS = {
    "en": ("16 June 2022", "US$7,000,000"),
    "fr": ("16 juin 2022", f"7{NNBSP}000{NNBSP}000{NBSP}$US"),
    "es": ("16 de junio de 2022", f"7.000.000{NBSP}US$"),
    "ru": (f"16 июня 2022{NNBSP}г.", f"7{NBSP}000{NBSP}000{NBSP}$"),
    "ar": ("16 يونيو 2022", "7,000,000"),
    "zh-hans": ("2022年6月16日", "US$7,000,000"),
}


@pytest.fixture
def kigali_run(kigali, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(
                kind="event", event=Event.objects.get(slug="wtdc-22-kigali"),
                cutoff=KIGALI_CUTOFF))
    run.refresh_from_db()
    return run


@pytest.mark.parametrize(("language", "expected"), REPORT_FORMATS.items())
def test_report_dates_and_amounts_read_as_the_language_writes_them(kigali_run, language,
                                                                   expected):
    document = compiled_report_document(kigali_run.figures, title="Kigali", language=language)
    day, usd = expected
    selection = " ".join(document.selection)
    assert day in selection
    assert "June 16" not in selection
    totals = {figure.value for figure in document.totals}
    assert any(usd in value for value in totals), totals


def test_report_titles_use_the_language_date(kigali, django_capture_on_commit_callbacks):
    title = compiled_reports._default_title(kind="event", event=None, cutoff=KIGALI_CUTOFF,
                                            cycle=None, as_of=KIGALI_CUTOFF, language="fr")
    assert title.endswith("16 juin 2022"), title
    title = compiled_reports._default_title(kind="as_of", event=None, cutoff=None,
                                            cycle=None, as_of=KIGALI_CUTOFF, language="zh-hans")
    assert "2022年6月16日" in title


def test_the_same_report_in_the_same_language_is_the_same_text(kigali_run):
    first = compiled_report_document(kigali_run.figures, title="Kigali", language="ru")
    second = compiled_report_document(kigali_run.figures, title="Kigali", language="ru")
    assert first == second
