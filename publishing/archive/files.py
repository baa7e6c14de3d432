"""Reading an archived WARC file back, only as it was archived.

A file is handed out (downloaded, drawn as a PDF) only when its bytes still have the SHA-256 the
capture's row recorded: a changed file is refused, never served as if it were the record.
"""

import hashlib
import tempfile

from django.utils.translation import gettext_lazy as _

from publishing.archive.storage import archive_storage

#: Files up to this size are verified in memory; larger ones go through a temporary file.
IN_MEMORY = 8 * 1024 * 1024
CHUNK = 1024 * 1024


class ArchiveFileProblem(Exception):
    """The archived file cannot be handed out as the record (``message`` says why)."""

    message = _("The archived file cannot be read.")


class ArchiveFileMissing(ArchiveFileProblem):
    message = _("The archived file is missing from the archive's storage.")


class ArchiveFileChanged(ArchiveFileProblem):
    message = _(
        "The archived file no longer has the SHA-256 digest recorded when it was archived: it "
        "may have been changed or damaged. It is not handed out."
    )


def verified_file(capture, storage=None):
    """A copy of ``capture``'s WARC file, positioned at its start, whose SHA-256 and size are
    the ones recorded; the caller closes it.

    The bytes are copied while they are hashed, so that what is handed out is exactly what was
    verified (the stored file is never read a second time). Raises ``ArchiveFileMissing`` or
    ``ArchiveFileChanged``.
    """
    storage = storage or archive_storage()
    copy = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (the caller closes it)
    digest = hashlib.sha256()
    try:
        try:
            handle = storage.open(capture.warc_name, "rb")
        except (FileNotFoundError, OSError) as error:
            raise ArchiveFileMissing() from error
        with handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
                copy.write(chunk)
        if digest.hexdigest() != capture.warc_sha256 or copy.tell() != capture.warc_size:
            raise ArchiveFileChanged()
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy
