"""Every task of the project runs on the queue of its kind (settings.CELERY_TASK_ROUTES), so that
a report compiling for minutes never holds up an email. A task without a route would land on a
queue the compose workers may not read: this test makes routing a new task part of adding it."""

from pathlib import Path

from django.apps import apps
from django.conf import settings

from p2c_portal.celery import app

QUEUES = {"emails", "reports", "periodic"}


def _project_tasks() -> set[str]:
    # Our apps are the installed ones whose code lives in the project: an app added later is
    # covered without touching this test.
    ours = tuple(f"{config.name}." for config in apps.get_app_configs()
                 if Path(config.path).is_relative_to(settings.BASE_DIR)
                 and ".venv" not in Path(config.path).parts)
    assert "following." in ours and "p2c_portal." in ours
    app.loader.import_default_modules()  # autodiscovery: every app's tasks.py
    return {name for name in app.tasks if name.startswith(ours)}


def test_every_task_of_the_project_is_routed_to_one_of_the_three_queues():
    tasks = _project_tasks()
    assert "p2c_portal.tasks.outbound_email_deliver" in tasks  # the discovery did find them
    unrouted = sorted(tasks - set(settings.CELERY_TASK_ROUTES))
    assert not unrouted, f"route these tasks in settings.CELERY_TASK_ROUTES: {unrouted}"
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} == QUEUES


def test_routes_name_only_tasks_that_exist():
    assert not set(settings.CELERY_TASK_ROUTES) - _project_tasks()


def test_celery_sends_each_kind_of_work_to_its_queue():
    def queue_of(task_name: str) -> str:
        return app.amqp.router.route({}, task_name)["queue"].name

    assert queue_of("p2c_portal.tasks.outbound_email_deliver") == "emails"
    assert queue_of("reporting.tasks.reminder_send") == "emails"
    assert queue_of("reporting.tasks.compiled_report_compile") == "reports"
    assert queue_of("spreadsheets.tasks.import_job_run") == "reports"
    assert queue_of("p2c_portal.tasks.outbound_email_sweep") == "periodic"
    # Every periodic entry of beat's schedule is a sweep on the periodic queue.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) == "periodic", entry["task"]


def test_a_worker_without_queue_option_reads_all_three():
    assert set(app.amqp.queues) == QUEUES
