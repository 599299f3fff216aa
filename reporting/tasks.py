"""Celery tasks: they take ids, and call one service of reporting.services (DESIGN.md §3).
Scheduled in settings.CELERY_BEAT_SCHEDULE; never a long countdown or ETA."""

from celery import shared_task

from p2c_portal.tasks import RETRY_BACKOFF

from .services import compiled_reports, reminders


@shared_task
def reminders_create_due() -> int:
    return reminders.reminders_create_due()


@shared_task(bind=True, max_retries=len(RETRY_BACKOFF), acks_late=True)
def reminder_send(self, reminder_id: int):
    try:
        reminders.reminder_deliver(reminder_id=reminder_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            reminders.reminder_mark_failed(reminder_id=reminder_id)
            return None
        countdown = RETRY_BACKOFF[self.request.retries]
        if self.request.is_eager:
            # In-process (no broker): a *returned* retry runs at once; a raised one would
            # escape .delay() and leave the row for a sweep that never runs (see p2c_portal).
            return self.retry(exc=error, countdown=countdown, throw=False)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task
def reminders_sweep() -> int:
    return reminders.reminders_sweep()


# Compiled reports (reporting/services/compiled_reports.py). The compile claims its run: a second
# delivery of the same message (acks_late, a restarted worker) finds nothing to do.
# Its own time limits: a report over 100,000 pledges takes minutes, not seconds. The hard limit
# stays below the broker's visibility timeout (settings: 3,600 s).
@shared_task(acks_late=True, soft_time_limit=compiled_reports.COMPILE_TIME_LIMIT_SECONDS,
             time_limit=compiled_reports.COMPILE_TIME_LIMIT_SECONDS + 300)
def compiled_report_compile(run_id: int) -> bool:
    return compiled_reports.compiled_report_compile(run_id=run_id)


@shared_task
def compiled_reports_sweep() -> int:
    return compiled_reports.compiled_reports_sweep()


@shared_task
def compiled_reports_for_ended_cycles() -> int:
    return compiled_reports.compiled_reports_for_ended_cycles()
