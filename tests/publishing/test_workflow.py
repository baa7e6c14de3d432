"""The governed workflow: checks, the internal-notice gate, leader approval, fast track, audit."""

import json

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from wagtail.models import (
    GroupApprovalTask,
    PageLogEntry,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from home.models import InternalNoticePage
from publishing.models import (
    AutomaticChecksTask,
    FastTrackReview,
    InternalNoticeTask,
    LeaderApprovalTask,
)
from tests.governance import (
    EnglishAdminMixin,
    checklist_ticks,
    news_page,
    publish_notice,
    reload,
)
from tests.worlds import GovernedWorld


class WorkflowTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def submit(self, page=None, user=None):
        return self.g.municipality.external_workflow.start(
            reload(page or self.g.page), user or self.g.publisher
        )

    def current(self, workflow_state):
        workflow_state.refresh_from_db()
        return workflow_state.current_task_state

    def act(self, user, task_state, action, data=None):
        self.login(user)
        url = reverse(
            "wagtailadmin_pages:workflow_action",
            args=[task_state.workflow_state.content_object.pk, action, task_state.pk],
        )
        return self.client.post(url, data or {"comment": ""}, follow=True)


class DefaultWorkflowTests(WorkflowTestCase):
    def test_profile_creates_external_and_intranet_workflows(self):
        m = self.g.municipality
        external = [t.specific_class for t in m.external_workflow.tasks]
        self.assertEqual(
            external,
            [AutomaticChecksTask, InternalNoticeTask, LeaderApprovalTask, GroupApprovalTask],
        )
        review = m.external_workflow.tasks[3].specific
        self.assertEqual(list(review.groups.all()), [m.communications_group])
        self.assertEqual(
            WorkflowPage.objects.get(workflow=m.external_workflow).page_id, m.site.root_page_id
        )
        intranet = [t.specific_class for t in m.intranet_workflow.tasks]
        self.assertEqual(intranet, [AutomaticChecksTask, LeaderApprovalTask])
        self.assertEqual(reload(self.g.page).get_workflow(), m.external_workflow)
        self.assertEqual(reload(self.g.notice).get_workflow(), m.intranet_workflow)

    def test_workflow_names_are_in_the_municipalitys_language(self):
        self.assertIn("ekstern publisering", self.g.municipality.external_workflow.name)

    def test_loading_the_profile_again_keeps_the_workflows(self):
        from tests.factories import load_municipality

        count = Workflow.objects.count()
        load_municipality("alvdal")
        self.assertEqual(Workflow.objects.count(), count)


class NoticeGateTests(WorkflowTestCase):
    def test_page_without_staff_effect_passes_the_gate_by_itself(self):
        page = news_page(self.g, "Vintervedlikehold", "vinter", affects_staff=False, notice=False)
        state = self.submit(page)
        self.assertEqual(self.current(state).task.specific_class, LeaderApprovalTask)

    def test_page_is_held_until_the_notice_goes_live(self):
        state = self.submit()
        held = self.current(state)
        self.assertEqual(held.task.specific_class, InternalNoticeTask)
        self.assertEqual(held.status, TaskState.STATUS_IN_PROGRESS)
        actions = [
            name
            for name, *_ in held.task.specific.get_actions(reload(self.g.page), self.g.publisher)
        ]
        self.assertEqual(actions, ["recheck"])
        publish_notice(self.g)
        moved_on = self.current(state)
        self.assertEqual(moved_on.task.specific_class, LeaderApprovalTask)
        self.assertTrue(
            PageLogEntry.objects.filter(
                page=self.g.page, action="publishing.notice_passed"
            ).exists()
        )

    def test_one_click_notice_prefilled_in_the_intranet_and_linked_back(self):
        page = news_page(self.g, "Ny vaktordning", "vaktordning", notice=False)
        state = self.submit(page)
        task_state = self.current(state)
        actions = [
            name
            for name, *_ in task_state.task.specific.get_actions(reload(page), self.g.publisher)
        ]
        self.assertIn("create_notice", actions)
        response = self.act(self.g.publisher, task_state, "create_notice")
        # Prefilled in the municipality's language, whatever the admin's own language is.
        self.assertContains(response, "Til ansatte: Ny vaktordning")
        url = reverse("publishing:create_notice", args=[page.pk])
        self.login(self.g.publisher)
        response = self.client.post(
            url, {"title": "Til ansatte: ny vaktordning", "intro": "Dette gjelder deg."}
        )
        notice = InternalNoticePage.objects.get(title="Til ansatte: ny vaktordning")
        self.assertRedirects(response, reverse("wagtailadmin_pages:edit", args=[notice.pk]))
        self.assertTrue(notice.path.startswith(self.g.intranet.path))
        self.assertFalse(notice.live)
        self.assertEqual(notice.owning_unit, self.g.line.unit)
        self.assertEqual(list(notice.audiences.all()), [self.g.staff_audience])
        draft = reload(page).get_latest_revision_as_object()
        self.assertEqual(draft.internal_notice_id, notice.pk)
        with self.captureOnCommitCallbacks(execute=True):  # the worker moves the page on
            notice.get_latest_revision().publish()
        self.assertEqual(self.current(state).task.specific_class, LeaderApprovalTask)

    def test_recheck_explains_and_stays_when_notice_is_not_live(self):
        state = self.submit()
        response = self.act(self.g.publisher, self.current(state), "recheck")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.current(state).task.specific_class, InternalNoticeTask)


