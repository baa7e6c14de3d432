"""Media in an S3-compatible object store (``MEDIA_S3_BUCKET``, ``config/storage.py``).

The storage talks real HTTP to an S3 server on a loopback port: moto's server, the stand-in for
the municipality's object store (there is no S3 on this machine). Uploads land in the bucket
under the media prefix, images render from it, and a staff-only document is streamed only to
staff through Wagtail's view, never handed out as a bucket URL.
"""

import io
import logging
import socket

import boto3
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import TestCase, override_settings
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from config.storage import media_storage
from tests.factories import UserFactory, load_municipality

BUCKET = "kommune-media"
CREDENTIALS = {"MEDIA_S3_ACCESS_KEY_ID": "test", "MEDIA_S3_SECRET_ACCESS_KEY": "test"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 480), (30, 90, 160)).save(buffer, "PNG")
    return ImageFile(io.BytesIO(buffer.getvalue()), name="brann.png")


class MediaStorageSettingsTests(TestCase):
    def test_local_disk_unless_a_bucket_is_named(self):
        self.assertIsNone(media_storage({}))
        self.assertIsNone(media_storage({"MEDIA_S3_BUCKET": "  "}))

    def test_the_bucket_stays_private_and_urls_are_signed(self):
        options = media_storage({"MEDIA_S3_BUCKET": BUCKET})["OPTIONS"]
        self.assertIsNone(options["default_acl"])
        self.assertTrue(options["querystring_auth"])
        self.assertFalse(options["file_overwrite"])
        self.assertNotIn("access_key", options, "credentials left to boto3 when not given")


class ObjectStorageTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
        # The stand-in server's request log is not the test's output.
        werkzeug_log = logging.getLogger("werkzeug")
        cls.addClassCleanup(werkzeug_log.setLevel, werkzeug_log.level)
        werkzeug_log.setLevel(logging.ERROR)
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        host, port = cls.server.get_host_and_port()
        cls.endpoint = f"http://{host}:{port}"
        cls.s3 = boto3.client(
            "s3",
            endpoint_url=cls.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="eu-north-1",
        )
        cls.s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )

    @classmethod
    def setUpTestData(cls):
        cls.municipality = load_municipality("alvdal")
        own = Collection.objects.get(name=cls.municipality.name)
        cls.staff_collection = own.get_children().get(name=cls.municipality.intranet_page.title)
        cls.employee = UserFactory(username="ansatt")
        cls.employee.groups.add(cls.municipality.staff_group)

    def setUp(self):
        storage = media_storage(
            {
                "MEDIA_S3_BUCKET": BUCKET,
                "MEDIA_S3_ENDPOINT_URL": self.endpoint,
                "MEDIA_S3_REGION": "eu-north-1",
                **CREDENTIALS,
            }
        )
        self.enterContext(
            override_settings(
                STORAGES={
                    "default": storage,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                },
                WAGTAILDOCS_SERVE_METHOD="serve_view",
            )
        )

    def keys(self):
        listing = self.s3.list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listing.get("Contents", [])]

    def test_a_staff_document_is_kept_in_the_bucket_and_streamed_only_to_staff(self):
        document = get_document_model().objects.create(
            title="Turnusplan 2027",
            collection=self.staff_collection,
            file=ContentFile(b"Turnus for hjemmetjenesten", "turnus.txt"),
        )
        self.assertIn(f"media/{document.file.name}", self.keys())

        anonymous = self.client.get(document.url)
        self.assertEqual(anonymous.status_code, 302)
        self.assertIn("login", anonymous["Location"])
        self.assertNotIn(self.endpoint, anonymous["Location"], "no bucket URL for outsiders")

        self.client.force_login(self.employee)
        staff = self.client.get(document.url)
        self.assertEqual(staff.status_code, 200, "streamed through Django, not redirected")
        self.assertEqual(b"".join(staff.streaming_content), b"Turnus for hjemmetjenesten")

    def test_images_and_their_renditions_live_in_the_bucket_behind_signed_urls(self):
        image = get_image_model().objects.create(title="Brannøvelse", file=png())
        rendition = image.get_rendition("fill-320x240")
        keys = self.keys()
        self.assertIn(f"media/{image.file.name}", keys)
        self.assertIn(f"media/{rendition.file.name}", keys)
        self.assertEqual((rendition.width, rendition.height), (320, 240))
        self.assertTrue(rendition.url.startswith(f"{self.endpoint}/{BUCKET}/media/"))
        self.assertIn("X-Amz-Signature=", rendition.url)

    def test_an_upload_never_replaces_another_file_of_the_same_name(self):
        first = get_document_model().objects.create(
            title="Budsjett", file=ContentFile(b"2026", "budsjett.txt")
        )
        second = get_document_model().objects.create(
            title="Budsjett", file=ContentFile(b"2027", "budsjett.txt")
        )
        self.assertNotEqual(first.file.name, second.file.name)
        first.file.open()
        self.assertEqual(first.file.read(), b"2026")
