"""Backups (deploy/backup.sh) restore (deploy/restore.sh) into a fresh database, whole.

The real scripts run against the test database, as the compose `backup` service runs them against
the site's: pg_dump and pg_restore of this machine (Debian's postgresql-client, of the server's
major version), a tar of MEDIA_ROOT. The restored database is a new one created for the test and
dropped after it. It must hold every table with the very same content, and in particular every
pledge, every history row and every byte of every compiled report file; the uploaded file comes
back too.

Needs PostgreSQL and its client programs: skipped without them on a developer's machine, fails
under CI=true (tests.conftest.require_service).
"""

import datetime
import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from psycopg2 import sql

from pledges import services as pledge_services
from pledges import workflow
from pledges.models import Pledge
from reporting.models import ReportFile, ReportFileChunk, ReportRun
from reporting.tasks import compiled_report_compile
from tests.celery_workers import test_database_url
from tests.conftest import require_service
from tests.factories import PledgeFactory

BASE_DIR = Path(__file__).resolve().parents[2]
BACKUP_SCRIPT = BASE_DIR / "deploy" / "backup.sh"
RESTORE_SCRIPT = BASE_DIR / "deploy" / "restore.sh"
SCHEDULE_SCRIPT = BASE_DIR / "deploy" / "backup-schedule.sh"
UPLOAD_NAME = "uploads/évidence-2024.bin"
UPLOAD_BYTES = bytes(range(256)) * 64  # every byte value, 16 KB


# --- Running the scripts ----------------------------------------------------------------------


def run_script(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what the script is given, as in its container: never the test run's own variables.
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env}
    return subprocess.run(["bash", str(script), *args], env=clean, capture_output=True,
                          text=True, timeout=60, check=False)


