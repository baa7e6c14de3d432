"""Workflow actions sent twice, or racing a stale save or an autosave, over HTTP on PostgreSQL.

A browser can send the same action twice (a double click, the form resent), the editor's
autosave can fire with the clicked action's inputs still in the form, and a second tab can save
the form it loaded before the action. Each request runs in its own thread and database
connection of the live server, as on several app-server workers. Every action (the approval that
publishes a notice, a leader's approval, the editorial review that publishes the page, a request
for changes) meets each twin at 0 to 0.5 s apart; afterwards the page is live exactly when the
record says published, every step was decided once by someone allowed to decide it, no mail
went twice and no request failed.
"""

import json
import traceback

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.signals import got_request_exception
from django.test import LiveServerTestCase, tag
from wagtail.models import GroupApprovalTask, PageLogEntry, TaskState, WorkflowState

from publishing.models import LeaderApprovalTask
from publishing.rules.approval import approver_ids
from publishing.workflow.published_records import lying_records
from tests.concurrency import at_the_same_time
from tests.governance import build_governed, publish_notice, reload, warning_reasons
from tests.live_admin import AdminSession
from tests.publishing.test_integrity import needs_postgresql

DELAYS = (0, 0.05, 0.2, 0.5)
User = get_user_model()


@tag("slow")
class RaceTestCase(LiveServerTestCase):
    """A governed municipality served live, with server errors and mails kept for the checks."""

    def setUp(self):
        self.g = build_governed()
        mail.outbox.clear()
        self.errors = []

        def keep(sender, request=None, **kwargs):
            self.errors.append(traceback.format_exc())

        got_request_exception.connect(keep, weak=False, dispatch_uid="race-errors")
        self.addCleanup(got_request_exception.disconnect, dispatch_uid="race-errors")

    def approve_extra(self, page):
        """What the leader's approval modal sends: the revision seen and a reason per warning."""
        page = reload(page)
        return {
            "comment": "",
            "revision": page.latest_revision_id,
            "acknowledgements": warning_reasons(page),
        }

    def assertRecordTrue(self, page, responses, workflow_state, published=1):
        """No server error; the page live exactly when the record says published (``published``
        publishes on record; ``None``: one or none, as the race went); each step decided once,
        by someone allowed to decide it; no mail sent more often than its step started."""
        self.assertFalse(self.errors, "server errors:\n" + "\n".join(self.errors))
        for response in responses:
            self.assertNotIsInstance(response, Exception, response)
            self.assertLess(response.status_code, 500, response.text[:500])
        page = reload(page)
        entries = PageLogEntry.objects.filter(page=page, action="wagtail.publish").count()
        if published is None:
            self.assertIn(entries, (0, 1), "at most one publish on record")
            published = entries
        self.assertEqual(entries, published, "publishes on record")
        self.assertEqual(page.live, bool(published), "live exactly when published on record")
        self.assertEqual(page.live_revision_id is not None, bool(published))
        self.assertEqual(lying_records(), [], "every record of a publish holds")
        for state in TaskState.objects.filter(workflow_state=workflow_state).exclude(
            finished_by=None
        ):
            task = state.task.specific
            allowed = (
                set(approver_ids(page.get_latest_revision_as_object()))
                if isinstance(task, LeaderApprovalTask)
                else set(
                    User.objects.filter(groups__in=task.groups.all()).values_list("pk", flat=True)
                )
            )
            self.assertIn(state.finished_by_id, allowed, f"{task} decided by someone allowed")
        decided = [
            entry.data["workflow"]["task_state_id"]
            for entry in PageLogEntry.objects.filter(
                page=page, action__in=["wagtail.workflow.approve", "wagtail.workflow.reject"]
            )
        ]
        self.assertEqual(len(decided), len(set(decided)), "each step decided once on record")
        sent = [(m.subject, tuple(sorted(m.to + m.bcc))) for m in mail.outbox]
        # A step asks its approvers once each time it starts. A stale save that lands before
        # the approval is a new version, and the step starts again for it (re-approval on
        # edit): the approver is rightly asked again, once per start, and never more.
        starts = max(
            [
                TaskState.objects.filter(workflow_state=workflow_state, task=task).count()
                for task in TaskState.objects.filter(workflow_state=workflow_state).values_list(
                    "task", flat=True
                )
            ]
            or [1]
        )
        too_often = sorted({item for item in sent if sent.count(item) > starts})
        self.assertEqual(too_often, [], "no mail sent more often than its step started")

    #: What a race may end in, by twin. A stale save that lands before the action is a new
    #: version: the approvals so far were for the one before, so the page goes back through the
    #: workflow (re-approval on edit) and the action, if it still may be taken, decides nothing
    #: that publishes. Either way the record must hold.
    PUBLISHED = {"same": 1, "stale_save": None, "autosave": 1}

    def race(self, session, page, fields, action, extra, kind, delay):
        """Send ``action`` from the editor and, ``delay`` seconds later, its ``kind`` of twin:
        the same action again, a "Save draft" of the form loaded before it, or the autosave
        that fires with the action's inputs still in the form. The answers."""
        path = f"/admin/pages/{page.pk}/edit/"
        with_action = [
            *fields,
            ("action-workflow-action", "true"),
            ("workflow-action-name", action),
            ("workflow-action-extra-data", json.dumps(extra)),
        ]
        twin = {
            "same": lambda: session.workflow_action(page.pk, fields, action, extra),
            "stale_save": lambda: session.post(path, list(fields)),
            "autosave": lambda: session.autosave(page.pk, with_action),
        }[kind]
        return at_the_same_time(
            lambda: session.workflow_action(page.pk, fields, action, extra), twin, delay=delay
        )

    def assertNoEmptyRevision(self, page, user):
        """An autosave without changes writes no revision of ``user``."""
        self.assertFalse(reload(page).revisions.filter(user=user).exists())


