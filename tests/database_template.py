"""Test databases copied from a migrated template instead of migrated from nothing.

Migrating an empty database (119 migrations, most of the time Django rendering model states) took
~25 s per xdist worker on a quiet machine and over 2 minutes on a busy one, every run. Here the
first worker to need it migrates one database, the *template*, named for a fingerprint of what
migrating produces (every migration file, the project files and settings those migrations read);
then each worker's test database is `CREATE DATABASE … TEMPLATE` of it, a file copy, and Django's
own set-up runs `migrate` on the copy as usual: nothing to apply, but the post_migrate handlers
(content types, permissions, the Secretariat group's permissions) run, so their code is not part
of the fingerprint. A later run with the same fingerprint reuses the template; a changed migration
gives a new name, and templates of other fingerprints are dropped when a new one is built.

Two runs of different code at once (two worktrees, CI and a developer) are safe: their
fingerprints differ, so do their templates, and a template is dropped only by a run that can take
its "in use" advisory lock exclusively, which every run using it holds shared for its whole
session. A template is built under another advisory lock of its own name (one builder, the other
workers wait and copy it), into a `…_partial` database renamed once migrated, so that a build
killed halfway never passes for a template.
"""

from __future__ import annotations

import ast
import hashlib
import os
import subprocess
import sys
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_INFIX = "_migrated_"
PARTIAL_SUFFIX = "_partial"
# Advisory lock classes (pg_advisory_lock(class, hashtext(template name))).
BUILDING_LOCK, IN_USE_LOCK = 1, 2
# Settings that migrations read: the languages 0004 loads names in, the site record 0002 makes.
FINGERPRINTED_SETTINGS = ("INSTALLED_APPS", "AUTH_USER_MODEL", "LANGUAGES", "SITE_URL", "SITE_ID")
# Distributions whose data migrations read (Babel: CLDR's country names in 0004).
FINGERPRINTED_DISTRIBUTIONS = ("django", "babel")


def project_modules_imported_by(migration_file: Path) -> set[str]:
    """The project's modules a migration imports, at its top or inside its functions."""
    tree = ast.parse(migration_file.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:  # relative: `from .x import y`
            package = migration_file.parents[node.level - 1].relative_to(ROOT).parts
            module = ".".join([*package, *filter(None, [node.module])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in names if _project_file(name) is not None}


def _project_file(module: str) -> Path | None:
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def fingerprinted_files() -> list[Path]:
    """Every migration file on disk (the project's and the installed packages'), the project
    modules they import but the models (their schema is in the migrations, and data migrations
    use the historical models), and the apps' data directories they read."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    files = {Path(sys.modules[migration.__module__].__file__)
             for migration in loader.disk_migrations.values()}
    for migration_file in [file for file in files if file.is_relative_to(ROOT)]:
        for module in project_modules_imported_by(migration_file):
            if module.split(".")[-1] != "models":
                files.add(_project_file(module))
    for app_config in apps.get_app_configs():
        data = Path(app_config.path) / "data"
        if data.is_relative_to(ROOT) and data.is_dir():
            files.update(file for file in data.rglob("*") if file.is_file())
    return sorted(files)


def migration_fingerprint() -> str:
    from django.conf import settings

    digest = hashlib.sha256()
    for file in fingerprinted_files():
        name = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file.name
        digest.update(f"{name}\0".encode())
        digest.update(file.read_bytes())
    for setting in FINGERPRINTED_SETTINGS:
        digest.update(f"{setting}={getattr(settings, setting, None)!r}\0".encode())
    for distribution in FINGERPRINTED_DISTRIBUTIONS:
        digest.update(f"{distribution}=={version(distribution)}\0".encode())
    # The tables whose version triggers `migrate` installs (post_migrate): an app's ready()
    # registering one adds a trigger that no migration file tells.
    from action_areas.reference_versions import versioned_tables

    digest.update("|".join(versioned_tables()).encode())
    return digest.hexdigest()[:12]


def template_prefix(database: str) -> str:
    """test_<database>_migrated_: every template of DATABASE_URL's database, whatever its
    fingerprint (xdist's workers share it: their own test databases are test_<database>_gw0, …)."""
    return f"test_{database}{TEMPLATE_INFIX}"


def _admin_connection(connection):
    """A connection of our own to the server's `postgres` database: advisory locks last as long
    as their session, and CREATE/DROP DATABASE cannot run inside Django's test transaction."""
    import psycopg2

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    return admin


def _exists(cursor, database: str) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", [database])
    return cursor.fetchone()[0]


def drop_stale_templates(cursor, prefix: str, keep: str) -> list[str]:
    """Drop the templates (and half-built ones) of other fingerprints that no run is using."""
    import psycopg2

    cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s) "
                   "ORDER BY datname", [prefix])
    dropped = []
    for (database,) in cursor.fetchall():
        template = database.removesuffix(PARTIAL_SUFFIX)
        if template == keep:
            continue
        cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [IN_USE_LOCK, template])
        if not cursor.fetchone()[0]:
            continue  # a run of other code is using it now
        try:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
            dropped.append(database)
        except psycopg2.errors.ObjectInUse:
            pass  # someone is connected to it (psql?): dropped another time
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [IN_USE_LOCK, template])
    return dropped


def _migrate(database: str) -> None:
    """`manage.py migrate` into `database`, in a process of its own with the test settings:
    this process's connections stay as they are."""
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.test"}
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
                          cwd=ROOT, env=env, text=True, capture_output=True, timeout=1800)
    if done.returncode:
        raise RuntimeError(f"Migrating the test database template {database} failed:\n"
                           f"{done.stdout[-3000:]}{done.stderr[-3000:]}")


@contextmanager
def migrated_template(connection):
    """While inside: this connection's test database is created as a copy of the migrated
    template of the current fingerprint, built first if no run has built it yet. Does nothing
    but on PostgreSQL from DATABASE_URL (SQLite's test database is in memory)."""
    if connection.vendor != "postgresql" or "DATABASE_URL" not in os.environ:
        yield None
        return
    prefix = template_prefix(connection.settings_dict["NAME"])
    template = f"{prefix}{migration_fingerprint()}"
    admin = _admin_connection(connection)
    try:
        with admin.cursor() as cursor:
            # Held shared until the session ends: no other run drops it while we copy it.
            cursor.execute("SELECT pg_advisory_lock_shared(%s, hashtext(%s))",
                           [IN_USE_LOCK, template])
            cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [BUILDING_LOCK, template])
            try:
                if not _exists(cursor, template):
                    drop_stale_templates(cursor, prefix, keep=template)
                    partial = f"{template}{PARTIAL_SUFFIX}"
                    # Left by a build that was killed (its migrate process may live on).
                    cursor.execute(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
                    cursor.execute(f'CREATE DATABASE "{partial}"')
                    _migrate(partial)
                    cursor.execute(f'ALTER DATABASE "{partial}" RENAME TO "{template}"')
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))",
                               [BUILDING_LOCK, template])
        connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = template
        yield template
    finally:
        admin.close()
