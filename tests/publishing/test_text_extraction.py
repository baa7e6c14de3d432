"""Text extraction: what a reader sees, and where on the page it is."""

from django.core.files.base import ContentFile
from django.test import TestCase
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

from home.models import NewsPage, ServicePage
from publishing.rules.text_extraction import extract
from tests.worlds import GovernedWorld


class ExtractionTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.image = Image.objects.create(title="bilde", file=get_test_image_file())
        cls.document = Document.objects.create(
            title="Søknadsskjema for hjemmetjenester", file=ContentFile(b"x", name="skjema.pdf")
        )

    def test_everything_a_reader_sees_with_where_it_is(self):
        page = NewsPage(
            title="Nye ruter",
            intro="Kort om endringen.",
            body=[
                ("heading", "Hva endres"),
                (
                    "paragraph",
                    RichText('<p>Les om <a href="https://example.org">klikk her</a>.</p>'),
                ),
                (
                    "image",
                    {
                        "image": self.image,
                        "alt_text": "Bil fra hjemmetjenesten",
                        "decorative": False,
                    },
                ),
                ("document", {"document": self.document, "title": ""}),
            ],
        )
        text = extract(page)
        for expected in (
            "Nye ruter",
            "Kort om endringen.",
            "Hva endres",
            "klikk her",
            "Bil fra hjemmetjenesten",
            "Søknadsskjema for hjemmetjenester",
        ):
            self.assertIn(expected, text.text)
        link = text.text.index("klikk her")
        self.assertEqual(text.link_spans, [(link, link + len("klikk her"))])
        self.assertEqual(text.where(text.text.index("Kort om")).field, "intro")
        self.assertEqual(text.where(link).kind, "link")
        self.assertEqual(text.where(text.text.index("Bil fra")).kind, "alt")
        self.assertNotIn("open", text.text, "sensitivity and other governance fields are not text")

    def test_rich_text_fields_of_a_service_page(self):
        page = ServicePage(
            title="Hjemmetjenester",
            rights="<p>Du har rett til hjelp.</p><ul><li>Praktisk bistand</li></ul>",
            contact='<p>Ring <a href="tel:+4762489000">sentralbordet</a>.</p>',
        )
        text = extract(page)
        self.assertIn("Du har rett til hjelp.\nPraktisk bistand", text.text)
        self.assertEqual(text.where(text.text.index("Praktisk")).field, "rights")
        self.assertEqual(text.where(text.text.index("sentralbordet")).kind, "link")
