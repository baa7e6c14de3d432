#!/usr/bin/env bash
# Restore a backup made by backup.sh into a NEW PostgreSQL database, a media folder and an archive
# folder, then check it with the application. The live database, media and archive are never
# touched unless named and --force is given. See site/deploy/BACKUP.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: restore.sh --dbname NEW_DB (--media-root DIR | --no-media)
                  [--archive-root ADIR | --no-archive] [options] BACKUP

BACKUP is a directory written by backup.sh (db.dump, media.tar, archive.tar, info.txt,
SHA256SUMS).

  1. checks SHA256SUMS;
  2. creates the database NEW_DB (TEMPLATE template0, UTF8) on the server that DATABASE_URL or
     the PG* variables point at. If NEW_DB exists and holds tables it stops, unless --force,
     which DROPS it first. An existing empty database (created beforehand by the postgres
     superuser, if the application's role may not create databases) is used as it is;
  3. pg_restore --no-owner --no-privileges --exit-on-error --single-transaction, then ANALYZE;
  4. unpacks media.tar into DIR and archive.tar into ADIR. A DIR or ADIR that is not empty stops
     it, unless --force, which moves the old folder aside to DIR.before-restore-YYYYMMDD-HHMMSS
     (nothing is deleted);
  5. checks: row counts (pages, revisions, users, workflow states, images, documents, search
     index, task queue, archived captures), every image, rendition and document file present
     under DIR and every capture's WARC file under ADIR, and with the application:
     manage.py check --database default, manage.py migrate --check and manage.py verify_archive
     (every capture's digest, the chain and each WARC file's SHA-256, with ARCHIVE_ROOT=ADIR;
     without archive.tar, verify_archive --rows-only). Any failure makes it exit 1.
It prints what to change to switch the site over; it never switches it by itself.

Options:
  -n, --dbname NAME        the database to create (letters, digits, _; required)
  -m, --media-root DIR     where to unpack media.tar (required unless --no-media)
      --no-media           without the media
      --archive-root ADIR  where to unpack archive.tar (required when the backup has one,
                           unless --no-archive)
      --no-archive         without the archive's files (verify_archive checks the rows only)
  -f, --force              replace an existing NEW_DB / move an existing DIR or ADIR aside
      --maintenance-db DB  database to connect to for CREATE DATABASE (default postgres)
      --app-dir DIR        the project checkout for manage.py (default: this script's ../..)
      --python PATH        its Python (default APP_DIR/.venv/bin/python)
      --no-app-checks      skip the manage.py checks (e.g. on a machine without the code)
      --update-index       run manage.py update_index afterwards (the search index is in the
                           database and normally restored with it)
  -h, --help               this text

Connection as in backup.sh: DATABASE_URL (turned into PGHOST, PGPORT, PGUSER, PGPASSWORD; its
database name is only the live database that is NOT restored into), else the PG* variables. The
role needs CREATEDB, or an empty NEW_DB made beforehand. manage.py runs with the environment you
give it (DJANGO_SETTINGS_MODULE and, for production settings, /etc/publishing/env loaded with
`set -a; . /etc/publishing/env; set +a`) and DATABASE_URL=postgres:///NEW_DB, libpq taking host,
port, user and password from the PG* variables. verify_archive runs with ARCHIVE_ROOT=ADIR and
without ARCHIVE_S3_BUCKET; the settings must read ARCHIVE_ROOT (config.settings.production does,
the development settings do not: restore.sh checks which folder the application would read).
EOF
}

die() { echo "restore.sh: $*" >&2; exit 1; }
log() { echo "restore.sh: $*"; }

# DATABASE_URL -> PG* variables (pgenv_from_database_url).
# shellcheck source=pgenv.sh
. "$(dirname "${BASH_SOURCE[0]}")/pgenv.sh"

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON=""
TARGET=""
MEDIA_TARGET=""
WITH_MEDIA=1
ARCHIVE_TARGET=""
WITH_ARCHIVE=1
FORCE=0
MAINTENANCE_DB=postgres
APP_CHECKS=1
UPDATE_INDEX=0
BACKUP=""

while [[ $# -gt 0 ]]; do
    case "$1" in
        -n | --dbname) TARGET="${2:?$1 needs a name}"; shift 2 ;;
        -m | --media-root) MEDIA_TARGET="${2:?$1 needs a directory}"; shift 2 ;;
        --no-media) WITH_MEDIA=0; shift ;;
        --archive-root) ARCHIVE_TARGET="${2:?$1 needs a directory}"; shift 2 ;;
        --no-archive) WITH_ARCHIVE=0; shift ;;
        -f | --force) FORCE=1; shift ;;
        --maintenance-db) MAINTENANCE_DB="${2:?$1 needs a name}"; shift 2 ;;
        --app-dir) APP_DIR="${2:?$1 needs a directory}"; shift 2 ;;
        --python) PYTHON="${2:?$1 needs a path}"; shift 2 ;;
        --no-app-checks) APP_CHECKS=0; shift ;;
        --update-index) UPDATE_INDEX=1; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) [[ -z "$BACKUP" ]] || die "one backup directory only"; BACKUP="$1"; shift ;;
    esac
