"""`make bench-import`: the secretariat's spreadsheet import of pledges, on big roundtable files.

Issue 16 asks for the preview and import times and peak memory of 2,000-row and 20,000-row
files. This measures them through the code path the secretariat uses: Django's test client,
logged in as a member of the Secretariat group (with the second factor the admin requires),
posts the file to /en/admin/pledges/pledge/import/ (the preview: the dry run, the report, the
page), then the preview's confirmation form to .../process_import/ (the confirmed import in one
transaction).

1. The database (BENCH_IMPORT_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
   p2c_bench_import) is created, migrated, and given a secretariat account and
   BENCH_IMPORT_ENTITIES (60) entities, applied for and approved through the services; it is then
   copied to `<name>_template`. Every file is measured on a fresh copy of that template, so that
   each import writes into the same database.
2. Roundtable workbooks are written for each of BENCH_IMPORT_ROWS (2000,20000) rows and each of
   BENCH_IMPORT_FORMATS (csv,xlsx): a title row and a blank row above the headings, headings as
   people write them ("Entity", "Titre", "Pays", "Montant"...), entities by acronym or by name,
   countries in several languages and short forms ("Lao PDR", "卢旺达", "كينيا", "All LDCs",
   "Global"), amounts with symbols and magnitude words ("€2.5m", "USD 5 million", "2,5 M€"),
   dates as months, quarters and years, targets; about one row in ten lacks its contact email
   (imported as a draft, its entity's administrators invited).
3. Each phase runs in a process of its own (`imports.py phase ...`), so that the process's peak
   resident memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) is that phase's; its memory
   before the request is reported too. Counted: wall time of the request, SQL statements
   (`connection.execute_wrapper`, a counter: nothing kept per statement), the size of the page.
   With BENCH_IMPORT_TRACEMALLOC=1 (the default) each file is measured a second time, on a
   fresh copy, with `tracemalloc` on: its peak of Python allocations (tracemalloc slows Python
   down several times, so these runs' times are not the ones reported). Before the traced
   request, the process previews a 2-row file of the same format (written once), untraced: the
   peak is then the file's, not that of a process's first request (modules imported, templates
   compiled: some 45 MB), and the pass takes a third of the time.
4. With BENCH_IMPORT_PROFILE=1 (the default) the preview of the largest CSV is run once more
   under cProfile, after the same warm-up: the functions with the most time, cumulative and own.
5. A table on stdout; everything in var/bench/import-<timestamp>.json.

The row limit (P2C_IMPORT_MAX_ROWS, default 2,000) is raised to the largest size measured in the
phases' environment only: at the default, a 20,000-row file is refused with a message to split it.
Runs from the repository root. Redis: BENCH_IMPORT_REDIS_URL (default db 11, as `make bench`).
BENCH_IMPORT_MIGRATED_FROM names a database already migrated by this checkout (the test suite's
own): step 1 copies it instead of migrating, and migrates when it cannot be copied (in use).
BENCH_IMPORT_DROP=1 drops the two databases at the end; BENCH_IMPORT_OUT: where the JSON goes.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _config() -> dict:
    return {
        "database_url": os.environ.get("BENCH_IMPORT_DATABASE_URL",
                                       "postgres://postgres@127.0.0.1:5432/p2c_bench_import"),
        "redis_url": os.environ.get("BENCH_IMPORT_REDIS_URL", "redis://127.0.0.1:6379/11"),
        "rows": [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "2000,20000").split(",")],
        "formats": os.environ.get("BENCH_IMPORT_FORMATS", "csv,xlsx").split(","),
        "entities": int(os.environ.get("BENCH_IMPORT_ENTITIES", "60")),
        "tracemalloc": os.environ.get("BENCH_IMPORT_TRACEMALLOC", "1") == "1",
        "profile": os.environ.get("BENCH_IMPORT_PROFILE", "1") == "1",
        "out_dir": os.environ.get("BENCH_IMPORT_OUT", str(ROOT / "var" / "bench")),
        "migrated_from": os.environ.get("BENCH_IMPORT_MIGRATED_FROM", ""),
        # 1: drop the database and its template at the end (kept by default, to look into).
        "drop": os.environ.get("BENCH_IMPORT_DROP", "0") == "1",
    }


CFG = _config()
SECRETARIAT_EMAIL = "import-bench-secretariat@bench.example.org"
ADMIN_PATH = "/en/admin/pledges/pledge"
FORMAT_INDEX = {"csv": "0", "xlsx": "1"}
WARM_UP_ROWS = 2


def log(message: str) -> None:
    print(f"[bench-import {time.strftime('%H:%M:%S')}] {message}", flush=True)


def django_env(max_rows: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.import_settings",
        "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY") or "bench-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": CFG["database_url"],
        "REDIS_URL": CFG["redis_url"],
        "EMAIL_URL": "dummymail://",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "P2C_IMPORT_MAX_ROWS": str(max_rows),
        "PYTHONPATH": str(ROOT),
    })
    return env


# --- the files

HEADINGS = ["Entity", "Titre", "Summary", "Type", "Date de début", "end_date", "action_areas",
            "Pays", "Montant", "Devise", "modality", "policy_instrument", "policy_stage",
            "jurisdiction", "advocacy_activities", "audience", "programme_kind",
            "people_to_reach", "targets", "contact_name", "contact_email"]
COUNTRY_FORMS = [
    "Tanzania; Lao PDR; East Timor", "卢旺达; كينيا", "Côte d’Ivoire; DRC; Türkiye",
    "Congo-Kinshasa", "All LDCs", "Global", "Rwanda", "Kenya; Rwanda", "Lao PDR", "Tanzania",
]
STARTS = ["June 2022", "T1 2023", "2022-06-16", "Q3 2022", "juin 2024", "2023"]
ENDS = ["Q3 2025", "2026", "31/12/2026", "juin 2027", "2027-06-30"]


def entity_name(number: int) -> str:
    return f"Roundtable Entity {number:02d}"


def entity_acronym(number: int) -> str:
    return f"RT{number:02d}"


def roundtable_rows(count: int, entities: int) -> list[list]:
    """A roundtable sheet of `count` pledges: a title row, a blank row, the headings, the rows."""
    rows: list[list] = [["Pledges received at the roundtable — Kigali, June 2026"], [], HEADINGS]
    for number in range(count):
        entity = number % entities
        kind = number % 4
        cells = dict.fromkeys(HEADINGS, "")
        cells.update({
            # Half the rows name their entity by acronym, half by name.
            "Entity": entity_acronym(entity) if number % 2 else entity_name(entity),
            "Titre": f"Roundtable pledge {number + 1} of entity {entity:02d}",
            "Summary": "Connect schools and clinics in rural areas, with local partners.",
            "Date de début": STARTS[number % len(STARTS)],
            "end_date": ENDS[number % len(ENDS)],
            "action_areas": "Access",
            "Pays": COUNTRY_FORMS[number % len(COUNTRY_FORMS)],
            "contact_name": "Ana Contact",
            # One row in ten lacks its contact email: imported as a draft of its entity.
            "contact_email": "" if number % 10 == 9 else f"contact{entity}@rt.example.org",
        })
        if kind == 0:
            amount, currency = [("€2.5m", ""), ("USD 5 million", "US$"), ("1,800,000", "USD"),
                                ("2,5 M€", "")][number // 4 % 4]
            cells.update({"Type": ["Financier", "Financial"][number // 4 % 2],
                          "Montant": amount, "Devise": currency,
                          "modality": ["Subvention", "in kind", "Grant", "Prêt"][number // 4 % 4],
                          "targets": "Schools connected | schools | 0 | 1 000 | T4 2026"})
        elif kind == 1:
            cells.update({"Type": "Programme d'action", "programme_kind": "nouveau programme",
                          "people_to_reach": "1,5 million",
                          "targets": "People trained | people | | 1.5 million | H1 2026"})
        elif kind == 2:
            cells.update({"Type": "Politique", "policy_instrument": "Loi",
                          "policy_stage": "adoptée", "jurisdiction": "Rwanda",
                          "targets": "Laws adopted | laws | 0 | 1 | S1 2026"})
        else:
            cells.update({"Type": "Plaidoyer", "advocacy_activities": "Campagne; Recherche",
                          "audience": "Ministres",
                          "targets": "Events held | events | 0 | 12 | 2026-12-31"})
        rows.append([cells[h] for h in HEADINGS])
    return rows


def file_bytes(rows: list[list], fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO(newline="")
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Pledges")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- inside Django: one phase per process

def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # The test client's response.context (the preview's report and confirmation form); it also
    # adds "testserver" to ALLOWED_HOSTS and keeps emails in memory.
    setup_test_environment()


def setup_data(entities: int) -> dict:
    """The secretariat account (with its authenticator app) and the approved entities."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from action_areas.models import Country
    from members.models import Entity, User
    from members.permissions import SECRETARIAT_GROUP
    from members.services import entity_apply
    from members.workflow import entity_transition

    def person(email: str, *, staff: bool) -> User:
        user, _created = User.objects.get_or_create(
            email=email, defaults={"full_name": email.split("@")[0], "is_staff": staff})
        EmailAddress.objects.get_or_create(user=user, email=email,
                                           defaults={"verified": True, "primary": True})
        return user

    secretariat = person(SECRETARIAT_EMAIL, staff=True)
    secretariat.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    if not Authenticator.objects.filter(user=secretariat, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(secretariat, generate_totp_secret())
    country = Country.objects.get(iso3="RWA")
    for number in range(entities):
        if Entity.objects.filter(name=entity_name(number)).exists():
            continue
        user = person(f"admin{number}@rt.example.org", staff=False)
        entity = entity_apply(user=user, data=dict(
            name=entity_name(number), acronym=entity_acronym(number),
            stakeholder_group="private_sector", sub_type="company",
            headquarters_country=country, website="https://www.example.org/",
            description="Import bench entity.", contact_email=user.email,
            commitment_evidence="Bench.", pledge_readiness="Bench.", leader_name="Bench Leader",
            leader_title="CEO", leader_attends_roundtable=True, consent_public_reporting=True,
        ))
        entity_transition(entity_id=entity.pk, name="approve", actor=secretariat)
    return {"entities": Entity.objects.filter(status=Entity.Status.APPROVED).count()}


def _secretariat_client():
    from django.test import Client

    from members.models import User
    from p2c_portal.staff_two_factor import second_factor_record

    client = Client()
    user = User.objects.get(email=SECRETARIAT_EMAIL)
    client.force_login(user)
    session = client.session
    second_factor_record(session, user)  # as after the TOTP code at login
    session.save()
    return client


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measured(request, *, trace: bool) -> dict:
    """Run `request()` (one test-client request): wall time, statements, memory."""
    import gc
    import tracemalloc

    from django.db import connection

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    gc.collect()
    rss_before = _rss_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        response = request()
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    return {
        "response": response,
        "seconds": round(seconds, 2),
        "statements": statements,
        "rss_before_mb": round(rss_before / 1024, 1),
        # Linux reports ru_maxrss in kilobytes: the peak of this process, which ran this phase.
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tracemalloc_peak_mb": round(traced_peak / 1024 / 1024, 1) if trace else None,
        "status": response.status_code,
        "page_bytes": len(getattr(response, "content", b"") or b""),
    }


def _post_preview(client, path: Path, fmt: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{ADMIN_PATH}/import/", {
        "resource": "0", "format": FORMAT_INDEX[fmt],
        "import_file": SimpleUploadedFile(path.name, path.read_bytes()),
    })


