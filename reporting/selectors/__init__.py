"""Reads for reporting, one module per subject: progress (reporting status, timeline, the member's
progress reports), compiled reports (the public Reports pages), and contacts (who is written
to about a pledge). Reminders read what is due in reporting.selectors.reminders."""
