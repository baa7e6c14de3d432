#!/usr/bin/env bash
# Back up the governed-publishing installation with PostgreSQL's own tools: a pg_dump of the
# database in custom format, a tar of MEDIA_ROOT and a tar of the legal archive's ARCHIVE_ROOT, in
# one timestamped directory with SHA-256 checksums. Old backups are pruned after a successful one.
# See site/deploy/BACKUP.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: backup.sh [options]

Writes BACKUP_DIR/YYYYMMDD-HHMMSS/ with
  db.dump      pg_dump --format=custom of the application database (restore with restore.sh)
  media.tar    every file under MEDIA_ROOT: original images, renditions, documents (the
               staff-only intranet collection's files too)
  archive.tar  every file under ARCHIVE_ROOT: the legal archive's WARC files, as written (read-
               only). A folder that does not exist yet (no page published) gives an empty tar
  info.txt     when, from where, PostgreSQL and pg_dump versions, the code's git commit
  SHA256SUMS   sha256sum of the files above (restore.sh checks it first)
The directory is written as NAME.partial and renamed only when everything succeeded. Then
backups older than --keep-days are removed (only directories named like the above).

Options:
  -d, --backup-dir DIR   where backups go          (env BACKUP_DIR, default /var/backups/publishing)
  -m, --media-root DIR   the media folder to save  (env MEDIA_ROOT, default <project>/media)
      --archive-root DIR the archive folder to save (env ARCHIVE_ROOT, default <project>/archive)
  -k, --keep-days N      remove backups older than N days; 0 keeps all
                                                   (env BACKUP_KEEP_DAYS, default 14)
      --no-media         without media.tar (also when MEDIA_S3_BUCKET is set: media on object
                         storage is not on this disk, see BACKUP.md)
      --no-archive       without archive.tar (also when ARCHIVE_S3_BUCKET is set: the object
                         store's versioning and object lock keep those files, see BACKUP.md)
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
ARCHIVE_ROOT="${ARCHIVE_ROOT:-$PROJECT_DIR/archive}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
WITH_MEDIA=1
WITH_ARCHIVE=1

while [[ $# -gt 0 ]]; do
    case "$1" in
        -d | --backup-dir) BACKUP_DIR="${2:?$1 needs a directory}"; shift 2 ;;
        -m | --media-root) MEDIA_ROOT="${2:?$1 needs a directory}"; shift 2 ;;
        -k | --keep-days) KEEP_DAYS="${2:?$1 needs a number}"; shift 2 ;;
        --archive-root) ARCHIVE_ROOT="${2:?$1 needs a directory}"; shift 2 ;;
        --no-media) WITH_MEDIA=0; shift ;;
        --no-archive) WITH_ARCHIVE=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
if [[ "$WITH_MEDIA" == 1 && -n "${MEDIA_S3_BUCKET:-}" ]]; then
    log "media are in the object store (MEDIA_S3_BUCKET=$MEDIA_S3_BUCKET): database only; back up the bucket with its own versioning (BACKUP.md)"
    WITH_MEDIA=0
fi
# What info.txt says about the archive when archive.tar is not written.
archive_note="not included (--no-archive)"
if [[ "$WITH_ARCHIVE" == 1 && -n "${ARCHIVE_S3_BUCKET:-}" ]]; then
    log "the archive is in the object store (ARCHIVE_S3_BUCKET=$ARCHIVE_S3_BUCKET): no archive.tar; its versioning and object lock keep the files (BACKUP.md)"
    archive_note="in the object store ARCHIVE_S3_BUCKET=$ARCHIVE_S3_BUCKET, not in this backup"
    WITH_ARCHIVE=0
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
archive_missing=0
if [[ "$WITH_ARCHIVE" == 1 && ! -d "$ARCHIVE_ROOT" ]]; then
    [[ ! -e "$ARCHIVE_ROOT" ]] || die "ARCHIVE_ROOT $ARCHIVE_ROOT is not a directory (use --archive-root, or --no-archive)"
    # No folder yet is normal before the first page is published; with captures in the database
    # it is the wrong folder, and a backup without their files would be no backup of the archive.
    captures=0
    if [[ "$(psql --no-psqlrc --no-password -A -t -q -c "SELECT to_regclass('public.publishing_archivecapture') IS NOT NULL")" == t ]]; then
        captures="$(psql --no-psqlrc --no-password -A -t -q -c 'SELECT count(*) FROM publishing_archivecapture')"
    fi
    [[ "$captures" == 0 ]] || die "ARCHIVE_ROOT $ARCHIVE_ROOT does not exist, but the database names $captures archived captures: use --archive-root with the archive's folder (or --no-archive)"
    archive_missing=1
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

# The archive after the dump too: a capture's file is written before its row, and never changed
# or deleted, so every capture in db.dump has its file in the tar (a newer file without its row
# is harmless).
if [[ "$WITH_ARCHIVE" == 1 && "$archive_missing" == 1 ]]; then
    log "archive folder $ARCHIVE_ROOT does not exist (no page published yet): empty archive.tar"
    tar --create --file="$WORK/archive.tar" --files-from=/dev/null
    archive_note="$ARCHIVE_ROOT did not exist (no captures yet): archive.tar is empty"
elif [[ "$WITH_ARCHIVE" == 1 ]]; then
    log "archiving $ARCHIVE_ROOT"
    t0=$SECONDS
    # Exit 1: a capture's file was being written (its row is not in db.dump): kept, with a warning.
    rc=0
    tar --create --file="$WORK/archive.tar" --directory="$ARCHIVE_ROOT" --warning=no-file-changed . || rc=$?
    if [[ $rc -eq 1 ]]; then
        log "  warning: an archive file was being written while it was archived"
    elif [[ $rc -ne 0 ]]; then
        die "tar failed (exit $rc)"
    fi
    archive_files="$(tar -tf "$WORK/archive.tar" | grep -vc '/$' || true)"
    log "  archive.tar $(du -h "$WORK/archive.tar" | cut -f1), $archive_files files, in $((SECONDS - t0)) s"
    archive_note="$ARCHIVE_ROOT ($archive_files files)"
fi

commit="$(git -C "$PROJECT_DIR" rev-parse HEAD 2>/dev/null || echo unknown)"
cat >"$WORK/info.txt" <<EOF
created: $(date --iso-8601=seconds)
host: $(hostname)
database: $PGDATABASE on ${PGHOST:-local socket}:${PGPORT:-5432}
postgresql server: $server_version
pg_dump: $(pg_dump --version)
media: $([[ "$WITH_MEDIA" == 1 ]] && echo "$MEDIA_ROOT" || echo "not included")
archive: $archive_note
code commit: $commit
Restore with the code of this commit (or newer, then run manage.py migrate): site/deploy/restore.sh
EOF

files=(db.dump info.txt)
[[ "$WITH_MEDIA" == 1 ]] && files+=(media.tar)
[[ "$WITH_ARCHIVE" == 1 ]] && files+=(archive.tar)
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
