"""Documents are checked for personal data before a public page hands them to citizens.

An uploaded file is read and scanned by the task worker (immediately, in tests); a public page
that links a document with an identity number in it cannot be published on any door, until the
file is replaced by a clean one. What is kept and reported says what and where, never the value.
"""

import csv
import datetime
import io
import json
import random
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.rich_text import RichText

from publishing.dashboard.panels import DocumentsWithFindingsPanel, Viewer
from publishing.documents import checking
from publishing.models import DocumentCheck, Municipality
from publishing.rules import check_publish
from publishing.workflow.veto import GovernancePublishBlocked
from tests.concurrency import at_the_same_time
from tests.content_checks.corpus import make_no
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.live_admin import panel_report
from tests.publishing.test_integrity import needs_postgresql
from tests.worlds import DemoWorld, GovernedWorld

RNG = random.Random(20261205)  # noqa: S311 - test data, not secrets


def text_file(lines, name="vedtak.txt"):
    return ContentFile("\n".join(lines).encode(), name=name)


class DocumentCheckTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.collection = Collection.objects.get(name=cls.g.municipality.name)
        cls.number = make_no(RNG)
        cls.clean_lines = [
            "Vedtak om tildeling av helsetjenester",
            "Søknaden er behandlet etter helse- og omsorgstjenesteloven.",
        ]

    def upload(self, lines, title="Vedtak om praktisk bistand", name="vedtak.txt", user=None):
        return get_document_model().objects.create(
            title=title,
            collection=self.collection,
            file=text_file(lines, name),
            uploaded_by_user=user or self.g.publisher,
        )

    def with_number(self, **kwargs):
        lines = [*self.clean_lines, f"Søker: fødselsnummer {self.number}, Alvdal."]
        return self.upload(lines, **kwargs)

    def link(self, page, document):
        draft = page.get_latest_revision_as_object()
        draft.body.append(
            ("paragraph", RichText(f'<p><a linktype="document" id="{document.pk}">Les</a></p>'))
        )
        draft.save_revision(user=self.g.publisher)
        return reload(page)

    def public_page(self, document):
        page = news_page(self.g, "Nye vedtak", "nye-vedtak", affects_staff=False, notice=False)
        return self.link(page, document)

    def codes(self, page):
        return [f.code for f in check_publish(page.get_latest_revision_as_object())]


class CheckOnUploadTests(DocumentCheckTestCase):
    def test_an_uploaded_file_is_checked_and_the_place_kept_without_the_value(self):
        document = self.with_number()
        check = DocumentCheck.objects.current().get(document=document)
        self.assertEqual(check.status, DocumentCheck.CHECKED)
        self.assertEqual(check.format, "txt")
        self.assertEqual(check.blocking_count, 1)
        [finding] = check.findings
        self.assertEqual(finding["kind"], "national_id")
        self.assertEqual(finding["where"], {"part": "line", "line": 3})
        stored = json.dumps(check.findings)
        self.assertNotIn(self.number, stored)
        self.assertNotIn(self.number[:6], stored)

    def test_replacing_the_file_checks_the_new_one_and_keeps_the_old_check(self):
        document = self.with_number()
        old = DocumentCheck.objects.current().get(document=document)
        document.file = text_file(self.clean_lines)
        document._set_file_hash()
        document.save()
        current = DocumentCheck.objects.current().get(document=document)
        self.assertNotEqual(current.pk, old.pk)
        self.assertEqual(current.findings, [])
        self.assertTrue(DocumentCheck.objects.filter(pk=old.pk).exists())

    def test_saving_the_same_file_again_does_not_check_it_again(self):
        document = self.with_number()
        with mock.patch.object(checking, "check_now") as check_now:
            document.title = "Nytt navn"
            document.save()
        check_now.assert_not_called()

    def test_an_unreadable_file_is_said_to_be_so(self):
        document = get_document_model().objects.create(
            title="Skjema", collection=self.collection, file=ContentFile(b"x", "skjema.pdf")
        )
        check = DocumentCheck.objects.current().get(document=document)
        self.assertEqual(check.status, DocumentCheck.UNREADABLE)
        self.assertEqual(check.reason, "corrupt")


