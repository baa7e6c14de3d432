"""What a version changes against the live page, in front of whoever decides on it: the leader's
approval dialog, the editorial review's dialog, the editor of a waiting page, a page of its own
(readable on a phone) and the approval mail that links to it."""

import json

from django.core import mail
from django.test import TestCase
from django.urls import reverse

from publishing.models import SubmissionNote
from publishing.models.organisation import person_name
from publishing.workflow.changes import changes_against_live
from publishing.workflow.review import submission_note
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.publishing.test_checklist import ChecklistTestCase
from tests.publishing.test_dashboard import other_municipality
from tests.worlds import GovernedWorld

NEW_INTRO = "Fra 1. februar har hjemmetjenesten åpent til klokka 23."
HEADING = "What this version changes against the live page"


class ChangesTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def live_page_with_draft(self):
        """A live page, and a new version that adds an audience and changes its introduction."""
        page = news_page(
            self.g, "Kveldsåpent", "kveldsapent-2027", affects_staff=False, notice=False
        )
        page.get_latest_revision().publish()
        draft = reload(page)
        draft.intro = NEW_INTRO
        others = self.g.municipality.audiences.filter(is_internal=False).exclude(
            pk=self.g.citizens.pk
        )
        draft.audiences.set([self.g.citizens, others.first()])
        draft.save_revision(user=self.g.publisher)
        return reload(page)

    def submit(self, page):
        state = self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
        state.refresh_from_db()
        return state.current_task_state

    def modal(self, page, task_state, action="approve"):
        url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])
        response = self.client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        self.assertEqual(response.status_code, 200)
        return json.loads(response.content)["html"]


class ChangesAgainstLiveTests(ChangesTestCase):
    def test_governance_fields_first_then_the_content(self):
        changes = changes_against_live(self.live_page_with_draft())
        self.assertFalse(changes.new_page)
        labels = [str(c.field_label()) for c in changes.comparisons]
        self.assertEqual(labels[0], "Audiences")
        self.assertIn("Introduction", labels)
        self.assertEqual([str(c.field_label()) for c in changes.governance], ["Audiences"])
        self.assertNotIn("Title", labels)  # unchanged fields are left out

    def test_a_new_responsible_leader_is_shown_by_the_peoples_names(self):
        # The admin shows people by name; their usernames mean nothing to an approver.
        page = news_page(self.g, "Ny leder", "ny-leder-2027", affects_staff=False, notice=False)
        page.get_latest_revision().publish()
        draft = reload(page)
        draft.responsible_leader = self.g.sector_head
        draft.save_revision(user=self.g.publisher)
        changes = changes_against_live(reload(page))
        leader = next(c for c in changes.governance if c.field.name == "responsible_leader")
        html = str(leader.htmldiff())
        old, new = person_name(self.g.leader), person_name(self.g.sector_head)
        self.assertIn(
            f'<span class="deletion">{old}</span> <span class="addition">{new}</span>', html
        )
        self.assertNotIn(self.g.leader.username, html)
        self.assertNotIn(self.g.sector_head.username, html)

    def test_a_new_owning_unit_reads_as_two_names(self):
        page = news_page(self.g, "Ny enhet", "ny-enhet-2027", affects_staff=False, notice=False)
        page.get_latest_revision().publish()
        draft = reload(page)
        old_unit, new_unit = draft.owning_unit, self.g.line.sector
        draft.owning_unit = new_unit
        draft.responsible_leader = self.g.sector_head  # who leads the sector
        draft.save_revision(user=self.g.publisher)
        changes = changes_against_live(reload(page))
        unit = next(c for c in changes.governance if c.field.name == "owning_unit")
        expected = (
            f'<span class="deletion">{old_unit}</span> <span class="addition">{new_unit}</span>'
        )
        self.assertEqual(str(unit.htmldiff()), expected)

    def test_a_page_never_live_is_new(self):
        page = news_page(self.g, "Nytt tilbud", "nytt-tilbud", affects_staff=False, notice=False)
        changes = changes_against_live(page)
        self.assertTrue(changes.new_page)
        self.assertEqual(changes.comparisons, [])


