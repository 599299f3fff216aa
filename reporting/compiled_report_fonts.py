"""The fonts of the compiled PDF reports, and text written in any of the six UN languages' scripts.

ReportLab's built-in Helvetica has no Arabic, Chinese or Cyrillic letters (they print as boxes), so
the PDF embeds TrueType fonts from Debian packages installed by the Dockerfile and .ci/run, found
in settings.PDF_FONT_DIRS, never downloaded at run time:

- Noto Sans (Latin, Cyrillic, Greek) and Noto Naskh Arabic: fonts-noto-core;
- WenQuanYi Micro Hei (Chinese): fonts-wqy-microhei (Noto's CJK fonts are CFF-flavoured OpenType,
  which ReportLab cannot embed).

Every text is cut into runs by script, each drawn in its font, so that an English report lists
a Chinese entity's name and a Russian pledge title side by side. ReportLab draws glyphs one after
another, left to right, without shaping: Arabic is shaped into its contextual forms
(arabic-reshaper) and put in display order line by line (python-bidi, the Unicode bidirectional
algorithm), after the lines have been broken in logical order.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from django.conf import settings
from django.core import checks
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

LATIN, ARABIC, CJK = "latin", "arabic", "cjk"


@dataclass(frozen=True)
class FontFile:
    name: str  # the name the PDF's text runs use
    file: str
    package: str  # the Debian package that installs it
    subfont: int = 0  # the face's index in a TrueType collection (.ttc)


# (script, bold, italic) → the face. Arabic and Chinese have no italic face (neither script
# slants); Chinese has no bold one either: the regular face stands in.
FACES = {
    (LATIN, False, False): FontFile("P2C-Sans", "NotoSans-Regular.ttf", "fonts-noto-core"),
    (LATIN, True, False): FontFile("P2C-Sans-Bold", "NotoSans-Bold.ttf", "fonts-noto-core"),
    (LATIN, False, True): FontFile("P2C-Sans-Italic", "NotoSans-Italic.ttf", "fonts-noto-core"),
    (LATIN, True, True): FontFile("P2C-Sans-BoldItalic", "NotoSans-BoldItalic.ttf",
                                  "fonts-noto-core"),
    (ARABIC, False, False): FontFile("P2C-Arabic", "NotoNaskhArabic-Regular.ttf",
                                     "fonts-noto-core"),
    (ARABIC, True, False): FontFile("P2C-Arabic-Bold", "NotoNaskhArabic-Bold.ttf",
                                    "fonts-noto-core"),
    (CJK, False, False): FontFile("P2C-CJK", "wqy-microhei.ttc", "fonts-wqy-microhei"),
}
SCRIPTS = (LATIN, ARABIC, CJK)
FONT_PACKAGES = sorted({face.package for face in FACES.values()})


def face(script: str, *, bold: bool = False, italic: bool = False) -> str:
    """The registered font name for a script and weight, the nearest face where one is missing."""
    for key in ((script, bold, italic), (script, bold, False), (script, False, False)):
        if key in FACES:
            return FACES[key].name
    raise KeyError(script)


# The faces the paragraph styles name; a style's face says which weight its runs take.
REGULAR, BOLD = face(LATIN), face(LATIN, bold=True)
ITALIC, BOLD_ITALIC = face(LATIN, italic=True), face(LATIN, bold=True, italic=True)
WEIGHT_OF = {REGULAR: (False, False), BOLD: (True, False), ITALIC: (False, True),
             BOLD_ITALIC: (True, True)}


class FontsMissing(RuntimeError):
    """The font files the PDF reports embed are not installed where PDF_FONT_DIRS looks."""


def font_files_missing() -> list[FontFile]:
    found = _font_paths(tuple(settings.PDF_FONT_DIRS))
    return [font for font in FACES.values() if font.file not in found]


def fonts_missing_message(missing: list[FontFile]) -> str:
    return (
        "The PDF reports need these font files, not found in PDF_FONT_DIRS ({dirs}): {files}. "
        "Install the Debian/Ubuntu packages {packages} (apt-get install {packages}), or set "
        "PDF_FONT_DIRS to the directories holding the files (README, \"Fonts for the PDF "
        "reports\")."
    ).format(dirs=":".join(settings.PDF_FONT_DIRS),
             files=", ".join(sorted({font.file for font in missing})),
             packages=" ".join(sorted({font.package for font in missing})))


@functools.cache
def _font_paths(directories: tuple[str, ...]) -> dict[str, Path]:
    """File name → path of every font file wanted, the first found in the directories' order."""
    wanted = {font.file for font in FACES.values()}
    found: dict[str, Path] = {}
    for directory in directories:
        for root, _dirs, files in os.walk(Path(directory).expanduser()):
            for name in sorted(wanted.intersection(files) - found.keys()):
                found[name] = Path(root) / name
            if len(found) == len(wanted):
                return found
    return found


