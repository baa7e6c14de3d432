"""A leader who can finish: she links the internal notice to her service's page from her
dashboard and can still approve the page (linking a notice is no edit of what citizens read),
never the notice she wrote herself; where she cannot approve, the editor says why."""

import json

from django.test import TestCase, tag
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from home.models import InternalNoticePage
from publishing.models import ChecklistConfirmation, InternalNoticeTask, LeaderApprovalTask
from publishing.rules.approval import can_approve, edited_by
from tests.governance import (
    EnglishAdminMixin,
    checklist_ticks,
    news_page,
    reload,
    warning_reasons,
)
from tests.live_admin import panel_report
from tests.worlds import GovernedWorld

NOTICE_TITLE = "Til ansatte: ny vaktordning"


class LeaderCanFinishTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        super().setUp()
        # A page that affects staff, written by the publisher, with no notice linked yet.
        self.page = news_page(self.g, "Ny vaktordning", "vaktordning", notice=False)

    # --- driving the admin as a browser would ---------------------------------------------

    def edit_url(self, page=None):
        return reverse("wagtailadmin_pages:edit", args=[(page or self.page).pk])

    def editor_form(self, user, page=None):
        """The editor's form as the browser would post it, for ``user``, as a dict of lists.

        The body (empty in these pages) is filled in by the browser's script, and a ticked
        checkbox without a value is sent as "on".
        """
        self.login(user)
        response = self.client.get(self.edit_url(page))
        self.assertEqual(response.status_code, 200)
        form = querydict_from_html(response.content.decode(), form_id="page-edit-form")
        data = {key: form.getlist(key) for key in form}
        if data.get("affects_staff") == [""]:
            data["affects_staff"] = ["on"]
        for key, value in nested_form_data({"body": streamfield([])}).items():
            data.setdefault(key, [value])
        return data

    def submit(self):
        """The publisher submits the page from the editor, ticking the checklist."""
        data = self.editor_form(self.g.publisher)
        data["action-submit"] = ["action-submit"]
        data.update(checklist_ticks(self.g))
        response = self.client.post(self.edit_url(), data)
        self.assertEqual(response.status_code, 302)
        state = reload(self.page).current_workflow_state
        self.assertIsNotNone(state, "submitted")
        return state

    def current(self, page=None):
        state = reload(page or self.page).current_workflow_state
        return state.current_task_state if state else None

    def create_notice_from_dashboard(self, leader):
        """The leader follows "Create internal notice" on her dashboard and sends the form."""
        self.login(leader)
        url = reverse("publishing:create_notice", args=[self.page.pk])
        self.assertContains(self.client.get(reverse("wagtailadmin_home")), url)
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url, {"title": NOTICE_TITLE, "intro": "Fra januar gjelder en ny vaktordning."}
        )
        notice = InternalNoticePage.objects.get(title=NOTICE_TITLE)
        self.assertRedirects(response, self.edit_url(notice))
        draft = reload(self.page).get_latest_revision_as_object()
        self.assertEqual(draft.internal_notice_id, notice.pk)
        return notice

    def action_url(self, page, task_state, action="approve"):
        return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])

    def approve(self, user, page, task_state):
        """``user`` posts the approval with a reason for every warning, as the modal sends it."""
        self.login(user)
        data = {"comment": ""}
        data.update({f"reason__{key}": text for key, text in warning_reasons(page).items()})
        return self.client.post(self.action_url(page, task_state), data, follow=True)

    def at_leader_after_dashboard_notice(self):
        """Submitted; the leader creates the notice from her dashboard; the deputy approves the
        notice (the leader may not: she wrote it), which publishes it, and the page moves on
        to the leader. Returns the notice and the leader's task state."""
        self.submit()
        self.assertEqual(self.current().task.specific_class, InternalNoticeTask)
        notice = self.create_notice_from_dashboard(self.g.leader)
        self.g.municipality.intranet_workflow.start(reload(notice), self.g.leader)
        notice_task = self.current(notice)
        self.assertEqual(notice_task.task.specific_class, LeaderApprovalTask)
        with self.captureOnCommitCallbacks(execute=True):  # pages held for it are released
            self.approve(self.g.deputy, notice, notice_task)
        self.assertTrue(reload(notice).live)
        task_state = self.current()
        self.assertEqual(task_state.task.specific_class, LeaderApprovalTask)
        return notice, task_state


