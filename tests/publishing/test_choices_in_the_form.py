"""What the publisher chooses in the form counts when she submits or publishes with it: the
audiences (a choice kept beside the page, not on its row) are judged as ticked, not as last saved,
and a leader chosen whose role ended meanwhile stays chosen, with the reason it cannot be.

A page saved without an audience, its audience ticked and submitted (or published) at once, was
refused for having none until the editor's autosave had stored the tick."""

import datetime

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.governance import EnglishAdminMixin, checklist_ticks, news_page, reload
from tests.publishing.test_publish_paths import PathTestCase
from tests.worlds import GovernedWorld


class TickedAudiencesTests(GovernedWorld, EnglishAdminMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.g = self.world_objects()
        self.page = news_page(
            self.g, "Vintervedlikehold", "vinter", affects_staff=False, notice=False
        )
        self.url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])

    def saved_without_audiences(self):
        draft = reload(self.page).get_latest_revision_as_object()
        draft.audiences.set([])
        draft.save_revision(user=self.g.publisher)
        return reload(self.page).get_latest_revision_as_object()

    def post(self, user, action, audiences):
        self.login(user)
        page = reload(self.page).get_latest_revision_as_object()
        data = PathTestCase.form_data(
            self, page, date=str(page.date), review_by="", audiences=audiences
        )
        data.pop("action-publish")
        data[action] = action
        data.update(checklist_ticks(self.g))
        return self.client.post(self.url, data)

    def test_an_audience_ticked_and_submitted_at_once_counts(self):
        self.saved_without_audiences()
        response = self.post(self.g.publisher, "action-submit", [self.g.citizens.pk])
        self.assertEqual(response.status_code, 302, "submitted")
        self.assertIsNotNone(reload(self.page).current_workflow_state)
        self.assertEqual(
            list(reload(self.page).get_latest_revision_as_object().audiences.all()),
            [self.g.citizens],
        )

    def test_every_audience_unticked_is_refused_at_once(self):
        response = self.post(self.g.publisher, "action-submit", [])
        self.assertEqual(response.status_code, 200)
        self.assertIn("audiences", response.context["form"].errors)
        self.assertIsNone(reload(self.page).current_workflow_state)

    def test_an_audience_ticked_and_published_at_once_counts(self):
        self.saved_without_audiences()
        response = self.post(self.g.editor, "action-publish", [self.g.citizens.pk])
        self.assertEqual(response.status_code, 302, "published")
        self.assertTrue(reload(self.page).live)


class LeaderWhoseRoleEndedMeanwhileTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """The publisher chose a leader; before she submits, the registers' keeper ends that
    leader's role (in another tab, or another of the server's processes). The refusal names the
    leader and the reason, the form keeps her choice, and no draft is stored without a leader
    (the editor's autosave stored the emptied field over the saved leader)."""

    def setUp(self):
        super().setUp()
        self.g = self.world_objects()
        self.page = news_page(self.g, "Vintervedlikehold", "vinter", affects_staff=False)
        self.url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        self.login(self.g.publisher)

    def post(self, leader, action=None):
        page = reload(self.page).get_latest_revision_as_object()
        data = PathTestCase.form_data(self, page, date=str(page.date), review_by="")
        data.pop("action-publish")
        data["responsible_leader"] = str(leader.pk)
        if action:
            data[action] = action
            data.update(checklist_ticks(self.g))
        return self.client.post(self.url, data)

    def end_role(self, person):
        for assignment in person.role_assignments.all():
            assignment.ends_on = timezone.localdate() - datetime.timedelta(days=1)
            assignment.save()

    def test_the_refusal_names_the_leader_and_the_choice_stays(self):
        chosen = self.g.sector_head
        revisions = reload(self.page).revisions.count()
        self.end_role(chosen)
        for action in ("action-submit", None):
            with self.subTest(action=action):
                response = self.post(chosen, action)
                self.assertEqual(response.status_code, 200)
                form = response.context["form"]
                errors = " ".join(form.errors.get("responsible_leader", []))
                self.assertIn("holds no leader role", errors)
                self.assertNotIn("valid choice", errors)
                self.assertEqual(str(form["responsible_leader"].value()), str(chosen.pk))
                self.assertIn(
                    f'value="{chosen.pk}" selected', response.content.decode().replace("\n", "")
                )
        self.assertEqual(reload(self.page).revisions.count(), revisions)
        self.assertIsNone(reload(self.page).current_workflow_state)
        draft = reload(self.page).get_latest_revision_as_object()
        self.assertEqual(draft.responsible_leader_id, self.g.leader.pk)

    def test_someone_who_never_had_a_role_here_is_no_choice(self):
        stranger = UserFactory(username="fremmed")
        response = self.post(stranger)
        self.assertEqual(response.status_code, 200)
        errors = " ".join(response.context["form"].errors.get("responsible_leader", []))
        self.assertIn("valid choice", errors)
        self.assertNotIn("fremmed", response.content.decode())
