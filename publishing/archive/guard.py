"""The database's own refusal to change or delete an archived capture.

A missing button is not a guard: code, the shell and raw SQL could still change the archive. The
migration installs triggers that make the database refuse every ``UPDATE`` and ``DELETE`` of
``publishing_archivecapture`` (and, on PostgreSQL, ``TRUNCATE``), whoever sends it.

What is left is the database owner, who can drop a trigger. Against that the digest chain shows
tampering (``publishing.archive.chain``), and a production site should connect as a role that
does not own the tables (see the operators' guide).

``suspended`` lifts the guard on one connection for the test runner's cleaning of a test
database between tests; it needs the rights of the tables' owner, and nothing in the application
calls it.
"""

import contextlib

TABLE = "publishing_archivecapture"
MESSAGE = "The archive is append-only: a capture cannot be changed or deleted."

_POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION publishing_archive_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS publishing_archive_no_change ON {TABLE};
CREATE TRIGGER publishing_archive_no_change BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION publishing_archive_refuse();
DROP TRIGGER IF EXISTS publishing_archive_no_truncate ON {TABLE};
CREATE TRIGGER publishing_archive_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION publishing_archive_refuse();
"""

_SQLITE = [
    "DROP TRIGGER IF EXISTS publishing_archive_no_update",
    f"""CREATE TRIGGER publishing_archive_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    "DROP TRIGGER IF EXISTS publishing_archive_no_delete",
    f"""CREATE TRIGGER publishing_archive_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]


def statements(vendor):
    """The SQL that installs the guard on a database of ``vendor``, or [] where there is none."""
    if vendor == "postgresql":
        return [_POSTGRESQL]
    if vendor == "sqlite":
        return list(_SQLITE)
    return []


def install(connection):
    """Install (or reinstall) the guard on ``connection``'s database."""
    with connection.cursor() as cursor:
        for statement in statements(connection.vendor):
            cursor.execute(statement)


def uninstall(connection):
    """Remove the guard (a migration rolled back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS publishing_archive_no_change ON {TABLE}")
            cursor.execute(f"DROP TRIGGER IF EXISTS publishing_archive_no_truncate ON {TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS publishing_archive_refuse()")
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS publishing_archive_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS publishing_archive_no_delete")


def _holds_captures(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM publishing_archivecapture)")
        return bool(cursor.fetchone()[0])


@contextlib.contextmanager
def suspended(connection):
    """The guard lifted on ``connection`` for the block (test databases only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Triggers do not fire for a session in replica mode (a superuser's setting).
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        return
    if not _holds_captures(connection):
        # Nothing to refuse; on SQLite lifting the guard is a schema change, which waits for no
        # other connection (a live server's) to finish.
        yield
        return
    uninstall(connection)
    try:
        yield
    finally:
        install(connection)
