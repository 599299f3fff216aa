"""Celery tasks: they take ids, and call one service of reporting.services (DESIGN.md §3). The
tasks that work one job row share the job machinery's retrying base (p2c_portal.jobs.JobTask).
Scheduled in settings.CELERY_BEAT_SCHEDULE; never a long countdown or ETA."""

from celery import shared_task

from p2c_portal.jobs import JobTask

from .services import compiled_reports, reminders


@shared_task
def reminders_create_due() -> int:
    return reminders.reminders_create_due()


@shared_task(base=JobTask, jobs=reminders.REMINDER_JOBS)
def reminder_send(reminder_id: int) -> bool:
    return reminders.reminder_deliver(reminder_id=reminder_id)


@shared_task
def reminders_sweep() -> int:
    return reminders.reminders_sweep()


# The compile claims its run: a second delivery of the same message (acks_late, a restarted
# worker) finds nothing to do. A compiler error fails the run for good (no retry: it would fail
# again). Its own time limits: a report over 100,000 pledges takes minutes, not seconds. The
# hard limit stays below the broker's visibility timeout (settings: 3,600 s).
@shared_task(base=JobTask, jobs=compiled_reports.COMPILED_REPORT_JOBS,
             soft_time_limit=compiled_reports.COMPILE_TIME_LIMIT_SECONDS,
             time_limit=compiled_reports.COMPILE_TIME_LIMIT_SECONDS + 300)
def compiled_report_compile(run_id: int) -> bool:
    return compiled_reports.compiled_report_compile(run_id=run_id)


@shared_task
def compiled_reports_sweep() -> int:
    return compiled_reports.compiled_reports_sweep()


@shared_task
def compiled_reports_for_ended_cycles() -> int:
    return compiled_reports.compiled_reports_for_ended_cycles()