@tag("slow")
class LinkingTheNoticeIsNoEditTests(LeaderCanFinishTestCase):
    def test_leader_creates_the_notice_from_her_dashboard_and_approves_the_page(self):
        notice, task_state = self.at_leader_after_dashboard_notice()
        # The leader saved the revision that links the notice ...
        self.assertEqual(reload(self.page).get_latest_revision().user, self.g.leader)
        # ... and may still approve: she wrote nothing citizens read.
        task = task_state.task.specific
        actions = [name for name, *_ in task.get_actions(reload(self.page), self.g.leader)]
        self.assertEqual(actions, ["reject", "approve"])
        response = self.approve(self.g.leader, self.page, task_state)
        self.assertEqual(response.status_code, 200)
        task_state.refresh_from_db()
        self.assertEqual(task_state.status, TaskState.STATUS_APPROVED)
        self.assertEqual(task_state.finished_by, self.g.leader)
        # On to the communications group's editorial review.
        self.assertEqual(self.current().task.specific_class.__name__, "GroupApprovalTask")

    def test_she_cannot_approve_the_notice_she_created(self):
        self.submit()
        notice = self.create_notice_from_dashboard(self.g.leader)
        self.g.municipality.intranet_workflow.start(reload(notice), self.g.leader)
        notice_task = self.current(notice)
        task = notice_task.task.specific
        self.assertEqual(task.get_actions(reload(notice), self.g.leader), [])
        approval = can_approve(self.g.leader, reload(notice).get_latest_revision_as_object())
        self.assertFalse(approval.allowed)
        self.assertIn("four eyes", approval.reason)
        response = self.approve(self.g.leader, notice, notice_task)
        self.assertContains(response, "four eyes")
        self.assertEqual(reload(notice_task).status, TaskState.STATUS_IN_PROGRESS)
        self.assertFalse(reload(notice).live)
        # Her deputy, or a leader above her in the line, may.
        for other in (self.g.deputy, self.g.sector_head):
            self.assertEqual(
                [name for name, *_ in task.get_actions(reload(notice), other)],
                ["reject", "approve"],
                other,
            )

    def test_linking_a_notice_by_hand_in_the_editor_is_no_edit(self):
        self.submit()
        self.assertEqual(self.current().task.specific_class, InternalNoticeTask)
        data = self.editor_form(self.g.leader)
        data["internal_notice"] = [str(self.g.notice.pk)]
        response = self.client.post(self.edit_url(), data)
        self.assertEqual(response.status_code, 302)
        latest = reload(self.page).get_latest_revision()
        self.assertEqual(latest.user, self.g.leader)
        self.assertEqual(latest.as_object().internal_notice_id, self.g.notice.pk)
        self.assertFalse(edited_by(reload(self.page), self.g.leader))
        self.assertTrue(can_approve(self.g.leader, latest.as_object()).allowed)

    def test_a_leader_who_edited_the_body_still_cannot_approve(self):
        _notice, task_state = self.at_leader_after_dashboard_notice()
        data = self.editor_form(self.g.leader)
        data["intro"] = ["Hjemmetjenesten har åpent til klokka 23 fra 1. januar."]
        self.assertEqual(self.client.post(self.edit_url(), data).status_code, 302)
        self.assertTrue(edited_by(reload(self.page), self.g.leader))
        task = task_state.task.specific
        self.assertEqual(task.get_actions(reload(self.page), self.g.leader), [])
        response = self.approve(self.g.leader, self.page, self.current())
        self.assertContains(response, "four eyes")
        self.assertEqual(self.current().status, TaskState.STATUS_IN_PROGRESS)
        self.assertEqual(
            reload(self.page).current_workflow_state.status, WorkflowState.STATUS_IN_PROGRESS
        )

    def test_the_dashboard_lists_the_page_for_her_approval(self):
        self.at_leader_after_dashboard_notice()
        self.login(self.g.leader)
        home = self.client.get(reverse("wagtailadmin_home")).content.decode()
        panel = home[home.index("Awaiting your approval as leader") :]
        self.assertIn(self.page.title, panel[: panel.index("</table>")])
        self.assertNotIn("you edited yourself", panel[: panel.index("</section>")])


