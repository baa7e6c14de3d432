"""The legal archive captures what citizens received, on every door by which a page goes live
or away, and deleting a page that has been public follows the municipality's retention rules.

Captures run in the task worker once the publish has committed; the tests run the committed
callbacks (``captureOnCommitCallbacks``) and the tasks at once (the test settings' backend).
"""

import datetime
import io
import json
import shutil
import tempfile

import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.copy_page import CopyPageAction
from wagtail.actions.create_alias import CreatePageAliasAction
from wagtail.actions.delete_page import DeletePagePermissionError
from wagtail.documents import get_document_model
from wagtail.models import APIToken, Collection, PageViewRestriction

from publishing.archive import chain, warc
from publishing.archive.storage import archive_storage
from publishing.models import ArchiveCapture
from publishing.workflow import removal
from tests.governance import (
    EnglishAdminMixin,
    allow_deleting,
    news_page,
    reload,
    warning_reasons,
)
from tests.publishing.archive_files import records_of
from tests.publishing.test_image_consent import image_block, make_image
from tests.worlds import GovernedWorld

INTRO = "Biblioteket holder åpent til klokka 20 hver torsdag."


@override_settings(PUBLISHING_ARCHIVE_CAPTURE=True)
class ArchiveTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.page = news_page(
            cls.g,
            "Lengre åpningstid på biblioteket",
            "bibliotek",
            affects_staff=False,
            notice=False,
            intro=INTRO,
        )

    def captures(self, page=None, **filters):
        page = page or self.page
        return list(ArchiveCapture.objects.filter(page_id=page.pk, **filters).order_by("sequence"))

    def publish(self, page=None, user=None, **changes):
        page = reload(page or self.page)
        for name, value in changes.items():
            setattr(page, name, value)
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=user or self.g.publisher).publish(user=user or self.g.editor)
        return reload(page)