@needs_postgresql
class NoticeApprovalRaceTests(RaceTestCase):
    """The deputy approves the leader's internal notice; the intranet workflow then publishes."""

    def setUp(self):
        super().setUp()
        notice = reload(self.g.notice)
        notice.audiences.set([self.g.staff_audience])
        notice.save_revision(user=self.g.leader)
        self.state = notice.get_workflow().start(notice, self.g.leader)
        self.assertIsInstance(self.state.current_task_state.task.specific, LeaderApprovalTask)

    def race_approval(self, kind, delay):
        """The deputy's approval, which publishes the notice, and its twin."""
        deputy = AdminSession(self.live_server_url, self.g.deputy)
        fields = deputy.edit_form(self.g.notice.pk)
        extra = self.approve_extra(self.g.notice)
        responses = self.race(deputy, self.g.notice, fields, "approve", extra, kind, delay)
        self.assertRecordTrue(self.g.notice, responses, self.state, self.PUBLISHED[kind])
        if kind == "autosave":
            self.assertNoEmptyRevision(self.g.notice, self.g.deputy)


@needs_postgresql
class PublicPageRaceTests(RaceTestCase):
    """The news page that affects staff: the leader approves, the editorial review publishes."""

    def setUp(self):
        super().setUp()
        publish_notice(self.g)
        page = reload(self.g.page)
        self.state = page.get_workflow().start(page, self.g.publisher)
        self.assertIsInstance(self.state.current_task_state.task.specific, LeaderApprovalTask)
        mail.outbox.clear()

    def race_leader_approval(self, kind, delay):
        """The leader's approval (the page moves on to the editorial review) and its twin."""
        leader = AdminSession(self.live_server_url, self.g.leader)
        fields = leader.edit_form(self.g.page.pk)
        extra = self.approve_extra(self.g.page)
        responses = self.race(leader, self.g.page, fields, "approve", extra, kind, delay)
        self.assertRecordTrue(self.g.page, responses, self.state, published=0)
        review = WorkflowState.objects.get(pk=self.state.pk).current_task_state
        if kind != "stale_save":  # a stale save first: the new version waits for a leader
            self.assertEqual(review.task.specific_class, GroupApprovalTask)
        self.assertEqual(review.status, TaskState.STATUS_IN_PROGRESS, review.comment)
        if kind == "autosave":
            self.assertNoEmptyRevision(self.g.page, self.g.leader)

    def race_final_publish(self, kind, delay):
        """The editorial review's approval, which publishes the page, and its twin."""
        leader = AdminSession(self.live_server_url, self.g.leader)
        fields = leader.edit_form(self.g.page.pk)
        response = leader.workflow_action(
            self.g.page.pk, fields, "approve", self.approve_extra(self.g.page)
        )
        self.assertEqual(response.status_code, 302)
        editor = AdminSession(self.live_server_url, self.g.editor)
        fields = editor.edit_form(self.g.page.pk)
        responses = self.race(editor, self.g.page, fields, "approve", {}, kind, delay)
        self.assertRecordTrue(self.g.page, responses, self.state, self.PUBLISHED[kind])
        if kind == "autosave":
            self.assertNoEmptyRevision(self.g.page, self.g.editor)

    def race_request_changes(self, kind, delay):
        """The leader's "request changes" and its twin: one rejection, one mail to the author."""
        leader = AdminSession(self.live_server_url, self.g.leader)
        fields = leader.edit_form(self.g.page.pk)
        extra = {"comment": "Skriv kortere.", "revision": reload(self.g.page).latest_revision_id}
        responses = self.race(leader, self.g.page, fields, "reject", extra, kind, delay)
        self.assertRecordTrue(self.g.page, responses, self.state, published=0)
        state = WorkflowState.objects.get(pk=self.state.pk)
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        self.assertEqual(
            TaskState.objects.filter(
                workflow_state=state, status=TaskState.STATUS_REJECTED
            ).count(),
            1,
        )

    def race_second_approver(self, kind, delay):
        """The leader's approval and the deputy's hand-made one (comment only) at once: one
        decides the leader's step, and neither decides the editorial review."""
        leader = AdminSession(self.live_server_url, self.g.leader)
        deputy = AdminSession(self.live_server_url, self.g.deputy)
        leader_fields = leader.edit_form(self.g.page.pk)
        deputy_fields = deputy.edit_form(self.g.page.pk)
        extra = self.approve_extra(self.g.page)
        responses = at_the_same_time(
            lambda: leader.workflow_action(self.g.page.pk, leader_fields, "approve", extra),
            lambda: deputy.workflow_action(
                self.g.page.pk, deputy_fields, "approve", {"comment": "Ok."}
            ),
            delay=delay,
        )
        self.assertRecordTrue(self.g.page, responses, self.state, published=0)
        review = WorkflowState.objects.get(pk=self.state.pk).current_task_state
        self.assertEqual(review.task.specific_class, GroupApprovalTask)
        self.assertEqual(review.status, TaskState.STATUS_IN_PROGRESS, "the review is undecided")


KINDS = ("same", "stale_save", "autosave")


def _add_race_tests(case):
    """One test per race, twin and delay, so that each starts from fresh data."""
    for name in [n for n in vars(case) if n.startswith("race_")]:
        kinds = ("same",) if name == "race_second_approver" else KINDS
        for kind in kinds:
            for delay in DELAYS:
                label = f"test_{name[len('race_') :]}_{kind}_{int(delay * 1000)}ms_apart"

                def test(self, name=name, kind=kind, delay=delay):
                    getattr(self, name)(kind, delay)

                test.__doc__ = getattr(case, name).__doc__
                setattr(case, label, test)


_add_race_tests(NoticeApprovalRaceTests)
_add_race_tests(PublicPageRaceTests)
