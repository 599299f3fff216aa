#!/usr/bin/env bash
# Restore one backup made by deploy/backup.sh into a FRESH database and an empty media directory:
#
#   DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NEW_NAME MEDIA_ROOT=var/media \
#   deploy/restore.sh var/backups/2025-01-31T023000Z
#
# It checks everything before it changes anything: the backup's checksums, that the database has
# no tables and that MEDIA_ROOT is empty (or absent). It never overwrites: restoring over live data
# would mix two states of the site. Then the whole dump is restored in one transaction (all or
# nothing), the uploaded files are unpacked, and the counts of what came back are printed.
# Start the site afterwards: its `migrate` brings an older backup up to the current code.
set -euo pipefail

fail() { echo "restore: $*" >&2; exit 1; }

[ $# -eq 1 ] || fail "usage: restore.sh BACKUP_DIRECTORY (one directory made by backup.sh)"
backup="$1"
: "${DATABASE_URL:?restore: set DATABASE_URL to the fresh database to restore into}"
: "${MEDIA_ROOT:?restore: set MEDIA_ROOT to the empty directory for the uploaded files}"

for file in SHA256SUMS database.dump media.tar.gz; do
    [ -f "$backup/$file" ] || fail "$backup/$file is missing: is $backup a directory made by backup.sh?"
done
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) \
    || fail "$backup is damaged (its checksums do not match): choose another backup"

psql_at() {
    psql --dbname="$DATABASE_URL" --no-psqlrc --tuples-only --no-align --set=ON_ERROR_STOP=1 "$@"
}
tables="$(psql_at --command="SELECT count(*) FROM pg_class c JOIN pg_namespace n
    ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")"
[ "$tables" = 0 ] \
    || fail "the database of DATABASE_URL has $tables tables: restore only into a fresh, empty database (createdb NAME)"
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
    fail "MEDIA_ROOT $MEDIA_ROOT is not empty: restore the uploaded files only into an empty directory"
fi

pg_restore --dbname="$DATABASE_URL" --single-transaction --exit-on-error \
    --no-owner --no-privileges "$backup/database.dump"
psql_at --quiet --command=ANALYZE  # fresh statistics, or the first queries plan blind

mkdir -p "$MEDIA_ROOT"
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$MEDIA_ROOT"

echo "restore: $backup restored:"
psql_at --command="SELECT count(*) || ' tables' FROM pg_tables
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
for table in pledges_pledge pledges_historicalpledge reporting_reportrun reporting_reportfile; do
    if [ "$(psql_at --command="SELECT to_regclass('$table') IS NOT NULL")" = t ]; then
        echo "$(psql_at --command="SELECT count(*) FROM $table") rows in $table"
    fi
done
echo "$(find "$MEDIA_ROOT" -type f | wc -l) uploaded files in $MEDIA_ROOT"