def register_fonts() -> None:
    """Register the report fonts with ReportLab once per process; FontsMissing names what to
    install when a file cannot be found."""
    if all(font.name in pdfmetrics.getRegisteredFontNames() for font in FACES.values()):
        return
    missing = font_files_missing()
    if missing:
        raise FontsMissing(fonts_missing_message(missing))
    paths = _font_paths(tuple(settings.PDF_FONT_DIRS))
    for font in FACES.values():
        if font.name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(font.name, paths[font.file], subfontIndex=font.subfont))


@checks.register()
def check_report_fonts(app_configs, **kwargs) -> list[checks.CheckMessage]:
    missing = font_files_missing()
    if not missing:
        return []
    return [checks.Warning(
        fonts_missing_message(missing),
        hint="Compiling a report fails until they are installed; the rest of the site works.",
        id="reporting.W001",
    )]


# --- Scripts and runs ------------------------------------------------------------


def _is_arabic(char: str) -> bool:
    code = ord(char)
    # Arabic, its supplement and extended-A, and the presentation forms the shaper writes.
    return (0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF
            or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFE)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x20000 <= code <= 0x3FFFF)


def _script(char: str) -> str | None:
    """The script that decides a character's font; None for the characters every script shares
    (spaces, digits, punctuation), which go with their neighbours."""
    if _is_arabic(char):
        return ARABIC
    if _is_cjk(char):
        return CJK
    if char.isalpha():
        return LATIN
    return None


