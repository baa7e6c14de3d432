#!/usr/bin/env bash
# Back up the governed-publishing installation with PostgreSQL's own tools: a pg_dump of the
# database in custom format and a tar of MEDIA_ROOT, in one timestamped directory with SHA-256
# checksums. Old backups are pruned after a successful one. See site/deploy/BACKUP.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: backup.sh [options]

Writes BACKUP_DIR/YYYYMMDD-HHMMSS/ with
  db.dump      pg_dump --format=custom of the application database (restore with restore.sh)
  media.tar    every file under MEDIA_ROOT: original images, renditions, documents (the
               staff-only intranet collection's files too)
  info.txt     when, from where, PostgreSQL and pg_dump versions, the code's git commit
  SHA256SUMS   sha256sum of the three files above (restore.sh checks it first)
The directory is written as NAME.partial and renamed only when everything succeeded. Then
backups older than --keep-days are removed (only directories named like the above).

Options:
  -d, --backup-dir DIR   where backups go          (env BACKUP_DIR, default /var/backups/publishing)
  -m, --media-root DIR   the media folder to save  (env MEDIA_ROOT, default <project>/media)
  -k, --keep-days N      remove backups older than N days; 0 keeps all
                                                   (env BACKUP_KEEP_DAYS, default 14)
      --no-media         database only (also when MEDIA_S3_BUCKET is set: media on object
                         storage is not on this disk, see BACKUP.md)
  -h, --help             this text

Database connection: DATABASE_URL if it is set (the application's own variable, e.g. from
/etc/publishing/env: postgres://USER:PASSWORD@HOST:PORT/NAME, or a socket directory
percent-encoded as the host, postgres://USER@%2Fvar%2Frun%2Fpostgresql/NAME). It is turned into
libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (and PGSSLMODE from ?sslmode=), so that
no password appears on a command line. Without DATABASE_URL the standard PG* variables,
~/.pgpass and pg_service.conf are used as they are; PGDATABASE must then name the database.

Not in the backup, on purpose: SECRET_KEY and the rest of /etc/publishing/env (keep them in the
municipality's password manager or secret store, not next to the backups), the file cache
(CACHE_DIR, disposable), static_collected (rebuilt by collectstatic) and the code (git).
The backup holds personal data and staff-only documents: it is written with umask 077.
EOF
}

die() { echo "backup.sh: $*" >&2; exit 1; }
log() { echo "backup.sh: $*"; }

# DATABASE_URL -> PG* variables (pgenv_from_database_url).
# shellcheck source=pgenv.sh
. "$(dirname "${BASH_SOURCE[0]}")/pgenv.sh"

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/publishing}"
MEDIA_ROOT="${MEDIA_ROOT:-$PROJECT_DIR/media}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
WITH_MEDIA=1

while [[ $# -gt 0 ]]; do
    case "$1" in
        -d | --backup-dir) BACKUP_DIR="${2:?$1 needs a directory}"; shift 2 ;;
        -m | --media-root) MEDIA_ROOT="${2:?$1 needs a directory}"; shift 2 ;;
        -k | --keep-days) KEEP_DAYS="${2:?$1 needs a number}"; shift 2 ;;
        --no-media) WITH_MEDIA=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
if [[ "$WITH_MEDIA" == 1 && -n "${MEDIA_S3_BUCKET:-}" ]]; then
    log "media are in the object store (MEDIA_S3_BUCKET=$MEDIA_S3_BUCKET): database only; back up the bucket with its own versioning (BACKUP.md)"
    WITH_MEDIA=0
fi
[[ "$KEEP_DAYS" =~ ^[0-9]+$ ]] || die "--keep-days wants a whole number of days, not '$KEEP_DAYS'"

for tool in pg_dump psql sha256sum tar; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install postgresql-client coreutils tar)"
done
if [[ -n "${DATABASE_URL:-}" ]]; then
    pgenv_from_database_url "$DATABASE_URL"