class AwaitingReviewNamesTheSubmitterTests(LeaderCanFinishTestCase):
    def awaiting_review(self, user):
        self.login(user)
        html = self.client.get(reverse("wagtailadmin_home")).content.decode()
        start = html.index('id="awaiting-review-section"')
        return html[start : html.index("</table>", start)]

    def test_the_panel_names_who_submitted_the_page_not_who_saved_last(self):
        self.at_leader_after_dashboard_notice()
        # The task started on the leader's revision that links the notice ...
        self.assertEqual(self.current().revision.user, self.g.leader)
        for user in (self.g.leader, self.g.sector_head):
            panel = self.awaiting_review(user)
            self.assertIn(self.page.title, panel)
            # ... and the panel names the publisher, who submitted the page.
            self.assertIn(self.g.publisher.get_full_name(), panel, user)
            self.assertNotIn(self.g.leader.get_full_name(), panel, user)


@tag("slow")
class EditorSaysWhyNotTests(LeaderCanFinishTestCase):
    def reasons(self, user, page=None):
        """The reasons next to the editor's actions, for ``user`` ("" when there are none)."""
        self.login(user)
        response = self.client.get(self.edit_url(page))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        if 'id="approval-obstacles"' not in html:
            return ""
        start = html.index('id="approval-obstacles"')
        return html[start : html.index("</div>", start)]

    def test_four_eyes(self):
        self.at_leader_after_dashboard_notice()
        self.assertEqual(self.reasons(self.g.leader), "", "she may approve: nothing to explain")
        data = self.editor_form(self.g.leader)
        data["intro"] = ["Hjemmetjenesten har åpent til klokka 23 fra 1. januar."]
        self.client.post(self.edit_url(), data)
        reasons = self.reasons(self.g.leader)
        self.assertIn("You cannot approve this page:", reasons)
        self.assertIn(
            "You edited this page yourself; another leader must approve it (four eyes).", reasons
        )
        # The reason the task gives when the approval is refused, word for word.
        task = self.current().task.specific
        self.assertIn(task.approval(reload(self.page), self.g.leader).reason, reasons)

    def test_not_in_the_pages_line(self):
        self.at_leader_after_dashboard_notice()
        reasons = self.reasons(self.g.publisher)
        self.assertIn(
            f"Only the responsible leader ({self.g.leader.get_full_name()}), an active deputy "
            "or a leader above them in the line may approve this page.",
            reasons,
        )

    def test_a_blocking_finding_with_its_fix(self):
        notice, task_state = self.at_leader_after_dashboard_notice()
        reload(notice).unpublish()
        task = task_state.task.specific
        actions = [name for name, *_ in task.get_actions(reload(self.page), self.g.leader)]
        self.assertEqual(actions, ["reject"])
        reasons = self.reasons(self.g.leader)
        self.assertIn(f"the internal notice “{NOTICE_TITLE}” is not live yet", reasons)
        self.assertIn(
            "How to fix: Publish the internal notice on the intranet first, then publish this "
            "page.",
            reasons,
        )
        self.assertIn(reverse("wagtailadmin_pages:edit", args=[notice.pk]), reasons)

    def test_the_notice_not_live_yet_while_the_page_waits_for_it(self):
        self.submit()
        self.assertEqual(self.current().task.specific_class, InternalNoticeTask)
        reasons = self.reasons(self.g.leader)
        self.assertIn("You cannot approve this page yet:", reasons)
        self.assertIn("no internal notice to staff is linked", reasons)
        self.create_notice_from_dashboard(self.g.leader)
        reasons = self.reasons(self.g.leader)
        self.assertIn(f"the internal notice “{NOTICE_TITLE}” is not live yet", reasons)
        # The author is told by the hold banner above the form; she approves nothing.
        self.assertEqual(self.reasons(self.g.publisher), "")