class PublishTests(DocumentCheckTestCase):
    def test_a_public_page_linking_an_id_number_cannot_be_published_until_the_file_is_replaced(
        self,
    ):
        document = self.with_number()
        page = self.public_page(document)
        [finding] = [
            f
            for f in check_publish(page.get_latest_revision_as_object())
            if f.code.startswith("document_data.")
        ]
        self.assertEqual(finding.code, "document_data.national_id")
        self.assertTrue(finding.blocks)
        self.assertIn("Vedtak om praktisk bistand", finding.message)
        self.assertIn("line 3", finding.message)
        self.assertNotIn(self.number, finding.message)
        # The finding leads to the document's page, and from there back to the page's editor.
        self.assertEqual(
            finding.url,
            reverse("wagtaildocs:edit", args=[document.pk])
            + "?next="
            + reverse("wagtailadmin_pages:edit", args=[page.pk]).replace("/", "%2F"),
        )

        revision = page.get_latest_revision()
        with self.assertRaises(GovernancePublishBlocked):
            revision.publish(user=self.g.editor)
        self.assertFalse(reload(page).live)

        document.file = text_file(self.clean_lines)
        document._set_file_hash()
        document.save()
        self.assertNotIn("document_data.national_id", self.codes(page))
        page.get_latest_revision().publish(user=self.g.editor)
        self.assertTrue(reload(page).live)

    def panel(self, page):
        """The report the editor's governance panel loads for ``page``."""
        html = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content
        return panel_report(self.client, html.decode(), page.get_latest_revision_as_object())

    def test_the_editor_panel_names_the_document_the_place_and_the_kind(self):
        document = self.with_number()
        page = self.public_page(document)
        self.login(self.g.publisher)
        report = self.panel(page)
        self.assertIn(
            "A national identity number in the document “Vedtak om praktisk bistand”: line 3.",
            report,
        )
        self.assertIn(reverse("wagtaildocs:edit", args=[document.pk]), report)
        self.assertNotIn(self.number, report)

    def test_the_document_page_says_what_was_found_and_where(self):
        document = self.with_number()
        self.login(self.g.publisher)
        response = self.client.get(reverse("wagtaildocs:edit", args=[document.pk]))
        self.assertContains(response, "Personal data in the file")
        self.assertContains(response, "A national identity number: line 3")
        self.assertNotContains(response, self.number)

    def test_an_intranet_page_may_link_it(self):
        document = self.with_number()
        notice = self.link(self.g.notice, document)
        self.assertNotIn("document_data.national_id", self.codes(notice))

    def test_a_document_being_checked_holds_the_publish_and_a_late_check_says_so(self):
        document = self.with_number()
        page = self.public_page(document)
        DocumentCheck.objects.filter(document=document).update(status=DocumentCheck.PENDING)
        findings = [
            f
            for f in check_publish(page.get_latest_revision_as_object())
            if f.code.startswith("document_data")
        ]
        self.assertEqual([f.code for f in findings], ["document_data.being_checked"])
        self.assertNotIn("worker", findings[0].message)
        DocumentCheck.objects.filter(document=document).update(
            queued_at=timezone.now() - datetime.timedelta(hours=1)
        )
        [late] = [
            f
            for f in check_publish(page.get_latest_revision_as_object())
            if f.code.startswith("document_data")
        ]
        self.assertIn("worker may be stopped", late.message)

    def test_a_document_without_a_check_is_queued_by_the_editor_panel(self):
        document = self.with_number()
        page = self.public_page(document)
        DocumentCheck.objects.filter(document=document).delete()
        self.assertIn("document_data.being_checked", self.codes(page))
        self.login(self.g.editor)
        with self.captureOnCommitCallbacks(execute=True):
            self.panel(page)
        self.assertTrue(DocumentCheck.objects.current().filter(document=document).exists())
        self.assertIn("document_data.national_id", self.codes(page))

    def test_an_unreadable_document_blocks_and_says_why(self):
        document = get_document_model().objects.create(
            title="Skjema", collection=self.collection, file=ContentFile(b"x", "skjema.pdf")
        )
        page = self.public_page(document)
        [finding] = [
            f
            for f in check_publish(page.get_latest_revision_as_object())
            if f.code.startswith("document_data")
        ]
        self.assertEqual(finding.code, "document_data.unreadable")
        self.assertTrue(finding.blocks)
        self.assertIn("damaged", finding.message)


