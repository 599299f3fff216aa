"""The triggers that keep action_areas.models.ReferenceVersion: every write of a reference table
gives its row a new random token, in the writing transaction (rolled back with it).

Installed by migration 0009 and again after every `migrate` (post_migrate, action_areas.apps):
SQLite rebuilds a table to alter it and drops its triggers with the old table; CREATE OR REPLACE
(PostgreSQL) and IF NOT EXISTS (SQLite) make installing them again harmless."""

from django.db import connections

# The tables of the reference data the public pages read from the memo.
REFERENCE_TABLES = (
    "action_areas_actionarea",
    "action_areas_pillar",
    "action_areas_region",
    "action_areas_country",
    "action_areas_countrygroupmembership",
    "action_areas_beneficiarygroup",
    "action_areas_sustainabledevelopmentgoal",
    "action_areas_indicator",
    "action_areas_campaign",
    "action_areas_coalitiongoal",
)
VERSION_TABLE = "action_areas_referenceversion"
# Tables of the apps above action_areas that keep a version the same way (register_table): the
# triggers are installed on them too, and their versions come with the memo's (versions_sql).
_REGISTERED_TABLES: list[str] = []
# Of those, the tables whose version only the deletion of some rows bumps: table -> the SQL
# condition on a deleted row, `{row}` standing for it, written by the code, never from input.
_DELETIONS_ONLY: dict[str, str] = {}


def register_table(table: str, *, deletions_where: str | None = None) -> None:
    """An app above action_areas (which may not import it) versions one of its own tables, for a
    per-process memo of its rows keyed by the version read with the memo's. Called from the
    app's ready(); the trigger is installed at the next `migrate` (post_migrate) and by the
    app's migration that creates the table's first version, if it has one.

    With `deletions_where` (a condition on a deleted row, `{row}` standing for it, as
    `{row}.status = 'x'`), only a deletion of rows of which one meets it bumps the version: for
    a busy table whose other writes are told otherwise, where a version row bumped by every
    write would make every writing transaction wait for the previous one to commit."""
    if table not in _REGISTERED_TABLES:
        _REGISTERED_TABLES.append(table)
    if deletions_where is not None:
        _DELETIONS_ONLY[table] = deletions_where


def versioned_tables() -> tuple[str, ...]:
    return (*REFERENCE_TABLES, *_REGISTERED_TABLES)


_FUNCTION = "action_areas_reference_version_bump"

# PostgreSQL: one statement-level trigger per table (a bulk load bumps once); random() has 52
# bits of randomness, plenty for a token compared for equality.
_POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (table_name, version)
    VALUES (TG_TABLE_NAME, floor(random() * 9007199254740991)::bigint)
    ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$
"""  # noqa: S608 - names of the code, no input
_POSTGRESQL_TRIGGER = (
    "CREATE OR REPLACE TRIGGER reference_version_bump "
    "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
)
# A table of _DELETIONS_ONLY: a statement-level trigger too, which looks at the deleted rows
# (a transition table) and bumps once. A row-level one bumps once per row, and each update of
# the same row in one transaction is slower than the last: deleting 70,000 public pledges took
# 30 s instead of 0.03 s. Its own function (the condition is the table's), under the same
# trigger name, so that dropping the triggers finds it.
_DELETION_FUNCTION = _FUNCTION + "_on_delete_{table}"
_POSTGRESQL_DELETION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {_DELETION_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deleted_rows WHERE {{condition}}) THEN
        INSERT INTO {VERSION_TABLE} (table_name, version)
        VALUES (TG_TABLE_NAME, floor(random() * 9007199254740991)::bigint)
        ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version;
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608 - names and conditions of the code, no input
_POSTGRESQL_DELETION_TRIGGER = (
    "CREATE OR REPLACE TRIGGER reference_version_bump "
    "AFTER DELETE ON {table} REFERENCING OLD TABLE AS deleted_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {_DELETION_FUNCTION}()"
)
# SQLite: row-level triggers only, one per kind of write.
_SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS reference_version_bump_{event}_{table} "  # noqa: S608
    "AFTER {event} ON {table} FOR EACH ROW {when}BEGIN "
    f"INSERT INTO {VERSION_TABLE} (table_name, version) VALUES ('{{table}}', abs(random())) "
    "ON CONFLICT (table_name) DO UPDATE SET version = excluded.version; END"
)


# Portable: PostgreSQL and SQLite.
CREATE_VERSION_TABLE = (f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} "
                        "(table_name varchar(63) NOT NULL PRIMARY KEY, version bigint NOT NULL)")


def trigger_statements(vendor: str, tables=REFERENCE_TABLES) -> list[str]:
    """The SQL that installs the triggers on these tables, on a database of this vendor ([] for
    another)."""
    if vendor == "postgresql":
        statements = [_POSTGRESQL_FUNCTION]
        for table in tables:
            if table in _DELETIONS_ONLY:
                condition = _DELETIONS_ONLY[table].format(row="deleted_rows")
                statements += [
                    _POSTGRESQL_DELETION_FUNCTION.format(table=table, condition=condition),
                    _POSTGRESQL_DELETION_TRIGGER.format(table=table),
                ]
            else:
                statements.append(_POSTGRESQL_TRIGGER.format(table=table))
        return statements
    if vendor == "sqlite":
        statements = []
        for table in tables:
            if table in _DELETIONS_ONLY:
                # Dropped first: CREATE TRIGGER IF NOT EXISTS would keep an older condition (or
                # the triggers of every write, had the table been registered otherwise before).
                statements += drop_trigger_statements(vendor, [table])
                condition = _DELETIONS_ONLY[table].format(row="OLD")
                statements.append(_SQLITE_TRIGGER.format(event="DELETE", table=table,
                                                         when=f"WHEN {condition} "))
            else:
                statements += [_SQLITE_TRIGGER.format(event=event, table=table, when="")
                               for event in ("INSERT", "UPDATE", "DELETE")]
        return statements
    return []


def drop_trigger_statements(vendor: str, tables) -> list[str]:
    """The SQL that removes the triggers of these tables (the function stays: others use it)."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS reference_version_bump ON {table}" for table in tables]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS reference_version_bump_{event}_{table}"
                for table in tables for event in ("INSERT", "UPDATE", "DELETE")]
    return []


def uninstall_triggers(connection) -> None:
    """Remove every version trigger and the version table (migration 0009 reversed): those of
    the reference tables and those other apps' tables got through register_table, which
    post_migrate may have put back after their own migration was reversed. A trigger left
    behind would write to a table that no longer exists: every write of its table would fail."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: with the functions go the triggers that call them, on whatever table.
            cursor.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}() CASCADE")
            cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s",
                           [_DELETION_FUNCTION.format(table="%")])
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP FUNCTION IF EXISTS "{name}"() CASCADE')
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'reference_version_bump_%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        cursor.execute(f"DROP TABLE IF EXISTS {VERSION_TABLE}")


def install_triggers(using: str = "default") -> None:
    """Install (again) the triggers on every reference table that exists."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if VERSION_TABLE not in existing:
        return  # migrated back before 0009
    tables = [table for table in versioned_tables() if table in existing]
    with connection.cursor() as cursor:
        for statement in trigger_statements(connection.vendor, tables):
            cursor.execute(statement)


def install_triggers_after_migrate(*, using: str = "default", **kwargs) -> None:
    """post_migrate receiver (action_areas.apps)."""
    install_triggers(using)