class CertificateOnlyWhereItMattersTests(LeaderCanFinishTestCase):
    def panel(self, user, page=None):
        """The report the governance panel loads once ``user`` has opened the editor."""
        self.login(user)
        html = self.client.get(self.edit_url(page)).content.decode()
        return panel_report(self.client, html, (page or self.page).get_latest_revision_as_object())

    def test_no_certificate_finding_for_the_leader_at_the_approval_step(self):
        self.at_leader_after_dashboard_notice()
        self.assertFalse(self.g.leader.publisher_certificates.exists())
        panel = self.panel(self.g.leader)
        self.assertIn("Who will approve", panel)
        self.assertNotIn('data-finding-code="publisher.', panel)
        self.assertNotIn("certificate", panel)
        # Nor from the panel's endpoint, which follows the unsaved form.
        data = self.editor_form(self.g.leader)
        html = self.client.post(
            reverse("publishing:governance_report", args=[self.page.pk]), data
        ).content.decode()
        self.assertIn("Who will approve", html)
        self.assertNotIn('data-finding-code="publisher.', html)

    def test_the_author_who_would_submit_is_still_told(self):
        page = news_page(self.g, "Ny side", "ny-side", author=self.g.expired_publisher)
        panel = self.panel(self.g.expired_publisher, page)
        self.assertIn('data-finding-code="publisher.certificate_expired"', panel)


class ModalChecklistTests(LeaderCanFinishTestCase):
    def modal(self, user, task_state):
        self.login(user)
        response = self.client.get(
            self.action_url(self.page, task_state), HTTP_X_REQUESTED_WITH="XMLHttpRequest"
        )
        html = json.loads(response.content)["html"]
        start = html.index('class="publishing-checklist-confirmation"')
        return html[start : html.index("</section>", start)]

    def test_the_checklist_is_confirmed_for_the_revision_under_review(self):
        _notice, task_state = self.at_leader_after_dashboard_notice()
        confirmation = ChecklistConfirmation.objects.get(page_id=self.page.pk)
        under_review = reload(self.page).get_latest_revision()
        # Confirmed on submit; the revision under review is the leader's, which links the notice.
        self.assertNotEqual(confirmation.revision, under_review)
        self.assertEqual(task_state.revision, under_review)
        modal = self.modal(self.g.leader, task_state)
        self.assertIn(
            f"Confirmed by {self.g.publisher.get_full_name()} on "
            f"{date_format(timezone.localtime(confirmation.confirmed_at), 'DATETIME_FORMAT')} "
            "for this version:",
            modal,
        )
        self.assertIn("changed nothing citizens read", modal)
        self.assertNotIn("earlier version", modal)
        for item in self.g.municipality.checklist:
            self.assertIn(item["text"], modal)

    def test_it_says_so_when_the_confirmation_belongs_to_an_earlier_version(self):
        _notice, task_state = self.at_leader_after_dashboard_notice()
        draft = reload(self.page).get_latest_revision_as_object()
        draft.intro = "Hjemmetjenesten har åpent til klokka 23 fra 1. januar."
        draft.save_revision(user=self.g.publisher)
        modal = self.modal(self.g.leader, task_state)
        self.assertIn(f"Confirmed by {self.g.publisher.get_full_name()} on ", modal)
        self.assertIn("for an earlier version of the page.", modal)
        self.assertIn(
            "This version was changed after that, and its checklist was not confirmed.", modal
        )
        self.assertNotIn("for this version:", modal)
