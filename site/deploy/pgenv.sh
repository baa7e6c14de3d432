# shellcheck shell=bash
# Shared by backup.sh and restore.sh (sourced): DATABASE_URL turned into the PG* variables
# that libpq reads, so that no password appears on a command line. The caller defines die and log.

# Percent-decoding for the parts of DATABASE_URL ('+' stays '+', as in dj-database-url).
urldecode() { local s="${1//\\/\\\\}"; printf '%b' "${s//%/\\x}"; }

# DATABASE_URL -> PG* variables (libpq reads them; pg_dump, pg_restore and psql all use libpq).
pgenv_from_database_url() {
    local url="$1" scheme rest auth hostport path query userinfo
    scheme="${url%%://*}"
    case "$scheme" in
        postgres | postgresql | pgsql | postgis) ;;
        *) die "DATABASE_URL is not a PostgreSQL URL (scheme '$scheme')" ;;
    esac
    rest="${url#*://}"
    auth="${rest%%/*}"
    path=""
    [[ "$rest" == */* ]] && path="${rest#*/}"
    query=""
    [[ "$path" == *\?* ]] && query="${path#*\?}"
    path="${path%%\?*}"
    hostport="$auth"
    if [[ "$auth" == *@* ]]; then
        userinfo="${auth%@*}"
        hostport="${auth##*@}"
        export PGUSER
        PGUSER="$(urldecode "${userinfo%%:*}")"
        if [[ "$userinfo" == *:* ]]; then
            export PGPASSWORD
            PGPASSWORD="$(urldecode "${userinfo#*:}")"
        fi
    fi
    if [[ "$hostport" == \[* ]]; then # [IPv6]:port
        export PGHOST="${hostport%%]*}"
        PGHOST="${PGHOST#[}"
        hostport="${hostport#*]}"
        [[ "$hostport" == :* ]] && export PGPORT="${hostport#:}"
    else
        if [[ "$hostport" == *:* ]]; then
            export PGPORT="${hostport##*:}"
            hostport="${hostport%:*}"
        fi
        if [[ -n "$hostport" ]]; then
            export PGHOST
            PGHOST="$(urldecode "$hostport")"
        fi
    fi
    [[ -n "$path" ]] || die "DATABASE_URL names no database"
    export PGDATABASE
    PGDATABASE="$(urldecode "$path")"
    local param
    while IFS= read -r -d '&' param; do
        case "$param" in
            sslmode=*) export PGSSLMODE="${param#sslmode=}" ;;
            sslrootcert=*) export PGSSLROOTCERT="${param#sslrootcert=}" ;;
            "") ;;
            *) log "ignoring DATABASE_URL option '${param%%=*}'" ;;
        esac
    done <<<"${query:+$query&}"
}
