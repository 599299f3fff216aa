"""Every sentence the code translates reaches the catalogues. `make messages` (Django's
makemessages, then xgettext) does not read inside an f-string's braces: a sentence written as
f"<p>{gettext('Key facts')}</p>" is translated today from what the catalogue already holds, and
silently dropped from every catalogue (so shown in English) at the next `make messages`. Three
sentences of the pledge cards and the list's filters were in that state."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What makemessages reads: the project's code, not what .ci/run and the Makefile tell it to
# ignore (the tests, the benchmark, the virtualenv) nor what is generated or installed.
NOT_EXTRACTED = {".venv", "tests", "bench", "var", "node_modules", "static", "locale"}
TRANSLATING = {"gettext", "pgettext", "ngettext", "npgettext", "gettext_lazy", "pgettext_lazy",
               "ngettext_lazy", "npgettext_lazy", "gettext_noop", "_"}


def _extracted_python_files() -> list[Path]:
    return [path for path in ROOT.rglob("*.py")
            if not set(path.relative_to(ROOT).parts[:-1]) & NOT_EXTRACTED
            and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)]


def _translation_calls_in_f_strings(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Call):
                continue
            name = getattr(inner.func, "id", None) or getattr(inner.func, "attr", None)
            if name in TRANSLATING:
                found.append(f"{filename}:{inner.lineno}: {ast.unparse(inner)}")
    return found


def test_no_sentence_is_translated_inside_an_f_string():
    files = _extracted_python_files()
    assert len(files) > 100  # the project's modules, not an empty walk
    found = [call for path in files for call in _translation_calls_in_f_strings(
        path.read_text(), str(path.relative_to(ROOT)))]
    assert found == [], "translate before the f-string, where xgettext finds it:\n" + "\n".join(
        found)


def test_the_check_finds_a_sentence_inside_an_f_string():
    source = ('label = f"<p>{gettext(\'Key facts\')}</p>"\n'
              'heading = "<p>{}</p>".format(gettext("Targets"))\n')

    assert _translation_calls_in_f_strings(source, "example.py") == [
        "example.py:1: gettext('Key facts')"]
