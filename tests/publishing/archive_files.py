"""The archive's files in the tests' storage (in memory: written once, so replaced by deleting
first), as the archive tests read and tamper with them."""

from django.core.files.base import ContentFile

from publishing.archive import warc
from publishing.archive.storage import archive_storage


def read_file(name):
    """The bytes of the archived file ``name``."""
    with archive_storage().open(name, "rb") as handle:
        return handle.read()


def replace_file(name, content):
    """Put ``content`` in the archive's storage under ``name``, in place of what is there."""
    storage = archive_storage()
    storage.delete(name)
    saved = storage.save(name, ContentFile(content))
    assert saved == name, saved


def tamper(testcase, name, content):
    """Replace the archived file ``name`` with ``content`` for ``testcase`` (its first content
    comes back when the test ends)."""
    original = read_file(name)
    replace_file(name, content)
    testcase.addCleanup(replace_file, name, original)


def records_of(capture):
    """The records of ``capture``'s WARC file (``warc.records``)."""
    with archive_storage().open(capture.warc_name, "rb") as handle:
        return list(warc.records(handle))
