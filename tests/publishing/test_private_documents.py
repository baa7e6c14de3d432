"""A public page may not link a document from the staff-only collection: its title would show."""

from django.core.files.base import ContentFile
from django.test import TestCase
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.rich_text import RichText

from home.models import NewsPage
from publishing.models import Municipality
from publishing.rules import check_publish
from tests.worlds import DemoWorld


class PrivateDocumentRuleTests(DemoWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        own = Collection.objects.get(name=cls.alvdal.name)
        cls.private = own.get_children().get(name=cls.alvdal.intranet_page.title)
        Document = get_document_model()
        cls.staff_doc = Document.objects.create(
            title="Lønnsoversikt", collection=cls.private, file=ContentFile(b"x", "lonn.txt")
        )
        cls.open_doc = Document.objects.create(
            title="Budsjett 2027", collection=own, file=ContentFile(b"x", "budsjett.txt")
        )

    def draft_linking(self, document, how):
        page = NewsPage.objects.live().descendant_of(self.alvdal.site.root_page).first()
        draft = page.get_latest_revision_as_object()
        if how == "block":
            draft.body.append(("document", {"document": document, "title": ""}))
        else:
            draft.body.append(
                ("paragraph", RichText(f'<p><a linktype="document" id="{document.pk}">Les</a></p>'))
            )
        return draft

    def codes(self, page):
        return [f.code for f in check_publish(page)]

    def test_a_staff_document_on_a_public_page_blocks_publishing(self):
        for how in ("block", "rich text"):
            findings = [
                f
                for f in check_publish(self.draft_linking(self.staff_doc, how))
                if f.code == "documents.private_on_public_page"
            ]
            self.assertEqual(len(findings), 1, how)
            self.assertEqual(findings[0].severity, "block")
            self.assertIn("Lønnsoversikt", findings[0].message)

    def test_an_open_document_is_fine(self):
        self.assertNotIn(
            "documents.private_on_public_page",
            self.codes(self.draft_linking(self.open_doc, "block")),
        )