done
PYTHON="${PYTHON:-$APP_DIR/.venv/bin/python}"

[[ -n "$BACKUP" ]] || { usage >&2; die "name the backup directory"; }
[[ -f "$BACKUP/db.dump" && -f "$BACKUP/SHA256SUMS" ]] || die "$BACKUP is not a backup.sh directory (no db.dump or SHA256SUMS)"
BACKUP="$(cd "$BACKUP" && pwd)"
[[ -n "$TARGET" ]] || die "name the new database with --dbname"
[[ "$TARGET" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]] || die "--dbname: letters, digits and _ only, not '$TARGET'"
if [[ "$WITH_MEDIA" == 1 ]]; then
    [[ -n "$MEDIA_TARGET" ]] || die "name the media folder with --media-root (or restore the database only with --no-media)"
    [[ -f "$BACKUP/media.tar" ]] || die "$BACKUP has no media.tar (made with --no-media?): use --no-media"
fi
# Why a backup has no archive.tar: info.txt's line (made with --no-archive, the archive in an
# object store, or a backup.sh from before the archive).
archive_info="$(sed -n 's/^archive: //p' "$BACKUP/info.txt" 2>/dev/null || true)"
if [[ "$WITH_ARCHIVE" == 1 && ! -f "$BACKUP/archive.tar" ]]; then
    [[ -z "$ARCHIVE_TARGET" ]] || die "$BACKUP has no archive.tar (info.txt: ${archive_info:-no archive line, a backup from before the archive}): leave out --archive-root, or use --no-archive"
    WITH_ARCHIVE=0
    archive_info="the backup has no archive.tar; info.txt: ${archive_info:-no archive line (a backup from before the archive)}"
elif [[ "$WITH_ARCHIVE" == 1 ]]; then
    [[ -n "$ARCHIVE_TARGET" ]] || die "the backup has archive.tar: name the archive folder with --archive-root (or leave the archive's files out with --no-archive)"
    # Absolute: manage.py runs in APP_DIR with ARCHIVE_ROOT set to it.
    ARCHIVE_TARGET="$(realpath -m -- "$ARCHIVE_TARGET")"
    if [[ "$WITH_MEDIA" == 1 && "$ARCHIVE_TARGET" == "$(realpath -m -- "$MEDIA_TARGET")" ]]; then
        die "--archive-root and --media-root name the same folder: the archive needs a folder of its own"
    fi
else
    archive_info="not restored (--no-archive)"
fi
for tool in pg_restore psql sha256sum tar realpath; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install postgresql-client coreutils tar)"
done
if [[ "$APP_CHECKS" == 1 || "$UPDATE_INDEX" == 1 ]]; then
    [[ -x "$PYTHON" && -f "$APP_DIR/manage.py" ]] || die "no $PYTHON or $APP_DIR/manage.py (use --app-dir/--python, or --no-app-checks)"
fi
if [[ -n "${DATABASE_URL:-}" ]]; then
    pgenv_from_database_url "$DATABASE_URL"
fi
LIVE_DB="${PGDATABASE:-}"
STAMP="$(date +%Y%m%d-%H%M%S)"
started=$SECONDS

# psql on a given database, no ~/.psqlrc, never a password prompt, stop at the first error.
sql() { local db="$1"; shift; PGDATABASE="$db" psql --no-psqlrc --no-password -v ON_ERROR_STOP=1 -q "$@"; }
# One value from the new database.
value() { sql "$TARGET" -A -t -c "$1"; }

log "checking $BACKUP/SHA256SUMS"
(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS) || die "checksums do not match: the backup is damaged"
grep -E '^(created|database|postgresql server|code commit):' "$BACKUP/info.txt" | sed 's/^/    /' || true

