"""The Goals pages with the in-memory goal state (reporting.selectors.goal_state): what building
the state costs, and what each page costs once it is built, uncached otherwise (every request a
new address, so that the 15-s page cache never answers).

    DATABASE_URL=postgres://…/copy-of-the-bench-db REDIS_URL=redis://…/N \\
        .venv/bin/python bench/goal_pages.py [requests per URL] [--without-state]

Run it on a copy of a database seeded with `manage.py seed_bench` (13 goals: BENCHMARKS.md,
"Goals page with 13 goals"). Prints the state's build (its reads and the Python work apart), the
first request after the cache is cleared (facet bitsets and state built then), and per URL the
median and 90th percentile of the wall time, the queries of one request and the load average.
With `--without-state`, today's figures are computed in SQL as before the state (the comparison).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2c_portal.settings.test")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from action_areas.models import CoalitionGoal  # noqa: E402
from pledges import facet_bitsets  # noqa: E402
from reporting.selectors import goal_state, goals  # noqa: E402


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def timed(function, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main(runs: int, without_state: bool) -> None:
    from django.conf import settings

    if without_state:
        goal_state.available = lambda: False

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                    "api_anonymous": "1000000/m/ip"}
    client = Client(REMOTE_ADDR="192.0.2.1")
    shown = list(goals.goal_list_public())
    print(f"{len(shown)} goals shown; load average {load()}")
    fingerprint = goals._reporting_fingerprint()
    bitsets_ms, bitsets = timed(lambda: facet_bitsets.build(("bench",)))
    rows_ms, rows = timed(lambda: _materialised(goals._state_rows()))
    build_ms, state = timed(lambda: goal_state.build(("bench", *fingerprint), bitsets, rows))
    print(f"facet bitsets build {bitsets_ms:.0f} ms; goal state: rows read {rows_ms:.0f} ms, "
          f"built in Python {build_ms:.0f} ms, {len(state.indicators)} indicators; "
          f"load {load()}")
    cache.clear()
    goal_state.forget()
    facet_bitsets.forget()
    started = time.perf_counter()
    assert client.get("/en/goals/").status_code == 200
    print(f"first /en/goals/ after the cache is cleared (bitsets and state built): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms; load {load()}")
    detail = next(goal for goal in shown if goal.measure == CoalitionGoal.Measure.INDICATOR)
    urls = {"Goals page": "/en/goals/",
            f"goal page ({detail.code})": f"/en/goals/{detail.code}/",
            # The API refuses unknown parameters: its addresses vary by page size (13 goals).
            "API goals, 13-50 a page": "/api/v1/goals/?page_size=",
            "Goals page as of 2024-12-31 (SQL)": "/en/goals/?as_of=2024-12-31"}
    print(f"{'URL':40} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for label, url in urls.items():
        times = []
        for number in range(runs):
            address = (f"{url}{50 - number}" if url.endswith("=")
                       else f"{url}{'&' if '?' in url else '?'}v={time.time_ns()}-{number}")
            started = time.perf_counter()
            response = client.get(address)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (address, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(f"{url}{50 - runs}" if url.endswith("=")
                       else f"{url}{'&' if '?' in url else '?'}v=queries-{time.time_ns()}")
        times.sort()
        print(f"{label:40} {statistics.median(times):10.1f} "
              f"{times[max(int(len(times) * 0.9) - 1, 0)]:8.1f} {len(queries):8d}", flush=True)
    print(f"load average at the end {load()}")


def _materialised(rows: goal_state.StateRows) -> goal_state.StateRows:
    """The rows read from the database (querysets evaluated), so that build() times Python."""
    return goal_state.StateRows(
        targets=list(rows.targets), achieved=list(rows.achieved),
        pledges_usd=list(rows.pledges_usd), disbursed_usd=list(rows.disbursed_usd),
        by_reference=list(rows.by_reference), codes=rows.codes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="?", type=int, default=10,
                        help="requests per URL (at most 36)")
    parser.add_argument("--without-state", action="store_true",
                        help="today's figures in SQL, as before the in-memory state")
    arguments = parser.parse_args()
    main(arguments.runs, arguments.without_state)