class ReportAndDashboardTests(DocumentCheckTestCase):
    def test_the_report_lists_it_and_exports_no_value(self):
        document = self.with_number()
        self.upload(self.clean_lines, title="Årsmelding", name="arsmelding.txt")
        self.login(self.g.editor)
        url = reverse("publishing_document_reports:documents")
        response = self.client.get(url)
        self.assertContains(response, "Vedtak om praktisk bistand")
        self.assertNotContains(response, "Årsmelding")
        self.assertContains(response, "line 3")
        export = self.client.get(url + "?export=csv")
        content = b"".join(export.streaming_content).decode()
        self.assertIn("Vedtak om praktisk bistand", content)
        self.assertNotIn(self.number, content)
        xlsx = self.client.get(url + "?export=xlsx")
        self.assertEqual(xlsx.status_code, 200)
        self.assertTrue(document.pk)

    def test_the_filter_says_yes_and_the_export_gives_local_minutes(self):
        self.with_number()
        self.login(self.g.editor)
        url = reverse("publishing_document_reports:documents")
        response = self.client.get(url + "?blocks=true")
        self.assertContains(response, "Vedtak om praktisk bistand")
        self.assertNotContains(response, "True")
        export = self.client.get(url + "?export=csv")
        self.assertIn("documents-with-findings-", export["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
        checked = timezone.localtime(DocumentCheck.objects.get().finished_at)
        self.assertEqual(rows[0]["Checked"], f"{checked:%Y-%m-%d %H:%M}")

    def test_a_publisher_is_not_sent_to_a_report_she_cannot_open(self):
        panel = DocumentsWithFindingsPanel(Viewer.load(self.g.publisher))
        self.assertIsNone(panel.more_url())
        self.assertTrue(DocumentsWithFindingsPanel(Viewer.load(self.g.editor)).more_url())

    def test_the_uploader_sees_it_on_the_dashboard_and_the_other_municipality_does_not(self):
        self.with_number()
        self.login(self.g.publisher)
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(response, "Documents that stop pages from being published")
        self.assertContains(response, "Vedtak om praktisk bistand")
        self.login(self.g.leader)
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(response, "Vedtak om praktisk bistand")


class CommandTests(DocumentCheckTestCase):
    def test_check_documents_checks_what_has_no_check_and_resumes(self):
        self.with_number()
        self.upload(self.clean_lines, title="Årsmelding", name="arsmelding.txt")
        DocumentCheck.objects.all().delete()
        real = checking.check_now
        calls = []

        def stopped_after_one(document, limits=None):
            if calls:
                raise KeyboardInterrupt  # the operator stops the run
            calls.append(document.pk)
            return real(document, limits)

        with (
            mock.patch.object(checking, "check_now", side_effect=stopped_after_one),
            self.assertRaises(KeyboardInterrupt),
        ):
            call_command("check_documents", stdout=io.StringIO())
        out = io.StringIO()
        call_command("check_documents", stdout=out)
        self.assertIn("\n1 document(s) checked", out.getvalue())
        self.assertEqual(DocumentCheck.objects.current().exclude(status="pending").count(), 2)
        out = io.StringIO()
        call_command("check_documents", stdout=out)
        self.assertIn("0 document(s) checked", out.getvalue())


class OtherMunicipalityTests(DemoWorld, EnglishAdminMixin, TestCase):
    """Avesta's people see nothing of what Alvdal's document checks found."""

    @classmethod
    def setUpTestData(cls):
        alvdal = Municipality.objects.get(slug="alvdal")
        users = {u.username: u for u in get_user_model().objects.all()}
        cls.silje, cls.hilde = users["alvdal.silje"], users["alvdal.hilde"]
        cls.linnea = users["avesta.linnea"]
        number = make_no(RNG)
        cls.document = get_document_model().objects.create(
            title="Vedtak om praktisk bistand",
            collection=Collection.objects.get(name=alvdal.name),
            file=text_file([f"Søker: fødselsnummer {number}."]),
            uploaded_by_user=cls.silje,
        )

    def test_the_report_and_dashboard_keep_to_the_municipality(self):
        url = reverse("publishing_document_reports:documents")
        for user, shown in ((self.silje, True), (self.hilde, True), (self.linnea, False)):
            self.login(user)
            report = self.client.get(url)
            self.assertEqual(report.status_code, 200)
            self.assertEqual("Vedtak om praktisk bistand" in report.content.decode(), shown, user)
            export = self.client.get(url + "?export=csv")
            content = b"".join(export.streaming_content).decode()
            self.assertEqual("Vedtak om praktisk bistand" in content, shown, user)
        # The dashboard: the uploader's, never another municipality's.
        for user, shown in ((self.silje, True), (self.linnea, False)):
            self.login(user)
            home = self.client.get(reverse("wagtailadmin_home")).content.decode()
            self.assertEqual("Vedtak om praktisk bistand" in home, shown, user)

    def test_the_document_page_is_not_theirs_to_open(self):
        self.login(self.linnea)
        response = self.client.get(reverse("wagtaildocs:edit", args=[self.document.pk]))
        self.assertIn(response.status_code, (302, 403, 404))
        self.assertNotContains(
            response, "Personal data in the file", status_code=response.status_code
        )


@needs_postgresql
class TwiceAtOnceTests(TransactionTestCase):
    """Two saves of the same file at once (two tabs, a double POST) make one check, not an
    error: on PostgreSQL, where the two transactions really overlap."""

    def test_one_check_per_file_however_many_ask(self):
        # Other transaction tests flush the database, Wagtail's root collection included.
        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        document = get_document_model().objects.create(
            title="Årsmelding",
            collection=root,
            file=text_file(["Årsmelding 2026"]),
        )
        DocumentCheck.objects.all().delete()

        def ask():
            try:
                return checking.pending_check(get_document_model().objects.get(pk=document.pk))
            finally:
                connection.close()

        results = at_the_same_time(*[ask] * 6)
        self.assertFalse([r for r in results if isinstance(r, Exception)], results)
        self.assertEqual(sum(1 for _check, created in results if created), 1)
        self.assertEqual(DocumentCheck.objects.filter(document=document).count(), 1)


class MissingFileTests(DocumentCheckTestCase):
    def test_a_file_gone_from_the_storage_is_said_to_be_so(self):
        document = self.with_number()
        document.file.storage.delete(document.file.name)
        document = get_document_model().objects.get(pk=document.pk)
        with self.assertLogs("publishing.documents.checking", "WARNING") as logs:
            check = checking.check_now(document)
        self.assertEqual((check.status, check.reason), (DocumentCheck.UNREADABLE, "missing"))
        self.assertNotIn(document.file.name, "\n".join(logs.output))
        page = self.public_page(document)
        [finding] = [
            f
            for f in check_publish(page.get_latest_revision_as_object())
            if f.code.startswith("document_data")
        ]
        self.assertIn("missing from the storage", finding.message)