def warm_up(client, path: Path | None) -> None:
    """The preview of a small file, not measured: what any first request of a process does
    (importing the admin's and the import's modules, compiling templates, loading translations)
    is then not counted in the measured request's tracemalloc peak, nor slowed down by it."""
    if path is not None:
        response = _post_preview(client, path, path.suffix.lstrip("."))
        if response.status_code != 200:
            raise RuntimeError(f"warm-up preview of {path.name}: {response.status_code}")


def phase_preview(path: Path, fmt: str, *, trace: bool, profile: bool,
                  warm_up_file: Path | None = None) -> dict:
    client = _secretariat_client()
    warm_up(client, warm_up_file)

    def request():
        return _post_preview(client, path, fmt)

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        response = request()
        profiler.disable()
        seconds = time.perf_counter() - started
        return {"seconds_under_profiler": round(seconds, 1), "status": response.status_code,
                "stages": _stages(pstats.Stats(profiler)),
                "cumulative": _top(pstats.Stats(profiler), "cumulative"),
                "own": _top(pstats.Stats(profiler), "tottime")}
    result = measured(request, trace=trace)
    response = result.pop("response")
    context = response.context or {}
    report = context.get("report") or {}
    confirm = context.get("confirm_form")
    result.update({
        "problems": len(report.get("problems", [])),
        "first_problems": [f"{p['line']} {p['column']}: {p['message']}"
                           for p in report.get("problems", [])[:5]],
        "rows": len(report.get("rows", [])),
        "new": report.get("new"),
        "drafts": report.get("drafts"),
        # What the drafts lack, and how many rows lack it.
        "missing": dict(Counter(item for row in report.get("rows", [])
                                for item in row.get("missing", [])).most_common()),
        "unreadable": str(context.get("unreadable") or "") or None,
        "form_errors": [str(e) for e in context["form"].errors.get("import_file", [])]
        if context.get("form") is not None and hasattr(context["form"], "errors") else [],
        "confirm": dict(confirm.initial) if confirm is not None else None,
    })
    return result


