"""The suite's test runner: shared worlds, and how long each class took.

The ``TestCase`` classes that name a shared world (``tests/worlds.py``) run next to the others of
their world, after the classes that name none; the world is built once before the first of them
and rolled back after the last (and before any ``TransactionTestCase``).

On SQLite (an in-memory test database), the database as the migrations leave it is kept in
``var/test-db/`` under a digest of every installed app's migration files and the library versions,
and copied into the next run's test database instead of running the 200-odd migrations again
(about ten seconds). ``TEST_DB_CACHE=0`` migrates as usual.

``TEST_TIMINGS=path`` writes how long each test class took (its class set-up, counted from the end
of the previous class's last test, and its tests) and then each test, slowest first, as
tab-separated lines.

The run keeps to one day: it starts on the real clock, unless that is later than 21:00 in
``TIME_ZONE``, when the clock is set back to 21:00 and runs on from there (``time_machine``,
ticking). Modules, shared worlds and classes work out "today" when they are set up, and their
tests count days from it; a run that went past midnight failed on it. ``TEST_CLOCK=real`` keeps
the real clock.
"""

import datetime
import hashlib
import importlib.metadata
import os
import sqlite3
import sys
import time
import unittest
from pathlib import Path
from unittest import mock

import django
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import management
from django.db import connections
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import TestCase
from django.test.runner import DiscoverRunner
from django.test.utils import iter_test_cases
from django.utils import timezone

from publishing.archive import guard
from tests.worlds import keeper


