"""`make bench`, issue #20: the open-data downloads and a report compilation, each printed with
its target met or missed. Called by bench/run.py once the pages are measured, gunicorn still
running (`measure`), with the same database and settings:

1. the downloads streamed (no pre-built file yet: what a visitor gets while the files are being
   rebuilt after a change): the CSV of every public pledge, and a filtered CSV and JSON;
2. the pre-built files made as the reports worker makes them (pledges.open_data_files, in a
   subprocess: seconds and peak memory);
3. the CSV and JSON of every public pledge again, now served from the files, and the filtered
   CSV and JSON again, now cut from them (their row indexes);
4. a custom report of every public pledge (no filter: ~70,000 at 100,000 seeded), compiled in
   a subprocess as the reports worker compiles it (`--compile-report`): seconds and peak memory
   (ru_maxrss of the process: Django included), then removed.

Each download: seconds, size, extra peak memory of the gunicorn worker that served it
(run.measure_csv: VmHWM reset before). Targets (issue #20): full download < 3 s and < 50 MB
extra; a filtered one proportionally faster (3 s x its share of the full file's bytes); a report
of 70,000 pledges < 20 s and < 200 MB.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILTERED = "type=financial"
DOWNLOAD_SECONDS, DOWNLOAD_MB = 3.0, 50.0
REPORT_SECONDS, REPORT_MB = 20.0, 200.0


def open_data_dir() -> Path:
    return ROOT / "var" / "bench" / "open-data"


def _download(run, master: int, path: str) -> dict:
    result = run.measure_csv(master, path)
    return {"path": path, **{key: result[key] for key in ("seconds", "extra_peak_mb", "bytes",
                                                          "failed")}}


def _subprocess(run, *args: str) -> dict:
    completed = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [run.PY, str(Path(__file__)), *args], cwd=ROOT, env=run.ENV, check=False, text=True,
        capture_output=True, timeout=3600,
    )
    if completed.returncode:
        return {"failed": True, "error": completed.stderr[-2000:]}
    return {"failed": False, **json.loads(completed.stdout.strip().splitlines()[-1])}


def measure(run, master: int) -> dict:
    shutil.rmtree(open_data_dir(), ignore_errors=True)
    results: dict = {}
    run.log("open data: streamed (no pre-built file), full CSV, filtered CSV and JSON")
    results["csv_streamed"] = _download(run, master, "/en/pledges/export.csv")
    results["csv_filtered"] = _download(run, master, f"/en/pledges/export.csv?{FILTERED}")
    results["json_filtered"] = _download(run, master, f"/en/pledges/export.json?{FILTERED}")
    run.log("open data: building the files (as the reports worker does)")
    results["build"] = _subprocess(run, "--build-files")
    run.log("open data: full CSV and JSON from the pre-built files")
    results["csv"] = _download(run, master, "/en/pledges/export.csv")
    results["json"] = _download(run, master, "/en/pledges/export.json")
    run.log("open data: filtered CSV and JSON cut from the pre-built files (row indexes)")
    results["csv_filtered_cut"] = _download(run, master, f"/en/pledges/export.csv?{FILTERED}")
    results["json_filtered_cut"] = _download(run, master,
                                             f"/en/pledges/export.json?{FILTERED}")
    if os.environ.get("BENCH_REPORT", "1") != "0":  # BENCH_REPORT=0: downloads only
        run.log("compiling a custom report of every public pledge (subprocess)")
        results["report"] = _subprocess(run, "--compile-report")
    return results


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def table(results: dict) -> str:
    full = results["csv"].get("bytes") or results["csv_streamed"].get("bytes") or 1
    lines = ["| open data / report | seconds | MB | extra peak MB | target | |",
             "|---|---:|---:|---:|---|---|"]
    for name, label in (("csv", "CSV, every public pledge (pre-built file)"),
                        ("json", "JSON, every public pledge (pre-built file)"),
                        ("csv_streamed", "CSV, every public pledge, streamed (during a rebuild)"),
                        ("csv_filtered", f"CSV ?{FILTERED}, streamed"),
                        ("json_filtered", f"JSON ?{FILTERED}, streamed"),
                        ("csv_filtered_cut", f"CSV ?{FILTERED}, cut from the file"),
                        ("json_filtered_cut", f"JSON ?{FILTERED}, cut from the file")):
        row = results.get(name)
        if row is None:  # a results file of a run before the row indexes
            continue
        if row["failed"]:
            lines.append(f"| {label} | FAILED after {row['seconds']} | | | | MISSED |")
            continue
        share = 1.0 if name in ("csv", "json", "csv_streamed") else row["bytes"] / full
        if name.startswith("json_filtered"):  # JSON: about twice the CSV's bytes a row
            share = row["bytes"] / max(results["json"].get("bytes") or 1, 1)
        limit = DOWNLOAD_SECONDS * share
        met = row["seconds"] < limit and (row["extra_peak_mb"] or 0) < DOWNLOAD_MB
        lines.append(f"| {label} | {row['seconds']:.2f} | {row['bytes'] / 1e6:.1f} "
                     f"| {row['extra_peak_mb']} | < {limit:.2f} s, < {DOWNLOAD_MB:.0f} MB "
                     f"| {_verdict(met)} |")
    build = results["build"]
    if build["failed"]:
        lines.append(f"| building the 12 files (worker) | FAILED | | | | {build['error'][-300:]} |")
    else:
        lines.append(f"| building the {build['files']} files (worker; "
                     f"{build.get('cpu_seconds', '?')} s of CPU) | {build['seconds']:.1f} "
                     f"| {build['bytes'] / 1e6:.0f} | {build['peak_mb']:.0f} (process) "
                     f"| no target (background) | |")
    report = results.get("report", {"failed": True, "error": "not measured (BENCH_REPORT=0)"})
    if report["failed"]:
        lines.append(f"| custom report compiled | FAILED | | | | {report['error'][-300:]} |")
    else:
        # Each process under the memory target: the compiler and the child it forks for the
        # figures and PDFs (reporting.services.compiled_reports) run at once.
        child_peak = report.get("child_peak_mb", 0)
        met = (report["seconds"] < REPORT_SECONDS
               and max(report["peak_mb"], child_peak) < REPORT_MB)
        lines.append(
            f"| custom report of {report['pledges']} pledges, {report['languages']} languages, "
            f"{report['files']} files ({report.get('cpu_seconds', '?')} s of CPU + "
            f"{report.get('child_cpu_seconds', '?')} s in the forked child) "
            f"| {report['seconds']:.1f} | {report['bytes'] / 1e6:.1f} "
            f"| {report['peak_mb']:.0f} (process), {child_peak:.0f} (child) "
            f"| < {REPORT_SECONDS:.0f} s, < {REPORT_MB:.0f} MB each | {_verdict(met)} |")
    return "\n".join(lines)


# --- In the subprocess ---------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb() -> float:
    """The largest peak of the processes this one forked (a report's figures and PDFs)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(usage.ru_utime + usage.ru_stime, 1)


def _cpu_seconds() -> float:
    """CPU time of this process: on a machine shared with others' load, what an idle one would
    take (the database's own CPU is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 1)


def _build_files() -> dict:
    from pledges import open_data_files

    started, cpu = time.perf_counter(), _cpu_seconds()
    files = open_data_files.open_data_files_build()
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in open_data_files.open_data_dir().iterdir())
    return {"seconds": round(seconds, 2), "files": files, "bytes": size,
            "peak_mb": round(_peak_mb(), 1), "cpu_seconds": round(_cpu_seconds() - cpu, 1)}


def _compile_report() -> dict:
    from reporting.models import ReportFile, ReportRun
    from reporting.services import compiled_reports

    parameters = compiled_reports.compiled_report_parameters(kind=ReportRun.Kind.CUSTOM)

    def remove():
        runs = ReportRun.objects.filter(parameters_key=parameters.key)
        ReportFile.objects.filter(run__in=runs).delete()
        runs.delete()

    remove()
    run, _created = compiled_reports.compiled_report_request(parameters=parameters)
    started, cpu, children_cpu = time.perf_counter(), _cpu_seconds(), _children_cpu_seconds()
    compiled_reports.compiled_report_compile(run_id=run.pk)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    if run.status != ReportRun.Status.DONE:
        sys.exit(f"the report did not compile: {run.status} {run.error}")
    files = list(run.files.values_list("size", flat=True))
    result = {"seconds": round(seconds, 2), "peak_mb": round(_peak_mb(), 1),
              "child_peak_mb": round(_children_peak_mb(), 1),
              "cpu_seconds": round(_cpu_seconds() - cpu, 1),
              "child_cpu_seconds": round(_children_cpu_seconds() - children_cpu, 1),
              "pledges": run.figures["totals"]["pledges"], "languages": len(run.languages),
              "files": len(files), "bytes": sum(files)}
    remove()
    return result


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.urls import reverse

    reverse("pledges:pledge_list")  # import the URLs before measuring, as a worker has
    if "--build-files" in sys.argv:
        print(json.dumps(_build_files()))
    elif "--compile-report" in sys.argv:
        print(json.dumps(_compile_report()))
    else:
        sys.exit("bench/exports.py is run by bench/run.py (`make bench`)")


if __name__ == "__main__":
    main()