# The steps of a preview, by (end of the file's path, function): their cumulative time.
STAGES = {
    "read the file (read_sheets)": ("spreadsheets/files.py", "read_sheets"),
    "find the table (plan_table)": ("spreadsheets/tables.py", "plan_table"),
    "check and write every row (import_data)": ("import_export/resources.py", "import_data"),
    "  of which the checks of each row (import_row)": ("import_export/resources.py",
                                                       "import_row"),
    "  of which the sheet of each row (_sheet_of)": ("spreadsheets/import_engine.py",
                                                     "_sheet_of"),
    "  of which the bulk writes (write_staged)": ("spreadsheets/import_engine.py",
                                                  "write_staged"),
    "the report (import_report)": ("spreadsheets/admin_desk.py", "import_report"),
    "render the page (TemplateResponse.render)": ("django/template/response.py", "render"),
}


def _stages(stats) -> dict[str, float]:
    found = dict.fromkeys(STAGES, 0.0)
    for (filename, _line, name), (_calls, _primitive, _own, cumulative, _callers) in \
            stats.stats.items():
        for stage, (ending, function) in STAGES.items():
            if name == function and filename.endswith(ending):
                found[stage] = max(found[stage], round(cumulative, 3))
    return found


def _top(stats, key: str, limit: int = 40) -> list[dict]:
    stats.sort_stats(key)
    rows = []
    for func in stats.fcn_list[:limit]:
        calls, _primitive, own, cumulative, _callers = stats.stats[func]
        filename, line, name = func
        where = filename.replace(str(ROOT) + "/", "")
        where = where.split("site-packages/")[-1]
        rows.append({"function": f"{where}:{line}({name})", "calls": calls,
                     "own_s": round(own, 2), "cumulative_s": round(cumulative, 2)})
    return rows