class TimingResultMixin:
    """Per-class wall time: set-up (the gap before a class's first test) and its tests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.class_times = {}
        self._last_end = time.perf_counter()
        self._current_class = None
        self.test_times = []

    def startTest(self, test):
        now = time.perf_counter()
        label = f"{type(test).__module__}.{type(test).__qualname__}"
        entry = self.class_times.setdefault(label, {"setup": 0.0, "tests": 0.0, "count": 0})
        if label != self._current_class:
            entry["setup"] += now - self._last_end
            self._current_class = label
        self._test_started = now
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        now = time.perf_counter()
        label = f"{type(test).__module__}.{type(test).__qualname__}"
        entry = self.class_times.setdefault(label, {"setup": 0.0, "tests": 0.0, "count": 0})
        entry["tests"] += now - getattr(self, "_test_started", now)
        self.test_times.append((now - getattr(self, "_test_started", now), test.id()))
        entry["count"] += 1
        self._last_end = now


class TimingTextTestResult(TimingResultMixin, unittest.TextTestResult):
    pass


def world_of(test_class):
    if issubclass(test_class, TestCase):
        return getattr(test_class, "shared_world", None)
    return None


class WorldSuite(unittest.TestSuite):
    """A flat suite that puts each class in its shared world (or in none) before its set-up."""

    def _handleClassSetUp(self, test, result):
        current = test.__class__
        if current != getattr(result, "_previousTestClass", None) and not getattr(
            result, "_moduleSetUpFailed", False
        ):
            try:
                keeper.enter(world_of(current))
            except Exception as error:
                # Reported like a failed setUpClass: the class's tests are skipped.
                current._classSetupFailed = True
                self._createClassOrModuleLevelException(
                    result, error, "setUpClass", unittest.util.strclass(current)
                )
                return
        super()._handleClassSetUp(test, result)

    def run(self, result, debug=False):
        keeper.managed = True
        try:
            return super().run(result, debug)
        finally:
            keeper.leave()
            keeper.managed = False


def group_worlds(tests):
    """``tests`` with the ``TestCase`` classes of each shared world next to each other, after the
    ``TestCase`` classes of none; everything else keeps its place (Django puts ``TestCase``
    classes first)."""
    tests = list(tests)
    positions = [i for i, test in enumerate(tests) if isinstance(test, TestCase)]
    grouped = sorted(
        (tests[i] for i in positions),
        key=lambda test: (world_of(type(test)) is not None, world_of(type(test)) or ""),
    )
    for i, test in zip(positions, grouped, strict=True):
        tests[i] = test
    return tests


def migrations_digest():
    """A digest of what the migrated database depends on: each installed app's migration files
    (name, size and time; its models files if it has no migrations), the apps in their order and
    the Python and library versions."""
    digest = hashlib.sha256()
    digest.update(repr((sys.version, django.__version__)).encode())
    for dist in sorted(importlib.metadata.distributions(), key=lambda d: d.metadata["Name"] or ""):
        digest.update(f"{dist.metadata['Name']}=={dist.version};".encode())
    for app in apps.get_app_configs():
        digest.update(app.name.encode())
        folder = Path(app.path) / "migrations"
        # An app without migrations gets its tables from its models (migrate's run_syncdb).
        files = folder.glob("*.py") if folder.is_dir() else Path(app.path).glob("models*")
        files = sorted(files)
        for path in files:
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


LATEST_START = datetime.time(21, 0)


def run_start(now=None):
    """When the run's clock starts: now, or 21:00 today where now is later (a run takes well
    under three hours, so it ends the day it started)."""
    now = timezone.localtime(now)
    latest = now.replace(
        hour=LATEST_START.hour, minute=LATEST_START.minute, second=0, microsecond=0
    )
    return min(now, latest)


def _flush_past_archive_guard():
    """Between ``TransactionTestCase`` tests Django empties every table; the archive's tables
    refuse that (``publishing.archive.guard``), so the guard is lifted for the emptying only."""
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with guard.suspended(self.connection):
            return original(self, sql_list)

    return mock.patch.object(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)


class TestRunner(DiscoverRunner):
    def run_tests(self, *args, **kwargs):
        with _flush_past_archive_guard():
            if os.environ.get("TEST_CLOCK") == "real":
                return super().run_tests(*args, **kwargs)
            with time_machine.travel(run_start(), tick=True):
                return super().run_tests(*args, **kwargs)

    def migrated_copy(self):
        """Where the migrated SQLite test database is kept, or None (another database, several
        databases, parallel runs, TEST_DB_CACHE=0)."""
        if os.environ.get("TEST_DB_CACHE", "1") == "0" or self.parallel > 1:
            return None
        if list(settings.DATABASES) != ["default"]:
            return None
        connection = connections["default"]
        if connection.vendor != "sqlite":
            return None
        if not connection.creation.is_in_memory_db(connection.creation._get_test_db_name()):
            return None
        if not connection.settings_dict.get("TEST", {}).get("MIGRATE", True):
            return None
        return Path(settings.BASE_DIR) / "var" / "test-db" / f"{migrations_digest()}.sqlite3"

    def setup_databases(self, **kwargs):
        copy = self.migrated_copy()
        if copy is None:
            return super().setup_databases(**kwargs)
        if copy.exists():
            connection = connections["default"]
            call_command = management.call_command

            def migrate_from_copy(name, *args, **options):
                if name != "migrate":
                    return call_command(name, *args, **options)
                try:
                    # Read-only: a copy removed meanwhile (another run's) is not made anew, empty.
                    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
                except sqlite3.Error:
                    return call_command(name, *args, **options)
                connection.ensure_connection()
                try:
                    source.backup(connection.connection)
                finally:
                    source.close()

            # create_test_db imports call_command from django.core.management when it runs.
            with mock.patch.object(management, "call_command", migrate_from_copy):
                return super().setup_databases(**kwargs)
        old_config = super().setup_databases(**kwargs)
        copy.parent.mkdir(parents=True, exist_ok=True)
        partial = copy.with_suffix(f".{os.getpid()}.partial")
        target = sqlite3.connect(partial)
        try:
            connections["default"].connection.backup(target)
        finally:
            target.close()
        os.replace(partial, copy)
        for stale in copy.parent.glob("*.sqlite3"):
            if stale != copy:
                stale.unlink(missing_ok=True)
        return old_config

    def build_suite(self, *args, **kwargs):
        suite = super().build_suite(*args, **kwargs)
        if self.parallel > 1:
            return suite
        return WorldSuite(group_worlds(iter_test_cases(suite)))

    def get_resultclass(self):
        if os.environ.get("TEST_TIMINGS"):
            return TimingTextTestResult
        return super().get_resultclass()

    def run_suite(self, suite, **kwargs):
        result = super().run_suite(suite, **kwargs)
        path = os.environ.get("TEST_TIMINGS")
        if path and hasattr(result, "class_times"):
            rows = sorted(
                result.class_times.items(),
                key=lambda item: item[1]["setup"] + item[1]["tests"],
                reverse=True,
            )
            with open(path, "w", encoding="utf-8") as out:
                out.write("total\tsetup\ttests\tcount\tclass\n")
                for label, t in rows:
                    out.write(
                        f"{t['setup'] + t['tests']:.2f}\t{t['setup']:.2f}\t{t['tests']:.2f}\t"
                        f"{t['count']}\t{label}\n"
                    )
                out.write("\nseconds\ttest\n")
                for seconds, test_id in sorted(result.test_times, reverse=True):
                    out.write(f"{seconds:.2f}\t{test_id}\n")
        return result
