"""Workflow actions that cannot be taken are refused with a reason, and save nothing.

The editor's form carries both the page and the action: an action that is not the sender's to
take (or no longer open) must not fall back to saving the form in the sender's name, and the
editor's autosave must never take the action that was clicked just before it fired.
"""

import json

from django.test import TestCase
from django.urls import reverse
from wagtail.models import TaskState
from wagtail.rich_text import RichText

from tests.governance import EnglishAdminMixin, publish_notice, reload
from tests.live_admin import editor_fields, post_data
from tests.worlds import GovernedWorld


class RefusalTests(GovernedWorld, EnglishAdminMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.g = self.world_objects()
        self.state = self.g.municipality.external_workflow.start(
            reload(self.g.page), self.g.publisher
        )
        publish_notice(self.g)
        self.state.refresh_from_db()
        self.task_state = self.state.current_task_state
        self.edit_url = reverse("wagtailadmin_pages:edit", args=[self.g.page.pk])

    def editor_form(self, user, **changes):
        """The editor's form as ``user`` has it, with ``changes`` typed into it."""
        self.login(user)
        html = self.client.get(self.edit_url).content.decode()
        fields = post_data(editor_fields(html, reload(self.g.page)))
        fields.update(changes)
        return fields

    def with_action(self, fields, action, extra=None):
        return {
            **fields,
            "action-workflow-action": "true",
            "workflow-action-name": action,
            "workflow-action-extra-data": json.dumps(extra or {}),
        }

    def revisions(self):
        return reload(self.g.page).revisions.count()

    def test_an_action_that_is_not_yours_saves_nothing_in_your_name(self):
        fields = self.editor_form(self.g.publisher, intro="Endret av en som ikke kan godkjenne.")
        before = self.revisions()
        response = self.client.post(self.edit_url, self.with_action(fields, "approve"), follow=True)
        self.assertContains(response, "Nothing was saved")
        self.assertEqual(self.revisions(), before, "no revision in the publisher's name")
        self.assertEqual(reload(self.task_state).status, TaskState.STATUS_IN_PROGRESS)

    def test_the_editor_says_what_an_approval_did(self):
        fields = self.editor_form(self.g.leader)
        extra = {"comment": "", "revision": reload(self.g.page).latest_revision_id}
        moved = self.client.post(
            self.edit_url, self.with_action(fields, "approve", extra), follow=True
        )
        self.assertContains(moved, "moves on to the step")
        self.assertNotContains(moved, "has been updated")
        fields = self.editor_form(self.g.editor)
        published = self.client.post(
            self.edit_url, self.with_action(fields, "approve"), follow=True
        )
        self.assertContains(published, "has been published")
        self.assertTrue(reload(self.g.page).live)

    def test_after_deciding_each_goes_back_to_where_they_work(self):
        # The leader approves pages she may not browse: back to her dashboard, which lists what
        # waits for her next. The editor reviews in the news section she edits: to its listing.
        fields = self.editor_form(self.g.leader)
        extra = {"comment": "", "revision": reload(self.g.page).latest_revision_id}
        response = self.client.post(self.edit_url, self.with_action(fields, "approve", extra))
        self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)
        fields = self.editor_form(self.g.editor)
        response = self.client.post(self.edit_url, self.with_action(fields, "approve"))
        self.assertRedirects(
            response,
            reverse("wagtailadmin_explore", args=[self.g.page.get_parent().pk]),
            fetch_redirect_response=False,
        )

    def test_a_step_decided_since_the_editor_opened_says_so_in_the_modal(self):
        # A second tab, or a colleague: the step is decided; the approval dialog opened from the
        # stale editor says so instead of offering a form that can only be refused.
        fields = self.editor_form(self.g.leader)
        extra = {"comment": "", "revision": reload(self.g.page).latest_revision_id}
        self.client.post(self.edit_url, self.with_action(fields, "approve", extra))
        url = reverse(
            "wagtailadmin_pages:collect_workflow_action_data",
            args=[self.g.page.pk, "approve", self.task_state.pk],
        )
        response = self.client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(response.status_code, 200)
        html = response.json()["html"]
        self.assertIn("You had already decided the step", html)
        self.assertNotIn("<form", html)
        # She may no longer open the page's editor: the way on is her dashboard.
        self.assertIn(f'href="{reverse("wagtailadmin_home")}"', html)
        self.assertNotIn(f'href="{self.edit_url}"', html)

    def test_a_leader_approves_text_stored_without_the_editors_block_keys(self):
        # Imported or generated rich text has no data-block-key; the editor adds keys when it
        # sends the text back unchanged. That is no edit: the leader may still approve.
        draft = reload(self.g.page).get_latest_revision_as_object()
        draft.body = [("paragraph", RichText("<p>Kveldsåpent fra januar.</p><p>Ring oss.</p>"))]
        draft.save_revision(user=self.g.publisher)
        fields = self.editor_form(self.g.leader)
        self.assertIn('"key"', fields["body-0-value"], "the editor sends its block keys")
        extra = {"comment": "", "revision": reload(self.g.page).latest_revision_id}
        self.client.post(self.edit_url, self.with_action(fields, "approve", extra))
        self.assertEqual(reload(self.task_state).status, TaskState.STATUS_APPROVED)

    def test_a_leader_approves_a_version_saved_in_code_from_the_database(self):
        # Code that saves a version of a page read from PostgreSQL writes its blocks as jsonb
        # hands them back (id, type, value); the editor's form writes type, value, id. Sending
        # the editor's form back unchanged is no edit: the leader may still approve.
        draft = reload(self.g.page).get_latest_revision_as_object()
        draft.body = [("paragraph", RichText("<p>Kveldsåpent fra januar.</p>"))] * 2
        revision = draft.save_revision(user=self.g.publisher)
        body = json.loads(revision.content["body"])
        revision.content["body"] = json.dumps(
            [{key: block[key] for key in sorted(block, key=len)} for block in body]
        )
        revision.save(update_fields=["content"])
        self.assertTrue(revision.content["body"].startswith('[{"id"'))
        fields = self.editor_form(self.g.leader)
        extra = {"comment": "", "revision": revision.pk}
        self.client.post(self.edit_url, self.with_action(fields, "approve", extra))
        self.assertEqual(reload(self.task_state).status, TaskState.STATUS_APPROVED)

    def test_checks_run_again_judge_the_submitter_not_the_approver(self):
        # A new version saved while the leader's step waits (a second tab): her approval sends
        # the page through the workflow again, and the automatic checks must not hold her
        # missing publisher certificate against the page.
        from tests.governance import warning_reasons

        reload(self.g.page).get_latest_revision_as_object().save_revision(user=self.g.leader)
        self.task_state.task.specific.on_action(
            self.task_state,
            self.g.leader,
            "approve",
            acknowledgements=warning_reasons(reload(self.g.page)),
        )
        self.state.refresh_from_db()
        current = self.state.current_task_state
        self.assertEqual(current.status, TaskState.STATUS_IN_PROGRESS, current.comment)
        self.assertEqual(current.task.specific_class.__name__, "LeaderApprovalTask")

    def test_the_same_action_sent_again_is_not_taken_again(self):
        fields = self.editor_form(self.g.leader)
        extra = {"comment": "", "revision": reload(self.g.page).latest_revision_id}
        first = self.client.post(self.edit_url, self.with_action(fields, "approve", extra))
        self.assertEqual(first.status_code, 302)
        self.assertEqual(reload(self.task_state).status, TaskState.STATUS_APPROVED)
        before = self.revisions()
        again = self.client.post(
            self.edit_url, self.with_action(fields, "approve", extra), follow=True
        )
        self.assertEqual(again.status_code, 200)
        self.assertNotContains(again, "do not have permission")
        self.assertContains(again, "You had already decided the step")
        self.assertEqual(self.revisions(), before)
        self.state.refresh_from_db()
        review = self.state.current_task_state
        self.assertEqual(review.status, TaskState.STATUS_IN_PROGRESS, "the next step is open")
        self.assertNotEqual(review.pk, self.task_state.pk)

    def test_a_decided_step_is_not_decided_again_from_the_dashboard(self):
        self.login(self.g.leader)
        url = reverse(
            "wagtailadmin_pages:workflow_action",
            args=[self.g.page.pk, "approve", self.task_state.pk],
        )
        self.client.post(url, {"comment": ""})
        self.assertEqual(reload(self.task_state).status, TaskState.STATUS_APPROVED)
        approvals = self.g.page.get_latest_revision().pk
        response = self.client.post(url, {"comment": ""}, follow=True)
        self.assertContains(response, "You had already decided the step")
        self.assertEqual(reload(self.g.page).latest_revision_id, approvals)

    def test_a_step_of_another_page_is_refused(self):
        from tests.governance import news_page

        other = news_page(self.g, "Annen side", "annen-side")
        self.login(self.g.leader)
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[other.pk, "approve", self.task_state.pk]
        )
        response = self.client.post(url, {"comment": ""}, follow=True)
        self.assertContains(response, "Nothing was saved")
        self.assertEqual(reload(self.task_state).status, TaskState.STATUS_IN_PROGRESS)

    def test_an_autosave_never_takes_the_action_clicked_before_it(self):
        fields = self.editor_form(self.g.leader)
        extra = {"comment": "", "revision": reload(self.g.page).latest_revision_id}
        response = self.client.post(
            self.edit_url,
            self.with_action(fields, "approve", extra),
            HTTP_ACCEPT="application/json",
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(json.loads(response.content)["success"])
        self.assertEqual(reload(self.task_state).status, TaskState.STATUS_IN_PROGRESS)
        self.assertFalse(reload(self.g.page).revisions.filter(user=self.g.leader).exists())


class TwinPostTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """The same form sent twice (a double click) does its work once."""

    def setUp(self):
        super().setUp()
        self.g = self.world_objects()

    def test_create_notice_twice_links_one_notice(self):
        from home.models import InternalNoticePage
        from tests.governance import news_page

        page = news_page(self.g, "Ny vaktordning", "vaktordning", notice=False)
        self.login(self.g.publisher)
        url = reverse("publishing:create_notice", args=[page.pk])
        data = {"title": "Til ansatte: ny vaktordning", "intro": "Dette gjelder deg."}
        self.client.post(url, data)
        again = self.client.post(url, data, follow=True)
        self.assertEqual(again.status_code, 200)
        notices = InternalNoticePage.objects.filter(title="Til ansatte: ny vaktordning")
        self.assertEqual(notices.count(), 1)
        draft = reload(page).get_latest_revision_as_object()
        self.assertEqual(draft.internal_notice_id, notices.get().pk)

    def test_fast_track_twice_publishes_once(self):
        from wagtail.models import PageLogEntry

        from publishing.models import FastTrackReview

        self.login(self.g.crisis)
        url = reverse("publishing:fast_track", args=[self.g.page.pk])
        self.client.post(url, {"reason": "Stengt vei"})
        again = self.client.post(url, {"reason": "Stengt vei"}, follow=True)
        self.assertContains(again, "The latest version of the page is live already.")
        self.assertTrue(reload(self.g.page).live)
        self.assertEqual(FastTrackReview.objects.filter(page=self.g.page).count(), 1)
        self.assertEqual(
            PageLogEntry.objects.filter(page=self.g.page, action="wagtail.publish").count(), 1
        )