def phase_confirm(confirm: dict, *, trace: bool, warm_up_file: Path | None = None) -> dict:
    from pledges.models import Pledge
    from spreadsheets.models import FileImport

    client = _secretariat_client()
    warm_up(client, warm_up_file)
    result = measured(lambda: client.post(f"{ADMIN_PATH}/process_import/", confirm),
                      trace=trace)
    response = result.pop("response")
    result.update({
        "redirect": response.get("Location", ""),
        "pledges": Pledge.objects.count(),
        "drafts": Pledge.objects.filter(status=Pledge.Status.DRAFT).count(),
        "imported_files": FileImport.objects.filter(status=FileImport.Status.IMPORTED).count(),
    })
    return result


def phase_main(argv: list[str]) -> None:
    """`imports.py phase <setup|preview|confirm> ...`: print the result as JSON on stdout."""
    _django()
    what = argv[0]
    warm_up_file = Path(argv[argv.index("--warm-up") + 1]) if "--warm-up" in argv else None
    if what == "setup":
        result = setup_data(int(argv[1]))
    elif what == "preview":
        result = phase_preview(Path(argv[1]), argv[2], trace="--trace" in argv,
                               profile="--profile" in argv, warm_up_file=warm_up_file)
    else:
        result = phase_confirm(json.loads(Path(argv[1]).read_text()), trace="--trace" in argv,
                               warm_up_file=warm_up_file)
    print("RESULT " + json.dumps(result, default=str))