class WhereApproversSeeTheChangesTests(ChangesTestCase):
    def test_the_leaders_approval_dialog(self):
        page = self.live_page_with_draft()
        task_state = self.submit(page)
        self.login(self.g.leader)
        html = self.modal(page, task_state)
        self.assertIn(HEADING, html)
        self.assertIn("Audiences", html)
        self.assertIn("23", html)  # the new introduction's difference

    def test_the_editorial_review_dialog(self):
        page = self.live_page_with_draft()
        task_state = self.submit(page)
        task_state.task.specific.on_action(task_state, self.g.leader, "approve")
        page = reload(page)
        review = page.current_workflow_task_state
        self.assertNotEqual(review.pk, task_state.pk)
        self.login(self.g.editor)
        html = self.modal(page, review, action="reject")
        self.assertIn(HEADING, html)
        self.assertIn("Audiences", html)

    def test_the_editor_of_a_waiting_page_opens_them_for_the_leader(self):
        page = self.live_page_with_draft()
        self.submit(page)
        edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
        self.login(self.g.leader)
        html = self.client.get(edit).content.decode()
        self.assertIn('id="changes-record" open', html)
        self.login(self.g.publisher)  # the author: there, but closed
        html = self.client.get(edit).content.decode()
        self.assertIn('id="changes-record">', html)

    def test_a_page_of_its_own_linked_from_the_approval_mail(self):
        page = self.live_page_with_draft()
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.submit(page)
        url = reverse("publishing:changes", args=[page.pk])
        to_leader = [m for m in mail.outbox if self.g.leader.email in m.recipients()]
        self.assertTrue(to_leader)
        self.assertIn(url, to_leader[0].body)
        self.login(self.g.leader)
        response = self.client.get(url)
        self.assertContains(response, HEADING)
        self.assertContains(response, "<dt>Audiences</dt>", html=False)
        self.assertContains(response, "Open the page to approve or request changes")
        self.assertContains(response, 'name="viewport"')

    def test_nobody_else_sees_them(self):
        page = self.live_page_with_draft()
        self.submit(page)
        url = reverse("publishing:changes", args=[page.pk])
        o = other_municipality()
        for outsider in (o.editor, o.leader, self.g.employee):
            self.login(outsider)
            response = self.client.get(url)
            # Wagtail answers a refused admin view with a redirect: to the dashboard, or to the
            # sign-in for someone without access to this admin at all.
            self.assertEqual(response.status_code, 302, outsider.username)
            self.assertIn(response["Location"].split("?")[0], ("/admin/", "/admin/login/"))
            self.assertNotIn(NEW_INTRO, response.content.decode())


class SubmissionNoteTests(ChecklistTestCase):
    """The submitter's note to the approver: kept with the submitted version, shown to whoever
    decides, required where the profile says so."""

    NOTE = "Nye åpningstider fra februar; telefontiden er uendret."

    def test_the_note_goes_with_the_submitted_version_to_the_leader(self):
        self.login(self.g.publisher)
        data = self.submit_data(ticks=self.all_ticks, note_to_approver=self.NOTE)
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        page = reload(self.page)
        note = SubmissionNote.objects.get()
        self.assertEqual(note.revision, page.current_workflow_state.current_task_state.revision)
        self.assertEqual((note.user, note.text), (self.g.publisher, self.NOTE))
        # The automatic checks and the notice gate pass: the page waits for the leader.
        task_state = page.current_workflow_task_state
        self.login(self.g.leader)
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]
        )
        html = json.loads(self.client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest").content)[
            "html"
        ]
        self.assertIn(self.NOTE, html)
        self.assertIn("wrote to the approver", html)
        changes = self.client.get(reverse("publishing:changes", args=[page.pk]))
        self.assertContains(changes, self.NOTE)

    def test_a_note_is_not_carried_over_to_the_next_submission(self):
        self.login(self.g.publisher)
        data = self.submit_data(ticks=self.all_ticks, note_to_approver=self.NOTE)
        self.client.post(self.url, data)
        page = reload(self.page)
        page.current_workflow_state.cancel(user=self.g.publisher)
        self.client.post(self.url, self.submit_data(ticks=self.all_ticks))
        page = reload(self.page)
        self.assertIsNone(submission_note(page))
        edit = self.client.get(self.url).content.decode()
        self.assertNotIn(self.NOTE, edit)  # the field starts empty each time

    def test_the_profile_can_require_it_and_nothing_is_lost(self):
        municipality = self.g.municipality
        municipality.profile["workflow"]["require_submission_note"] = True
        municipality.save()
        self.login(self.g.publisher)
        data = self.submit_data(ticks=self.all_ticks, title="Vintervedlikehold av veiene")
        data["note_to_approver"] = "   "
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Write a note to the approver before you submit")
        self.assertContains(response, 'value="Vintervedlikehold av veiene"')
        self.assertIsNone(reload(self.page).current_workflow_state)
        # Saving a draft needs no note.
        data.pop("action-submit")
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        data = self.submit_data(ticks=self.all_ticks, note_to_approver=self.NOTE)
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        self.assertIsNotNone(reload(self.page).current_workflow_state)


class InvisibleChangesTests(ChangesTestCase):
    def test_block_keys_the_editor_adds_are_no_change(self):
        page = news_page(self.g, "Brøyting", "broyting-2027", affects_staff=False, notice=False)
        page = reload(page)
        page.body.append(("paragraph", "<p>Vi brøyter hovedveiene først.</p>"))
        page.save_revision(user=self.g.publisher).publish()
        draft = reload(page)
        # The editor sends the text back with its block keys, as it does unchanged text.
        raw = list(draft.body.raw_data)
        raw[0]["value"] = raw[0]["value"].replace("<p>", '<p data-block-key="k1a2b">')
        draft.body = raw
        draft.save_revision(user=self.g.publisher)
        changes = changes_against_live(reload(page))
        self.assertEqual([str(c.field_label()) for c in changes.comparisons], [])
