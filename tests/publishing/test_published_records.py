"""The record never lies: records that say a page was published, read again against the page.

Pages are published through Wagtail (``revision.publish``, the workflow, the crisis fast track);
a lie is made by hand the way the bug made it: the page row set to not live past Wagtail, with
the audit log, the workflow and the mails still saying *published*.
"""

import datetime
import io
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, tag
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Page,
    PageLogEntry,
    Revision,
    TaskState,
    Workflow,
    WorkflowState,
    WorkflowTask,
)

from bench.scale_data import SLUG_PREFIX, Generator
from publishing.workflow import removal
from publishing.workflow.published_records import (
    NOT_LIVE,
    OTHER_REVISION,
    WORKFLOW_APPROVED,
    assert_records_hold,
    check_records,
    describe,
    lying_records,
)
from publishing.workflow.views import fast_track_publish
from tests.factories import load_municipality
from tests.governance import (
    EnglishAdminMixin,
    allow_deleting,
    news_page,
    publish_notice,
    reload,
)
from tests.worlds import GovernedWorld

INTRO = "Fra 1. januar har hjemmetjenesten åpent til klokka 22."


class PublishedRecordsTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        publish_notice(cls.g)

    def draft(self, slug, **fields):
        return news_page(self.g, f"Side {slug}", slug, intro=INTRO, **fields)

    def publish(self, page):
        reload(page).get_latest_revision().publish(user=self.g.editor)
        return reload(page)

    def published(self, slug, **fields):
        return self.publish(self.draft(slug, **fields))

    def scheduled_draft(self, slug, *, hours=24):
        page = self.draft(slug)
        draft = reload(page)
        draft.go_live_at = timezone.now() + datetime.timedelta(hours=hours)
        draft.save_revision(user=self.g.publisher)
        return page

    def take_off_past_wagtail(self, page):
        """What the bug did: the page not live, every record still saying published."""
        Page.objects.filter(pk=page.pk).update(live=False, live_revision=None)

    def approve_in_workflow(self, page):
        """Submit ``page`` to a one-step workflow and approve it: the finish publishes it."""
        workflow = Workflow.objects.create(name=f"Redaksjon {page.slug}")
        task = GroupApprovalTask.objects.create(name=f"Redaksjonen {page.slug}")
        task.groups.set([self.g.municipality.communications_group])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        state = workflow.start(reload(page), self.g.publisher)
        state.refresh_from_db()
        state.current_task_state.approve(user=self.g.editor)
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_APPROVED)
        return state

    def run_command(self, *args):
        out = io.StringIO()
        call_command("check_published_records", *args, stdout=out)
        return out.getvalue()


class LiesTests(PublishedRecordsTestCase):
    def test_a_page_taken_off_past_wagtail_is_reported_and_the_command_exits_1(self):
        lied = self.published("kveld")
        self.published("morgen")
        revision_id = lied.live_revision_id
        assert_records_hold(self)
        self.take_off_past_wagtail(lied)

        (lie,) = lying_records()
        self.assertEqual(lie.page_id, lied.pk)
        self.assertEqual(lie.title, "Side kveld")
        self.assertEqual(lie.action, "wagtail.publish")
        self.assertEqual(lie.revision_id, revision_id)
        self.assertEqual(lie.problem, NOT_LIVE)
        entry = PageLogEntry.objects.get(pk=lie.record_id)
        self.assertEqual((entry.page_id, entry.action), (lied.pk, "wagtail.publish"))

        out = io.StringIO()
        with self.assertRaises(CommandError) as failed:
            call_command("check_published_records", stdout=out)
        self.assertEqual(failed.exception.returncode, 1)
        self.assertIn("does not hold", str(failed.exception))
        (line,) = out.getvalue().splitlines()
        self.assertIn(f"Page {lied.pk} “Side kveld”: Published on ", line)
        self.assertIn(f"(wagtail.publish #{lie.record_id})", line)
        self.assertIn("the page is not live", line)
        self.assertNotIn(INTRO, line, "only the title, never the page's text")
        with self.assertRaisesMessage(AssertionError, "Side kveld"):
            assert_records_hold(self)

    def test_all_records_hold_in_one_line_with_status_0(self):
        self.published("kveld")
        check = check_records()
        self.assertEqual(check.lies, [])
        self.assertRegex(
            self.run_command(),
            rf"^All {check.records} records of a publication since "
            r"\d{4}-\d\d-\d\d \d\d:\d\d hold\.\n$",
        )

    def test_live_with_another_revision_than_the_newest_record_names(self):
        page = self.published("kveld")
        older = page.live_revision_id
        reload(page).save_revision(user=self.g.publisher)
        newer = self.publish(page)
        Page.objects.filter(pk=page.pk).update(live_revision_id=older)
        (lie,) = lying_records()
        self.assertEqual(lie.problem, OTHER_REVISION)
        self.assertEqual((lie.revision_id, lie.live_revision_id), (newer.live_revision_id, older))
        self.assertIn(
            f"the page is live with revision {older}, not revision {newer.live_revision_id}",
            describe(lie),
        )

    def test_records_older_than_the_days_are_ignored(self):
        page = self.published("kveld")
        self.take_off_past_wagtail(page)
        PageLogEntry.objects.filter(page=page).update(
            timestamp=timezone.now() - datetime.timedelta(days=8)
        )
        self.assertEqual(lying_records(), [])
        self.assertEqual(lying_records(days=7), [])
        self.assertEqual([lie.page_id for lie in lying_records(days=9)], [page.pk])
        self.run_command()  # status 0
        with self.assertRaises(CommandError):
            self.run_command("--days", "9")

    def test_days_must_be_a_positive_whole_number(self):
        for value in ("0", "-1", "sju"):
            with self.assertRaises(CommandError):
                self.run_command("--days", value)


