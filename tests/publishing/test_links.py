"""Broken links are found before a page goes live: links to deleted, unpublished, staff-only
and other municipalities' pages and to deleted documents, named by their text, with the fix."""

from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from wagtail.documents import get_document_model

from home.models import NewsPage
from publishing.rules import PUBLISH, RuleContext, evaluate
from publishing.workflow import removal
from publishing.workflow.veto import GovernancePublishBlocked
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.publishing.test_dashboard import other_municipality
from tests.worlds import GovernedWorld

NBSP = "\u00a0"


def link(page, text):
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


class LinksTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def linking(self, *paragraphs, slug="lenker", documents=()):
        """A draft news page whose body holds ``paragraphs`` (rich text) and links
        ``documents``."""
        page = news_page(self.g, "Lenker", slug, affects_staff=False, notice=False)
        page = reload(page)
        for html in paragraphs:
            page.body.append(("paragraph", f"<p>{html}</p>"))
        for document in documents:
            page.body.append(("document", {"document": document, "title": ""}))
        page.save_revision(user=self.g.publisher)
        return reload(page)

    def findings(self, page):
        draft = reload(page).get_latest_revision_as_object()
        return {
            f.code: f
            for f in evaluate(RuleContext(page=draft, purpose=PUBLISH))
            if f.code.startswith("links.")
        }

    def draft_target(self, slug="utkast"):
        return news_page(self.g, "Nytt tilbud", slug, affects_staff=False, notice=False)


class BrokenLinkTests(LinksTestCase):
    def test_a_link_to_an_unpublished_page_names_its_text_and_the_page(self):
        target = self.draft_target()
        page = self.linking(f"Les mer om {link(target, f'det <b>nye</b>{NBSP}tilbudet')}.")
        finding = self.findings(page)["links.page_not_live"]
        self.assertEqual(finding.severity, "warn")
        self.assertIn("“det nye tilbudet”", finding.message)
        self.assertIn("“Nytt tilbud”", finding.message)
        self.assertEqual(finding.field, "body")
        self.assertIn("Publish that page first", finding.fix)

    def test_a_link_to_a_deleted_page_blocks(self):
        target = self.draft_target()
        page = self.linking(link(target, "Søknadsskjema"))
        target.delete()
        finding = self.findings(page)["links.page_deleted"]
        self.assertEqual(finding.severity, "block")
        self.assertIn("“Søknadsskjema”", finding.message)

    def test_a_public_page_linking_the_intranet_warns(self):
        page = self.linking(link(self.g.intranet, "Intranettet"))
        self.assertIn("only staff can open", self.findings(page)["links.page_private"].message)

    def test_a_link_into_another_municipalitys_site_warns(self):
        other = other_municipality()
        page = self.linking(link(other.home, "Avesta"))
        self.assertIn("links.page_other_municipality", self.findings(page))

    def test_a_link_to_a_live_page_of_the_site_is_fine(self):
        self.assertEqual(self.findings(self.linking(link(self.g.news_index, "Nyheter"))), {})

    def test_a_deleted_document_blocks(self):
        document = get_document_model().objects.create(
            title="Skjema", file=ContentFile(b"x", "skjema.txt")
        )
        page = self.linking(documents=[document])
        self.assertEqual(self.findings(page), {})
        get_document_model().objects.filter(pk=document.pk).delete()
        self.assertEqual(self.findings(page)["links.document_deleted"].severity, "block")


class ProfileAndDoorsTests(LinksTestCase):
    def test_the_profile_can_make_a_link_to_an_unpublished_page_block_every_publish(self):
        municipality = self.g.municipality
        municipality.profile["links"] = {"page_not_live": "block"}
        municipality.save()
        target = self.draft_target()
        page = self.linking(link(target, "det nye tilbudet"))
        self.assertEqual(self.findings(page)["links.page_not_live"].severity, "block")
        with self.assertRaises(GovernancePublishBlocked):
            reload(page).get_latest_revision().publish(user=self.g.editor)
        self.assertFalse(reload(page).live)

    def test_the_findings_report_lists_a_live_page_whose_link_broke(self):
        target = self.draft_target()
        target.get_latest_revision().publish(user=self.g.editor)
        page = self.linking(link(target, "det nye tilbudet"))
        page.get_latest_revision().publish(user=self.g.editor)
        self.assertNotIn("links.page_not_live", self.findings(page))
        with removal.because("Tilbudet er avsluttet."):
            reload(target).unpublish(user=self.g.editor)
        self.login(self.g.editor)
        response = self.client.get(reverse("publishing_reports:findings"), {"kind": "links"})
        rows = [(row.page, row.code) for row in response.context["object_list"]]
        self.assertIn(("Lenker", "links.page_not_live"), rows)
        self.assertIsInstance(reload(page).specific, NewsPage)
