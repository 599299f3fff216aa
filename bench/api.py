"""The open API uncached: a page of 100 pledges through Django (test client, DEBUG off), the cache
cleared before every request, so that each answer reads the database as a first visitor's would.
Prints the median and 90th percentile of the wall time per request and the SQL queries of one.

    DATABASE_URL=postgres://…/p2c_bench .venv/bin/python bench/api.py [requests per URL]

Run it against a database seeded with `manage.py seed_bench` (BENCHMARKS.md, "Open data API").
"""

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

from pledges.models import Pledge  # noqa: E402


def main(runs: int) -> None:
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
    urls = {
        "first page, 100 pledges": "/api/v1/pledges/?page_size=100",
        "20 pages in (cursor), 100": deep.split("testserver", 1)[-1],
        "type=financial, 100": "/api/v1/pledges/?page_size=100&type=financial",
        "country=KEN&area=access, 100": "/api/v1/pledges/?page_size=100&country=KEN&area=access",
        "updated_since (sync), 100": "/api/v1/pledges/?page_size=100&updated_since=2000-01-01",
        "search q=school, 100": "/api/v1/pledges/?page_size=100&q=school",
        "entities, 100": "/api/v1/entities/?page_size=100",
        "removed (sync), 100": "/api/v1/pledges/removed/?page_size=100&updated_since=2000-01-01",
        "one pledge": f"/api/v1/pledges/{first['results'][0]['id']}/",
        "goals (figures), 50": "/api/v1/goals/?page_size=50",
    }
    print(f"{public} public pledges; {runs} uncached requests per URL; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'URL':34} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'rows':>5}")
    for label, url in urls.items():
        times = []
        for _ in range(runs):
            cache.clear()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
            rows = len(body["results"]) if "results" in body else 1
        times.sort()
        print(f"{label:34} {statistics.median(times):10.1f} "
              f"{times[int(len(times) * 0.9) - 1]:8.1f} {len(queries):8d} {rows:5d}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