class LeaderApprovalTests(WorkflowTestCase):
    def at_leader(self):
        state = self.submit()
        publish_notice(self.g)
        return state, self.current(state)

    def test_approvers_see_the_governance_summary(self):
        _state, task_state = self.at_leader()
        self.login(self.g.leader)
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[self.g.page.pk, "approve", task_state.pk]
        )
        response = self.client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        html = json.loads(response.content)["html"]
        for text in (
            self.g.citizens.name,
            "Åpen",
            "Nye turnuser i hjemmetjenesten",
            "Counts for this page",
            "Went live",
            self.g.deputy.get_full_name(),
        ):
            self.assertIn(text, html)

    def test_only_the_line_may_approve(self):
        _state, task_state = self.at_leader()
        task = task_state.task.specific
        page = reload(self.g.page)
        for user in (self.g.leader, self.g.deputy, self.g.sector_head, self.g.chief):
            self.assertEqual(
                [a[0] for a in task.get_actions(page, user)], ["reject", "approve"], user
            )
        for user in (self.g.other_head, self.g.publisher, self.g.editor, self.g.superuser):
            self.assertEqual(task.get_actions(page, user), [], user)
        response = self.act(self.g.other_head, task_state, "approve")
        self.assertEqual(reload(task_state).status, TaskState.STATUS_IN_PROGRESS)
        self.assertNotEqual(response.redirect_chain, [])

    def test_editing_leader_cannot_approve_own_revision(self):
        _state, task_state = self.at_leader()
        draft = reload(self.g.page).get_latest_revision_as_object()
        draft.intro = "Åpent til klokka 23."
        draft.save_revision(user=self.g.leader)
        task = task_state.task.specific
        self.assertEqual(task.get_actions(reload(self.g.page), self.g.leader), [])
        with self.assertRaises(PermissionDenied) as refused:
            task.on_action(task_state, self.g.leader, "approve")
        self.assertIn("four eyes", str(refused.exception))

    def test_a_leader_who_wrote_the_live_version_approves_the_changes_others_made(self):
        # Her own text went live (approved by another leader); now a publisher changes the page.
        publish_notice(self.g)
        own = reload(self.g.page).get_latest_revision_as_object()
        own.intro = "Hjemmetjenesten har åpent til klokka 22."
        own.save_revision(user=self.g.leader).publish()
        draft = reload(self.g.page).get_latest_revision_as_object()
        draft.intro = "Åpent til klokka 23 hele sommeren."
        draft.save_revision(user=self.g.publisher)
        state = self.submit()
        task_state = self.current(state)
        self.assertEqual(task_state.task.specific_class, LeaderApprovalTask)
        self.assertEqual(
            [
                a[0]
                for a in task_state.task.specific.get_actions(reload(self.g.page), self.g.leader)
            ],
            ["reject", "approve"],
        )

    def test_leader_without_publish_permission_approval_publishes(self):
        # A workflow whose last step is the leader: approval itself publishes the page.
        workflow = Workflow.objects.create(name="Bare leder")
        WorkflowTask.objects.create(
            workflow=workflow, task=LeaderApprovalTask.objects.create(name="Leder"), sort_order=0
        )
        publish_notice(self.g)
        state = workflow.start(reload(self.g.page), self.g.publisher)
        self.assertFalse(reload(self.g.page).permissions_for_user(self.g.leader).can_publish())
        response = self.act(self.g.leader, self.current(state), "approve")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(reload(self.g.page).live)
        entry = PageLogEntry.objects.get(page=self.g.page, action="publishing.leader_approved")
        self.assertEqual(entry.user, self.g.leader)
        self.assertEqual(entry.data["as"], "leader")

    def test_full_story_ends_live_after_editorial_review(self):
        state, task_state = self.at_leader()
        self.act(self.g.deputy, task_state, "approve")
        review = self.current(state)
        self.assertEqual(review.task.specific_class, GroupApprovalTask)
        self.act(self.g.editor, review, "approve")
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_APPROVED)
        self.assertTrue(reload(self.g.page).live)


class AutomaticChecksTests(WorkflowTestCase):
    def test_expired_certificate_sends_the_page_back_with_the_report(self):
        page = news_page(self.g, "Ny side", "ny-side", author=self.g.expired_publisher)
        state = self.submit(page, self.g.expired_publisher)
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        rejected = state.current_task_state
        self.assertEqual(rejected.task.specific_class, AutomaticChecksTask)
        self.assertIn("expired", rejected.get_comment())

    def test_editor_stops_the_submission_with_the_reason(self):
        page = news_page(self.g, "Ny side", "ny-side", author=self.g.expired_publisher)
        self.login(self.g.expired_publisher)
        from tests.publishing.test_publish_paths import PathTestCase

        data = PathTestCase.form_data(self, reload(page))
        data.pop("action-publish")
        data["action-submit"] = "action-submit"
        data.update(checklist_ticks(self.g))  # so that only the certificate stops it
        response = self.client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "publisher certificate")
        self.assertIsNone(reload(page).current_workflow_state)


