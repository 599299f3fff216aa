"""`make bench`: the public site under gunicorn with production settings, measured with wrk.

1. The bench database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/p2c_bench)
   is created if missing, migrated, and seeded with `seed_bench --pledges $BENCH_PLEDGES --seed
   $BENCH_SEED` (a no-op when it already holds exactly that data; replaced otherwise), then
   VACUUM ANALYZE (as autovacuum would after a bulk load). Redis db 11.
2. bench/probe.py picks the URLs and counts the SQL queries of each (test client, cold and warm).
3. gunicorn (BENCH_WORKERS gthread workers of BENCH_WORKER_THREADS threads, --timeout
   BENCH_WORKER_TIMEOUT: the Dockerfile's command) serves bench.settings = production settings + the
   baseline view; every URL is warmed up, then measured with
   `wrk -t2 -c$BENCH_CONNECTIONS -d${BENCH_DURATION}s --latency` in BENCH_ROUNDS interleaved
   rounds (round 1: every endpoint, round 2: every endpoint, ...); the medians are reported.
4. The open-data CSV of every public pledge is downloaded BENCH_CSV_RUNS times: time, size and the
   extra peak memory of the worker that served it (/proc/<pid>/status VmHWM, reset before).
5. A table on stdout, the JSON under var/bench/<timestamp>.json.

Every load goes to 127.0.0.1 and is bounded in time. Runs from the repository root.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CFG = {
    "database_url": os.environ.get("BENCH_DATABASE_URL",
                                   "postgres://postgres@127.0.0.1:5432/p2c_bench"),
    "redis_url": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
    "pledges": int(os.environ.get("BENCH_PLEDGES", "100000")),
    "seed": int(os.environ.get("BENCH_SEED", "42")),
    "port": int(os.environ.get("BENCH_PORT", "8765")),
    "workers": int(os.environ.get("BENCH_WORKERS", "3")),
    "rounds": int(os.environ.get("BENCH_ROUNDS", "3")),
    "duration": int(os.environ.get("BENCH_DURATION", "5")),
    "connections": int(os.environ.get("BENCH_CONNECTIONS", "8")),
    "threads": int(os.environ.get("BENCH_THREADS", "2")),
    "csv_runs": int(os.environ.get("BENCH_CSV_RUNS", "1")),
    # As the Dockerfile runs it: threaded workers, whose heartbeat goes on while a thread
    # streams the CSV, so the production --timeout is measured too.
    "worker_class": os.environ.get("BENCH_WORKER_CLASS", "gthread"),
    "worker_threads": int(os.environ.get("BENCH_WORKER_THREADS", "4")),
    "worker_timeout": int(os.environ.get("BENCH_WORKER_TIMEOUT", "60")),
}
ENDPOINTS = ("baseline", "home", "list", "list_3_filters", "list_search", "list_page_50",
             "pledge_detail", "entity", "need_detail", "needs_list")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def django_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": CFG["database_url"],
        "REDIS_URL": CFG["redis_url"],
        "EMAIL_URL": "dummymail://",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": f"http://127.0.0.1:{CFG['port']}",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "OPEN_DATA_DIR": str(ROOT / "var" / "bench" / "open-data"),  # bench/exports.py
    })
    return env


ENV = django_env()


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 -- our own manage.py, fixed arguments
        [PY, "manage.py", *args], cwd=ROOT, env=ENV, check=check, text=True,
        capture_output=True,
    )


def ensure_database() -> None:
    import psycopg2

    parts = urlsplit(CFG["database_url"])
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def vacuum() -> None:
    """VACUUM ANALYZE, as autovacuum does on a live database some time after bulk inserts: the
    index-only scans of the public counters need the visibility map it sets."""
    import psycopg2

    log("VACUUM ANALYZE")
    connection = psycopg2.connect(CFG["database_url"])
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def prepare_data() -> str:
    ensure_database()
    log("migrating the bench database")
    manage("migrate", "--no-input", "-v0")
    args = ["seed_bench", "--pledges", str(CFG["pledges"]), "--seed", str(CFG["seed"])]
    log(f"seeding {CFG['pledges']} pledges (reused when already there)")
    started = time.monotonic()
    result = manage(*args, check=False)
    if result.returncode and "--flush-bench" in result.stderr:
        log("other bench data found: replacing it")
        result = manage(*args, "--flush-bench", check=False)
    if result.returncode:
        sys.exit(f"seed_bench failed:\n{result.stdout}\n{result.stderr}")
    log(result.stdout.strip().splitlines()[-1] + f" ({time.monotonic() - started:.0f} s)")
    vacuum()
    log("collecting static files")
    manage("collectstatic", "--no-input", "-v0")
    return result.stdout.strip().splitlines()[-1]


def probe() -> dict:
    log("counting queries per request (test client, cold and warm cache)")
    result = subprocess.run(  # noqa: S603
        [PY, str(ROOT / "bench" / "probe.py")], cwd=ROOT, env=ENV, check=True, text=True,
        capture_output=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- gunicorn ------------------------------------------------------------------------------

def start_gunicorn(env: dict[str, str] | None = None) -> subprocess.Popen:
    gunicorn = str(Path(PY).with_name("gunicorn"))
    log_path = ROOT / "var" / "bench" / "gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603
        [gunicorn, "p2c_portal.wsgi:application", "--workers", str(CFG["workers"]),
         "--worker-class", CFG["worker_class"], "--threads", str(CFG["worker_threads"]),
         "--bind", f"127.0.0.1:{CFG['port']}",
         "--timeout", str(CFG["worker_timeout"]),
         "--chdir", str(ROOT)],
        cwd=ROOT, env=env or ENV, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _attempt in range(120):
        time.sleep(0.5)
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped: see {log_path}")
        try:
            fetch("/healthz")
            return process
        except OSError:
            continue
    stop_gunicorn(process)
    sys.exit("gunicorn did not answer within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def memory_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def fetch(path: str, timeout: float = 120) -> tuple[int, int, float]:
    """(status, bytes, seconds) of one GET to the local gunicorn, body streamed and dropped."""
    started = time.perf_counter()
    size = 0
    url = f"http://127.0.0.1:{CFG['port']}{path}"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        while chunk := response.read(65536):
            size += len(chunk)
        status = response.status
    return status, size, time.perf_counter() - started


# --- wrk -----------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(path: str) -> dict:
    command = ["wrk", f"-t{CFG['threads']}", f"-c{CFG['connections']}", f"-d{CFG['duration']}s",
               "--latency", "--timeout", "10s", f"http://127.0.0.1:{CFG['port']}{path}"]
    output = subprocess.run(command, check=True, text=True, capture_output=True,  # noqa: S603
                            timeout=CFG["duration"] + 30).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+[a-z]+)\s*$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def drain(limit: float = 60) -> None:
    """Wait until the workers have finished the requests wrk left queued when it stopped (the
    workers go on with them), so that they do not count against the next endpoint: until a
    request to the baseline answers quickly, BENCH_WORKERS times in a row."""
    deadline = time.monotonic() + limit
    quick = 0
    while quick < CFG["workers"] and time.monotonic() < deadline:
        _status, _size, seconds = fetch("/bench/baseline/")
        quick = quick + 1 if seconds < 0.05 else 0
        if not quick:
            time.sleep(0.2)


def measure_pages(urls: dict[str, str]) -> dict[str, dict]:
    rounds: dict[str, list[dict]] = {name: [] for name in ENDPOINTS}
    for number in range(1, CFG["rounds"] + 1):
        log(f"round {number}/{CFG['rounds']}")
        for name in ENDPOINTS:
            rounds[name].append(wrk(urls[name]))
            drain()
    results = {}
    for name, runs in rounds.items():
        results[name] = {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs),
            "rounds": runs,
        }
    return results


def measure_csv(master: int, path: str) -> dict:
    if CFG["csv_runs"] < 1:  # BENCH_CSV_RUNS=0: the pages alone, no median of nothing
        return {"not_measured": True, "failed": False, "runs": []}
    runs = []
    for _run in range(CFG["csv_runs"]):
        pids = worker_pids(master)
        before = {}
        for pid in pids:  # reset each worker's peak (VmHWM) to its current RSS
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            before[pid] = memory_kb(pid, "VmRSS")
        started = time.perf_counter()
        try:
            status, size, seconds = fetch(path, timeout=CFG["worker_timeout"] + 30)
        except (OSError, http.client.HTTPException) as error:  # e.g. killed by the timeout
            seconds = time.perf_counter() - started
            log(f"CSV download failed after {seconds:.0f} s: {error!r}")
            runs.append({"error": repr(error), "seconds": round(seconds, 2), "bytes": 0,
                         "extra_peak_mb": None})
            continue
        extra = max(memory_kb(pid, "VmHWM") - before[pid] for pid in pids)
        runs.append({"status": status, "bytes": size, "seconds": round(seconds, 2),
                     "extra_peak_mb": round(extra / 1024, 1)})
        log(f"CSV: {size / 1e6:.1f} MB in {seconds:.2f} s, +{extra / 1024:.1f} MB peak")
    good = [r for r in runs if "error" not in r] or runs
    return {
        "seconds": statistics.median(r["seconds"] for r in good),
        "extra_peak_mb": good[0]["extra_peak_mb"] if len(good) == 1
        else statistics.median(r["extra_peak_mb"] for r in good),
        "bytes": good[-1]["bytes"],
        "failed": "error" in good[0],
        "runs": runs,
    }


# --- report --------------------------------------------------------------------------------

def machine() -> dict:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    info = {"nproc": os.cpu_count(), "cpu": cpu.group(1) if cpu else "?",
            "memory_gb": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
            "loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}
    try:
        import psycopg2
        import redis

        connection = psycopg2.connect(CFG["database_url"])
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
        connection.close()
        info["redis"] = redis.Redis.from_url(CFG["redis_url"]).info()["redis_version"]
    except Exception as error:
        info["versions_error"] = str(error)
    return info


def table(results: dict, queries: dict, csv: dict) -> str:
    base = results["baseline"]["rps"] or float("nan")
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | ratio to baseline | queries cold / warm "
        "| cold ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ENDPOINTS:
        row, query = results[name], queries.get(name, {})
        bad = f" ({row['non_2xx']} non-2xx)" if row["non_2xx"] else ""
        lines.append(
            f"| {name}{bad} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['rps'] / base:.2f} | {query.get('queries_cold', '?')} / "
            f"{query.get('queries_warm', '?')} | {query.get('ms_cold', '?')} |"
        )
    if csv["failed"]:
        lines.append(f"\nCSV export of every public pledge: FAILED after {csv['seconds']} s "
                     f"({csv['runs'][0]['error']}).")
        return "\n".join(lines)
    if csv.get("pending"):
        return "\n".join(lines)
    if csv.get("not_measured"):
        lines.append("\nCSV export of every public pledge: not measured (BENCH_CSV_RUNS=0).")
        return "\n".join(lines)
    lines.append(
        f"\nCSV export of every public pledge: {csv['bytes'] / 1e6:.1f} MB in {csv['seconds']} s "
        f"(median of {len(csv['runs'])}), extra peak memory of the worker "
        f"{csv['extra_peak_mb']} MB."
    )
    return "\n".join(lines)


def main() -> None:
    """`make bench`: the pages, the CSV, then the mixed load (BENCH_MIXED_SECONDS=0 skips it);
    `make bench-mixed` (--mixed-only): the mixed load alone."""
    sys.path.insert(0, str(ROOT))  # run as a script: bench/ is a package of the repository
    from bench import distinct, exports, mixed

    mixed_only = "--mixed-only" in sys.argv
    # --exports-only: the open-data downloads and the report compilation alone (bench/exports.py)
    exports_only = "--exports-only" in sys.argv
    if not mixed_only and not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (Debian).")
    started = time.monotonic()
    info = machine()
    seeded = prepare_data()
    output: dict = {"config": CFG, "machine": info, "seeded": seeded}
    report = ""
    if exports_only:
        process = start_gunicorn()
        try:
            output["exports"] = exports.measure(sys.modules[__name__], process.pid)
        finally:
            stop_gunicorn(process)
        report = exports.table(output["exports"])
        print(report)
    if not mixed_only and not exports_only:
        probed = probe()
        urls = probed["urls"]
        addresses = distinct.choose(sys.modules[__name__], ENV) if distinct.DISTINCT["enabled"] \
            else None
        distinct_results = None
        process = start_gunicorn()
        try:
            log("warming up")
            for name, path in urls.items():
                if name != "csv":
                    for _i in range(3 * CFG["workers"]):
                        status, _size, _seconds = fetch(path)
                        if status != 200:
                            sys.exit(f"{name} {path} answered {status}")
            results = measure_pages(urls)
            if addresses:  # issue 20: addresses no cache can answer (bench/distinct.py)
                distinct_results = distinct.run(sys.modules[__name__], addresses)
                print(distinct.table(distinct_results))
            # The pages so far; the CSV line comes with the whole report once it is measured.
            print(table(results, probed["queries"], {"failed": False, "pending": True}))
            csv = measure_csv(process.pid, urls["csv"])
            output["exports"] = exports.measure(sys.modules[__name__], process.pid)
        finally:
            stop_gunicorn(process)
        report = table(results, probed["queries"], csv)
        if distinct_results:
            report += "\n\n" + distinct.table(distinct_results)
        report += "\n\n" + exports.table(output["exports"])
        output.update(urls=urls, pages=results, queries=probed["queries"], csv=csv,
                      distinct=distinct_results)
        print()
        print(report)
    if mixed.MIXED["seconds"] > 0 and not exports_only:
        mixed_results = mixed.run(sys.modules[__name__], ENV)
        mixed_report = mixed.table(mixed_results)
        output["mixed"] = mixed_results
        report = f"{report}\n\n{mixed_report}".strip()
        print()
        print(mixed_report)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "var" / "bench" / f"{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    info["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    output.update(timestamp=stamp, table=report, duration_s=round(time.monotonic() - started))
    out.write_text(json.dumps(output, indent=2, default=str))
    log(f"written {out.relative_to(ROOT)} ({time.monotonic() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
