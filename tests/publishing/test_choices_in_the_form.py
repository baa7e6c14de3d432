"""What the publisher ticks in the form counts when she submits or publishes with it: the
audiences (a choice kept beside the page, not on its row) are judged as ticked, not as last saved.

A page saved without an audience, its audience ticked and submitted (or published) at once, was
refused for having none until the editor's autosave had stored the tick."""

from django.test import TestCase
from django.urls import reverse

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