class WhatIsCapturedTests(ArchiveTestCase):
    def test_the_page_as_served_with_its_stylesheet_image_and_document(self):
        # Uploads on disk, as in production: Wagtail serves documents from a file's path.
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        storages = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media},
            },
        }
        with override_settings(STORAGES=storages, MEDIA_ROOT=media):
            self.capture_with_image_and_document()

    def capture_with_image_and_document(self):
        image = make_image()
        document = get_document_model().objects.create(
            title="Åpningstider",
            collection=Collection.objects.get(name=self.g.municipality.name),
            file=ContentFile("Torsdag 10–20.".encode(), "apningstider.txt"),
        )
        body = [
            image_block(image),
            ("document", {"document": document, "title": "Åpningstidene"}),
        ]
        page = reload(self.page)
        page.body = body
        self.publish(page, body=page.body)
        [capture] = self.captures()
        self.assertEqual(capture.event, "published")
        self.assertEqual(capture.url, reload(self.page).get_full_url())
        self.assertEqual(capture.unit, self.g.line.unit.name)
        self.assertEqual(capture.responsible_leader, self.g.leader.get_full_name())
        self.assertEqual(capture.audiences, [self.g.citizens.name])
        self.assertEqual(capture.page_type, "home.NewsPage")
        self.assertEqual(capture.revision_id, reload(self.page).live_revision_id)
        records = records_of(capture)
        page_record = records[1]
        self.assertEqual((page_record["type"], page_record["status"]), ("response", 200))
        self.assertIn(INTRO, page_record["body"].decode())
        # The site's stylesheet is inline; its icon, the image and the document are files.
        kinds = {record["content_type"].split(";")[0] for record in records}
        self.assertLessEqual({"text/html", "image/svg+xml", "image/png", "text/plain"}, kinds)
        [document_record] = [r for r in records if r["uri"].endswith("apningstider.txt")]
        self.assertEqual(document_record["body"], "Torsdag 10–20.".encode())
        metadata = json.loads(records[-1]["body"])
        self.assertEqual(records[-1]["type"], "metadata")
        self.assertEqual(metadata["title"], "Lengre åpningstid på biblioteket")
        self.assertEqual(metadata["municipality"], self.g.municipality.slug)
        # Each record's digest in the row is the SHA-256 the file's own header gives.
        with archive_storage().open(capture.warc_name, "rb") as handle:
            self.assertEqual(warc.damaged_records(handle), [])
        self.assertEqual(len(capture.records), len(records))

    def test_a_version_published_over_before_the_worker_came_is_captured_as_it_was(self):
        first = reload(self.page).save_revision(user=self.g.publisher)
        first.publish(user=self.g.editor)  # its capture waits (no commit callbacks run)
        self.publish(intro="Biblioteket er stengt i jula.")
        from publishing.archive.capture import capture_page

        capture_page.call(
            page_id=self.page.pk,
            event="published",
            happened_at=timezone.now().isoformat(),
            revision_id=first.pk,
        )
        older = ArchiveCapture.objects.get(page_id=self.page.pk, revision_id=first.pk)
        self.assertEqual(older.details["rendered"], "version")
        self.assertIn(INTRO, records_of(older)[1]["body"].decode())

    def test_pages_citizens_cannot_read_are_not_captured(self):
        self.publish(self.g.notice)  # the intranet
        page = news_page(self.g, "Lukket side", "lukket", affects_staff=False, notice=False)
        PageViewRestriction.objects.create(page=page, restriction_type="login")
        self.publish(page)
        self.assertEqual(self.captures(self.g.notice) + self.captures(page), [])

    def test_off_means_off(self):
        with override_settings(PUBLISHING_ARCHIVE_CAPTURE=False):
            self.publish()
        self.assertEqual(self.captures(), [])

    def test_publishers_and_approvers_are_named(self):
        workflow_state = self.g.municipality.external_workflow.start(
            reload(self.page), self.g.publisher
        )
        self.login(self.g.leader)
        for _step in range(3):
            workflow_state.refresh_from_db()
            if workflow_state.status != "in_progress":
                break
            task_state = workflow_state.current_task_state
            approver = self.g.leader if _step == 0 else self.g.editor
            self.login(approver)
            url = reverse(
                "wagtailadmin_pages:workflow_action",
                args=[self.page.pk, "approve", task_state.pk],
            )
            data = {"comment": ""}
            data.update(
                {f"reason__{key}": text for key, text in warning_reasons(self.page).items()}
            )
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(url, data)
        self.assertTrue(reload(self.page).live)
        [capture] = self.captures()
        names = [approval["name"] for approval in capture.approved_by]
        self.assertIn(self.g.leader.get_full_name(), names)
        self.assertTrue(capture.published_by)


