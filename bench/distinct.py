"""The "distinct addresses" scenarios of `make bench` (issue 20): real visitors each explore their
own combination of filters, words and pages, so the whole-page cache cannot help them.

`bench/run.py` calls `choose()` before starting gunicorn and `run()` after its cached pages:

- `choose()` runs this file as a script under bench.settings (`--urls`): from the seeded data it
  picks BENCH_DISTINCT_LISTS (6,000) list addresses — one to three facets among the values that
  exist, search words taken from the public pledges' titles (four in ten addresses), pages 2–40
  (and page 1 one time in ten) — and every public pledge, approved entity with a public pledge,
  country and event (countries and events with pages 1–40: there are only a few hundred of them),
  plus the home and Goals pages made distinct by a query parameter that they ignore (`?v=N`),
  which is what a first visitor after a publication costs (the whole page is not in the cache;
  what it is built from may be).
- `run()` measures each scenario with `wrk -s bench/distinct.lua`: each connection takes the next
  address of the scenario's file, so that in one round each address is requested once (rounds
  take disjoint slices of the file), interleaved with the baseline as bench/run.py does, medians
  of BENCH_ROUNDS rounds; then BENCH_DISTINCT_SEARCHES single searches (one to three words, any
  page), one at a time; then prints each of the issue's targets with met / missed.

Settings: BENCH_DISTINCT (1; 0 skips), BENCH_DISTINCT_LISTS, BENCH_DISTINCT_DURATION (seconds per
wrk run, default BENCH_DURATION), BENCH_DISTINCT_SEARCHES (40), BENCH_DISTINCT_SEED (20).
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().with_name("distinct.lua")
DISTINCT = {
    "enabled": os.environ.get("BENCH_DISTINCT", "1") != "0",
    "lists": int(os.environ.get("BENCH_DISTINCT_LISTS", "6000")),
    "duration": int(os.environ.get("BENCH_DISTINCT_DURATION",
                                   os.environ.get("BENCH_DURATION", "5"))),
    "searches": int(os.environ.get("BENCH_DISTINCT_SEARCHES", "40")),
    "seed": int(os.environ.get("BENCH_DISTINCT_SEED", "20")),
}
SCENARIOS = ("list", "pledge", "entity", "country", "event", "home", "goals")
SEARCH_WORD = re.compile(r"[^\W\d_]{4,}")


# --- choosing the addresses (under bench.settings, in a process of its own) -----------------

def _list_addresses(rng: random.Random, count: int) -> list[str]:
    from django.urls import reverse

    from pledges import selectors
    from pledges.models import Pledge

    options = selectors.pledge_filter_options()
    public = Pledge.objects.public()
    years = sorted({str(moment.year) for moment in
                    public.dates("published_at", "year")}) or ["2024"]
    facet_values = {name: [value for value, _label in values]
                    for name, values in options.items() if values}
    facet_values["year"] = years
    # Only countries some public pledge names, so that most addresses list something.
    named = set(public.order_by().values_list("countries__iso3", flat=True).distinct())
    facet_values["country"] = [iso3 for iso3 in facet_values.get("country", []) if iso3 in named]
    facet_names = sorted(name for name, values in facet_values.items() if values)
    titles = list(public.order_by("?").values_list("title", flat=True)[:3000])
    words = sorted({word.lower() for title in titles for word in SEARCH_WORD.findall(title)})
    base = reverse("pledges:pledge_list")
    addresses: set[str] = set()
    while len(addresses) < count:
        pairs = []
        if rng.random() < 0.4:
            pairs.append(("q", " ".join(rng.sample(words, rng.randint(1, 3)))))
        for name in rng.sample(facet_names, rng.randint(1, 3)):
            for value in rng.sample(facet_values[name], min(len(facet_values[name]),
                                                              rng.choice((1, 1, 1, 2)))):
                pairs.append((name, value))
        if rng.random() < 0.15:
            pairs.append(("sort", rng.choice(("usd", "title"))))
        page = 1 if rng.random() < 0.1 else rng.randint(2, 40)
        if page > 1:
            pairs.append(("page", str(page)))
        addresses.add(f"{base}?{urlencode(pairs)}")
    addresses_list = sorted(addresses)
    rng.shuffle(addresses_list)
    return addresses_list


def _paged(rng: random.Random, paths: list[str], pages: int = 40) -> list[str]:
    combos = [path + (f"?page={page}" if page > 1 else "") for path in paths
              for page in range(1, pages + 1)]
    rng.shuffle(combos)
    return combos


def choose_addresses() -> dict[str, list[str]]:
    from django.db.models import Exists, OuterRef
    from django.urls import reverse

    from members.models import Entity
    from pledges.models import Event, Pledge

    rng = random.Random(DISTINCT["seed"])  # noqa: S311 -- a benchmark's sample, not a secret
    public = Pledge.objects.public()
    pledges = [reverse("pledges:pledge_detail", args=[pk])
               for pk in public.order_by().values_list("pk", flat=True)]
    rng.shuffle(pledges)
    entities = [reverse("members:entity_public", args=[pk]) for pk in
                Entity.objects.approved().filter(
                    Exists(public.filter(entity_id=OuterRef("pk")))
                ).order_by().values_list("pk", flat=True)]
    rng.shuffle(entities)
    countries = sorted(set(public.order_by().exclude(countries__isnull=True)
                           .values_list("countries__iso3", flat=True)))
    events = list(Event.objects.order_by("slug").values_list("slug", flat=True))
    home, goals = reverse("pledges:home"), reverse("reporting:goal_list")
    return {
        "list": _list_addresses(rng, DISTINCT["lists"]),
        "pledge": pledges,
        "entity": entities,
        "country": _paged(rng, [reverse("pledges:country_detail", args=[iso3])
                                for iso3 in countries]),
        "event": _paged(rng, [reverse("pledges:event_detail", args=[slug])
                              for slug in events]),
        "home": [f"{home}?v={number}" for number in range(20000)],
        "goals": [f"{goals}?v={number}" for number in range(20000)],
    }


# --- measuring (from bench/run.py, against its gunicorn) -------------------------------------

def choose(run_module, env: dict[str, str]) -> dict[str, list[str]]:
    run_module.log("choosing the distinct addresses from the data")
    result = subprocess.run(  # noqa: S603 -- this file, fixed arguments
        [sys.executable, str(Path(__file__).resolve()), "--urls"], cwd=ROOT, env=env,
        check=True, text=True, capture_output=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _wrk(run_module, paths: list[str]) -> dict:
    cfg = run_module.CFG
    out = ROOT / "var" / "bench" / "distinct-paths.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(paths) + "\n")
    command = ["wrk", f"-t{cfg['threads']}", f"-c{cfg['connections']}",
               f"-d{DISTINCT['duration']}s", "--latency", "--timeout", "10s", "-s", str(LUA),
               f"http://127.0.0.1:{cfg['port']}/", "--", str(out), str(cfg["threads"])]
    output = subprocess.run(command, check=True, text=True, capture_output=True,  # noqa: S603
                            timeout=DISTINCT["duration"] + 60).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+[a-z]+)\s*$", output, re.MULTILINE))
    requests = re.search(r"(\d+) requests in", output)
    if not requests or int(requests.group(1)) == 0:
        latency = {}  # nothing answered within the run: no latency, not 0 ms
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": run_module._ms(latency["50"]) if "50" in latency else None,
        "p99_ms": run_module._ms(latency["99"]) if "99" in latency else None,
        "requests": int(requests.group(1)) if requests else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _searches(run_module, addresses: list[str]) -> dict:
    searches = [path for path in addresses if "q=" in path][-DISTINCT["searches"]:]
    seconds = []
    for path in searches:  # one at a time: what one visitor waits for
        _status, _size, elapsed = run_module.fetch(path, timeout=60)
        seconds.append(elapsed)
    if not seconds:
        return {"count": 0}
    ordered = sorted(seconds)
    return {"count": len(seconds), "median_ms": round(statistics.median(seconds) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1), "slowest": searches[seconds.index(ordered[-1])]}


def run(run_module, addresses: dict[str, list[str]]) -> dict:
    rounds = run_module.CFG["rounds"]
    results: dict[str, list[dict]] = {name: [] for name in ("baseline", *SCENARIOS)}
    for number in range(rounds):
        run_module.log(f"distinct addresses: round {number + 1}/{rounds}")
        results["baseline"].append(run_module.wrk("/bench/baseline/"))
        run_module.drain()
        for name in SCENARIOS:
            paths = addresses[name]
            # The rounds take disjoint slices, so no address is requested in two rounds.
            size = max(1, len(paths) // rounds)
            slice_ = paths[number * size:(number + 1) * size] or paths
            results[name].append(_wrk(run_module, slice_))
            run_module.drain()
    summary = {}
    for name, runs in results.items():
        summary[name] = {
            "rps": _median(r["rps"] for r in runs),
            "p50_ms": _median(r["p50_ms"] for r in runs),
            "p99_ms": _median(r["p99_ms"] for r in runs),
            "requests": sum(r.get("requests", 0) for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs),
            "timeouts": sum(r.get("timeouts", 0) for r in runs),
            "distinct_available": len(addresses.get(name, [])) if name != "baseline" else 1,
            "rounds": runs,
        }
    run_module.log("single searches, one at a time")
    summary["single_search"] = _searches(run_module, addresses["list"])
    return summary


def targets(summary: dict) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of issues 20, 23 and 19 measured here."""
    base = summary["baseline"]["rps"] or float("nan")

    def ratio(name):
        return summary[name]["rps"] / base

    def p(name, key):
        value = summary[name][key]
        return float("inf") if value is None else value

    rows = []
    lists = summary["list"]
    rows.append((
        "distinct list addresses: p50 < 150 ms, p99 < 600 ms, >= 0.02 x baseline",
        f"p50 {p('list', 'p50_ms'):.0f} ms, p99 {p('list', 'p99_ms'):.0f} ms, "
        f"{ratio('list'):.3f} x ({lists['requests']} requests)",
        p("list", "p50_ms") < 150 and p("list", "p99_ms") < 600 and ratio("list") >= 0.02,
    ))
    for name in ("pledge", "entity", "country", "event"):
        rows.append((
            f"distinct {name} pages: p50 < 40 ms, >= 0.05 x baseline",
            f"p50 {p(name, 'p50_ms'):.0f} ms, {ratio(name):.3f} x "
            f"({summary[name]['requests']} requests)",
            p(name, "p50_ms") < 40 and ratio(name) >= 0.05,
        ))
    search = summary["single_search"]
    if search.get("count"):
        rows.append((
            "any single search (1-3 words, any page): < 250 ms",
            f"slowest {search['max_ms']:.0f} ms, median {search['median_ms']:.0f} ms "
            f"of {search['count']}",
            search["max_ms"] < 250,
        ))
    rows.append(("home page uncached (whole page not cached): p50 < 200 ms (issue 23)",
                 f"p50 {p('home', 'p50_ms'):.0f} ms", p("home", "p50_ms") < 200))
    rows.append(("Goals page uncached: median < 200 ms (issue 19)",
                 f"p50 {p('goals', 'p50_ms'):.0f} ms", p("goals", "p50_ms") < 200))
    return rows


def table(summary: dict) -> str:
    base = summary["baseline"]["rps"] or float("nan")
    lines = ["| distinct addresses | req/s | p50 ms | p99 ms | ratio to baseline | requests "
             "| non-2xx |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name in ("baseline", *SCENARIOS):
        row = summary[name]
        p50 = "-" if row["p50_ms"] is None else f"{row['p50_ms']:.1f}"
        p99 = "-" if row["p99_ms"] is None else f"{row['p99_ms']:.1f}"
        lines.append(f"| {name} | {row['rps']:.1f} | {p50} | {p99} | {row['rps'] / base:.3f} "
                     f"| {row['requests']} | {row['non_2xx']} |")
    lines.append("")
    lines.append("| target | measured | met? |")
    lines.append("|---|---|---|")
    for target, measured, met in targets(summary):
        lines.append(f"| {target} | {measured} | {'met' if met else 'MISSED'} |")
    return "\n".join(lines)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation

    translation.activate("en")
    if "--urls" in sys.argv:
        print(json.dumps(choose_addresses()))


if __name__ == "__main__":
    main()
