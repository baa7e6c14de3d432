"""Warnings go on to the leader, who acknowledges each with a written reason before approving;
blocking findings send the page back to its author with a report the editor shows."""

import json

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from wagtail.models import PageLogEntry, TaskState, WorkflowState

from publishing.models import (
    AutomaticChecksTask,
    ChecklistConfirmation,
    LeaderApprovalTask,
    WarningAcknowledgement,
)
from publishing.rules import PUBLISH, RuleContext, evaluate, keyed
from publishing.workflow.review import confirm_checklist
from tests.governance import (
    EnglishAdminMixin,
    news_page,
    reload,
    warning_reasons,
)
from tests.worlds import GovernedWorld

OLA, KARI = "912 34 567", "934 56 789"
PHONES = f"Ring Ola på {OLA} eller Kari på {KARI} om du lurer på noe."
FNR = "01010012356"  # a valid fødselsnummer (synthetic)


class ReviewTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def warned_page(self, slug="telefoner", intro=PHONES):
        return news_page(self.g, "Ring oss", slug, affects_staff=False, notice=False, intro=intro)

    def at_leader(self, page):
        """Submit ``page`` (no staff effect, so the notice gate passes) and return the leader's
        task state."""
        state = self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
        state.refresh_from_db()
        task_state = state.current_task_state
        self.assertEqual(task_state.task.specific_class, LeaderApprovalTask)
        return task_state

    def action_url(self, page, task_state, action="approve"):
        return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])

    def modal(self, page, task_state, action="approve"):
        response = self.client.get(
            self.action_url(page, task_state, action), HTTP_X_REQUESTED_WITH="XMLHttpRequest"
        )
        return json.loads(response.content)["html"]

    def keys(self, page):
        draft = reload(page).get_latest_revision_as_object()
        findings = [f for f in evaluate(RuleContext(page=draft, purpose=PUBLISH)) if not f.blocks]
        return [key for key, _finding in keyed(findings)]

    def reasons(self, page, text="Nummeret er tjenestetelefonen, avklart med Ola."):
        return {
            f"reason__{key}": f"{text} ({number})" for number, key in enumerate(self.keys(page))
        }


class FindingKeyTests(ReviewTestCase):
    def test_keys_name_code_field_and_place_whatever_the_language(self):
        page = self.warned_page()
        with translation.override("en"):
            english = self.keys(page)
        with translation.override("nb"):
            bokmal = self.keys(page)
        self.assertEqual(english, bokmal)
        phones = [key for key in english if key.startswith("personal_data.phone")]
        self.assertEqual(phones, ["personal_data.phone:intro:1", "personal_data.phone:intro:2"])