class EveryDoorTests(ArchiveTestCase):
    def assertCaptured(self, page=None, event="published", count=1):
        found = self.captures(page, event=event)
        self.assertEqual(len(found), count, f"{event} captures of {page or self.page}")
        return found[-1]

    def test_the_editors_publish_button(self):
        self.login(self.g.editor)
        from tests.publishing.test_publish_paths import PathTestCase

        data = PathTestCase.form_data(self, reload(self.page))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("wagtailadmin_pages:edit", args=[self.page.pk]), data
            )
        self.assertEqual(response.status_code, 302)
        self.assertCaptured()

    def test_bulk_publish(self):
        self.login(self.g.editor)
        url = (
            reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
            + f"?id={self.page.pk}&next=/admin/"
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, {"include_descendants": ""})
        self.assertCaptured()

    def test_scheduled_publishing(self):
        revision = reload(self.page).get_latest_revision()
        revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
        revision.save()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("publish_scheduled", stdout=io.StringIO())
        self.assertCaptured()

    def test_the_admin_api_and_the_v3_api(self):
        self.login(self.g.editor)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/admin/api/main/pages/{self.page.pk}/action/publish/",
                content_type="application/json",
                data={},
            )
        self.assertCaptured()
        _token, plaintext = APIToken.create_token(user=self.g.editor, name="publisering")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/api/v3/pages/{self.page.pk}/actions/publish/",
                content_type="application/json",
                data={},
                HTTP_AUTHORIZATION=f"Bearer {plaintext}",
            )
        self.assertCaptured(count=2)

    def test_code_copies_and_aliases(self):
        self.publish()
        self.assertCaptured()
        with self.captureOnCommitCallbacks(execute=True):
            copy = CopyPageAction(
                reload(self.page),
                update_attrs={"slug": "bibliotek-kopi", "title": "Kopi"},
                keep_live=True,
                user=self.g.superuser,
            ).execute(skip_permission_checks=True)
        self.assertCaptured(copy)
        with self.captureOnCommitCallbacks(execute=True):
            alias = CreatePageAliasAction(
                reload(self.page),
                parent=self.g.home,
                update_slug="bibliotek-alias",
                user=self.g.superuser,
            ).execute(skip_permission_checks=True)
        self.publish()  # the alias follows its page
        alias_capture = self.assertCaptured(alias)
        self.assertEqual(alias_capture.url, reload(alias).get_full_url())

    def test_withdrawal_unpublish_and_deletion(self):
        self.publish()
        self.publish(withdrawn=True, withdrawal_reason="Tilbudet er avsluttet.")
        self.assertCaptured(event="withdrawn")
        with self.captureOnCommitCallbacks(execute=True), removal.because("Avsluttet."):
            reload(self.page).unpublish(user=self.g.editor)
        gone = self.assertCaptured(event="unpublished")
        self.assertEqual(gone.details["reason"], "Avsluttet.")
        self.assertEqual(records_of(gone)[1]["status"], 404)
        allow_deleting(self.g.municipality, "newspage")
        page_id = self.page.pk
        with self.captureOnCommitCallbacks(execute=True), removal.because("Dublett."):
            reload(self.page).delete(user=self.g.superuser)
        deleted = ArchiveCapture.objects.get(page_id=page_id, event="deleted")
        self.assertEqual(deleted.title, self.page.title)
        # The archive keeps every capture of the page, in an unbroken chain.
        self.assertEqual(ArchiveCapture.objects.filter(page_id=page_id).count(), 4)
        _chains, problems = chain.verify()
        self.assertEqual(problems, [])

    def test_deleting_a_live_page_is_one_deletion_naming_who(self):
        self.publish()
        allow_deleting(self.g.municipality, "newspage")
        page_id = self.page.pk
        with self.captureOnCommitCallbacks(execute=True), removal.because("Dublett."):
            reload(self.page).delete(user=self.g.superuser)
        gone = list(ArchiveCapture.objects.filter(page_id=page_id).exclude(event="published"))
        self.assertEqual([capture.event for capture in gone], ["deleted"])
        self.assertEqual(gone[0].published_by, self.g.superuser.get_full_name())
        self.assertEqual(gone[0].details["reason"], "Dublett.")

    def test_a_page_unpublished_that_the_archive_never_saw_keeps_its_last_version(self):
        with override_settings(PUBLISHING_ARCHIVE_CAPTURE=False):
            self.publish()
        with self.captureOnCommitCallbacks(execute=True), removal.because("Avsluttet."):
            reload(self.page).unpublish(user=self.g.editor)
        gone = self.assertCaptured(event="unpublished")
        responses = [
            r for r in records_of(gone) if r["type"] == "response" and r["uri"] == gone.url
        ]
        self.assertEqual([r["status"] for r in responses], [200, 404])
        self.assertIn(INTRO, responses[0]["body"].decode())
        self.assertLess(responses[0]["date"], responses[1]["date"])


