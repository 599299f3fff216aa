"""The needs pages one request at a time, uncached (issue 21): each address requested RUNS + 1
times through Django's test client with the cache cleared before every request, the first
dropped; prints the queries, the median and the 90th percentile of the others, and the SQL time
of the median request's queries.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://…/p2c_bench \\
        DJANGO_SECRET_KEY=x ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false \\
        REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/needs.py [RUNS]

Single requests, not a load test: `make bench` measures the same pages under wrk.
"""

import os
import statistics
import sys
import time

import django

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 30


def addresses() -> dict[str, str]:
    from django.db.models import Count
    from django.urls import reverse

    from matchmaking.models import Need

    need_id = (Need.objects.public().annotate(n=Count("suggestions")).order_by("-n", "pk")
               .values_list("pk", flat=True).first())
    needs = reverse("matchmaking:need_list")
    return {
        "baseline": "/bench/baseline/",
        "need_detail": reverse("matchmaking:need_detail", args=[need_id]),
        "needs_list": needs,
        "needs_list_page_200": needs + "?page=200",
        "needs_list_2_facets": needs + "?area=access&group=LDC",
        "needs_list_4_facets": needs + "?area=access&area=adoption&region=africa&support=finance"
                                       "&state=open",
        "needs_list_search": needs + "?q=rural+schools",
    }


def measure(path: str) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    timings, sql = [], []
    for _run in range(RUNS + 1):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        sql.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
    timings, sql = timings[1:], sql[1:]
    median_run = sorted(range(len(timings)), key=timings.__getitem__)[len(timings) // 2]
    return {"queries": len(queries), "median_ms": round(statistics.median(timings), 1),
            "p90_ms": round(statistics.quantiles(timings, n=10)[-1], 1),
            "sql_ms_of_median": round(sql[median_run], 1)}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, os.getcwd())
    django.setup()
    from django.conf import settings
    from django.utils import translation

    settings.DEBUG = False
    translation.activate("en")
    print(f"{'page':<22} {'queries':>7} {'median ms':>10} {'p90 ms':>8} {'SQL ms':>7}")
    for name, path in addresses().items():
        row = measure(path)
        print(f"{name:<22} {row['queries']:>7} {row['median_ms']:>10} {row['p90_ms']:>8} "
              f"{row['sql_ms_of_median']:>7}", flush=True)


if __name__ == "__main__":
    main()