class FastTrackTests(WorkflowTestCase):
    def test_crisis_role_publishes_notice_then_page_in_one_action(self):
        self.login(self.g.crisis)
        url = reverse("publishing:fast_track", args=[self.g.page.pk])
        self.assertContains(self.client.get(url), "Nye turnuser i hjemmetjenesten")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url, {"reason": "Stengt vei, hjemmetjenesten må endre ruter nå."}
            )
        self.assertRedirects(response, reverse("wagtailadmin_pages:edit", args=[self.g.page.pk]))
        notice, page = reload(self.g.notice), reload(self.g.page)
        self.assertTrue(notice.live and page.live)
        self.assertLessEqual(notice.last_published_at, page.last_published_at, "notice first")
        review = FastTrackReview.objects.get(page=page)
        self.assertFalse(review.is_reviewed)
        # The leader is asked to review; staff get the notice as blind copies.
        to_leader = [m for m in mail.outbox if m.to]
        self.assertEqual([m.to for m in to_leader], [[self.g.leader.email]])
        self.assertIn(reverse("publishing:review_fast_track", args=[review.pk]), to_leader[0].body)
        staff_copies = {address for m in mail.outbox if not m.to for address in m.bcc}
        self.assertIn(self.g.publisher.email, staff_copies)
        for target in (page, notice):
            self.assertTrue(
                PageLogEntry.objects.filter(page=target, action="publishing.fast_track").exists()
            )
        # Editors see it flagged in the editor; the responsible leader reviews it afterwards.
        self.login(self.g.editor)
        editor = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertContains(editor, 'id="fast-track-review"')
        self.assertContains(editor, "Stengt vei")
        self.login(self.g.leader)
        review_url = reverse("publishing:review_fast_track", args=[review.pk])
        self.assertContains(self.client.get(review_url), "Stengt vei")
        self.client.post(review_url)
        review.refresh_from_db()
        self.assertEqual(review.reviewed_by, self.g.leader)

    def test_others_may_not_fast_track(self):
        self.login(self.g.editor)
        response = self.client.post(
            reverse("publishing:fast_track", args=[self.g.page.pk]), {"reason": "x"}
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(reload(self.g.page).live)
        self.assertFalse(reload(self.g.notice).live)

    def test_fast_track_is_all_or_nothing(self):
        page = reload(self.g.page)
        draft = page.get_latest_revision_as_object()
        draft.sensitivity = "internal"  # a rule that the fast track does not lift
        draft.save_revision(user=self.g.publisher)
        self.login(self.g.crisis)
        response = self.client.post(
            reverse("publishing:fast_track", args=[page.pk]), {"reason": "Krise"}, follow=True
        )
        self.assertContains(response, "cannot be published on the public site")
        self.assertFalse(reload(self.g.notice).live, "the notice went back too")
        self.assertFalse(reload(self.g.page).live)
        self.assertFalse(FastTrackReview.objects.exists())

    def test_menu_item_only_for_the_crisis_group(self):
        url = reverse("wagtailadmin_pages:edit", args=[self.g.page.pk])
        self.login(self.g.crisis)
        self.g.crisis.groups.add(self.g.municipality.communications_group)
        self.assertContains(
            self.client.get(url), reverse("publishing:fast_track", args=[self.g.page.pk])
        )
        self.login(self.g.editor)
        self.assertNotContains(
            self.client.get(url), reverse("publishing:fast_track", args=[self.g.page.pk])
        )


class AuditTests(WorkflowTestCase):
    def test_blocks_and_approvals_are_in_page_history_without_page_text(self):
        from publishing.workflow.veto import GovernancePublishBlocked

        with self.assertRaises(GovernancePublishBlocked):
            reload(self.g.page).get_latest_revision().publish(user=self.g.editor)
        state = self.submit()
        publish_notice(self.g)
        LeaderApprovalTests.act(self, self.g.leader, self.current(state), "approve")
        entries = PageLogEntry.objects.filter(page=self.g.page, action__startswith="publishing.")
        self.assertEqual(
            sorted(entries.values_list("action", flat=True)),
            [
                "publishing.leader_approved",
                "publishing.notice_passed",
                "publishing.publish_blocked",
            ],
        )
        for entry in entries:
            self.assertNotIn(self.g.page.title, json.dumps(entry.data))
            self.assertNotIn("hjemmetjenesten", json.dumps(entry.data).lower())
        self.login(self.g.editor)
        history = self.client.get(reverse("wagtailadmin_pages:history", args=[self.g.page.pk]))
        self.assertContains(history, "Publishing blocked: notice.not_live")
        self.assertContains(history, "Approved by leader")
