"""Sections of a compiled report contributed by the apps above reporting: matchmaking's needs and
introductions (issue 21).

Reporting may not import those apps (DESIGN.md §2, layers), so each one registers, when its app
is ready, a function giving its section's figures as of the report's date. They are frozen with
the run's own figures (`figures["contributed"][key]`, labels in every language at once) and laid
out by reporting like its own sections on the page and in the figures CSV, the workbook and the
PDF: the same numbers everywhere, whenever the file is opened.

A section's figures (JSON), where every `labels` is {"en": …, "fr": …, …}
(`labels_in_every_language`):

    {"title": labels, "sheet": labels (a workbook sheet's name: at most 31 characters),
     "totals": [{"code": str, "label": labels, "value": int}, …],
     "table": {"caption": labels, "row_heading": labels,
               "columns": [{"code": str, "label": labels}, …],
               "rows": [{"code": str, "label": labels, "values": [int, …]}, …]}}

Nothing else goes in: in particular, never anyone's contact details.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

SectionFigures = Callable[[datetime.date], dict]

_SECTIONS: dict[str, SectionFigures] = {}


def report_section_register(key: str, figures: SectionFigures) -> None:
    """Called from an app's AppConfig.ready(); registering the same key again replaces it."""
    _SECTIONS[key] = figures


def contributed_figures(as_of: datetime.date) -> dict[str, dict]:
    """Every registered section's figures as of the report's date, in the order of their keys."""
    return {key: _SECTIONS[key](as_of) for key in sorted(_SECTIONS)}


def figures_with_contributed(figures: dict, as_of: datetime.date) -> dict:
    """A run's figures with its contributed sections: those frozen with it, or, for a run
    compiled before it had any, as of its date now."""
    if "contributed" in figures:
        return figures
    return {**figures, "contributed": contributed_figures(as_of)}


def labels_in_every_language(text: Promise | Callable[[], str]) -> dict[str, str]:
    """{"en": …, "fr": …, …}: a lazy translation (gettext_lazy), or a function such as
    `lambda: area.name`, read with each offered language active."""
    labels = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels[language] = str(text() if callable(text) else text)
    return labels