def _has_glyph(font_name: str, char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(font_name).face.charToGlyph


def runs(text: str, *, bold: bool = False, italic: bool = False) -> list[tuple[str, str]]:
    """(font name, text) runs: each character in its script's font; a shared character (space,
    digit, punctuation) in the font of the run it continues, so that "وزارة 2022" stays one
    run; a character its font lacks in the first report font that has it."""
    result: list[list[str]] = []
    fallbacks = [face(script, bold=bold, italic=italic) for script in SCRIPTS]
    for char in text:
        script = _script(char)
        if script is None:
            font = result[-1][0] if result else fallbacks[0]
        else:
            font = face(script, bold=bold, italic=italic)
        if not _has_glyph(font, char):  # a symbol (→) one of the other fonts may have
            font = next((other for other in fallbacks if _has_glyph(other, char)), font)
        if result and result[-1][0] == font:
            result[-1][1] += char
        else:
            result.append([font, char])
    return [(font, chunk) for font, chunk in result]


def width(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    return sum(pdfmetrics.stringWidth(chunk, font, size)
               for font, chunk in runs(text, bold=bold, italic=italic))


def is_right_to_left(text: str) -> bool:
    """Whether the text reads right to left: its first strong letter is Arabic (Unicode's rule
    P2, as a browser's dir="auto")."""
    for char in text:
        script = _script(char)
        if script is not None:
            return script == ARABIC
    return False


def has_arabic(text: str) -> bool:
    return any(_is_arabic(char) for char in text)


def has_cjk(text: str) -> bool:
    return any(_is_cjk(char) for char in text)


def shaped(text: str) -> str:
    """Arabic letters in their contextual forms (initial, medial, final, ligatures)."""
    return arabic_reshaper.reshape(text) if has_arabic(text) else text


def logical_lines(text: str, size: float, line_width: float, *, bold: bool = False) -> list[str]:
    """The text broken into lines no wider than `line_width` where it can be, in logical order,
    Arabic already shaped (shaping changes widths). Breaks at spaces, and between any two
    Chinese characters (Chinese has no spaces); a word wider than the line gets a line of its
    own."""
    pieces: list[str] = []
    for word in shaped(text).split(" "):
        if has_cjk(word):
            pieces.extend(_cjk_pieces(word))
        else:
            pieces.append(word)
        pieces.append(" ")
    pieces = pieces[:-1]
    lines, line = [], ""
    for piece in pieces:
        candidate = line + piece
        if line.strip() and width(candidate.rstrip(), size, bold=bold) > line_width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line = candidate
    lines.append(line.rstrip())
    return lines or [""]


def _cjk_pieces(word: str) -> list[str]:
    """A word cut after each Chinese character, Latin letters and digits kept together."""
    pieces, piece = [], ""
    for char in word:
        piece += char
        if _is_cjk(char):
            pieces.append(piece)
            piece = ""
    return [*pieces, piece] if piece else pieces


def display_line(line: str, *, right_to_left: bool) -> str:
    """One shaped line in the order its glyphs are drawn, left to right. python-bidi's own
    implementation of the algorithm (bidi.algorithm): unlike its Rust binding, it mirrors
    brackets in right-to-left runs (rule L4), so "(LDC)" in Arabic does not print as ")LDC(".
    """
    if not has_arabic(line) and not right_to_left:
        return line
    return get_display(line, base_dir="R" if right_to_left else "L")


def display_lines(text: str, size: float, line_width: float, *, bold: bool = False
                  ) -> list[str]:
    rtl = is_right_to_left(text)
    return [display_line(line, right_to_left=rtl)
            for line in logical_lines(text, size, line_width, bold=bold)]


def display_runs(line: str, *, bold: bool = False, italic: bool = False
                 ) -> list[tuple[str, str]]:
    """One line of text (logical order) as the runs drawn left to right."""
    return runs(display_line(shaped(line), right_to_left=is_right_to_left(line)), bold=bold,
                italic=italic)


# --- Paragraphs ------------------------------------------------------------


def styles_for_scripts(base: dict[str, ParagraphStyle]) -> dict[str, ParagraphStyle]:
    """ReportLab's sample styles with their Helvetica faces replaced by the report fonts."""
    replaced = {}
    for name, style in base.items():
        if not isinstance(style, ParagraphStyle):  # list styles: the report has no lists
            continue
        bold = "Bold" in style.fontName
        italic = "Oblique" in style.fontName or "Italic" in style.fontName
        replaced[name] = style.clone(name, fontName=face(LATIN, bold=bold, italic=italic))
    return replaced


def _markup(font_runs: list[tuple[str, str]]) -> str:
    return "".join(f'<font face="{font}">{escape(chunk)}</font>' for font, chunk in font_runs)


class ScriptParagraph(Paragraph):
    """A paragraph of plain text (never markup) in any script: each run in its font; Chinese
    wraps between characters; Arabic is shaped, broken into lines in logical order, each line
    then put in display order, and aligned right when the text reads right to left."""

    def __init__(self, text, style, bulletText=None, frags=None, caseSensitive=1,
                 encoding="utf8"):
        if frags is not None:  # a piece of a split paragraph: its lines are already laid out
            self.logical_text = None
            super().__init__(text, style, bulletText, frags, caseSensitive, encoding)
            return
        self.logical_text = text
        self.bold, self.italic = WEIGHT_OF.get(style.fontName, (False, False))
        self.laid_out_for: float | None = None
        if has_cjk(text):
            style = style.clone(style.name, wordWrap="CJK")
        if is_right_to_left(text) and style.alignment == TA_LEFT:
            style = style.clone(style.name, alignment=TA_RIGHT)
        self.needs_bidi = has_arabic(text)
        super().__init__(_markup(runs(text, bold=self.bold, italic=self.italic)), style,
                         bulletText, None, caseSensitive, encoding)

    def wrap(self, availWidth, availHeight):
        if self.logical_text is not None and self.needs_bidi and self.laid_out_for != availWidth:
            line_width = availWidth - self.style.leftIndent - self.style.rightIndent - 0.01
            lines = display_lines(self.logical_text, self.style.fontSize, line_width,
                                  bold=self.bold)
            markup = "<br/>".join(_markup(runs(line, bold=self.bold, italic=self.italic))
                                  for line in lines)
            Paragraph.__init__(self, markup, self.style, self.bulletText)
            self.laid_out_for = availWidth
        return super().wrap(availWidth, availHeight)