class LegitimatelyOffTests(PublishedRecordsTestCase):
    def test_published_then_unpublished_or_expired_is_not_reported(self):
        unpublished = self.published("avpublisert")
        with removal.because("Avlyst."):
            reload(unpublished).unpublish(user=self.g.editor)
        expired = self.published("utlopt")
        reload(expired).unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
        self.assertFalse(reload(unpublished).live or reload(expired).live)
        assert_records_hold(self)

    def test_published_then_deleted_is_not_reported(self):
        page = self.published("slettet")
        allow_deleting(self.g.municipality, "newspage")
        with removal.because("Dublett."):
            reload(page).delete(user=self.g.superuser)
        assert_records_hold(self)

    def test_republished_page_is_judged_by_its_newest_record(self):
        again = self.published("igjen")
        with removal.because("Feil dato."):
            reload(again).unpublish(user=self.g.editor)
        self.publish(again)
        mended = self.published("reparert")
        self.take_off_past_wagtail(mended)
        self.publish(mended)  # published again later: the earlier record is overtaken
        assert_records_hold(self)
        # Off again past Wagtail: reported once, by the newest record.
        self.take_off_past_wagtail(again)
        (lie,) = lying_records()
        newest = PageLogEntry.objects.filter(page=again, action="wagtail.publish").latest("pk")
        self.assertEqual((lie.page_id, lie.record_id), (again.pk, newest.pk))