class LeaderModalTests(ReviewTestCase):
    def test_modal_lists_every_warning_with_where_fix_and_a_reason_field(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        html = self.modal(page, task_state)
        self.assertIn("Warnings to acknowledge", html)
        for key in self.keys(page):
            self.assertIn(f'name="reason__{key}"', html)
        self.assertEqual(html.count('name="reason__'), 2)
        self.assertIn("switchboard or the service", html)  # how to fix
        self.assertNotIn(OLA, html, "the modal says where, never the number")
        self.assertIn(f'name="revision" value="{reload(page).latest_revision_id}"', html)

    def test_reject_modal_has_no_reason_fields(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        html = self.modal(page, task_state, "reject")
        self.assertNotIn("reason__", html)
        self.assertIn('name="comment"', html)

    def test_page_without_warnings_says_so(self):
        page = news_page(self.g, "Enkel", "enkel", affects_staff=False, notice=False)
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        self.assertIn("No warnings to acknowledge.", self.modal(page, task_state))


class AcknowledgeAndApproveTests(ReviewTestCase):
    def test_modal_without_reasons_shows_what_is_missing_and_approves_nothing(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        data = {"comment": "", **self.reasons(page)}
        first_key = self.keys(page)[0]
        data[f"reason__{first_key}"] = "   "
        response = self.client.post(
            self.action_url(page, task_state), data, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
        )
        html = json.loads(response.content)["html"]
        self.assertIn("Write why the page may be published with this.", html)
        self.assertIn("Still without a reason", html)
        self.assertEqual(reload(task_state).status, TaskState.STATUS_IN_PROGRESS)
        self.assertFalse(WarningAcknowledgement.objects.exists())

    def test_reasons_are_stored_with_the_revision_and_in_the_audit_log(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        revision = reload(page).get_latest_revision()
        self.login(self.g.leader)
        response = self.client.post(
            self.action_url(page, task_state),
            {"comment": "", "revision": revision.pk, **self.reasons(page)},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        self.assertEqual(json.loads(response.content)["step"], "success")
        self.assertEqual(reload(task_state).status, TaskState.STATUS_APPROVED)
        acknowledgements = WarningAcknowledgement.objects.filter(page=page).order_by("finding_key")
        self.assertEqual(
            [a.finding_key for a in acknowledgements], sorted(self.keys(page)), "one per warning"
        )
        phone = acknowledgements.get(finding_key="personal_data.phone:intro:1")
        self.assertEqual(phone.revision, revision)
        self.assertEqual(phone.user, self.g.leader)
        self.assertEqual(phone.code, "personal_data.phone")
        # The stored summary says what and where; it quotes no name and no digit of the page.
        self.assertEqual(phone.summary, "A phone number in introduction.")
        for acknowledgement in acknowledgements.filter(code__startswith="personal_data."):
            self.assertNotIn("Ola", acknowledgement.summary)
            self.assertNotIn("Kari", acknowledgement.summary)
            self.assertFalse(any(char.isdigit() for char in acknowledgement.summary))
        self.assertTrue(phone.reason.startswith("Nummeret er tjenestetelefonen"))
        entries = PageLogEntry.objects.filter(page=page, action="publishing.warning_acknowledged")
        self.assertEqual(entries.count(), len(self.keys(page)))
        entry = entries.get(data__key="personal_data.phone:intro:1")
        self.assertEqual(entry.user, self.g.leader)
        self.assertEqual(entry.revision, revision)
        self.assertEqual(entry.data["findings"][0]["code"], "personal_data.phone")
        for logged in entries:
            text = json.dumps(logged.data)
            self.assertNotIn(OLA, text)
            self.assertNotIn(KARI, text)
        self.login(self.g.editor)
        history = self.client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
        self.assertContains(history, "Warning acknowledged: personal_data.phone")
        self.assertContains(history, "Nummeret er tjenestetelefonen")

    def test_direct_post_without_the_modal_is_refused_with_the_reason(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        response = self.client.post(
            self.action_url(page, task_state), {"comment": "Ser bra ut"}, follow=True
        )
        self.assertContains(response, "Acknowledge each warning with a written reason")
        self.assertContains(response, "A phone number in")
        self.assertEqual(reload(task_state).status, TaskState.STATUS_IN_PROGRESS)
        self.assertFalse(WarningAcknowledgement.objects.exists())
        self.assertFalse(
            PageLogEntry.objects.filter(page=page, action="publishing.leader_approved").exists()
        )

    def test_the_task_itself_refuses_an_approval_without_reasons(self):
        # Any caller that skips the forms (Wagtail's own views, code) meets the same rule.
        page = self.warned_page()
        task_state = self.at_leader(page)
        task = task_state.task.specific
        with self.assertRaises(PermissionDenied) as refused:
            task.on_action(task_state, self.g.leader, "approve", comment="")
        self.assertIn("Still without a reason", str(refused.exception))
        reasons = dict.fromkeys(self.keys(page), "Avklart.")
        reasons[self.keys(page)[-1]] = ""
        with self.assertRaises(PermissionDenied):
            task.on_action(task_state, self.g.leader, "approve", acknowledgements=reasons)
        self.assertEqual(reload(task_state).status, TaskState.STATUS_IN_PROGRESS)
        task.on_action(
            reload(task_state), self.g.leader, "approve", acknowledgements=warning_reasons(page)
        )
        self.assertEqual(reload(task_state).status, TaskState.STATUS_APPROVED)

    def test_a_changed_page_must_be_reviewed_again(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        seen = reload(page).latest_revision_id
        draft = reload(page).get_latest_revision_as_object()
        draft.intro += " Nytt avsnitt."
        draft.save_revision(user=self.g.publisher)
        task = task_state.task.specific
        with self.assertRaises(PermissionDenied) as refused:
            task.on_action(
                task_state,
                self.g.leader,
                "approve",
                acknowledgements=dict.fromkeys(self.keys(page), "Ok."),
                revision=seen,
            )
        self.assertIn("has changed since you opened", str(refused.exception))

    def test_a_save_that_changed_nothing_citizens_read_keeps_the_review(self):
        # The same form saved again in another tab: the leader approves what she saw.
        page = self.warned_page()
        task_state = self.at_leader(page)
        seen = reload(page).latest_revision_id
        reload(page).get_latest_revision_as_object().save_revision(user=self.g.publisher)
        task_state.task.specific.on_action(
            task_state,
            self.g.leader,
            "approve",
            acknowledgements=dict.fromkeys(self.keys(page), "Ok."),
            revision=seen,
        )
        self.assertEqual(reload(task_state).status, TaskState.STATUS_APPROVED)

    def test_approving_from_the_editor_needs_the_reasons_too(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        from tests.publishing.test_publish_paths import PathTestCase

        edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        draft = reload(page).get_latest_revision_as_object()
        # The form as the leader got it: no changes, so approving saves no revision of theirs.
        data = PathTestCase.form_data(self, draft, date=str(draft.date), review_by="")
        data.pop("action-publish")
        data.update({"action-workflow-action": "true", "workflow-action-name": "approve"})
        # The editor's modal hands its cleaned data to the edit form as JSON.
        collect = reverse(
            "wagtailadmin_pages:collect_workflow_action_data",
            args=[page.pk, "approve", task_state.pk],
        )
        refused = self.client.post(collect, {"comment": ""}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertIn("Still without a reason", json.loads(refused.content)["html"])
        data["workflow-action-extra-data"] = json.dumps({"comment": ""})
        response = self.client.post(edit_url, data, follow=True)
        self.assertContains(response, "Acknowledge each warning with a written reason")
        self.assertEqual(reload(task_state).status, TaskState.STATUS_IN_PROGRESS)
        collected = self.client.post(
            collect, {"comment": "", **self.reasons(page)}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
        )
        cleaned = json.loads(collected.content)["cleaned_data"]
        self.assertEqual(sorted(cleaned["acknowledgements"]), sorted(self.keys(page)))
        data["workflow-action-extra-data"] = json.dumps(cleaned)
        self.client.post(edit_url, data)
        self.assertEqual(reload(task_state).status, TaskState.STATUS_APPROVED)
        self.assertEqual(
            WarningAcknowledgement.objects.filter(page=page).count(), len(self.keys(page))
        )


class AutosaveTests(ReviewTestCase):
    def test_an_autosave_without_changes_writes_no_revision_of_the_leader(self):
        # Wagtail autosaves just after a workflow action is sent from the editor; that empty
        # save must not count as the leader editing the page, nor undo the approval.
        page = self.warned_page()
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        from tests.publishing.test_publish_paths import PathTestCase

        draft = reload(page).get_latest_revision_as_object()
        data = PathTestCase.form_data(self, draft, date=str(draft.date), review_by="")
        data.pop("action-publish")
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        response = self.client.post(url, data, HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 200)
        answer = json.loads(response.content)
        self.assertTrue(answer["success"])
        self.assertEqual(answer["revision_id"], reload(page).latest_revision_id)
        self.assertFalse(reload(page).revisions.filter(user=self.g.leader).exists())
        task = task_state.task.specific
        self.assertEqual(
            [name for name, *_ in task.get_actions(reload(page), self.g.leader)],
            ["reject", "approve"],
        )
        # A real change is saved, and then the leader has edited the page.
        data["intro"] = "Ring sentralbordet."
        self.client.post(url, data, HTTP_ACCEPT="application/json")
        self.assertTrue(reload(page).revisions.filter(user=self.g.leader).exists())


class LeaderSeesChecklistTests(ReviewTestCase):
    def test_modal_and_editor_show_who_confirmed_what(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        items = self.g.municipality.checklist
        confirm_checklist(page, reload(page).get_latest_revision(), self.g.publisher, items)
        self.login(self.g.leader)
        for action in ("approve", "reject"):
            html = self.modal(page, task_state, action)
            self.assertIn(f"Confirmed by {self.g.publisher.get_full_name()}", html)
            for item in items:
                self.assertIn(item["text"], html)
        editor = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertContains(editor, 'id="review-record"')
        self.assertContains(editor, items[0]["text"])
        ChecklistConfirmation.objects.all().delete()
        self.assertIn(
            "The checklist was not confirmed for this version.", self.modal(page, task_state)
        )


class AutomaticReportTests(ReviewTestCase):
    def test_report_says_what_where_and_how_to_fix_and_the_editor_shows_it(self):
        page = self.warned_page("fnr", intro=f"Søkeren har fødselsnummer {FNR}. {PHONES}")
        state = self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        rejected = state.current_task_state
        self.assertEqual(rejected.task.specific_class, AutomaticChecksTask)
        comment = rejected.get_comment()
        self.assertIn("The automatic checks sent the page back", comment)
        self.assertIn("1. A national identity number in", comment)
        self.assertIn("How to fix: Remove it: identity numbers are never published.", comment)
        self.assertNotIn(FNR, comment)
        self.assertNotIn("phone", comment, "warnings go on to the leader, not back")
        entry = PageLogEntry.objects.get(page=page, action="publishing.checks_sent_back")
        self.assertIn("personal_data.national_id", json.dumps(entry.data))
        self.assertNotIn(FNR, json.dumps(entry.data))

        self.login(self.g.publisher)
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        editor = self.client.get(url)
        self.assertContains(editor, 'id="sent-back"')
        self.assertContains(editor, "The automatic checks sent the page back on")
        self.assertContains(editor, "Fix these, then submit the page again:")
        banner = editor.content.decode().split('id="sent-back"')[1].split("</ol>")[0]
        self.assertIn("How to fix:", banner)
        self.assertNotIn(FNR, banner, "the field holds the number; the report never does")

        draft = reload(page).get_latest_revision_as_object()
        draft.intro = PHONES
        draft.save_revision(user=self.g.publisher)
        editor = self.client.get(url)
        self.assertContains(editor, "Everything the checks found is fixed in the latest draft.")

    def test_governance_findings_name_the_field(self):
        page = self.warned_page("intern")
        draft = reload(page).get_latest_revision_as_object()
        draft.sensitivity = "internal"
        draft.save_revision(user=self.g.publisher)
        state = self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
        state.refresh_from_db()
        comment = state.current_task_state.get_comment()
        self.assertIn("cannot be published on the public site.", comment)
        self.assertIn("Where: Sensitivity", comment)
        self.assertIn("How to fix: Move it to the intranet", comment)

    def test_a_leader_asking_for_changes_is_shown_with_the_comment(self):
        page = self.warned_page()
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        self.client.post(
            self.action_url(page, task_state, "reject"),
            {"comment": "Bruk sentralbordet.\nSjekk med Ola."},
        )
        self.login(self.g.publisher)
        editor = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertContains(editor, "asked for changes")
        self.assertContains(editor, "Bruk sentralbordet.<br>Sjekk med Ola.")