# --- the driver

def _admin_connection():
    import psycopg2

    parts = urlsplit(CFG["database_url"])
    connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    connection.autocommit = True
    return connection, parts.path.lstrip("/")


def prepare_template(env: dict) -> None:
    """Migrate the database, add the people and entities, keep it as `<name>_template`."""
    import psycopg2

    connection, name = _admin_connection()
    template = f"{name}_template"
    copied = False
    with connection.cursor() as cursor:
        for database in (name, template):
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if CFG["migrated_from"]:
            # Migrating takes most of a small run; a copy of a migrated database is the same.
            try:
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{CFG["migrated_from"]}"')
                copied = True
            except psycopg2.errors.ObjectInUse:
                log(f"{CFG['migrated_from']} is in use: migrating instead of copying it")
        if not copied:
            cursor.execute(f'CREATE DATABASE "{name}"')
    if not copied:
        log(f"migrating {name}")
        subprocess.run([PY, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,  # noqa: S603
                       check=True, capture_output=True)
    setup = phase(env, "setup", str(CFG["entities"]))
    log(f"{setup['entities']} approved entities")
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
    connection.close()


def fresh_database() -> None:
    connection, name = _admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_template"')
    connection.close()


def drop_databases() -> None:
    connection, name = _admin_connection()
    with connection.cursor() as cursor:
        for database in (name, f"{name}_template"):
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    connection.close()


def phase(env: dict, *args: str) -> dict:
    done = subprocess.run([PY, str(Path(__file__).resolve()), "phase", *args], cwd=ROOT,  # noqa: S603
                          env=env, text=True, capture_output=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"phase {args[0]} failed ({done.returncode}):\n"
                           f"{done.stderr[-4000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def measure_file(env: dict, path: Path, fmt: str, work: Path, *, trace: bool,
                 warm_up_file: Path | None = None) -> dict:
    """Preview then import `path` on a fresh database; with `trace`, each under tracemalloc after
    a warm-up preview of `warm_up_file`."""
    fresh_database()
    options = ["--trace", *(["--warm-up", str(warm_up_file)] if warm_up_file else [])] \
        if trace else []
    preview = phase(env, "preview", str(path), fmt, *options)
    confirm_data = preview.pop("confirm")
    if confirm_data is None:
        return {"preview": preview, "confirm": None}
    confirm_path = work / f"confirm-{path.stem}.json"
    confirm_path.write_text(json.dumps(confirm_data))
    confirm = phase(env, "confirm", str(confirm_path), *options)
    return {"preview": preview, "confirm": confirm}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               "?")
    return {"cpus": os.cpu_count(), "cpu": cpu,
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
                                1),
            "python": sys.version.split()[0],
            "loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}


