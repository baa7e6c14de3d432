"""Where uploaded media (images, documents) are kept in production.

On local disk under ``MEDIA_ROOT`` by default. With ``MEDIA_S3_BUCKET`` set, in an S3-compatible
object store instead (AWS S3, or a municipality's or IT service's own: MinIO, Ceph, a Nordic
cloud's object storage via ``MEDIA_S3_ENDPOINT_URL``), through django-storages.

The bucket stays private: objects get no public ACL and every URL the storage hands out is
signed and expires. Documents never get such a URL at all: Wagtail serves them through its own
view (``WAGTAILDOCS_SERVE_METHOD = "serve_view"``), which checks the staff-only collection's
login first and streams the file, so no link to a staff document can be passed on.
"""

#: Signed image URLs live a day: longer than any cached public page that carries them.
SIGNED_URL_SECONDS = 24 * 3600


def media_storage(environ):
    """The ``STORAGES["default"]`` entry that ``environ`` asks for, or None for local disk."""

    def get(name, default=""):
        return environ.get(name, default).strip()

    bucket = get("MEDIA_S3_BUCKET")
    if not bucket:
        return None
    options = {
        "bucket_name": bucket,
        "location": get("MEDIA_S3_PREFIX", "media"),
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        "file_overwrite": False,  # a new upload never replaces another's file of the same name
        "signature_version": "s3v4",
    }
    for option, name in (
        ("endpoint_url", "MEDIA_S3_ENDPOINT_URL"),
        ("region_name", "MEDIA_S3_REGION"),
        ("access_key", "MEDIA_S3_ACCESS_KEY_ID"),
        ("secret_key", "MEDIA_S3_SECRET_ACCESS_KEY"),
    ):
        # Left out, boto3 finds credentials and region in its usual places (an instance role).
        if get(name):
            options[option] = get(name)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
