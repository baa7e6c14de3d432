"""Images carry no location to citizens.

An uploaded file's EXIF GPS is read when the image is saved (``has_location``) and the uploader
is warned on the image's page; the renditions Wagtail serves citizens carry no GPS, no camera
owner, artist or copyright holder, and no comment, in every format Wagtail 8 writes. (Willow
1.12 writes a JPEG or PNG source's EXIF into the rendition by itself: see the last test.)
"""

import io

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection
from willow.plugins.pillow import PillowImage as WillowPillowImage

from publishing.images import renditions
from publishing.models import ImagePeople, Municipality
from publishing.models.image_consent import GPS_IFD, file_has_location
from tests.governance import EnglishAdminMixin
from tests.worlds import DemoWorld

ARTIST, COPYRIGHT, MAKE, EXIF_IFD, CAMERA_OWNER, BODY_SERIAL = (
    0x013B,
    0x8298,
    0x010F,
    0x8769,
    0xA430,
    0xA431,
)
PRIVATE = (b"Kari Nordmann", b"Hjemme hos Kari", b"SN-4471")


def photo(fmt="JPEG", gps=True, size=(800, 600)):
    """A photo as a phone saves it: GPS position, artist, copyright, camera owner, a comment."""
    picture = PillowImage.new("RGB", size, (180, 120, 60))
    exif = PillowImage.Exif()
    exif[ARTIST] = "Kari Nordmann"
    exif[COPYRIGHT] = "Kari Nordmann 2026"
    exif[MAKE] = "Fjellkamera"
    exif.get_ifd(EXIF_IFD)[CAMERA_OWNER] = "Kari Nordmann"
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL] = "SN-4471"
    if gps:
        position = exif.get_ifd(GPS_IFD)
        position[1], position[2] = "N", (62.0, 6.0, 30.0)
        position[3], position[4] = "E", (10.0, 38.0, 0.0)
    buffer = io.BytesIO()
    options = {"exif": exif}
    if fmt == "JPEG":
        options["comment"] = b"Hjemme hos Kari"
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def image_file(data, name):
    return ImageFile(io.BytesIO(data), name=name)


def metadata_of(data):
    """What a file tells about where and by whom: GPS, the EXIF tags, the comment, and the raw
    bytes' mentions of the photographer."""
    with PillowImage.open(io.BytesIO(data)) as picture:
        exif = picture.getexif()
        return {
            "format": picture.format,
            "gps": dict(exif.get_ifd(GPS_IFD)),
            "tags": {tag: exif[tag] for tag in (ARTIST, COPYRIGHT, MAKE) if tag in exif},
            "exif_ifd": dict(exif.get_ifd(EXIF_IFD)),
            "comment": picture.info.get("comment"),
            "xmp": picture.info.get("xmp"),
            "mentions": [word for word in PRIVATE if word in data],
        }


def rendition_bytes(image, spec):
    rendition = image.get_rendition(spec)
    with rendition.file.open("rb") as file:
        return file.read()


