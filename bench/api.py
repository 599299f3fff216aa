"""The open API and the Goals page uncached: a page of 100 pledges through Django (test client,
DEBUG off), the whole-page cache emptied before every request, so that each answer is computed
as a first visitor's would be (the facet bitsets and goal state, kept current with the pledges,
stay built: bench/goal_pages.py times their build). Prints the median and 90th percentile of the
wall time per request, the SQL queries of one, and each target of issues 22 and 19 with met /
MISSED.

    DATABASE_URL=postgres://…/p2c_bench .venv/bin/python bench/api.py [requests per URL]
        [--goals-of-every-kind]

Run it against a database seeded with `manage.py seed_bench` (BENCHMARKS.md, "Open data API" and
"Goals page"). The seed maps three in four targets to the catalogue and sets 13 goals; on a
database seeded before that, `--goals-of-every-kind` adds them first (seed_bench's mapping and
goals) inside a transaction that is rolled back at the end, leaving the database as it was.
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
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from action_areas.models import CoalitionGoal  # noqa: E402
from devdata.management.commands.seed_bench import seed_catalogue_goals  # noqa: E402
from pledges.models import Pledge  # noqa: E402

PLEDGE_PAGE_MS = 150  # issue 22: a page of 100 pledges, uncached, median
GOALS_PAGE_MS = 200  # issue 19: the Goals page (and its API), uncached, median

def add_goals_of_every_kind() -> int:
    """The catalogue mapping and goals of seed_bench (devdata seed_catalogue_goals; nothing to add
    to a database seeded since they are part of it): call inside a transaction that is rolled
    back. Returns the number of goals shown."""
    seed_catalogue_goals(seed=42)
    return CoalitionGoal.objects.shown().count()


def forget_pages() -> None:
    """The whole-page cache emptied, nothing else: the facet bitsets and the goal state (data
    kept current with the pledges, as an index is, not answers) stay, as they do for a visitor
    whose address nobody asked for within the page cache's 15 s."""
    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):  # a developer's local memory cache
        cache.clear()
        return
    redis = client.get_client(write=True)
    for key in redis.scan_iter(match="*pledges:page:*", count=1000):
        redis.delete(key)


def measure(client: Client, label: str, url: str, runs: int) -> tuple[float, float, int, int]:
    times = []
    for _ in range(runs):
        forget_pages()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    forget_pages()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        rows = len(body["results"]) if "results" in body else 1
    else:
        rows = 1
    times.sort()
    median, p90 = statistics.median(times), times[max(int(len(times) * 0.9) - 1, 0)]
    print(f"{label:34} {median:10.1f} {p90:8.1f} {len(queries):8d} {rows:5d}", flush=True)
    return median, p90, len(queries), rows


def main(runs: int, every_kind_of_goal: bool, only: str = "") -> None:
    client = Client(REMOTE_ADDR="192.0.2.1")
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                    "api_anonymous": "1000000/m/ip"}
    public = Pledge.objects.public().count()
    first = client.get("/api/v1/pledges/", {"page_size": 100}).json()
    deep = first["next"]
    for _ in range(20):  # 20 pages in: a cursor deep in the list
        deep = client.get(deep).json()["next"] or deep
    pledge_pages = {
        "first page, 100 pledges": "/api/v1/pledges/?page_size=100",
        "20 pages in (cursor), 100": deep.split("testserver", 1)[-1],
        "type=financial, 100": "/api/v1/pledges/?page_size=100&type=financial",
        "country=KEN&area=access, 100": "/api/v1/pledges/?page_size=100&country=KEN&area=access",
        "updated_since (sync), 100": "/api/v1/pledges/?page_size=100&updated_since=2000-01-01",
        "search q=school, 100": "/api/v1/pledges/?page_size=100&q=school",
    }
    others = {
        "entities, 100": "/api/v1/entities/?page_size=100",
        "removed (sync), 100": "/api/v1/pledges/removed/?page_size=100&updated_since=2000-01-01",
        "one pledge": f"/api/v1/pledges/{first['results'][0]['id']}/",
    }
    goal_pages = {
        "goals (figures), 50": "/api/v1/goals/?page_size=50",
        "Goals page (HTML)": "/en/goals/",
    }
    past = {"Goals page as of 2024-12-31": "/en/goals/?as_of=2024-12-31"}
    with transaction.atomic():
        goals = add_goals_of_every_kind() if every_kind_of_goal else (
            CoalitionGoal.objects.shown().count())
        print(f"{public} public pledges, {goals} goals shown; {runs} uncached requests per URL; "
              f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"{'URL':34} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'rows':>5}")
        results = {label: measure(client, label, url, runs)
                   for label, url in {**pledge_pages, **others, **goal_pages, **past}.items()
                   if only.lower() in label.lower()}
        transaction.set_rollback(True)  # the goals and mappings of --goals-of-every-kind
    print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for label, limit in ([(label, PLEDGE_PAGE_MS) for label in pledge_pages]
                         + [(label, GOALS_PAGE_MS) for label in goal_pages]):
        if label not in results:
            continue
        median = results[label][0]
        print(f"target {label}: median < {limit} ms: {median:.0f} ms "
              f"{'met' if median < limit else 'MISSED'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="?", type=int, default=20, help="requests per URL")
    parser.add_argument("--goals-of-every-kind", action="store_true")
    parser.add_argument("--only", default="", help="only the URLs whose label contains this")
    arguments = parser.parse_args()
    main(arguments.runs, arguments.goals_of_every_kind, arguments.only)
