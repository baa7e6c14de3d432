"""The suite's test runner: shared worlds, and how long each class took.

The ``TestCase`` classes that name a shared world (``tests/worlds.py``) run next to the others of
their world, after the classes that name none; the world is built once before the first of them
and rolled back after the last (and before any ``TransactionTestCase``).

``TEST_TIMINGS=path`` writes how long each test class took (its class set-up, counted from the end
of the previous class's last test, and its tests) and then each test, slowest first, as
tab-separated lines.
"""

import os
import time
import unittest

from django.test import TestCase
from django.test.runner import DiscoverRunner
from django.test.utils import iter_test_cases

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


class TestRunner(DiscoverRunner):
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
