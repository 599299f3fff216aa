"""`make bench` (bench/run.py) with the CSV download turned off: BENCH_CSV_RUNS=0 measures the
pages alone and says the CSV was not measured, instead of failing on the median of no runs."""

from bench import run

PAGE = {"rps": 100.0, "p50_ms": 5.0, "p99_ms": 20.0, "non_2xx": 0, "rounds": []}


def test_no_csv_run_reports_the_csv_as_not_measured(monkeypatch):
    monkeypatch.setitem(run.CFG, "csv_runs", 0)
    csv = run.measure_csv(master=0, path="/en/data/pledges.csv")  # no worker is asked
    assert csv["runs"] == [] and not csv["failed"]

    report = run.table(dict.fromkeys(run.ENDPOINTS, PAGE), {}, csv)
    assert "CSV export of every public pledge: not measured (BENCH_CSV_RUNS=0)." in report
    assert report.count("| 100 | 5.0 | 20.0 | 1.00 |") == len(run.ENDPOINTS)
