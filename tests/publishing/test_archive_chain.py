"""The archive's chain holds when workers add captures at the same moment, and the archive's
object store locks every file it is given."""

import datetime

from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase
from django.utils import timezone

from config.storage import archive_storage
from publishing.archive import chain
from publishing.archive.storage import ArchiveS3Storage, lock_until
from publishing.models import ArchiveCapture
from tests.concurrency import at_the_same_time
from tests.publishing.test_integrity import needs_postgresql


def unsaved_capture(page_id):
    now = timezone.now()
    return ArchiveCapture(
        municipality="alvdal",
        event="published",
        happened_at=now,
        captured_at=now,
        page_id=page_id,
        url=f"http://alvdal.localhost/side-{page_id}/",
        title=f"Side {page_id}",
        warc_name=f"alvdal/side-{page_id}.warc.gz",
        warc_size=1,
        warc_sha256="0" * 64,
    )


@needs_postgresql
class WorkersAtOnceTests(TransactionTestCase):
    """Four workers add a capture to the same municipality's chain at the same moment, each in
    its own connection: each gets its own place, and each follows the one before."""

    def test_one_place_each_in_an_unbroken_chain(self):
        def add(page_id):
            def run():
                try:
                    return chain.append(unsaved_capture(page_id)).sequence
                finally:
                    connection.close()

            return run

        places = at_the_same_time(*(add(page_id) for page_id in range(1, 5)))
        self.assertEqual(sorted(places), [1, 2, 3, 4])
        chains, problems = chain.verify(files=False)
        self.assertEqual(problems, [])
        self.assertEqual(chains[0].captures, 4)


class ObjectLockTests(SimpleTestCase):
    """In an S3-compatible object store, every archived file is locked for the years set."""

    def test_each_object_is_locked_until_the_years_have_passed(self):
        storage = ArchiveS3Storage(
            object_lock_mode="COMPLIANCE", object_lock_years=10, bucket_name="arkiv"
        )
        parameters = storage.get_object_parameters("alvdal/2026/12/side.warc.gz")
        self.assertEqual(parameters["ObjectLockMode"], "COMPLIANCE")
        until = parameters["ObjectLockRetainUntilDate"]
        self.assertEqual(until.year, timezone.now().year + 10)
        self.assertFalse(storage.file_overwrite)

    def test_a_leap_day_locks_until_the_first_of_march(self):
        leap_day = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
        self.assertEqual(lock_until(10, now=leap_day).date(), datetime.date(2038, 3, 1))

    def test_the_settings_read_the_environment(self):
        on_disk = archive_storage({"ARCHIVE_ROOT": "/srv/arkiv"}, base_dir=None)
        self.assertEqual(on_disk["OPTIONS"]["location"], "/srv/arkiv")
        self.assertEqual(on_disk["OPTIONS"]["file_permissions_mode"], 0o444)
        in_bucket = archive_storage(
            {
                "ARCHIVE_S3_BUCKET": "arkiv",
                "MEDIA_S3_ENDPOINT_URL": "https://s3.example.no",
                "ARCHIVE_S3_OBJECT_LOCK_YEARS": "30",
            },
            base_dir=None,
        )
        self.assertEqual(in_bucket["BACKEND"], "publishing.archive.storage.ArchiveS3Storage")
        options = in_bucket["OPTIONS"]
        self.assertEqual(options["endpoint_url"], "https://s3.example.no")
        self.assertEqual(
            (options["object_lock_mode"], options["object_lock_years"]), ("COMPLIANCE", 30)
        )
        self.assertEqual(options["location"], "archive")