def table(results: list[dict]) -> str:
    lines = [
        "| file | rows | size | phase | wall s | ms/row | statements | RSS before → peak MB "
        "| tracemalloc peak MB | outcome |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for case in results:
        for name in ("preview", "confirm"):
            measured_phase = case[name]
            if measured_phase is None:
                lines.append(f"| {case['format']} | {case['rows']:,} | | {name} | not reached "
                             "| | | | | |")
                continue
            traced = (case.get("traced") or {}).get(name) or {}
            if name == "preview":
                outcome = (f"{measured_phase['rows']:,} rows checked, "
                           f"{measured_phase['problems']} problems")
            else:
                outcome = (f"{measured_phase['pledges']:,} pledges "
                           f"({measured_phase['drafts']:,} drafts)")
            lines.append(
                f"| {case['format']} | {case['rows']:,} | {case['bytes'] / 1e6:.1f} MB | {name} "
                f"| {measured_phase['seconds']:.1f} "
                f"| {1000 * measured_phase['seconds'] / case['rows']:.1f} "
                f"| {measured_phase['statements']:,} "
                f"| {measured_phase['rss_before_mb']:.0f} → {measured_phase['max_rss_mb']:.0f} "
                f"| {traced.get('tracemalloc_peak_mb', '–')} | {outcome} |"
            )
    return "\n".join(lines)


def save_partial(output: dict) -> None:
    """What is measured so far, in var/bench/import-partial.json (a long run cut short)."""
    path = Path(CFG["out_dir"]) / "import-partial.json"
    path.write_text(json.dumps(output, indent=2, default=str))


def run() -> dict:
    """Every file, every phase; returns what is written to the JSON."""
    started = time.monotonic()
    env = django_env(max(CFG["rows"]))
    info = machine()
    out_dir = Path(CFG["out_dir"])
    work = out_dir / "import-files"
    work.mkdir(parents=True, exist_ok=True)
    prepare_template(env)
    results = []
    output = {"config": CFG, "machine": info, "cases": results}
    files = []
    for rows in CFG["rows"]:
        sheet = roundtable_rows(rows, CFG["entities"])
        for fmt in CFG["formats"]:
            path = work / f"roundtable-{rows}.{fmt}"
            path.write_bytes(file_bytes(sheet, fmt))
            files.append((rows, fmt, path))
    # First the times (no tracemalloc), then the profile, then the tracemalloc runs: the numbers
    # that matter most are in the JSON first if a run is cut short.
    for rows, fmt, path in files:
        log(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")
        case = {"format": fmt, "rows": rows, "bytes": path.stat().st_size,
                "loadavg": Path("/proc/loadavg").read_text().split()[:3]}
        case.update(measure_file(env, path, fmt, work, trace=False))
        log(f"  preview {case['preview']['seconds']} s, "
            f"confirm {(case['confirm'] or {}).get('seconds')} s")
        if case["preview"]["problems"]:
            log(f"  problems: {case['preview']['first_problems']}")
        results.append(case)
        save_partial(output)
    # A warm-up file of each format, written once, for the profile and the tracemalloc runs: two
    # rows of the same roundtable.
    warm_up_sheet = roundtable_rows(WARM_UP_ROWS, CFG["entities"])
    warm_up_files = {}
    for fmt in CFG["formats"]:
        warm_up_files[fmt] = work / f"warm-up.{fmt}"
        warm_up_files[fmt].write_bytes(file_bytes(warm_up_sheet, fmt))
    biggest_csv = max(CFG["rows"]) if "csv" in CFG["formats"] else None
    if CFG["profile"] and biggest_csv:
        fresh_database()
        log(f"profiling the preview of roundtable-{biggest_csv}.csv")
        output["profile"] = phase(env, "preview", str(work / f"roundtable-{biggest_csv}.csv"),
                                  "csv", "--profile", "--warm-up", str(warm_up_files["csv"]))
        output["profile"]["file"] = f"roundtable-{biggest_csv}.csv"
        save_partial(output)
    if CFG["tracemalloc"]:
        for case, (_rows, fmt, path) in zip(results, files, strict=True):
            case["traced"] = measure_file(env, path, fmt, work, trace=True,
                                          warm_up_file=warm_up_files[fmt])
            log(f"  {path.name} traced: preview "
                f"{case['traced']['preview']['tracemalloc_peak_mb']} MB, confirm "
                f"{(case['traced']['confirm'] or {}).get('tracemalloc_peak_mb')} MB")
            save_partial(output)
    if CFG["drop"]:
        drop_databases()
    info["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    output["table"] = table(results)
    output["duration_s"] = round(time.monotonic() - started)
    return output


def main() -> None:
    if sys.argv[1:2] == ["phase"]:
        phase_main(sys.argv[2:])
        return
    output = run()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(CFG["out_dir"]) / f"import-{stamp}.json"
    out.write_text(json.dumps(output, indent=2, default=str))
    print()
    print(output["table"])
    if "profile" in output:
        print(f"\ncProfile of the preview of {output['profile']['file']} "
              f"({output['profile']['seconds_under_profiler']} s under the profiler), "
              "by step, then the functions by cumulative time:")
        for stage, seconds in output["profile"]["stages"].items():
            print(f"  {seconds:>7} s  {stage}")
        print()
        for row in output["profile"]["cumulative"]:
            print(f"  {row['cumulative_s']:>7} s  {row['own_s']:>7} s own  {row['calls']:>9}  "
                  f"{row['function']}")
    log(f"written {out} ({output['duration_s']} s in all)")


if __name__ == "__main__":
    main()
