"""Step 2 of `make bench`, run by bench/run.py under bench.settings: choose the URLs to measure
from the seeded data, then request each once through Django's test client against the bench
database, counting SQL queries with CaptureQueriesContext — cold (cache cleared: what an uncached
request costs) and warm (second request) — and timing both. Prints JSON on stdout."""

import json
import os
import sys
import time

import django


def urls() -> dict[str, str]:
    from django.db.models import Count
    from django.urls import reverse

    from pledges.models import Pledge, PledgeType

    public = Pledge.objects.public()
    pledge = public.filter(pledge_type=PledgeType.FINANCIAL).order_by("pk").first()
    entity_id = (
        public.order_by().values("entity_id").annotate(n=Count("pk")).order_by("-n", "entity_id")
        .values_list("entity_id", flat=True).first()
    )
    from matchmaking.models import Need

    # The published need with the most suggestions (seed_bench scores the first ones).
    need_id = (Need.objects.public().annotate(n=Count("suggestions")).order_by("-n", "pk")
               .values_list("pk", flat=True).first())
    lst = reverse("pledges:pledge_list")
    return {
        "baseline": "/bench/baseline/",
        "home": reverse("pledges:home"),
        "list": lst,
        "list_3_filters": lst + "?type=financial&area=access&region=africa",
        "list_search": lst + "?q=rural+schools",
        "list_page_50": lst + "?page=50",
        "pledge_detail": reverse("pledges:pledge_detail", args=[pledge.pk]),
        "entity": reverse("members:entity_public", args=[entity_id]),
        "need_detail": reverse("matchmaking:need_detail", args=[need_id]),
        "needs_list": reverse("matchmaking:need_list"),
        "csv": reverse("pledges:export_csv"),
    }


def measure(paths: dict[str, str]) -> dict[str, dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for name, path in paths.items():
        if name == "csv":
            continue  # streamed: measured over HTTP by run.py
        cache.clear()
        row = {}
        for phase in ("cold", "warm"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
            row[f"status_{phase}"] = response.status_code
            row[f"queries_{phase}"] = len(queries)
            row[f"ms_{phase}"] = round(elapsed * 1000, 1)
        results[name] = row
    return results


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, os.getcwd())
    django.setup()
    from django.utils import translation

    translation.activate("en")
    paths = urls()
    print(json.dumps({"urls": paths, "queries": measure(paths)}))


if __name__ == "__main__":
    main()
