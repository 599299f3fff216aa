"""`make bench-import` (bench/imports.py) still runs: the script, as make runs it, on files of 20
rows instead of 2,000 and 20,000. What is asserted is what BENCHMARKS.md is written from (every
phase measured, the rows imported, the profile), never a time."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, connections

from action_areas.models import Country
from members.permissions import SECRETARIAT_GROUP
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_import_benchmark_measures_preview_and_import_of_a_roundtable_file(tmp_path):
    # Transactional (no test transaction left open): the script copies this process's test
    # database, migrated once for the whole run, instead of migrating one of its own (most of
    # its time), and PostgreSQL copies only a database nobody is connected to.
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    require_service(bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    test_database = connection.settings_dict["NAME"]
    # The reference data the script needs (a test elsewhere could have emptied them without
    # restoring them): without it, the script migrates a database of its own.
    reference_data = (Country.objects.filter(iso3="RWA").exists()
                      and Group.objects.filter(name=SECRETARIAT_GROUP).exists())
    connections.close_all()
    database = urlsplit(os.environ["DATABASE_URL"])
    # A database of its own next to this test process's (created, copied and dropped by the
    # script), and this process's Redis database: xdist workers each have their own.
    bench_name = f"{test_database}_import_bench"
    bench_database = database._replace(path=f"/{bench_name}").geturl()
    env = {
        **os.environ,
        "BENCH_IMPORT_MIGRATED_FROM": test_database if reference_data else "",
        "BENCH_IMPORT_DATABASE_URL": bench_database,
        "BENCH_IMPORT_REDIS_URL": settings.REDIS_URL,
        "BENCH_IMPORT_ROWS": "20",
        "BENCH_IMPORT_FORMATS": "csv,xlsx",
        "BENCH_IMPORT_ENTITIES": "4",
        "BENCH_IMPORT_OUT": str(tmp_path),
        "BENCH_IMPORT_DROP": "1",
    }
    done = subprocess.run([sys.executable, "bench/imports.py"], cwd=ROOT, env=env,
                          text=True, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [written] = tmp_path.glob("import-2*.json")
    output = json.loads(written.read_text())

    assert [(case["format"], case["rows"]) for case in output["cases"]] == [
        ("csv", 20), ("xlsx", 20)]
    for case in output["cases"]:
        preview, confirm = case["preview"], case["confirm"]
        # The roundtable's value forms are all read: nothing refused, a confirmation offered.
        assert preview["status"] == 200
        assert (preview["rows"], preview["new"], preview["problems"]) == (20, 20, 0)
        assert preview["drafts"] >= 2  # the rows without a contact email, at least
        assert sum(preview["missing"].values()) >= preview["drafts"]
        # The confirmed import wrote every row, once.
        assert confirm["status"] == 302
        assert re.search(r"/admin/pledges/pledge/import/\d+/$", confirm["redirect"])
        assert confirm["pledges"] == 20 and confirm["imported_files"] == 1
        for measured in (preview, confirm):
            assert measured["seconds"] > 0 and measured["statements"] > 0
            assert measured["max_rss_mb"] >= measured["rss_before_mb"] > 0
            assert measured["tracemalloc_peak_mb"] is None  # the timed runs are not traced
        for traced in (case["traced"]["preview"], case["traced"]["confirm"]):
            # The file's own allocations: the warm-up took the first request's (~45 MB) out.
            assert 0 < traced["tracemalloc_peak_mb"] < 20
    profile = output["profile"]
    assert profile["file"] == "roundtable-20.csv" and len(profile["cumulative"]) == 40
    assert any("spreadsheets/" in row["function"] for row in profile["cumulative"])
    stages = profile["stages"]
    assert "read the file (read_sheets)" in stages and "find the table (plan_table)" in stages
    assert stages["check and write every row (import_data)"] > 0
    assert stages["render the page (TemplateResponse.render)"] > 0
    assert output["table"].count("| csv | 20 |") == 2
    assert output["machine"]["cpus"] and output["machine"]["loadavg_end"]
    # Its databases are gone.
    name = urlsplit(bench_database).path.lstrip("/")
    databases = subprocess.run(
        ["psql", database._replace(path="/postgres").geturl(), "-Atc",
         "SELECT datname FROM pg_database"], text=True, capture_output=True, check=True,
    ).stdout.split()
    assert name not in databases and f"{name}_template" not in databases
