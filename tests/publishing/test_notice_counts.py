"""Which internal notice counts for a page ("staff hear first"): one about the page, linked both
ways, live and not expired, on the intranet of the page's own municipality, that went live after
the page was submitted or within the profile's window. One test per way round the rule: first
the refusal, then the way that is allowed."""

import datetime

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone, translation
from wagtail.models import WorkflowState

from home.models import InternalNoticePage
from publishing.rules import WORKFLOW, RuleContext, blocking, check_publish
from publishing.rules.governance import notice_standing
from publishing.workflow.veto import GovernancePublishBlocked
from tests.factories import load_municipality
from tests.governance import build_governed, reload
from tests.worlds import GovernedWorld


def notice_blocks(findings):
    return [f.code for f in blocking(findings) if f.code.startswith("notice.")]


class NoticeCountsTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        self.enterContext(translation.override("en"))
        self.now = timezone.now()

    def notice(self, slug, *, parent=None, about=(), went_live=None, expire_at=None):
        """A live internal notice (on ``g``'s intranet unless ``parent`` is given) about the
        pages ``about``, that went live at ``went_live`` (now if not given)."""
        notice = InternalNoticePage(
            title=f"Til ansatte: {slug}",
            slug=slug,
            intro="Dette gjelder dere.",
            owning_unit=self.g.line.unit,
            responsible_leader=self.g.leader,
            live=False,
        )
        notice.about_pages.set(list(about))
        (parent or self.g.intranet).add_child(instance=notice)
        revision = notice.save_revision(user=self.g.leader)
        went_live = went_live or timezone.now()
        # Live as a publish would leave it, at the time the test needs; the expiry job has not
        # run, so a notice past ``expire_at`` is still ``live``.
        InternalNoticePage.objects.filter(pk=notice.pk).update(
            live=True,
            has_unpublished_changes=False,
            live_revision=revision,
            first_published_at=went_live,
            last_published_at=went_live,
            expire_at=expire_at,
        )
        return reload(notice)

    def draft(self, notice):
        page = reload(self.g.page).get_latest_revision_as_object()
        page.internal_notice = notice
        return page

    def link(self, notice):
        """The page links ``notice`` in a new draft."""
        page = self.draft(notice)
        page.save_revision(user=self.g.publisher)
        return reload(self.g.page)

    def test_an_old_live_notice_about_something_else_does_not_count(self):
        old = self.notice("julebord", about=[], went_live=self.now - datetime.timedelta(days=200))
        page = self.link(old)
        findings = check_publish(page.get_latest_revision_as_object())
        self.assertEqual(notice_blocks(findings), ["notice.not_linked_back"])
        why = next(f for f in findings if f.code == "notice.not_linked_back")
        self.assertIn("does not name this page", why.message)
        with self.assertRaises(GovernancePublishBlocked):
            page.get_latest_revision().publish(user=None)
        # A notice about another page does not count either, and says so.
        other = self.notice("annen-side", about=[self.g.home])
        self.assertEqual(
            notice_blocks(check_publish(self.draft(other))), ["notice.about_other_page"]
        )
        # The allowed way: a notice about this page, live now.
        proper = self.notice("om-kveldsapent", about=[self.g.page])
        page = self.link(proper)
        self.assertEqual(notice_blocks(check_publish(page.get_latest_revision_as_object())), [])
        page.get_latest_revision().publish(user=None)
        self.assertTrue(reload(page).live)

    def test_an_expired_notice_does_not_count_before_the_expiry_job_runs(self):
        expired = self.notice(
            "utlopt", about=[self.g.page], expire_at=self.now - datetime.timedelta(hours=1)
        )
        self.assertTrue(expired.live)
        findings = check_publish(self.draft(expired))
        self.assertEqual(notice_blocks(findings), ["notice.expired"])
        self.assertIn("expired at", next(f for f in findings if f.blocks).message)
        # Allowed: the same notice with its expiry time still ahead.
        InternalNoticePage.objects.filter(pk=expired.pk).update(
            expire_at=self.now + datetime.timedelta(days=30)
        )
        self.assertEqual(notice_blocks(check_publish(self.draft(reload(expired)))), [])

    def test_a_notice_on_the_other_municipalitys_intranet_does_not_count(self):
        avesta = load_municipality("avesta")
        theirs = self.notice("avesta-notis", parent=avesta.intranet_page, about=[self.g.page])
        findings = check_publish(self.draft(theirs))
        self.assertEqual(notice_blocks(findings), ["notice.other_municipality"])
        self.assertIn(avesta.name, next(f for f in findings if f.blocks).message)
        # Allowed: the same kind of notice on this municipality's own intranet.
        ours = self.notice("var-notis", about=[self.g.page])
        self.assertEqual(notice_blocks(check_publish(self.draft(ours))), [])

    def test_a_notice_linked_both_ways_that_went_live_after_submission_counts(self):
        page = self.link(self.g.notice)
        page.get_workflow().start(page, self.g.publisher)
        state = WorkflowState.objects.for_instance(page).get()
        # Submitted 40 days ago, far beyond the window from now: only "after submission" (or
        # the window before it) can let a notice in.
        submitted = self.now - datetime.timedelta(days=40)
        WorkflowState.objects.filter(pk=state.pk).update(created_at=submitted)
        before = self.notice(
            "for-innsending", about=[page], went_live=submitted - datetime.timedelta(days=20)
        )
        draft = self.draft(before)
        findings = check_publish(draft, route=WORKFLOW)
        self.assertEqual(notice_blocks(findings), ["notice.too_old"])
        self.assertIn("too long ago", next(f for f in findings if f.blocks).message)
        # Allowed: the notice went live after the page was submitted.
        after = self.notice(
            "etter-innsending", about=[page], went_live=submitted + datetime.timedelta(days=3)
        )
        draft = self.draft(after)
        self.assertEqual(notice_blocks(check_publish(draft, route=WORKFLOW)), [])
        standing = notice_standing(RuleContext(page=draft))
        self.assertTrue(standing.counts)
        self.assertEqual(standing.submitted_at, submitted)

    def test_a_notice_within_the_profiles_window_counts(self):
        profile = dict(self.g.municipality.profile)
        profile["workflow"] = {**profile["workflow"], "notice_window_days": 10}
        type(self.g.municipality).objects.filter(pk=self.g.municipality.pk).update(profile=profile)
        # No workflow: the window counts back from the publishing.
        too_old = self.notice(
            "elleve-dager", about=[self.g.page], went_live=self.now - datetime.timedelta(days=11)
        )
        self.assertEqual(notice_blocks(check_publish(self.draft(too_old))), ["notice.too_old"])
        within = self.notice(
            "ni-dager", about=[self.g.page], went_live=self.now - datetime.timedelta(days=9)
        )
        self.assertEqual(notice_blocks(check_publish(self.draft(within))), [])


class NoticeChoicesTests(GovernedWorld, TestCase):
    """A notice's "About the pages" offers its own municipality's pages only."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.avesta = build_governed("avesta", prefix="avesta")

    def test_the_other_municipalitys_pages_are_neither_offered_nor_accepted(self):
        form_class = InternalNoticePage.get_edit_handler().get_form_class()
        form = form_class(instance=reload(self.g.notice), parent_page=self.g.intranet)
        offered = set(form.fields["about_pages"].queryset.values_list("pk", flat=True))
        self.assertIn(self.g.page.pk, offered)
        self.assertNotIn(self.avesta.page.pk, offered)
        self.assertNotIn(self.avesta.home.pk, offered)
        field = form.fields["about_pages"]
        with self.assertRaises(ValidationError):
            field.clean([str(self.avesta.page.pk)])
