"""Shared worlds: data that many test classes start from, built once per run.

Loading the demo municipalities (``load_demo``) takes seconds and ``build_governed()`` half a
second; dozens of classes did it each in their own ``setUpTestData``. A class that names a world
instead (``shared_world = "demo"``, or one of the mixins below) runs inside it: the suite's runner
(``tests/runner.py``) puts the classes of one world next to each other, builds the world once in a
transaction before the first of them and rolls it back after the last. Each ``TestCase`` class
still runs in its own savepoint inside it, and each test in one inside that, so a class or test that
changes the world leaves the next one the world as it was built.

Only ``TestCase`` classes can share a world: a ``TransactionTestCase`` (and a live server's) commits
and empties the tables, so it builds what it needs itself. The world is rolled back before the
first class that names no world, so those see an empty database as before.

Run by another runner (``unittest``, an IDE's), a class that names a world builds it itself in its
class set-up, once per class, as the classes did before.
"""

import contextlib
import copy
import io

from django.core.cache import caches
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction

BUILDERS = {}


def world(name):
    """Register the function that builds world ``name`` and returns its objects (or ``None``)."""

    def register(build):
        BUILDERS[name] = build
        return build

    return register


@world("demo")
def demo_world():
    """Both demo municipalities, their people and their content, as ``make demo`` loads them."""
    call_command("load_demo", quiet_logins=True, stdout=io.StringIO())


@world("governed")
def governed_world():
    """Alvdal's profile with a small line organisation, a notice and a page
    (``tests.governance.build_governed()``)."""
    from tests.governance import build_governed

    return build_governed()


class Objects:
    """A world's objects as attributes: a builder sets them on a namespace as a class's
    ``setUpTestData`` sets them on the class; ``SharedWorld.take_world()`` puts them there."""


def clear_caches():
    """Empty the caches: what a class before cached may name rows its savepoint rolled back."""
    for cache in caches.all(initialized_only=True):
        cache.clear()


class Keeper:
    """The world that is built in the open outer transaction, if any."""

    def __init__(self, using=DEFAULT_DB_ALIAS):
        self.using = using
        self.name = None
        self.objects = None
        self.atomic = None
        self.managed = False  # True while the runner keeps worlds across classes
        self.pending = None  # Another runner: the class whose set-up builds its own world

    def enter(self, name):
        """Make ``name`` (or no world, for ``None``) the world the next class runs in."""
        if name == self.name:
            clear_caches()
            return
        self.leave()
        if name is None:
            return
        if name not in BUILDERS:
            raise LookupError(f"No shared world {name!r}; the worlds are {sorted(BUILDERS)}")
        atomic = transaction.atomic(using=self.using)
        # Like a TestCase's own transaction: durable blocks inside it are allowed.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            objects = BUILDERS[name]()
        except BaseException as error:
            atomic.__exit__(type(error), error, error.__traceback__)
            clear_caches()
            raise
        self.atomic, self.name, self.objects = atomic, name, objects
        clear_caches()

    def leave(self):
        """Roll back the world, if one is built."""
        if self.atomic is None:
            return
        atomic, self.atomic, self.name, self.objects = self.atomic, None, None, None
        connection = connections[self.using]
        if connection.in_atomic_block:
            transaction.set_rollback(True, using=self.using)
        atomic.__exit__(None, None, None)
        # What TestCase.tearDownClass would have done after the world's last class.
        connection.close()
        clear_caches()

    @contextlib.contextmanager
    def connection_kept_open(self):
        """``TestCase.tearDownClass`` closes the connections after each class, which would end the
        world's transaction on PostgreSQL (an in-memory SQLite database ignores it): while a world
        is built, the connection stays open until the world is left."""
        if self.atomic is None:
            yield
            return
        connection = connections[self.using]
        connection.close = lambda: None
        try:
            yield
        finally:
            del connection.close

    def objects_of(self, name):
        """A copy of world ``name``'s objects, for one class (its ``setUpTestData`` may change
        them)."""
        if self.name != name:
            raise RuntimeError(
                f"The shared world {name!r} is not built (the current one is {self.name!r}): "
                f"name it in the class (shared_world = {name!r}) and run the tests with "
                "tests.runner.TestRunner, the suite's runner."
            )
        return copy.deepcopy(self.objects)


keeper = Keeper()


class SharedWorld:
    """Mixin for a ``TestCase``: the class runs in world ``shared_world``.

    Under the suite's runner the world is already built when ``setUpClass`` runs; under another
    runner this builds it inside the class's own transaction.
    """

    shared_world = None

    @classmethod
    def setUpClass(cls):
        if not keeper.managed and cls.shared_world is not None:
            # Another runner: build the world in the class's own transaction, for this class,
            # once TestCase has opened it (the next _enter_atomics).
            keeper.pending = cls
        try:
            super().setUpClass()
        finally:
            keeper.pending = None

    @classmethod
    def _enter_atomics(cls):
        atomics = super()._enter_atomics()
        if keeper.pending is cls:
            keeper.pending = None
            keeper.name, keeper.objects = cls.shared_world, BUILDERS[cls.shared_world]()
        return atomics

    @classmethod
    def tearDownClass(cls):
        try:
            with keeper.connection_kept_open():
                super().tearDownClass()
        finally:
            if not keeper.managed:
                keeper.name = keeper.objects = None

    @classmethod
    def world_objects(cls):
        """A copy of the world's objects (``None`` for a world of rows only, like "demo")."""
        return keeper.objects_of(cls.shared_world)

    @classmethod
    def take_world(cls):
        """In ``setUpTestData``: a copy of each of the world's objects (an ``Objects``) as an
        attribute of the class, under the name the builder gave it."""
        for name, value in vars(cls.world_objects()).items():
            setattr(cls, name, value)


class DemoWorld(SharedWorld):
    """Mixin for a ``TestCase``: both demo municipalities loaded (``load_demo``)."""

    shared_world = "demo"


class GovernedWorld(SharedWorld):
    """Mixin for a ``TestCase``: Alvdal governed, as ``build_governed()`` makes it; the class's
    ``setUpTestData`` takes its copy with ``cls.g = cls.world_objects()``."""

    shared_world = "governed"
