"""Handing a task to Celery from a web request or a sweep, without ever failing because of it.

Every background job is a row first (an email, a reminder, a compiled report); publishing its task
is only a nudge. When the broker is down or hung, `task_enqueue` logs, returns False and leaves the
row for the next sweep. After one failed publish this process stops trying for
BROKER_UNAVAILABLE_FOR seconds: with a hung broker every attempt costs a socket timeout, and a
request queueing several jobs would pay for each one.
"""

import logging
import time

logger = logging.getLogger(__name__)

BROKER_UNAVAILABLE_FOR = 15.0
_broker_unavailable_until: dict[str, float] = {}  # broker URL -> time.monotonic() deadline


def task_enqueue(task, *args, event: str, **log_fields) -> bool:
    """task.delay(*args); never raises. Returns whether the broker took the task."""
    conf = task.app.conf
    broker = "" if conf.task_always_eager else conf.broker_url
    if broker and time.monotonic() < _broker_unavailable_until.get(broker, 0.0):
        logger.info(f"{event}.enqueue_deferred", extra=log_fields)
        return False
    try:
        task.delay(*args)
    except Exception:  # kombu/redis raise many types; all mean "not queued now"
        if broker:
            _broker_unavailable_until[broker] = time.monotonic() + BROKER_UNAVAILABLE_FOR
        logger.warning(f"{event}.enqueue_failed", extra=log_fields, exc_info=True)
        return False
    return True


def broker_outage_forget() -> None:
    """Try the broker again at the next publish (tests, and after an operator fixed it)."""
    _broker_unavailable_until.clear()
