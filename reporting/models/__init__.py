"""The reporting models, one module per subject: progress reporting (cycles and progress
reports), reminders, and compiled reports.

They live in reporting rather than in pledges/ (where DESIGN.md §1–2 first placed progress
reports) so that the dependency runs one way only: reporting → pledges. The pledges app never
imports reporting; the public pledge page reaches the timeline through a template include.
"""

from .compiled_reports import ReportFile, ReportFileChunk, ReportRun
from .progress import (
    ImplementationStatus,
    ProgressReport,
    ProgressReportEvent,
    ReportingCycle,
    TargetProgress,
)
from .reminders import Reminder, ReminderSettings

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