fi
[[ -n "${PGDATABASE:-}" ]] || die "set DATABASE_URL, or PGDATABASE (with PGHOST, PGUSER ... as needed)"
if [[ "$WITH_MEDIA" == 1 ]]; then
    [[ -d "$MEDIA_ROOT" ]] || die "MEDIA_ROOT $MEDIA_ROOT is not a directory (use --media-root, or --no-media)"
fi

umask 077
mkdir -p "$BACKUP_DIR"
# One backup at a time: a slow run must not meet the next day's timer.
exec 9>"$BACKUP_DIR/.lock"
if command -v flock >/dev/null; then
    flock -n 9 || die "another backup is running in $BACKUP_DIR"
fi

STAMP="$(date +%Y%m%d-%H%M%S)"
FINAL="$BACKUP_DIR/$STAMP"
WORK="$FINAL.partial"
[[ ! -e "$FINAL" && ! -e "$WORK" ]] || die "$FINAL already exists"
mkdir "$WORK"
# Whatever fails from here on, no half backup is left behind (and none is renamed to look whole).
cleanup() {
    if [[ -d "$WORK" ]]; then
        rm -rf -- "$WORK"
        echo "backup.sh: FAILED, nothing kept" >&2
    fi
}
trap cleanup EXIT
started=$SECONDS

# The database first, then the files: an image or document uploaded in between is in the tar
# without a row (harmless); the other order would give rows whose files are missing.
log "dumping database $PGDATABASE"
t0=$SECONDS
server_version="$(psql --no-psqlrc --no-password -A -t -q -c 'SHOW server_version')"
pg_dump --format=custom --no-password --file="$WORK/db.dump"
log "  db.dump $(du -h "$WORK/db.dump" | cut -f1) in $((SECONDS - t0)) s"

if [[ "$WITH_MEDIA" == 1 ]]; then
    log "archiving $MEDIA_ROOT"
    t0=$SECONDS
    # Plain tar: images and office documents are compressed already. GNU tar exits 1 when a file
    # changed while it was read (an upload in progress): kept, with a warning.
    rc=0
    tar --create --file="$WORK/media.tar" --directory="$MEDIA_ROOT" --warning=no-file-changed . || rc=$?
    if [[ $rc -eq 1 ]]; then
        log "  warning: some media files changed while they were archived"
    elif [[ $rc -ne 0 ]]; then
        die "tar failed (exit $rc)"
    fi
    log "  media.tar $(du -h "$WORK/media.tar" | cut -f1), $(tar -tf "$WORK/media.tar" | grep -vc '/$') files, in $((SECONDS - t0)) s"
fi

commit="$(git -C "$PROJECT_DIR" rev-parse HEAD 2>/dev/null || echo unknown)"
cat >"$WORK/info.txt" <<EOF
created: $(date --iso-8601=seconds)
host: $(hostname)
database: $PGDATABASE on ${PGHOST:-local socket}:${PGPORT:-5432}
postgresql server: $server_version
pg_dump: $(pg_dump --version)
media: $([[ "$WITH_MEDIA" == 1 ]] && echo "$MEDIA_ROOT" || echo "not included")
code commit: $commit
Restore with the code of this commit (or newer, then run manage.py migrate): site/deploy/restore.sh
EOF

files=(db.dump info.txt)
[[ "$WITH_MEDIA" == 1 ]] && files+=(media.tar)
(cd "$WORK" && sha256sum -- "${files[@]}" >SHA256SUMS)
mv "$WORK" "$FINAL"
log "backup complete: $FINAL ($(du -sh "$FINAL" | cut -f1), $((SECONDS - started)) s)"

if [[ "$KEEP_DAYS" -gt 0 ]]; then
    cutoff="$(date -d "-$KEEP_DAYS days" +%Y%m%d-%H%M%S)"
    for old in "$BACKUP_DIR"/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]{,.partial}; do
        [[ -d "$old" ]] || continue
        name="$(basename "$old")"
        name="${name%.partial}"
        if [[ "$name" < "$cutoff" && "$old" != "$FINAL" ]]; then
            log "removing old backup $old"
            rm -rf -- "$old"
        fi
    done
fi
