"""Verifying the archive (``manage.py verify_archive``, ``publishing.archive.chain.verify``) and
the database's refusal to change it (``publishing.archive.guard``).

The tampering a verification must catch is done as an intruder or a careless DBA would: the
WARC file rewritten in the storage, and rows changed or deleted with raw SQL after lifting the
database's guard (``guard.suspended``, which needs the rights of the tables' owner).

The refusals run on SQLite and, when ``DATABASE_URL`` points to one, on PostgreSQL (CI runs the
suite on both); ``TRUNCATE`` is PostgreSQL's alone.
"""

import io
import unittest

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, models, transaction
from django.test import TestCase, override_settings

from publishing.archive import chain, guard
from publishing.archive.storage import archive_storage
from publishing.models.archive import ArchiveCapture, ArchiveIsAppendOnly
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.publishing.archive_files import read_file, replace_file, tamper
from tests.worlds import GovernedWorld

TABLE = guard.TABLE


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@override_settings(PUBLISHING_ARCHIVE_CAPTURE=True)
class ArchiveTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    """Alvdal's archive with three captures: page A published (1), page B published (2), page
    A published again (3)."""

    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        cls.a = news_page(g, "Vannet er trygt igjen", "vannet", affects_staff=False, notice=False)
        cls.b = news_page(g, "Ny brannstasjon", "brannstasjon", affects_staff=False, notice=False)
        cls.publish(cls.a)
        cls.publish(cls.b)
        draft = reload(cls.a).get_latest_revision_as_object()
        draft.intro = "Kokevarselet er opphevet."
        draft.save_revision(user=g.editor)
        cls.publish(cls.a)

    @classmethod
    def publish(cls, page):
        with cls.captureOnCommitCallbacks(execute=True):
            reload(page).get_latest_revision().publish(user=cls.g.editor)

    def capture(self, sequence):
        return ArchiveCapture.objects.get(municipality="alvdal", sequence=sequence)

    def head(self):
        return self.capture(3).digest

    def verify(self, *args):
        """The command's output, and its error (None when the archive holds)."""
        out = io.StringIO()
        try:
            call_command("verify_archive", *args, stdout=out)
        except CommandError as error:
            return out.getvalue(), str(error)
        return out.getvalue(), None

    def tamper(self, name, content):
        tamper(self, name, content)