# The refusals before anything is changed.
media_in_use=0
if [[ "$WITH_MEDIA" == 1 && -d "$MEDIA_TARGET" && -n "$(ls -A "$MEDIA_TARGET")" ]]; then
    [[ "$FORCE" == 1 ]] || die "$MEDIA_TARGET is not empty; choose a new folder, or add --force to move it aside"
    media_in_use=1
fi
archive_in_use=0
if [[ "$WITH_ARCHIVE" == 1 && -d "$ARCHIVE_TARGET" && -n "$(ls -A "$ARCHIVE_TARGET")" ]]; then
    [[ "$FORCE" == 1 ]] || die "$ARCHIVE_TARGET is not empty; choose a new folder, or add --force to move it aside"
    archive_in_use=1
fi

# --- 2. the new database ---------------------------------------------------------------------
exists="$(sql "$MAINTENANCE_DB" -A -t -v db="$TARGET" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
if [[ -n "$exists" ]]; then
    tables="$(value "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                       AND n.nspname NOT LIKE 'pg_toast%'")"
    if [[ "$tables" -gt 0 && "$FORCE" != 1 ]]; then
        [[ "$TARGET" == "$LIVE_DB" ]] && log "'$TARGET' is the database DATABASE_URL names: the live one"
        die "database '$TARGET' exists and has $tables tables; choose a new name, or add --force to DROP it"
    elif [[ "$tables" -gt 0 ]]; then
        log "--force: dropping database '$TARGET' ($tables tables)"
        sql "$MAINTENANCE_DB" -v db="$TARGET" <<<'DROP DATABASE :"db";'
        exists=""
    else
        log "database '$TARGET' exists and is empty: restoring into it"
    fi
fi
created=0
if [[ -z "$exists" ]]; then
    log "creating database '$TARGET'"
    sql "$MAINTENANCE_DB" -v db="$TARGET" <<<"CREATE DATABASE :\"db\" TEMPLATE template0 ENCODING 'UTF8';"
    created=1
fi

# --- 3. pg_restore ---------------------------------------------------------------------------
# --no-owner/--no-privileges: the objects belong to the role that restores, whatever the roles
# were called on the machine the backup came from. --single-transaction: all or nothing.
log "pg_restore into '$TARGET'"
t0=$SECONDS
if ! pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --no-password \
    --dbname="$TARGET" "$BACKUP/db.dump"; then
    if [[ "$created" == 1 ]]; then
        sql "$MAINTENANCE_DB" -v db="$TARGET" <<<'DROP DATABASE :"db";' || true
        die "pg_restore failed; the new database '$TARGET' was dropped again"
    fi
    die "pg_restore failed; nothing was restored into '$TARGET' (single transaction)"
fi
# pg_restore does not bring the planner's statistics: without them the first queries are slow.
sql "$TARGET" -c 'ANALYZE;'
log "  restored in $((SECONDS - t0)) s, database size $(value "SELECT pg_size_pretty(pg_database_size(current_database()))")"

# --- 4. media and the archive's files ----------------------------------------------------------
# unpack NAME.tar TARGET IN_USE: a target in use (only with --force) is moved aside first.
unpack() {
    local tarball=$1 target=$2 in_use=$3 t0=$SECONDS
    if [[ "$in_use" == 1 ]]; then
        log "--force: moving $target aside to $target.before-restore-$STAMP"
        mv -- "$target" "$target.before-restore-$STAMP"
    fi
    mkdir -p "$target"
    log "unpacking $tarball into $target"
    tar --extract --file="$BACKUP/$tarball" --directory="$target"
    log "  $(find "$target" -type f | wc -l) files, $(du -sh "$target" | cut -f1), in $((SECONDS - t0)) s"
}
if [[ "$WITH_MEDIA" == 1 ]]; then
    unpack media.tar "$MEDIA_TARGET" "$media_in_use"
fi
# The archive's files come back read-only (0444), as they were archived.
if [[ "$WITH_ARCHIVE" == 1 ]]; then
    unpack archive.tar "$ARCHIVE_TARGET" "$archive_in_use"
fi

# --- 5. checks -------------------------------------------------------------------------------
problems=0
log "row counts in '$TARGET':"
for table in wagtailcore_page wagtailcore_revision auth_user wagtailcore_workflowstate \
    wagtailcore_taskstate wagtailimages_image wagtailimages_rendition wagtaildocs_document \
    wagtailcore_collectionviewrestriction wagtailsearch_indexentry publishing_archivecapture \
    django_migrations; do
    if [[ "$(value "SELECT to_regclass('public.$table') IS NOT NULL")" == t ]]; then
        printf '    %-40s %s\n' "$table" "$(value "SELECT count(*) FROM public.$table")"
    else
        printf '    %-40s %s\n' "$table" "(no such table)"
    fi
