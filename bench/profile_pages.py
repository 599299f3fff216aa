"""What one distinct public page costs, measured in one warm process (issue 20): for each kind of
page (pledge, entity, country, event, home, list), PROFILE_REQUESTS addresses chosen as
bench/distinct.py chooses them, each requested once through Django's test client under
bench.settings, after one warm-up request of each kind. Prints, per kind, the median CPU time of
the process (`time.process_time`: Python's work, not the database's), the median wall time, the
queries and their total time; with `--profile KIND`, cProfile's heaviest functions over that
kind's requests.

    DATABASE_URL=postgres://…/copy-of-the-bench-db REDIS_URL=redis://…/N \
        .venv/bin/python bench/profile_pages.py [--requests 20] [--profile pledge] [--explain]

Runs on a copy of the seeded bench database (`createdb -T p2c_bench …`); never a timing test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_urlsafe(48))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SITE_URL", "http://127.0.0.1:8765")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _addresses(count: int) -> dict[str, list[str]]:
    import random

    sys.path.insert(0, str(ROOT / "bench"))
    import distinct

    distinct.DISTINCT["lists"] = count + 1
    chosen = distinct.choose_addresses()
    rng = random.Random(7)  # noqa: S311 -- a sample of addresses
    return {name: rng.sample(paths, min(len(paths), count + 1))
            for name, paths in chosen.items() if name != "goals"}


def _explain(sql: str) -> str:
    """EXPLAIN ANALYZE of a captured query (its parameters already written in by psycopg)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"))
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", action="append", default=[])
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE every query over 5 ms")
    parser.add_argument("--kinds", default="pledge,entity,country,event,home,list")
    args = parser.parse_args()
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    addresses = _addresses(args.requests)
    from django.core.cache import cache

    # The whole-page cache keeps a page 15 s: a run right after another (before and after a
    # change, measured alternately) would otherwise get the same addresses from it.
    cache.clear()
    client = Client(HTTP_HOST="127.0.0.1")
    for kind in args.kinds.split(","):
        paths = addresses[kind]
        client.get(paths[0])  # warm-up: what a process loads once
        cpu, wall, query_counts, query_ms = [], [], [], []
        profiler = cProfile.Profile() if kind in args.profile else None
        slow = []
        for path in paths[1:]:
            with CaptureQueriesContext(connection) as queries:
                started_cpu, started = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            query_counts.append(len(queries))
            query_ms.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            slow += [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries
                     if float(q["time"]) * 1000 > 5]
        print(f"{kind:8} cpu p50 {statistics.median(cpu):7.1f} ms  max {max(cpu):7.1f}  "
              f"wall p50 {statistics.median(wall):7.1f} ms  queries {min(query_counts)}–"
              f"{max(query_counts)}  query time p50 {statistics.median(query_ms):6.1f} ms")
        for ms, sql in sorted(slow, reverse=True)[:5]:
            print(f"    slow query {ms:.1f} ms: {sql[:300]}")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("cumulative").print_stats(
                r"/(pledges|reporting|matchmaking|members|p2c_portal|action_areas|templates)/", 40)
            stats.sort_stats("tottime").print_stats(30)
            print(out.getvalue())
        if args.explain:
            for ms, sql in sorted(slow, reverse=True)[:3]:
                print(f"--- {ms:.1f} ms\n{_explain(sql)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
