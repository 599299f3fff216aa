#!/usr/bin/env bash
# One backup of the portal: the database (pg_dump, custom format) and the uploaded files
# (a tar of MEDIA_ROOT), in a new timestamped directory of BACKUP_DIR; then the backups older
# than BACKUP_RETENTION_DAYS are deleted. Run nightly by the compose `backup` service
# (deploy/backup-schedule.sh), or by hand:
#
#   DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME MEDIA_ROOT=var/media \
#   BACKUP_DIR=var/backups BACKUP_RETENTION_DAYS=14 deploy/backup.sh
#
# Needs pg_dump and psql of the server's major version (checked: a newer pg_dump writes dumps an
# older pg_restore cannot read), tar, gzip and sha256sum. Restore with deploy/restore.sh.
#
# A backup directory appears under its final name only once every file in it is complete, and
# old backups are deleted only after a new one succeeded: a failing job never eats the last good
# backups. Prints the new directory's path on its last line.
set -euo pipefail

fail() { echo "backup: $*" >&2; exit 1; }

: "${DATABASE_URL:?backup: set DATABASE_URL (postgres://USER:PASSWORD@HOST:5432/NAME)}"
: "${MEDIA_ROOT:?backup: set MEDIA_ROOT (the directory of uploaded files)}"
: "${BACKUP_DIR:?backup: set BACKUP_DIR (where backups are written)}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-14}"
[[ "$RETENTION_DAYS" =~ ^[1-9][0-9]*$ ]] \
    || fail "BACKUP_RETENTION_DAYS must be a whole number of days, 1 or more (got '$RETENTION_DAYS')"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) fail "DATABASE_URL must be a postgres:// URL: only PostgreSQL databases are backed up" ;;
esac

client_major="$(pg_dump --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')"
server_major="$(psql --dbname="$DATABASE_URL" --no-psqlrc --tuples-only --no-align \
    --command='SHOW server_version_num')"
server_major="$((server_major / 10000))"
[ "$client_major" = "$server_major" ] \
    || fail "pg_dump is version $client_major but the server is $server_major: use the client of the server's major version"

mkdir -p "$BACKUP_DIR"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
final="$BACKUP_DIR/$stamp"
partial="$BACKUP_DIR/.partial-$stamp"
[ ! -e "$final" ] || fail "$final exists already"
trap 'rm -rf "$partial"' EXIT
mkdir "$partial"

pg_dump --dbname="$DATABASE_URL" --format=custom --file="$partial/database.dump"
pg_restore --list "$partial/database.dump" >/dev/null  # the dump reads back

if [ -d "$MEDIA_ROOT" ]; then
    tar --create --gzip --file="$partial/media.tar.gz" --directory="$MEDIA_ROOT" .
else
    echo "backup: MEDIA_ROOT $MEDIA_ROOT does not exist: no uploaded files to keep" >&2
    tar --create --gzip --file="$partial/media.tar.gz" --files-from=/dev/null
fi

(cd "$partial" && sha256sum database.dump media.tar.gz >SHA256SUMS)
mv "$partial" "$final"
trap - EXIT

# Retention, by age of the backup directory (named by this script, so nothing else is touched);
# also what a killed run left behind.
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d \
    -name '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z' \
    -mmin "+$((RETENTION_DAYS * 24 * 60))" -print -exec rm -rf {} + \
    | sed 's/^/backup: deleted (older than '"$RETENTION_DAYS"' days) /'
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '.partial-*' -mmin +1440 \
    -exec rm -rf {} +

echo "backup: done, $(du -sh "$final" | cut -f1) in"
echo "$final"