def postgres_url() -> str:
    """The test database's URL, once the client programs the scripts need are known to exist."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for backups")
    url = test_database_url()
    for program in ("pg_dump", "pg_restore", "psql"):
        require_service(bool(shutil.which(program)),
                        f"{program} (Debian package postgresql-client)")
    return url


def backup(*, database_url: str, media_root: Path, backup_dir: Path,
           retention_days: str = "14") -> Path:
    result = run_script(BACKUP_SCRIPT, env={
        "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root),
        "BACKUP_DIR": str(backup_dir), "BACKUP_RETENTION_DAYS": retention_days,
    })
    assert result.returncode == 0, result.stdout + result.stderr
    made = Path(result.stdout.splitlines()[-1])
    assert made.parent == backup_dir
    return made


def restore(made: Path, *, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    return run_script(RESTORE_SCRIPT, str(made),
                      env={"DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)})


# --- A fresh database, created for the test and dropped after it -------------------------------


def connect(dbname: str):
    settings = connection.settings_dict
    return psycopg2.connect(dbname=dbname, user=settings["USER"],
                            password=settings["PASSWORD"] or None,
                            host=settings["HOST"] or None, port=settings["PORT"] or None)


@pytest.fixture
def fresh_database():
    """(name, URL) of a new, empty database next to the test database."""
    source_url = postgres_url()
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = connect(connection.settings_dict["NAME"])
    admin.autocommit = True  # CREATE/DROP DATABASE refuse to run in a transaction
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name, urlunsplit(urlsplit(source_url)._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                           .format(sql.Identifier(name)))
        admin.close()


# --- Reading both databases alike -------------------------------------------------------------


def table_fingerprints(cursor) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and a digest of all its rows' content."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    fingerprints = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
            "FROM {} AS t").format(sql.Identifier(table)))
        fingerprints[table] = cursor.fetchone()
    return fingerprints


def rows(cursor, query: str, *models, params=()) -> list[tuple]:
    """The rows of `query`, whose {} are the tables of `models`, in order."""
    tables = [sql.Identifier(model._meta.db_table) for model in models]
    cursor.execute(sql.SQL(query).format(*tables), params)
    return cursor.fetchall()


# --- The data: made the way the site makes it -------------------------------------------------


def publish_pledge(*, entity, member, secretariat, title: str) -> Pledge:
    """A pledge written, edited, submitted and published: a history row at every step."""
    pledge = PledgeFactory(entity=entity, created_by=member)
    pledge_services.pledge_save_section(
        user=member, pledge_id=pledge.pk, section="basics", values={"title": title},
        raw_input=None, expected_version=pledge.version)
    workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    workflow.pledge_transition(pledge_id=pledge.pk, name="publish", actor=secretariat)
    return Pledge.objects.get(pk=pledge.pk)


def compile_report(monkeypatch) -> ReportRun:
    """A compiled report of every public pledge, its files cut into several chunks each."""
    monkeypatch.setattr(ReportFile, "CHUNK_BYTES", 4096)
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.CUSTOM, title_en="Backup drill",
        title_translations={"fr": "Exercice de sauvegarde"},
        as_of=timezone.localdate(), parameters_key="kind=custom|backup-restore-test")
    assert compiled_report_compile(run.pk) is True
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    return run


# --- The restore ------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_fresh_database_with_every_pledge_history_row_and_file(
    entity, entity_admin, secretariat, settings, tmp_path, monkeypatch, fresh_database
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    pledges = [
        publish_pledge(entity=entity, member=entity_admin, secretariat=secretariat, title=title)
        for title in ("Connect 1,000 rural schools", "Connecter 500 écoles — Rwanda",
                      "ربط المدارس الريفية")
    ]
    run = compile_report(monkeypatch)
    stored_name = default_storage.save(UPLOAD_NAME, ContentFile(UPLOAD_BYTES))
    history_ids = sorted(Pledge.history.values_list("history_id", flat=True))
    assert len(history_ids) >= 4 * len(pledges)  # created, edited, submitted, published
    files = {f.pk: f.read() for f in ReportFile.objects.filter(run=run)}
    assert len(files) >= 4
    assert ReportFileChunk.objects.filter(file__run=run).count() > len(files)
    with connection.cursor() as cursor:
        before = table_fingerprints(cursor)

    made = backup(database_url=postgres_url(), media_root=Path(settings.MEDIA_ROOT),
                  backup_dir=tmp_path / "backups")
    assert {path.name for path in made.iterdir()} == {"database.dump", "media.tar.gz",
                                                       "SHA256SUMS"}

    name, url = fresh_database
    restored_media = tmp_path / "restored-media"
    result = restore(made, database_url=url, media_root=restored_media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(pledges)} rows in {Pledge._meta.db_table}" in result.stdout

    restored = connect(name)
    try:
        with restored.cursor() as cursor:
            # Every table, every row, the same content.
            assert table_fingerprints(cursor) == before
            # Every pledge, as published.
            assert rows(cursor, "SELECT id, reference, title, status FROM {} ORDER BY id",
                        Pledge) == [(p.pk, p.reference, p.title, "published") for p in pledges]
            # Every history row.
            history = rows(cursor, "SELECT history_id, id, history_type, status FROM {} "
                                   "ORDER BY history_id", Pledge.history.model)
            assert [row[0] for row in history] == history_ids
            assert {row[1:] for row in history} >= {(p.pk, "+", "draft") for p in pledges} | {
                (p.pk, "~", "published") for p in pledges}
            # Every report file, byte for byte, with the checksum the site recorded.
            for file_id, content in files.items():
                ((size, sha256, data),) = rows(
                    cursor, "SELECT f.size, f.sha256, string_agg(c.data, '' ORDER BY c.index) "
                            "FROM {} f JOIN {} c ON c.file_id = f.id WHERE f.id = %s "
                            "GROUP BY f.size, f.sha256",
                    ReportFile, ReportFileChunk, params=[file_id])
                assert bytes(data) == content
                assert size == len(content)
                assert sha256 == hashlib.sha256(content).hexdigest()
    finally:
        restored.close()

    # The uploaded file.
    assert (restored_media / stored_name).read_bytes() == UPLOAD_BYTES


@pytest.mark.integration
def test_restore_changes_nothing_unless_the_database_is_fresh_and_the_backup_whole(
    db, tmp_path, fresh_database
):
    made = backup(database_url=postgres_url(), media_root=tmp_path / "no-uploads",
                  backup_dir=tmp_path / "backups")
    name, url = fresh_database
    media = tmp_path / "restored-media"

    # Into the test database (migrated, so not fresh): refused, nothing unpacked.
    result = restore(made, database_url=postgres_url(), media_root=media)
    assert result.returncode != 0
    assert "fresh, empty database" in result.stderr
    assert not media.exists()

    # Media directory not empty: refused before the database is touched.
    media.mkdir()
    (media / "live-upload.bin").write_bytes(b"live")
    result = restore(made, database_url=url, media_root=media)
    assert result.returncode != 0
    assert "MEDIA_ROOT" in result.stderr and "not empty" in result.stderr

    # A damaged dump: refused before anything is restored.
    (media / "live-upload.bin").unlink()
    dump = made / "database.dump"
    damaged = bytearray(dump.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    dump.write_bytes(bytes(damaged))
    result = restore(made, database_url=url, media_root=media)
    assert result.returncode != 0
    assert "damaged" in result.stderr

    restored = connect(name)
    try:
        with restored.cursor() as cursor:
            assert table_fingerprints(cursor) == {}
    finally:
        restored.close()
    assert list(media.iterdir()) == []


# --- Retention and schedule -------------------------------------------------------------------


def make_old(path: Path, days: float) -> None:
    moment = (datetime.datetime.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(path, (moment, moment))


@pytest.mark.integration
def test_backups_older_than_the_retention_are_deleted_and_nothing_else(db, tmp_path):
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    expired = backup_dir / "2020-01-01T023000Z"
    kept = backup_dir / "2020-01-05T023000Z"
    stale_partial = backup_dir / ".partial-2020-01-01T023000Z"
    not_a_backup = backup_dir / "keep-me"
    for directory in (expired, kept, stale_partial, not_a_backup):
        directory.mkdir()
    make_old(expired, days=7.1)
    make_old(kept, days=6.9)
    make_old(stale_partial, days=2)
    make_old(not_a_backup, days=400)

    made = backup(database_url=postgres_url(), media_root=tmp_path / "media",
                  backup_dir=backup_dir, retention_days="7")

    assert sorted(path.name for path in backup_dir.iterdir()) == sorted(
        [kept.name, made.name, not_a_backup.name])


@pytest.mark.integration
def test_a_backup_refuses_a_pg_dump_of_another_major_version(db, tmp_path):
    url = postgres_url()
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 99.1'\n")
    (fake_bin / "pg_dump").chmod(0o755)

    result = run_script(BACKUP_SCRIPT, env={
        "PATH": f"{fake_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path), "BACKUP_DIR": str(tmp_path / "b"),
    })

    assert result.returncode != 0
    assert "pg_dump is version 99" in result.stderr
    assert not (tmp_path / "b").exists()


def test_the_nightly_loop_backs_up_a_new_stack_at_once_then_sleeps_until_backup_at(tmp_path):
    """The schedule's `sleep` is replaced by one that notes how long it was asked to wait and
    ends the loop. No DATABASE_URL: the first backup fails, and the loop carries on regardless."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    asked = tmp_path / "slept"
    (fake_bin / "sleep").write_text(f"#!/bin/sh\necho \"$1\" > {asked}\nexit 1\n")
    (fake_bin / "sleep").chmod(0o755)
    in_two_hours = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)

    result = run_script(SCHEDULE_SCRIPT, env={
        "PATH": f"{fake_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "BACKUP_DIR": str(tmp_path / "backups"), "BACKUP_AT": in_two_hours.strftime("%H:%M"),
    })

    assert "set DATABASE_URL" in result.stderr  # the first backup was tried at once
    assert "FAILED" in result.stderr
    assert 2 * 3600 - 120 <= int(asked.read_text()) <= 2 * 3600
