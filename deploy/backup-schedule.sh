#!/usr/bin/env bash
# The compose `backup` service: deploy/backup.sh every night at BACKUP_AT (HH:MM, UTC), for ever.
# A stack with no backup yet gets one at once, so that a new stack is covered from its first day
# and a wrong setting shows in `docker compose logs backup` straight away, not the next morning.
# A failed backup is logged and retried the next night; the loop itself never stops.
set -euo pipefail

BACKUP_AT="${BACKUP_AT:-02:30}"
[[ "$BACKUP_AT" =~ ^([01][0-9]|2[0-3]):[0-5][0-9]$ ]] \
    || { echo "backup: BACKUP_AT must be HH:MM in UTC (got '$BACKUP_AT')" >&2; exit 1; }
: "${BACKUP_DIR:?backup: set BACKUP_DIR (where backups are written)}"
here="$(dirname "$0")"
# PID 1 of its container: without a handler, `docker compose stop` would wait 10 s and kill it.
trap 'exit 0' INT TERM

run_backup() {
    bash "$here/backup.sh" || echo "backup: FAILED at $(date -u +%FT%TZ); next try tomorrow" >&2
}

seconds_until_next_run() {
    local now next
    now="$(date -u +%s)"
    next="$(date -u -d "today $BACKUP_AT" +%s)"
    if [ "$next" -le "$now" ]; then
        next="$(date -u -d "tomorrow $BACKUP_AT" +%s)"
    fi
    echo $((next - now))
}

if [ -z "$(find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*Z' 2>/dev/null)" ]; then
    run_backup
fi
while true; do
    wait_seconds="$(seconds_until_next_run)"
    echo "backup: next backup at $BACKUP_AT UTC, in $wait_seconds s"
    sleep "$wait_seconds" &
    wait "$!"  # unlike a foreground sleep, `wait` lets the trap run at once
    run_backup
done
