"""The reporting models, one module per subject: progress reporting (cycles and progress
reports), reminders, and compiled reports.

They live in reporting rather than in pledges/ (where DESIGN.md §1–2 first placed progress
reports) so that the dependency runs one way only: reporting → pledges. The pledges app never
imports reporting; the pledge body's include (pledges/includes/pledge_body.html) loads the
timeline's tag (reporting.templatetags.progress_timeline).
"""

from simple_history import register

from .compiled_reports import ReportFile, ReportFileChunk, ReportRun
from .progress import (
    ImplementationStatus,
    ProgressReport,
    ProgressReportEvent,
    ReportingCycle,
    TargetProgress,
)
from .reminders import Reminder, ReminderSettings

# The history of progress reports (ProgressReport.history), registered here rather than declared
# on the model: simple_history then puts the history model in reporting.models, where Django
# (the shell's imports) looks for it, instead of in a module named "reporting" that has none.
register(ProgressReport, app="reporting", excluded_fields=["unsaved_input", "version"])

__all__ = [
    "ImplementationStatus",
    "ProgressReport",
    "ProgressReportEvent",
    "Reminder",
    "ReminderSettings",
    "ReportFile",
    "ReportFileChunk",
    "ReportRun",
    "ReportingCycle",
    "TargetProgress",
]