@override_settings(PUBLISHING_ARCHIVE_CAPTURE=False)
class RetentionTests(ArchiveTestCase):
    """Deleting a page that has been public follows the municipality's retention rules."""

    def setUp(self):
        self.publish()

    def delete(self, page=None, user=None):
        with removal.because("Dublett."):
            reload(page or self.page).delete(user=user or self.g.superuser)

    def test_without_a_rule_it_cannot_be_deleted_by_anyone(self):
        self.g.municipality.profile.pop("archive_retention", None)
        self.g.municipality.save()
        with self.assertRaisesMessage(DeletePagePermissionError, "cannot be deleted"):
            self.delete()
        self.assertTrue(reload(self.page).pk)
        with removal.because("Avsluttet."):
            reload(self.page).unpublish(user=self.g.editor)  # unpublishing stays possible
        self.assertFalse(reload(self.page).live)

    def test_the_years_count_from_when_it_was_last_public(self):
        allow_deleting(self.g.municipality, "newspage", after_years=5)
        with self.assertRaisesMessage(DeletePagePermissionError, "5 years after"):
            self.delete()
        with removal.because("Avsluttet."):
            reload(self.page).unpublish(user=self.g.editor)
        later = timezone.now() + datetime.timedelta(days=4 * 365)
        with time_machine.travel(later), self.assertRaises(DeletePagePermissionError):
            self.delete()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=5 * 365 + 2)):
            self.delete()
        self.assertFalse(type(self.page).objects.filter(pk=self.page.pk).exists())

    def test_a_page_above_one_that_was_public_is_held_by_it(self):
        allow_deleting(self.g.municipality, "newsindexpage")
        with self.assertRaisesMessage(DeletePagePermissionError, self.page.title):
            self.delete(self.g.news_index)

    def test_a_page_never_public_is_deleted_as_before(self):
        draft = news_page(self.g, "Utkast", "utkast", affects_staff=False, notice=False)
        reload(draft).delete(user=self.g.superuser)
        self.assertFalse(type(draft).objects.filter(pk=draft.pk).exists())

    def test_the_admin_says_why_and_keeps_the_page(self):
        self.g.municipality.profile.pop("archive_retention", None)
        self.g.municipality.save()
        self.login(self.g.superuser)
        url = reverse("wagtailadmin_pages:delete", args=[self.page.pk])
        confirmation = self.client.get(url)
        self.assertContains(confirmation, "cannot be deleted")
        self.assertNotContains(confirmation, "Yes, delete it")
        self.assertContains(confirmation, "withdraw it instead")
        response = self.client.post(url, {"reason": "Dublett."})  # a form from another tab
        self.assertRedirects(response, url)  # a reload does not post it again
        self.assertTrue(type(self.page).objects.filter(pk=self.page.pk).exists())
        bulk = (
            reverse("wagtail_bulk_action", args=("wagtailcore", "page", "delete"))
            + f"?id={self.page.pk}&next=/admin/"
        )
        response = self.client.post(bulk, {}, follow=True)
        self.assertContains(response, "cannot be deleted")
        self.assertTrue(type(self.page).objects.filter(pk=self.page.pk).exists())


class MissedCaptureTests(ArchiveTestCase):
    """A publish whose capture never came (a stopped worker, a failed storage) is found and
    captured afterwards, dated when it was published; publishes captured already, and pages
    citizens cannot read, are left alone."""

    def run_command(self):
        output = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("capture_missed", stdout=output)
        return output.getvalue()

    def test_a_publish_without_a_capture_is_captured_afterwards(self):
        self.publish()  # the archive's first capture of the municipality
        with override_settings(PUBLISHING_ARCHIVE_CAPTURE=False):  # the worker was stopped
            missed = self.publish(intro="Biblioteket er stengt i jula.")
            self.publish(self.g.notice)  # the intranet: never captured
        self.assertIn(f"{self.g.municipality.slug}: 1 ", self.run_command())
        capture = self.captures().pop()
        self.assertEqual(capture.revision_id, missed.live_revision_id)
        self.assertIn("stengt i jula", records_of(capture)[1]["body"].decode())
        self.assertEqual(len(self.captures()), 2)
        self.assertIn(f"{self.g.municipality.slug}: 0 ", self.run_command())