class LocationOnUploadTests(DemoWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.collection = Collection.objects.get(name=cls.alvdal.name)
        cls.silje = get_user_model().objects.get(username="alvdal.silje")

    def test_reading_a_file(self):
        self.assertTrue(file_has_location(io.BytesIO(photo())))
        self.assertFalse(file_has_location(io.BytesIO(photo(gps=False))))
        self.assertFalse(file_has_location(io.BytesIO(b"<svg xmlns='x'/>")))

    def test_an_upload_is_read_once_per_file(self):
        image = get_image_model().objects.create(
            title="Sommerfest", collection=self.collection, file=image_file(photo(), "fest.jpg")
        )
        record = ImagePeople.objects.get(image=image)
        self.assertTrue(record.has_location)
        self.assertIsNotNone(record.checked_at)
        checked_at = record.checked_at
        image.title = "Sommerfest 2026"
        image.save()
        self.assertEqual(ImagePeople.objects.get(image=image).checked_at, checked_at, "same file")
        image.file = image_file(photo(gps=False), "fest-uten-posisjon.jpg")
        image.save()
        self.assertFalse(ImagePeople.objects.get(image=image).has_location, "the new file")
        plain = get_image_model().objects.create(title="Logo", file=get_test_image_file())
        self.assertFalse(ImagePeople.objects.get(image=plain).has_location)

    def test_the_uploader_is_warned_on_the_images_page_and_in_the_listing(self):
        self.login(self.silje)
        response = self.client.post(
            reverse("wagtailimages:add"),
            {
                "title": "Sommerfest",
                "collection": self.collection.pk,
                "file": image_file(photo(), "fest.jpg"),
            },
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        image = get_image_model().objects.get(title="Sommerfest")
        self.assertTrue(ImagePeople.objects.get(image=image).has_location)
        response = self.client.get(reverse("wagtailimages:edit", args=[image.pk]))
        self.assertContains(response, "holds GPS coordinates of where the photo was taken")
        listing = reverse("publishing_image_people:index")
        self.assertContains(self.client.get(listing, {"has_location": "true"}), "Sommerfest")
        self.assertNotContains(self.client.get(listing, {"has_location": "false"}), "Sommerfest")


class RenditionMetadataTests(TestCase):
    """What citizens get: the picture without the metadata, in each format."""

    SPECS = {
        "width-400": None,  # the source's own format
        "width-400|format-jpeg": "JPEG",
        "width-400|format-png": "PNG",
        "width-400|format-webp": "WEBP",
        "width-400|format-avif": "AVIF",
        "fill-200x200|format-jpeg": "JPEG",
        "original": None,
    }

    def assertClean(self, data, expected_format, what):
        found = metadata_of(data)
        if expected_format:
            self.assertEqual(found["format"], expected_format, what)
        self.assertEqual(found["gps"], {}, f"{what}: no GPS")
        self.assertEqual(found["tags"], {}, f"{what}: no artist, copyright or camera")
        self.assertEqual(found["exif_ifd"], {}, f"{what}: no camera owner or serial number")
        self.assertIsNone(found["comment"], f"{what}: no comment")
        self.assertIsNone(found["xmp"], f"{what}: no XMP")
        self.assertEqual(found["mentions"], [], f"{what}: nothing of the photographer's")

    def test_renditions_of_a_phone_photo_carry_no_metadata(self):
        for source, name in (("JPEG", "fest.jpg"), ("PNG", "fest.png"), ("WEBP", "fest.webp")):
            data = photo(source)
            self.assertTrue(metadata_of(data)["gps"] or source != "JPEG", "the source has GPS")
            image = get_image_model().objects.create(
                title=f"Fest {source}", file=image_file(data, name)
            )
            for spec, expected in self.SPECS.items():
                with self.subTest(source=source, spec=spec):
                    self.assertClean(
                        rendition_bytes(image, spec), expected or source, f"{source} {spec}"
                    )
        # Installed when Wagtail loaded its hooks, which it does before its first rendition.
        self.assertTrue(renditions.installed())

    def test_the_picture_itself_is_kept(self):
        image = get_image_model().objects.create(
            title="Fest", file=image_file(photo(size=(800, 600)), "fest.jpg")
        )
        with PillowImage.open(io.BytesIO(rendition_bytes(image, "width-400"))) as picture:
            self.assertEqual(picture.size, (400, 300))
            self.assertEqual(picture.getpixel((10, 10))[0] // 10, 18, "the same colours")

    def test_willow_alone_would_keep_them(self):
        # What Wagtail 8.0 and Willow 1.12 do without ``renditions.install``: the source's
        # EXIF goes into a JPEG rendition. If this fails, Willow stopped doing it by itself.
        original = WillowPillowImage.save_as_jpeg.__wrapped__
        with PillowImage.open(io.BytesIO(photo())) as picture:
            picture.load()
            output = io.BytesIO()
            original(WillowPillowImage(picture), output)
        found = metadata_of(output.getvalue())
        self.assertTrue(found["gps"])
        self.assertIn(ARTIST, found["tags"])
