"""Deleting or unpublishing a page while it is being published, or twice at once, on
PostgreSQL (where two app-server workers really run at the same time).

The check of a removal (does the page need a reason, do the archive's rules keep it) reads the
page as it is once every change to it that is under way has committed: a page published a
moment before is judged as published, not as the draft it was when the removal began. The same
deletion sent twice deletes once, without a server error.
"""

import threading
import time

from django.db import OperationalError, transaction
from django.test import TransactionTestCase
from wagtail.actions.delete_page import DeletePagePermissionError
from wagtail.actions.unpublish_page import UnpublishPagePermissionError
from wagtail.models import Page, PageLogEntry

from tests.concurrency import at_the_same_time
from tests.governance import allow_deleting, build_governed, news_page, reload
from tests.publishing.test_integrity import needs_postgresql


@needs_postgresql
class RemovalWhilePublishingTests(TransactionTestCase):
    def setUp(self):
        self.g = build_governed()
        self.draft = news_page(
            self.g, "Nytt fra biblioteket", "nytt-bibliotek", affects_staff=False, notice=False
        )

    def publishing_slowly(self, started):
        """Publish the draft, and keep the transaction open a while after the page is live."""

        def publish():
            with transaction.atomic():
                reload(self.draft).get_latest_revision().publish(user=self.g.editor)
                started.set()
                time.sleep(0.6)
            return "published"

        return publish

    def test_a_delete_that_began_on_the_draft_is_judged_on_the_published_page(self):
        started = threading.Event()

        def delete():
            started.wait(10)
            page = Page.objects.get(pk=self.draft.pk)  # read while it is still a draft here
            page.specific.delete(user=self.g.editor)
            return "deleted"

        published, deleted = at_the_same_time(self.publishing_slowly(started), delete)
        self.assertEqual(published, "published")
        self.assertIsInstance(deleted, DeletePagePermissionError)
        self.assertTrue(reload(self.draft).live)

    def test_an_unpublish_without_a_reason_waits_for_the_publish_and_is_refused(self):
        started = threading.Event()

        def unpublish():
            started.wait(10)
            page = Page.objects.get(pk=self.draft.pk)
            page.specific.unpublish(user=self.g.editor)
            return "unpublished"

        published, unpublished = at_the_same_time(self.publishing_slowly(started), unpublish)
        self.assertEqual(published, "published")
        self.assertIsInstance(unpublished, UnpublishPagePermissionError)
        self.assertTrue(reload(self.draft).live)

    def test_the_same_delete_twice_at_once_deletes_once(self):
        allow_deleting(self.g.municipality, "newspage")
        pages = [
            news_page(self.g, f"Kladd {n}", f"kladd-{n}", affects_staff=False, notice=False)
            for n in range(3)
        ]

        def delete_all():
            with transaction.atomic():
                for page in pages:
                    fresh = Page.objects.filter(pk=page.pk).first()
                    if fresh is not None:
                        fresh.specific.delete(user=self.g.editor)
                    time.sleep(0.05)
            return "done"

        results = at_the_same_time(delete_all, delete_all, delete_all)
        self.assertEqual(results, ["done"] * 3, results)
        self.assertFalse(Page.objects.filter(pk__in=[p.pk for p in pages]).exists())
        for page in pages:
            deletions = PageLogEntry.objects.filter(page_id=page.pk, action="wagtail.delete")
            self.assertEqual(deletions.count(), 1)

    def test_a_publish_and_a_delete_at_once_never_deadlock(self):
        allow_deleting(self.g.municipality, "newspage")
        for round_ in range(12):
            draft = news_page(
                self.g, f"Kladd {round_}", f"kladd-{round_}", affects_staff=False, notice=False
            )
            revision = draft.get_latest_revision()

            def publish(revision=revision):
                revision.publish(user=self.g.editor)
                return "published"

            def delete(draft=draft, pause=round_ % 4 * 0.01):
                time.sleep(pause)
                Page.objects.get(pk=draft.pk).specific.delete(user=self.g.editor)
                return "deleted"

            published, deleted = at_the_same_time(publish, delete)
            for result in (published, deleted):
                # Either may lose (a refusal, or nothing left to publish); neither may deadlock.
                self.assertNotIsInstance(result, OperationalError, result)
            exists = Page.objects.filter(pk=draft.pk).exists()
            if exists:
                self.assertTrue(reload(draft).live or deleted != "deleted")