class ScheduledTests(PublishedRecordsTestCase):
    def test_wagtail_logs_a_future_publish_as_scheduled_and_it_is_no_lie(self):
        page = self.scheduled_draft("snart")
        self.publish(page)
        page = reload(page)
        self.assertFalse(page.live)
        self.assertIsNone(page.live_revision_id)
        actions = set(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
        self.assertIn("wagtail.publish.schedule", actions)
        self.assertNotIn("wagtail.publish", actions, "no record says published yet")
        assert_records_hold(self)

    def test_approved_workflow_waiting_for_its_scheduled_publish_holds(self):
        page = self.scheduled_draft("godkjent-snart")
        state = self.approve_in_workflow(page)
        self.assertFalse(reload(page).live)
        assert_records_hold(self)
        # Long past its go-live time and still not live: the approval no longer holds.
        Revision.objects.filter(object_id=str(page.pk)).exclude(approved_go_live_at=None).update(
            approved_go_live_at=timezone.now() - datetime.timedelta(hours=2)
        )
        (lie,) = lying_records()
        self.assertEqual((lie.action, lie.record_id), (WORKFLOW_APPROVED, state.pk))
        self.assertIsNotNone(lie.scheduled_for)
        self.assertIn("Workflow approved on", describe(lie))
        self.assertIn("its publishing was scheduled for", describe(lie))

    def test_cancelled_schedule_settles_the_approval(self):
        page = self.scheduled_draft("avlyst")
        self.approve_in_workflow(page)
        revision = Revision.objects.get(object_id=str(page.pk), approved_go_live_at__isnull=False)
        revision.approved_go_live_at = None
        revision.save(update_fields=["approved_go_live_at"])  # Wagtail logs the cancel
        self.assertTrue(
            PageLogEntry.objects.filter(page=page, action="wagtail.schedule.cancel").exists()
        )
        assert_records_hold(self)

    def test_publish_at_its_scheduled_time_is_a_record_that_must_hold(self):
        page = self.draft("na")
        revision = reload(page).get_latest_revision()
        revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
        revision.save()
        call_command("publish_scheduled", stdout=io.StringIO())
        self.assertTrue(reload(page).live)
        assert_records_hold(self)
        self.take_off_past_wagtail(page)
        (lie,) = lying_records()
        self.assertEqual(lie.action, "wagtail.publish.scheduled")


class WorkflowAndFastTrackTests(PublishedRecordsTestCase):
    def test_approved_workflow_is_judged_by_the_publish_entry_its_finish_wrote(self):
        page = self.draft("arbeidsflyt")
        self.approve_in_workflow(page)
        self.assertTrue(reload(page).live)
        assert_records_hold(self)
        self.take_off_past_wagtail(page)
        (lie,) = lying_records()
        self.assertEqual((lie.page_id, lie.action), (page.pk, "wagtail.publish"))

    def test_approved_workflow_whose_finish_published_nothing_is_reported(self):
        page = self.draft("uten-publisering")
        with mock.patch.object(WorkflowState, "on_finish", lambda self, user=None: None):
            state = self.approve_in_workflow(page)
        self.assertFalse(reload(page).live)
        (lie,) = lying_records()
        self.assertEqual((lie.action, lie.record_id), (WORKFLOW_APPROVED, state.pk))
        self.assertEqual(
            lie.revision_id,
            TaskState.objects.filter(workflow_state=state).latest("pk").revision_id,
        )

    def test_fast_track_holds_while_scheduled_and_must_hold_once_published(self):
        waiting = self.scheduled_draft("krise-snart")
        fast_track_publish(reload(waiting), None, self.g.crisis, "Stengt vei.")
        self.assertFalse(reload(waiting).live)
        now = self.draft("krise-na")
        fast_track_publish(reload(now), None, self.g.crisis, "Stengt vei.")
        assert_records_hold(self)
        self.take_off_past_wagtail(now)
        (lie,) = lying_records()
        self.assertEqual(lie.page_id, now.pk)


class ScopeAndCostTests(PublishedRecordsTestCase):
    def test_municipality_limits_the_check_to_its_site(self):
        page = self.published("kveld")
        self.take_off_past_wagtail(page)
        avesta = load_municipality("avesta")
        self.assertEqual(lying_records(municipality=avesta), [])
        self.assertEqual(
            [lie.page_id for lie in lying_records(municipality=self.g.municipality)], [page.pk]
        )
        self.run_command("--municipality", "avesta")  # status 0
        with self.assertRaises(CommandError):
            self.run_command("--municipality", self.g.municipality.slug)
        with self.assertRaisesMessage(CommandError, "No municipality with the slug “nowhere”"):
            self.run_command("--municipality", "nowhere")

    def test_queries_do_not_grow_with_the_records(self):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                check = check_records()
            return check, len(captured)

        first = [self.published(f"side-{n}") for n in range(2)]
        self.take_off_past_wagtail(first[0])
        few, few_queries = queries()
        second = [self.published(f"flere-{n}") for n in range(4)]
        with removal.because("Avlyst."):
            reload(second[0]).unpublish(user=self.g.editor)
        self.take_off_past_wagtail(second[1])
        many, many_queries = queries()
        self.assertEqual(many.records - few.records, 4)
        self.assertEqual((len(few.lies), len(many.lies)), (1, 2))
        self.assertEqual(few_queries, many_queries)
        self.assertLessEqual(many_queries, 4)


@tag("slow")
class GeneratedDataTests(TestCase):
    """The demo and pages from ``bench.scale_data``'s generator, written past Wagtail as a
    large installation's history: every record in it holds."""

    def test_the_demo_and_generated_history_hold(self):
        call_command("load_demo", quiet_logins=True, stdout=io.StringIO())
        Generator(60, 600, seed=1, batch_size=50).run()
        check = check_records(days=3650)
        self.assertEqual(check.lies, [])
        self.assertGreater(check.records, 60)
        through_workflow = PageLogEntry.objects.filter(
            page__slug__startswith=SLUG_PREFIX, action="publishing.leader_approved"
        ).values("page_id")
        page = Page.objects.filter(live=True, pk__in=through_workflow).first()
        Page.objects.filter(pk=page.pk).update(live=False, live_revision=None)
        self.assertEqual([lie.page_id for lie in lying_records(days=3650)], [page.pk])
