"""Where uploaded media (images, documents) are kept in production.

On local disk under ``MEDIA_ROOT`` by default. With ``MEDIA_S3_BUCKET`` set, in an S3-compatible
object store instead (AWS S3, or a municipality's or IT service's own: MinIO, Ceph, a Nordic
cloud's object storage via ``MEDIA_S3_ENDPOINT_URL``), through django-storages.

The bucket stays private: objects get no public ACL and every URL the storage hands out is
signed and expires. Documents never get such a URL at all: Wagtail serves them through its own
view (``WAGTAILDOCS_SERVE_METHOD = "serve_view"``), which checks the staff-only collection's
login first and streams the file, so no link to a staff document can be passed on.

The legal archive's WARC files go to a storage of their own (``archive_storage``).
"""

#: Signed image URLs live a day: longer than any cached public page that carries them.
SIGNED_URL_SECONDS = 24 * 3600


def _s3_options(environ, prefix, fallback=None):
    """django-storages' S3 options from ``<prefix>_S3_*`` variables (``<fallback>_S3_*`` for
    the endpoint, region and credentials left out), or None without a bucket."""

    def get(name, default=""):
        return environ.get(name, default).strip()

    bucket = get(f"{prefix}_S3_BUCKET")
    if not bucket:
        return None
    options = {
        "bucket_name": bucket,
        "location": get(f"{prefix}_S3_PREFIX", prefix.lower()),
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        "file_overwrite": False,  # a new upload never replaces another's file of the same name
        "signature_version": "s3v4",
    }
    for option, name in (
        ("endpoint_url", "S3_ENDPOINT_URL"),
        ("region_name", "S3_REGION"),
        ("access_key", "S3_ACCESS_KEY_ID"),
        ("secret_key", "S3_SECRET_ACCESS_KEY"),
    ):
        # Left out, boto3 finds credentials and region in its usual places (an instance role).
        value = get(f"{prefix}_{name}") or (get(f"{fallback}_{name}") if fallback else "")
        if value:
            options[option] = value
    return options


def media_storage(environ):
    """The ``STORAGES["default"]`` entry that ``environ`` asks for, or None for local disk."""
    options = _s3_options(environ, "MEDIA")
    if options is None:
        return None
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def archive_storage(environ, base_dir):
    """The ``STORAGES["publishing_archive"]`` entry: the legal archive's WARC files.

    With ``ARCHIVE_S3_BUCKET``, in an S3-compatible object store whose bucket was created with
    object lock: every file is locked (``ARCHIVE_S3_OBJECT_LOCK_MODE``, COMPLIANCE unless set;
    ``ARCHIVE_S3_OBJECT_LOCK_YEARS``, 10 unless set). The endpoint, region and credentials are
    the ``ARCHIVE_S3_*`` ones, else the media's. Otherwise on local disk in ``ARCHIVE_ROOT``
    (``<BASE_DIR>/archive`` unless set), as read-only files.
    """
    options = _s3_options(environ, "ARCHIVE", fallback="MEDIA")
    if options is None:
        location = environ.get("ARCHIVE_ROOT", "").strip() or str(base_dir / "archive")
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "file_permissions_mode": 0o444},
        }
    mode = environ.get("ARCHIVE_S3_OBJECT_LOCK_MODE", "COMPLIANCE").strip().upper()
    options["object_lock_mode"] = None if mode in ("", "NONE") else mode
    options["object_lock_years"] = int(environ.get("ARCHIVE_S3_OBJECT_LOCK_YEARS", "10"))
    return {"BACKEND": "publishing.archive.storage.ArchiveS3Storage", "OPTIONS": options}
