"""Where the archive's WARC files are kept.

The storage is ``STORAGES["publishing_archive"]`` (Django's storages setting). Without it, the
files go to ``<BASE_DIR>/archive`` on local disk. Files are written once under a name that is
new (the municipality, the date and a random part) and never opened for writing again:

- on local disk, give the storage ``file_permissions_mode = 0o444`` (read-only files);
- in an S3-compatible object store, use :class:`ArchiveS3Storage`, which asks the bucket to lock
  each object (S3 Object Lock, in the mode and for the years its options give) so that nobody,
  with any credentials, can delete or overwrite it before the time runs out. The bucket must
  have been created with object lock enabled.
"""

import datetime
import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, InvalidStorageError, storages
from django.utils import timezone

ALIAS = "publishing_archive"


def archive_storage():
    """The storage the archive's files are written to and read from."""
    try:
        return storages[ALIAS]
    except InvalidStorageError:
        return _default_storage()


@functools.cache
def _default_storage():
    base = getattr(settings, "BASE_DIR", None)
    if not base:
        raise ImproperlyConfigured(
            f'Set STORAGES["{ALIAS}"] (or BASE_DIR) so the archive knows where to keep its files.'
        )
    return FileSystemStorage(location=f"{base}/archive", file_permissions_mode=0o444)


try:
    from storages.backends.s3 import S3Storage
except ImportError:  # django-storages is optional for a site that keeps its archive on disk
    S3Storage = None


if S3Storage is not None:

    class ArchiveS3Storage(S3Storage):
        """An S3 storage that locks every archived object (S3 Object Lock).

        Options besides S3Storage's: ``object_lock_mode`` ("COMPLIANCE": nobody can shorten the
        lock; "GOVERNANCE": a specially permitted role can) and ``object_lock_years``.
        """

        def __init__(self, object_lock_mode="COMPLIANCE", object_lock_years=10, **settings):
            if object_lock_mode not in ("COMPLIANCE", "GOVERNANCE", None):
                raise ImproperlyConfigured("object_lock_mode is COMPLIANCE, GOVERNANCE or None")
            self.object_lock_mode = object_lock_mode
            self.object_lock_years = object_lock_years
            settings.setdefault("file_overwrite", False)
            super().__init__(**settings)

        def get_object_parameters(self, name):
            parameters = super().get_object_parameters(name)
            if self.object_lock_mode:
                parameters["ObjectLockMode"] = self.object_lock_mode
                parameters["ObjectLockRetainUntilDate"] = lock_until(self.object_lock_years)
            return parameters


def lock_until(years, now=None):
    """The moment an object locked now for ``years`` years may be deleted."""
    now = now or timezone.now()
    try:
        return now.replace(year=now.year + years)
    except ValueError:  # 29 February
        return now.replace(year=now.year + years, day=28) + datetime.timedelta(days=1)
