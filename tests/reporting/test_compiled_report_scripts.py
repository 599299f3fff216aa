"""Compiled PDF reports in every script: Arabic (shaped, right to left), Chinese and Cyrillic entity
names and pledge titles print as text, in embedded fonts, never in the built-in Helvetica."""

import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.translation import trans_real

from pledges.models import Event
from reporting import compiled_report_files, compiled_report_fonts
from reporting.compiled_report_document import compiled_report_document
from reporting.compiled_report_figures import compiled_report_pledge_rows
from reporting.models import ReportFile, ReportRun
from reporting.services import compiled_reports
from tests.conftest import require_service
from tests.factories import EntityFactory

from .kigali import KIGALI_CUTOFF, kigali_pledge

pytestmark = pytest.mark.django_db

ARABIC_ENTITY = "وزارة الاتصالات وتقنية المعلومات"
ARABIC_TITLE = "ربط المدارس الريفية بالإنترنت"
CHINESE_ENTITY = "中国移动通信集团"
CHINESE_TITLE = "农村学校宽带连接"
RUSSIAN_ENTITY = "Министерство цифрового развития"
RUSSIAN_TITLE = "Подключение сельских школ"
MIXED_TITLE = "Связь 2030 数字乡村 Schools"


# A heading of the report in each language: the PDF compiled in that language prints it.
PLEDGES_HEADING = {"ar": "التعهدات", "en": "Pledges", "es": "Compromisos", "fr": "Engagements",
                   "ru": "Обязательства", "zh-hans": "承诺"}


@pytest.fixture
def scripts_report(db, django_capture_on_commit_callbacks) -> ReportRun:
    """A report of four published pledges by entities named in Arabic, Chinese and Russian,
    compiled by the real service, every file in each language it writes."""
    arabic = EntityFactory(name=ARABIC_ENTITY, stakeholder_group="government")
    chinese = EntityFactory(name=CHINESE_ENTITY, stakeholder_group="private_sector")
    russian = EntityFactory(name=RUSSIAN_ENTITY, stakeholder_group="government")
    kigali_pledge(arabic, pledge_type="financial", usd=Decimal("3000000"), areas=["access"],
                  countries=["EGY"], reference="P2C-2022-0101", title=ARABIC_TITLE)
    kigali_pledge(chinese, areas=["adoption"], countries=["CHN"], reference="P2C-2022-0102",
                  title=CHINESE_TITLE)
    kigali_pledge(russian, areas=["access"], countries=["KGZ"], reference="P2C-2022-0103",
                  title=RUSSIAN_TITLE)
    kigali_pledge(russian, areas=["accelerate"], is_global=True, reference="P2C-2022-0104",
                  title=MIXED_TITLE)
    with django_capture_on_commit_callbacks(execute=True):
        run, _created = compiled_reports.compiled_report_request(
            parameters=compiled_reports.compiled_report_parameters(
                kind="event", event=Event.objects.get(slug="wtdc-22-kigali"),
                cutoff=KIGALI_CUTOFF))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    return run


@pytest.fixture
def pdf_in_every_language(scripts_report, tmp_path):
    """language → the report's PDF written in it, as the service stored it (a report is written
    in every offered language unless asked for fewer; a language it lacks is written here by the
    same writer from the run's own figures and pledge list)."""
    paths = {}
    for language in PLEDGES_HEADING:
        path = tmp_path / f"report-{language}.pdf"
        stored = ReportFile.objects.filter(run=scripts_report, format="pdf", language=language)
        if stored:
            path.write_bytes(stored.get().read())
        else:
            document = compiled_report_document(scripts_report.figures,
                                                title=scripts_report.title_en, language=language)
            rows = compiled_report_pledge_rows(scripts_report, language="en")
            with path.open("wb") as out:
                compiled_report_files.pdf(document, rows, out, total_pledges=4)
        paths[language] = path
    return paths


def _poppler(tool: str, pdf_path, *args: str) -> str:
    require_service(shutil.which(tool) is not None, f"{tool} (Debian poppler-utils)")
    return subprocess.run([tool, *args, str(pdf_path), "-"] if tool == "pdftotext"
                          else [tool, *args, str(pdf_path)],
                          check=True, capture_output=True, text=True, timeout=60).stdout


def _pdf_file(run, language, tmp_path):
    path = tmp_path / f"report-{language}.pdf"
    path.write_bytes(ReportFile.objects.get(run=run, format="pdf", language=language).read())
    return path


# The invisible marks pdftotext puts around a right-to-left run (U+202B … U+202C) and their kin.
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _read(text: str) -> str:
    """pdftotext's text (which it puts in logical order) as a reader reads it: Arabic
    presentation forms (the shaped glyphs drawn) folded back to the letters typed (NFKC), bidi
    marks dropped, lines (cells wrap) and spaces as one space."""
    return " ".join(BIDI_MARKS.sub("", unicodedata.normalize("NFKC", text)).split())


def test_every_script_prints_as_text_in_the_pdf(pdf_in_every_language):
    for language, path in pdf_in_every_language.items():
        text = _read(_poppler("pdftotext", path))
        for expected in (CHINESE_ENTITY, CHINESE_TITLE, RUSSIAN_ENTITY, RUSSIAN_TITLE,
                         MIXED_TITLE, ARABIC_TITLE, ARABIC_ENTITY):
            # Arabic compared with the string as typed: a letter left unshaped, or drawn in
            # the wrong order, would not read back as the same words.
            assert expected in text, (language, expected, text)
        assert PLEDGES_HEADING[language] in text, (language, text)


def test_arabic_is_drawn_shaped_and_right_to_left(scripts_report, tmp_path):
    raw = _poppler("pdftotext", _pdf_file(scripts_report, "en", tmp_path))
    line = next(line for line in raw.splitlines() if _read(line) == ARABIC_TITLE)
    # Drawn as contextual forms (ﺭﺑﻂ …), not as isolated letters (ر ب ط …).
    assert re.search("[\ufe70-\ufeff]", line)
    assert not re.search("[\u0621-\u064a]", line)


def test_brackets_in_arabic_face_the_way_arabic_reads():
    """Drawn left to right, "(مصر)" must show "(" on the left: a right-to-left run mirrors its
    brackets (pdftotext does not undo mirroring, so this is checked on the line drawn)."""
    line = compiled_report_fonts.display_line("وزارة (مصر)", right_to_left=True)
    assert line == "(رصم) ةرازو"


def test_every_font_is_embedded_and_none_is_helvetica(pdf_in_every_language):
    for language, path in pdf_in_every_language.items():
        listing = _poppler("pdffonts", path)
        rows = listing.splitlines()[2:]  # two heading lines
        assert rows, listing
        names = [row.split()[0] for row in rows]
        assert not [name for name in names if "Helvetica" in name], listing
        # Columns: name type encoding emb sub uni object ID; "emb" is yes for each font.
        assert all(re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row)
                   for row in rows), listing
        used = " ".join(names)
        for font in ("NotoSans-Regular", "NotoNaskhArabic-Regular", "WenQuanYiMicroHei"):
            assert font in used, (language, listing)


def test_missing_fonts_are_named_with_their_packages(tmp_path, capsys):
    compiled_report_fonts._font_paths.cache_clear()
    try:
        with override_settings(PDF_FONT_DIRS=[str(tmp_path)]):
            messages = compiled_report_fonts.check_report_fonts(None)
            assert [message.id for message in messages] == ["reporting.W001"]
            assert "fonts-noto-core" in messages[0].msg
            assert "fonts-wqy-microhei" in messages[0].msg
            assert "NotoNaskhArabic-Regular.ttf" in messages[0].msg
            call_command("check")
            assert "reporting.W001" in capsys.readouterr().err
    finally:
        compiled_report_fonts._font_paths.cache_clear()
    # With the fonts where the settings look, as on this machine, the check is quiet.
    assert compiled_report_fonts.check_report_fonts(None) == []


def test_the_image_and_ci_install_the_font_packages():
    """The fonts come from the project's own setup, never from a download at run time."""
    root = Path(__file__).resolve().parents[2]
    installs = [line for line in (root / "Dockerfile").read_text().replace("\\\n", " ")
                .splitlines() if line.startswith("RUN") and "apt-get install" in line]
    ci = (root / ".ci" / "run").read_text()
    for package in compiled_report_fonts.FONT_PACKAGES:
        assert any(package in line.split() for line in installs), package
        assert package in ci, package


# The pledge form's keyboard hint ("Hold Ctrl (⌘ on a Mac)"): a page's string, never printed in a
# report, and in none of the report fonts.
NEVER_IN_A_REPORT = {"⌘"}


def test_every_letter_is_drawn_in_a_font_that_has_it():
    """pdftotext reads a letter back even when its font has no glyph for it (a box on paper),
    so coverage is checked here: the test names and every translated string of the six
    catalogues (the report's headings among them) are cut into runs whose font has each
    character."""
    compiled_report_fonts.register_fonts()
    texts = [ARABIC_ENTITY, ARABIC_TITLE, CHINESE_ENTITY, CHINESE_TITLE, RUSSIAN_ENTITY,
             RUSSIAN_TITLE, MIXED_TITLE]
    for language, _name in settings.LANGUAGES:
        catalogue = trans_real.translation(language)._catalog
        texts += [value for _key, value in catalogue.items() if isinstance(value, str)]
    missing = set()
    for text in texts:
        for font, chunk in compiled_report_fonts.runs(compiled_report_fonts.shaped(text)):
            missing |= {(font, char) for char in chunk
                        if char.isprintable() and char not in NEVER_IN_A_REPORT
                        and not compiled_report_fonts._has_glyph(font, char)}
    assert not missing
    assert [font for font, _chunk in compiled_report_fonts.runs(MIXED_TITLE)] == [
        "P2C-Sans", "P2C-CJK", "P2C-Sans"]