done
pages="$(value "SELECT count(*) FROM wagtailcore_page WHERE depth > 1")" || pages=0
users="$(value "SELECT count(*) FROM auth_user")" || users=0
[[ "$pages" -gt 0 ]] || { log "PROBLEM: no pages besides Wagtail's root"; problems=$((problems + 1)); }
[[ "$users" -gt 0 ]] || { log "PROBLEM: no users"; problems=$((problems + 1)); }
if [[ "$(value "SELECT to_regclass('public.django_tasks_database_dbtaskresult') IS NOT NULL")" == t ]]; then
    log "task queue (django-tasks) by status:"
    value "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status ORDER BY status" | sed 's/^/    /; s/|/: /'
    ready="$(value "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')")"
    [[ "$ready" == 0 ]] || log "note: $ready tasks were waiting or running at backup time; a worker on this database runs them (again)"
fi
indexed="$(value "SELECT count(*) FROM wagtailsearch_indexentry")" || indexed=0
if [[ "$indexed" == 0 && "$pages" -gt 0 && "$UPDATE_INDEX" != 1 ]]; then
    log "note: the search index is empty: run manage.py update_index (or restore again with --update-index)"
fi

if [[ "$WITH_MEDIA" == 1 ]]; then
    missing=0
    total=0
    while IFS='|' read -r kind file; do
        [[ -n "$file" ]] || continue
        total=$((total + 1))
        if [[ ! -f "$MEDIA_TARGET/$file" ]]; then
            missing=$((missing + 1))
            [[ $missing -le 10 ]] && log "  missing $kind file: $file"
        fi
    done < <(value "SELECT 'image', file FROM wagtailimages_image
                    UNION ALL SELECT 'rendition', file FROM wagtailimages_rendition
                    UNION ALL SELECT 'document', file FROM wagtaildocs_document")
    if [[ $missing -gt 0 ]]; then
        log "PROBLEM: $missing of $total image, rendition and document files are missing under $MEDIA_TARGET"
        problems=$((problems + 1))
    else
        log "all $total image, rendition and document files are present under $MEDIA_TARGET"
    fi
fi

archive_table=0
[[ "$(value "SELECT to_regclass('public.publishing_archivecapture') IS NOT NULL")" == t ]] && archive_table=1
if [[ "$WITH_ARCHIVE" == 1 && "$archive_table" == 1 ]]; then
    # Presence only (works without the application); verify_archive below reads every file.
    missing=0
    total=0
    while IFS= read -r file; do
        [[ -n "$file" ]] || continue
        total=$((total + 1))
        if [[ ! -f "$ARCHIVE_TARGET/$file" ]]; then
            missing=$((missing + 1))
            [[ $missing -le 10 ]] && log "  missing archive file: $file"
        fi
    done < <(value "SELECT warc_name FROM publishing_archivecapture ORDER BY municipality, sequence")
    if [[ $missing -gt 0 ]]; then
        log "PROBLEM: $missing of $total archived captures' WARC files are missing under $ARCHIVE_TARGET"
        problems=$((problems + 1))
    else
        log "all $total archived captures' WARC files are present under $ARCHIVE_TARGET"
    fi
fi

if [[ "$APP_CHECKS" == 1 || "$UPDATE_INDEX" == 1 ]]; then
    # The application on the new database: host, port, user and password from the PG* variables.
    manage() { (cd "$APP_DIR" && DATABASE_URL="postgres:///$TARGET" "$PYTHON" manage.py "$@"); }
    if [[ "$UPDATE_INDEX" == 1 ]]; then
        log "manage.py update_index"
        manage update_index
    fi
    if [[ "$APP_CHECKS" == 1 ]]; then
        log "manage.py check --database default"
        manage check --database default || { log "PROBLEM: manage.py check failed"; problems=$((problems + 1)); }
        log "manage.py migrate --check"
        if ! manage migrate --check >/dev/null; then
            log "PROBLEM: the code has migrations the backup lacks (run manage.py migrate after switching over):"
            manage showmigrations --plan | grep -F '[ ]' | sed 's/^/    /' || true
            problems=$((problems + 1))
        else
            log "  every migration of this code is applied in '$TARGET'"
        fi
    fi
fi

# --- the legal archive: verify_archive on the new database (and the restored files) ----------
verify_archive() {
    local out rc=0
    out="$(manage verify_archive "$@" 2>&1)" || rc=$?
    printf '%s\n' "$out" | sed 's/^/    /'
    return $rc
}
if [[ "$archive_table" == 0 ]]; then
    archive_result="not checked: '$TARGET' has no archive table (a backup from before the archive)"
elif [[ "$APP_CHECKS" != 1 ]]; then
    archive_result="verify_archive not run (--no-app-checks)"
elif [[ "$WITH_ARCHIVE" == 1 ]]; then
    # The application must read the restored folder, not the live one: only settings that read
    # ARCHIVE_ROOT (config.settings.production) do. ARCHIVE_S3_BUCKET would send it to the bucket.
    export ARCHIVE_ROOT="$ARCHIVE_TARGET" ARCHIVE_S3_BUCKET=""
    rc=0
    reads="$(manage shell -v 0 -c 'from publishing.archive.storage import archive_storage
s = archive_storage()
print(getattr(s, "location", type(s).__name__))' 2>&1 | tail -n 1)" || rc=$?
    if [[ -n "${DJANGO_SETTINGS_MODULE:-}" ]]; then
        settings_used="the settings $DJANGO_SETTINGS_MODULE"
    else
        settings_used="the development settings (DJANGO_SETTINGS_MODULE is not set)"
    fi
    if [[ $rc -ne 0 ]]; then
        log "PROBLEM: could not ask the application where it reads the archive: $reads"
        archive_result="verify_archive NOT run: the application did not start"
        problems=$((problems + 1))
    elif [[ "$(realpath -m -- "$reads")" != "$ARCHIVE_TARGET" ]]; then
        log "PROBLEM: with $settings_used the application reads the archive from '$reads', not from ARCHIVE_ROOT=$ARCHIVE_TARGET: verify_archive would check the wrong files. Run restore.sh with DJANGO_SETTINGS_MODULE=config.settings.production and the production variables (BACKUP.md, Restore)"
        archive_result="verify_archive NOT run: $settings_used do not read ARCHIVE_ROOT"
        problems=$((problems + 1))
    else
        log "manage.py verify_archive (ARCHIVE_ROOT=$ARCHIVE_TARGET)"
        t0=$SECONDS
        if verify_archive; then
            archive_result="verify_archive passed: the $(value "SELECT count(*) FROM publishing_archivecapture") captures in '$TARGET' and their WARC files under $ARCHIVE_TARGET are as archived"
        else
            log "PROBLEM: verify_archive failed: the restored archive does not hold (see above). Do not switch over to it; keep the output, and compare with the live archive folder, older backups and the exported packages"
            archive_result="verify_archive FAILED"
            problems=$((problems + 1))
        fi
        log "  in $((SECONDS - t0)) s"
    fi
    unset ARCHIVE_ROOT ARCHIVE_S3_BUCKET
else
    log "manage.py verify_archive --rows-only: $archive_info"
    if verify_archive --rows-only; then
        archive_result="verify_archive --rows-only passed: the $(value "SELECT count(*) FROM publishing_archivecapture") captures' rows and chain in '$TARGET' (their files were not checked)"
    else
        log "PROBLEM: verify_archive --rows-only failed: the archived captures in '$TARGET' do not hold (see above)"
        archive_result="verify_archive --rows-only FAILED"
        problems=$((problems + 1))
    fi
fi
log "archive: $archive_result"

log "done in $((SECONDS - started)) s, $problems problem(s)"
if [[ "$WITH_ARCHIVE" == 1 ]]; then
    archive_step="     the archive: if the live ARCHIVE_ROOT is intact, keep it (it holds every file of the backup
     and those of captures made since, which must be kept too); only if it is lost or damaged, move
     $ARCHIVE_TARGET into its place (ARCHIVE_ROOT)"
else
    archive_step="     (archive files: $archive_info)"
fi
cat <<EOF

To switch the site over to the restored state (nothing of this was done):
  1. systemctl stop publishing-web publishing-scheduled.timer publishing-daily.timer (and the task worker)
  2. in /etc/publishing/env set DATABASE_URL to the database '$TARGET'
$([[ "$WITH_MEDIA" == 1 ]] && echo "  3. move $MEDIA_TARGET into place as the project's media/ folder (keep the old one until you are sure)" || echo "  3. (media not restored)")
$archive_step
  4. empty the file cache: rm -rf "\${CACHE_DIR:-/srv/publishing/var/cache}"/* (it holds the old state's banners and chrome)
  5. start the units again; check /healthz/ and a few pages, images and documents
EOF
[[ $problems -eq 0 ]] || exit 1
