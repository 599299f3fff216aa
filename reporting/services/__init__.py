"""Writes for reporting, one module per subject: progress (progress reports), reminders, and
compiled reports. Views, admin, tasks and commands call these; nothing here imports them."""
