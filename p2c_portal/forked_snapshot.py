"""Work done in a forked child process that reads the very database state its parent reads.

A long read-only job (a compiled report: its figures and PDFs beside its pledge list) has work
that does not depend on each other; on a 2-core machine, doing one part in a second process while
the first goes on halves its time. The child is a fork (no new interpreter, nothing to import
again) with a database connection of its own, in a transaction that imports the parent's
PostgreSQL snapshot (`pg_export_snapshot`), so both see the same rows even when pledges are
published meanwhile.

`ForkedWork` is used only where forking is safe (`can_fork`): PostgreSQL, inside the parent's own
REPEATABLE READ transaction, and a single-threaded process (a Celery prefork worker, the bench):
a fork copies only the calling thread, so a lock another thread held would stay held for ever in
the child. Elsewhere (SQLite, a threaded web process, tests inside a transaction) the caller runs
the same function in-process.

The child never touches its parent's connections: closing an inherited psycopg2 connection would
end the parent's session on the shared socket, so they are kept referenced and the child leaves
with os._exit (no finaliser, no atexit). Its result, or its error's traceback, comes back pickled
through a temporary file.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import connection, connections, transaction

# The parent's connections, inherited by a child: referenced until the child exits, never closed.
_INHERITED: list = []
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class ForkedWorkFailed(Exception):
    """The child raised (its traceback is the message), died, or took too long."""


def can_fork() -> bool:
    """Inside an outermost transaction (a savepoint's snapshot cannot be exported: a test's
    transaction, say), on PostgreSQL, in a single-threaded process."""
    return (hasattr(os, "fork") and connection.vendor == "postgresql"
            and connection.in_atomic_block and not connection.savepoint_ids
            and single_threaded())


def single_threaded() -> bool:
    return threading.active_count() == 1


def _die_with(parent: int) -> None:
    """Linux: SIGKILL this child when its parent dies. Celery's hard time limit kills the worker
    with SIGKILL, so no `stop()` runs: the child would otherwise compute on for its whole work,
    keeping a core and a connection holding the report's old snapshot (VACUUM held back)."""
    prctl = getattr(ctypes.CDLL(None), "prctl", None)  # the C library's; not on macOS
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _forget_inherited_connections() -> None:
    for alias in list(connections):
        wrapper = connections[alias]
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
        del connections[alias]  # the next use opens a connection of the child's own


class ForkedWork:
    """`start()` forks a child that runs `work()` in the parent's snapshot; `result()` waits for
    it (at most `timeout` seconds) and returns what it returned. `stop()` kills a child still
    running (the parent failed meanwhile). Call `start` inside the parent's REPEATABLE READ
    transaction, and `result` before that transaction ends (the snapshot lives as long as it)."""

    def __init__(self, work: Callable[[], Any], *, timeout: float):
        self.work, self.timeout = work, timeout
        self.pid: int | None = None
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by result() or stop()

    def start(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child
            self._run_in_child(snapshot, parent)
        self.pid = pid

    def _run_in_child(self, snapshot: str, parent: int) -> None:
        status = 1
        try:
            _die_with(parent)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _forget_inherited_connections()
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                        cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                    outcome = ("done", self.work())
                status = 0
            except BaseException:  # everything goes back to the parent
                outcome = ("failed", traceback.format_exc())
            pickle.dump(outcome, self.output)
            self.output.flush()
        finally:
            os._exit(status)

    def result(self) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise ForkedWorkFailed(f"the child process took more than {self.timeout:.0f} s")
            time.sleep(0.02)
        self.pid = None
        self.output.seek(0)
        try:
            kind, value = pickle.load(self.output)  # noqa: S301 - our own child's, just written
        except (EOFError, pickle.UnpicklingError) as error:
            raise ForkedWorkFailed(
                f"the child process ended without a result (wait status {status})") from error
        finally:
            self.output.close()
        if kind == "failed":
            raise ForkedWorkFailed(value)
        return value

    def stop(self) -> None:
        self.output.close()  # its result will not be read
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self.pid = None