class VerifyTests(ArchiveTestCase):
    def test_the_world_holds_three_captures(self):
        self.assertEqual(
            list(ArchiveCapture.objects.values_list("sequence", "title").order_by("sequence")),
            [(1, "Vannet er trygt igjen"), (2, "Ny brannstasjon"), (3, "Vannet er trygt igjen")],
        )

    def test_an_intact_archive_holds_and_its_head_is_printed(self):
        output, error = self.verify()
        self.assertIsNone(error)
        self.assertIn(f"alvdal: 3 captures, head {self.head()}", output)
        self.assertIn("The archive holds", output)
        chains, problems = chain.verify()
        self.assertEqual(problems, [])
        self.assertEqual(
            [(c.municipality, c.captures, c.head) for c in chains], [("alvdal", 3, self.head())]
        )

    def test_the_noted_head_passes_and_another_fails(self):
        output, error = self.verify("--municipality", "alvdal", "--expect-head", self.head())
        self.assertIsNone(error)
        self.assertIn("The chain still ends with the head noted earlier.", output)
        output, error = self.verify("--municipality", "alvdal", "--expect-head", "ab" * 32)
        self.assertIn("1 problem found", error)
        self.assertIn(f"The head noted earlier ({'ab' * 32}) is not in the chain", output)

    def test_a_head_noted_before_captures_were_added_passes_and_says_so(self):
        noted = self.capture(2).digest.upper()  # as copied from a printout
        output, error = self.verify("--municipality", "alvdal", "--expect-head", noted)
        self.assertIsNone(error)
        self.assertIn(
            "The head noted earlier is capture 2; 1 capture was added since. Note the new head.",
            output,
        )

    def test_captures_deleted_from_the_end_show_only_against_the_noted_head(self):
        noted = self.head()
        with guard.suspended(connection):
            raw(f"DELETE FROM {TABLE} WHERE municipality = %s AND sequence = %s", ["alvdal", 3])  # noqa: S608
        output, error = self.verify()
        self.assertIsNone(error)  # the chain that is left holds
        self.assertIn(f"alvdal: 2 captures, head {self.capture(2).digest}", output)
        output, error = self.verify("--municipality", "alvdal", "--expect-head", noted)
        self.assertIsNotNone(error)
        self.assertIn(
            f"The head noted earlier ({noted}) is not in the chain, which ends with "
            f"{self.capture(2).digest}",
            output,
        )

    def test_a_changed_byte_in_a_warc_file(self):
        capture = self.capture(2)
        content = bytearray(read_file(capture.warc_name))
        content[len(content) // 2] ^= 0x20
        self.tamper(capture.warc_name, bytes(content))
        output, error = self.verify()
        self.assertIn("problem", error)
        self.assertIn(f"alvdal, capture 2: Its WARC file {capture.warc_name} was changed.", output)
        # Reading only the rows does not look at the files.
        output, error = self.verify("--rows-only")
        self.assertIsNone(error)

    def test_a_missing_warc_file(self):
        capture = self.capture(1)
        original = read_file(capture.warc_name)
        archive_storage().delete(capture.warc_name)
        self.addCleanup(replace_file, capture.warc_name, original)
        output, error = self.verify()
        self.assertIsNotNone(error)
        self.assertIn(f"capture 1: Its WARC file {capture.warc_name} is missing.", output)

    def test_a_changed_row(self):
        with guard.suspended(connection):
            raw(
                f"UPDATE {TABLE} SET published_by = %s WHERE municipality = %s AND sequence = %s",  # noqa: S608
                ["Someone Else", "alvdal", 2],
            )
        self.assertEqual(self.capture(2).published_by, "Someone Else")
        output, error = self.verify()
        self.assertIn("1 problem found", error)
        self.assertIn(
            "alvdal, capture 2: Its record in the database was changed after it was archived.",
            output,
        )

    def test_a_changed_row_with_its_digest_made_again_breaks_the_chain(self):
        capture = self.capture(2)
        capture.title = "Ny brannstasjon (rettet)"
        forged = chain.digest_of(capture)
        with guard.suspended(connection):
            raw(
                f"UPDATE {TABLE} SET title = %s, digest = %s WHERE id = %s",  # noqa: S608
                [capture.title, forged, capture.pk],
            )
        output, error = self.verify()
        self.assertIsNotNone(error)
        self.assertIn("alvdal, capture 3: It does not follow the capture before it", output)

    def test_a_deleted_middle_capture(self):
        with guard.suspended(connection):
            raw(f"DELETE FROM {TABLE} WHERE municipality = %s AND sequence = %s", ["alvdal", 2])  # noqa: S608
        output, error = self.verify()
        self.assertIsNotNone(error)
        self.assertIn("alvdal, capture 2: Captures 2 to 2 are missing.", output)
        self.assertIn("alvdal: 2 captures", output)

    def test_expect_head_needs_one_municipality(self):
        with self.assertRaisesMessage(CommandError, "--expect-head needs exactly one"):
            call_command("verify_archive", "--expect-head", self.head(), stdout=io.StringIO())

    def test_an_unknown_municipality_is_refused_with_the_known_ones(self):
        with self.assertRaisesMessage(
            CommandError, "No municipality with the slug nowhere. The municipalities are: alvdal."
        ):
            call_command("verify_archive", "--municipality", "nowhere", stdout=io.StringIO())

    def test_one_municipality(self):
        output, error = self.verify("--municipality", "alvdal", "--rows-only")
        self.assertIsNone(error)
        self.assertIn(f"alvdal: 3 captures, head {self.head()}", output)


class GuardTests(ArchiveTestCase):
    """The database itself refuses to change or delete a capture, also when the model's and
    the queryset's refusals are gone round."""

    def assertDatabaseRefuses(self):
        return _Refusal(self)

    def assertUnchanged(self):
        captures = list(ArchiveCapture.objects.order_by("sequence"))
        self.assertEqual([c.sequence for c in captures], [1, 2, 3])
        for capture in captures:
            self.assertEqual(chain.digest_of(capture), capture.digest)
        _chains, problems = chain.verify(files=False)
        self.assertEqual(problems, [])

    def test_the_model_refuses_to_save_or_delete_a_capture(self):
        capture = self.capture(2)
        capture.title = "Endret"
        with self.assertRaises(ArchiveIsAppendOnly):
            capture.save()
        with self.assertRaises(ArchiveIsAppendOnly):
            capture.save(update_fields=["title"])
        with self.assertRaises(ArchiveIsAppendOnly):
            capture.delete()
        self.assertUnchanged()

    def test_the_queryset_refuses_bulk_changes(self):
        captures = ArchiveCapture.objects.filter(municipality="alvdal")
        with self.assertRaises(ArchiveIsAppendOnly):
            captures.update(title="Endret")
        with self.assertRaises(ArchiveIsAppendOnly):
            captures.delete()
        with self.assertRaises(ArchiveIsAppendOnly):
            ArchiveCapture.objects.bulk_update(list(captures), ["title"])
        self.assertUnchanged()

    def test_the_database_refuses_the_orm_past_the_model(self):
        capture = self.capture(2)
        capture.title = "Endret"
        with self.assertDatabaseRefuses():
            models.Model.save(capture)
        with self.assertDatabaseRefuses():
            models.Model.delete(self.capture(2))
        with self.assertDatabaseRefuses():
            models.QuerySet.update(ArchiveCapture.objects.filter(sequence=2), title="Endret")
        with self.assertDatabaseRefuses():
            models.QuerySet.delete(ArchiveCapture.objects.filter(sequence=2))
        self.assertUnchanged()

    def test_the_database_refuses_raw_sql(self):
        with self.assertDatabaseRefuses():
            raw(f"UPDATE {TABLE} SET title = %s WHERE sequence = %s", ["Endret", 2])  # noqa: S608
        with self.assertDatabaseRefuses():
            raw(f"UPDATE {TABLE} SET digest = digest")  # noqa: S608
        with self.assertDatabaseRefuses():
            raw(f"DELETE FROM {TABLE} WHERE sequence = %s", [3])  # noqa: S608
        with self.assertDatabaseRefuses():
            raw(f"DELETE FROM {TABLE}")  # noqa: S608
        self.assertUnchanged()

    def test_a_new_capture_is_still_added(self):
        before = ArchiveCapture.objects.count()
        self.publish(self.b)
        self.assertEqual(ArchiveCapture.objects.count(), before + 1)
        self.assertEqual(self.capture(4).previous_digest, self.head())

    @unittest.skipUnless(connection.vendor == "postgresql", "TRUNCATE triggers are PostgreSQL's")
    def test_the_database_refuses_truncate(self):
        with self.assertDatabaseRefuses():
            raw(f"TRUNCATE {TABLE}")
        self.assertUnchanged()


class _Refusal:
    """The block must fail in the database with the guard's message; it runs in a savepoint, so
    that the test's transaction goes on (PostgreSQL aborts a transaction on an error)."""

    def __init__(self, test):
        self.test = test
        self.atomic = transaction.atomic()

    def __enter__(self):
        self.atomic.__enter__()

    def __exit__(self, kind, error, traceback):
        self.atomic.__exit__(kind, error, traceback)
        if kind is None:
            self.test.fail("The database did not refuse.")
        if not issubclass(kind, DatabaseError):
            return False  # not the database's refusal: let it through
        self.test.assertIn(guard.MESSAGE, str(error))
        return True
