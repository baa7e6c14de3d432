"""What the benchmarks share: Django on the test settings, a throwaway test database, the demo,
and the report's lines.

A benchmark that runs Django in its own process calls ``setup()`` before it imports anything of
Django's; importing this module sets nothing up by itself, so the serving benchmarks (which run
Django in gunicorn) use ``say`` too.
"""

import contextlib
import os
import sys

#: Production's task queue: what a request queues is written to the database for the worker,
#: not run in the request as the test settings' immediate backend would.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def setup(database_tasks=False):
    """Set Django up on the test settings; with ``database_tasks``, with production's queue."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.conf import settings

    if database_tasks:
        settings.TASKS = DATABASE_TASKS
    django.setup()


def say(line=""):
    """Write one line of the report to standard output."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


@contextlib.contextmanager
def test_database(**options):
    """A migrated throwaway test database (in memory with SQLite, or beside ``DATABASE_URL``'s),
    with Django's test environment, dropped afterwards. ``options`` go to ``create_test_db``."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, **options)
    try:
        yield connection
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def load_demo():
    """Both demo municipalities, as ``manage.py load_demo`` loads them."""
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("load_demo", quiet_logins=True, stdout=quiet)
