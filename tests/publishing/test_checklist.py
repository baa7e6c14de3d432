"""The "vær varsom" checklist from the municipality profile, confirmed on submit."""

import json
import re

from django.test import TestCase
from django.urls import reverse
from wagtail.models import PageLogEntry, WorkflowState

from home.models import NewsPage
from publishing.models import ChecklistConfirmation
from tests.governance import (
    EnglishAdminMixin,
    checklist_ticks,
    news_page,
    reload,
)
from tests.publishing.test_publish_paths import PathTestCase
from tests.worlds import GovernedWorld


class ChecklistTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        super().setUp()
        self.page = news_page(
            self.g, "Vintervedlikehold", "vinter", affects_staff=False, notice=False
        )
        self.items = self.g.municipality.checklist
        self.all_ticks = checklist_ticks(self.g)["submit_checklist"]
        self.url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])

    def submit_data(self, page=None, ticks=None, **overrides):
        page = reload(page or self.page).get_latest_revision_as_object()
        data = PathTestCase.form_data(self, page, date=str(page.date), review_by="", **overrides)
        data.pop("action-publish")
        data["action-submit"] = "action-submit"
        if ticks is not None:
            data["submit_checklist"] = ticks
        return data

    def ticked(self, response):
        """The checklist codes shown ticked in the editor."""
        html = response.content.decode()
        return re.findall(
            r'<input type="checkbox" name="submit_checklist" value="([^"]+)"[^>]* checked', html
        )


class ChecklistOnSubmitTests(ChecklistTestCase):
    def test_editor_shows_every_item_of_the_profile_before_you_submit(self):
        self.login(self.g.publisher)
        response = self.client.get(self.url)
        self.assertContains(response, "Before you submit")
        for item in self.items:
            self.assertContains(response, item["text"])
            self.assertContains(response, f'value="{item["code"]}"')
        self.assertEqual(self.ticked(response), [], "never ticked in advance")

    def test_submit_without_ticks_is_stopped_and_loses_nothing(self):
        self.login(self.g.publisher)
        data = self.submit_data(title="Vintervedlikehold av veiene")
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Confirm the checklist before you submit")
        self.assertContains(response, "None is ticked yet.")
        self.assertContains(response, 'value="Vintervedlikehold av veiene"', msg_prefix="kept")
        page = reload(self.page)
        self.assertIsNone(page.current_workflow_state)
        self.assertEqual(page.title, "Vintervedlikehold")
        self.assertFalse(ChecklistConfirmation.objects.exists())

    def test_the_error_names_the_items_not_yet_ticked_and_keeps_the_ticks(self):
        self.login(self.g.publisher)
        ticks = [item["code"] for item in self.items[:-2]]
        response = self.client.post(self.url, self.submit_data(ticks=ticks))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Not ticked yet:")
        error = response.context["form"].errors["submit_checklist"][0]
        for item in self.items[-2:]:
            self.assertIn(item["text"], error)
        for item in self.items[:-2]:
            self.assertNotIn(item["text"], error)
        self.assertEqual(self.ticked(response), ticks)
        self.assertIsNone(reload(self.page).current_workflow_state)

    def test_saving_a_draft_needs_no_ticks(self):
        self.login(self.g.publisher)
        data = self.submit_data(title="Nytt utkast")
        data.pop("action-submit")
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(reload(self.page).get_latest_revision_as_object().title, "Nytt utkast")

    def test_confirmed_submit_stores_who_confirmed_what_with_the_submitted_revision(self):
        self.login(self.g.publisher)
        response = self.client.post(self.url, self.submit_data(ticks=self.all_ticks))
        self.assertEqual(response.status_code, 302)
        page = reload(self.page)
        state = page.current_workflow_state
        self.assertEqual(state.status, WorkflowState.STATUS_IN_PROGRESS)
        confirmation = ChecklistConfirmation.objects.get()
        self.assertEqual(confirmation.page_id, page.pk)
        self.assertEqual(confirmation.revision, page.get_latest_revision())
        self.assertEqual(confirmation.revision, state.current_task_state.revision)
        self.assertEqual(confirmation.user, self.g.publisher)
        self.assertEqual(
            [item["text"] for item in confirmation.items], [i["text"] for i in self.items]
        )
        entry = PageLogEntry.objects.get(page=page, action="publishing.checklist_confirmed")
        self.assertEqual(entry.user, self.g.publisher)
        self.assertEqual(entry.revision, confirmation.revision)
        self.assertEqual(entry.data["items"], [item["code"] for item in self.items])
        self.assertNotIn("Vintervedlikehold", json.dumps(entry.data))

    def test_submitting_from_an_earlier_version_stores_the_confirmation_too(self):
        self.login(self.g.publisher)
        revision = self.page.save_revision(user=self.g.publisher)
        url = reverse("wagtailadmin_pages:revisions_revert", args=[self.page.pk, revision.pk])
        response = self.client.post(url, self.submit_data())
        self.assertEqual(response.status_code, 200, "refused without the ticks")
        self.assertFalse(ChecklistConfirmation.objects.exists())
        self.client.post(url, self.submit_data(ticks=self.all_ticks))
        page = reload(self.page)
        self.assertEqual(page.current_workflow_state.status, WorkflowState.STATUS_IN_PROGRESS)
        self.assertEqual(
            ChecklistConfirmation.objects.get().revision,
            page.current_workflow_state.current_task_state.revision,
        )

    def test_the_next_submission_is_confirmed_afresh(self):
        self.login(self.g.publisher)
        self.client.post(self.url, self.submit_data(ticks=self.all_ticks))
        state = reload(self.page).current_workflow_state
        # The leader asks for changes; the publisher sees an empty checklist again.
        task_state = state.current_task_state
        self.login(self.g.leader)
        self.client.post(
            reverse(
                "wagtailadmin_pages:workflow_action",
                args=[self.page.pk, "reject", task_state.pk],
            ),
            {"comment": "Skriv klarere."},
        )
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        self.login(self.g.publisher)
        self.assertEqual(self.ticked(self.client.get(self.url)), [])
        response = self.client.post(self.url, self.submit_data(intro="Klarere tekst."))
        self.assertContains(response, "Confirm the checklist before you submit")
        self.client.post(self.url, self.submit_data(intro="Klarere tekst.", ticks=self.all_ticks))
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_IN_PROGRESS)
        confirmations = ChecklistConfirmation.objects.order_by("confirmed_at")
        self.assertEqual(confirmations.count(), 2)
        self.assertEqual(confirmations.last().revision, reload(self.page).get_latest_revision())
        self.assertNotEqual(confirmations.first().revision, confirmations.last().revision)

    def test_submitting_a_new_page_stores_the_confirmation_too(self):
        self.login(self.g.publisher)
        page = NewsPage(
            title="Ny brøytebil",
            slug="ny-broytebil",
            intro="Kommunen har fått en ny brøytebil.",
            owning_unit=self.g.line.unit,
            responsible_leader=self.g.leader,
        )
        data = PathTestCase.form_data(self, page, audiences=[self.g.citizens.pk])
        data.pop("action-publish")
        data["action-submit"] = "action-submit"
        url = reverse("wagtailadmin_pages:add", args=("home", "newspage", self.g.news_index.pk))
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Confirm the checklist before you submit")
        self.assertFalse(NewsPage.objects.filter(slug="ny-broytebil").exists())
        self.client.post(url, {**data, **checklist_ticks(self.g)})
        created = NewsPage.objects.get(slug="ny-broytebil")
        self.assertIsNotNone(created.current_workflow_state)
        confirmation = ChecklistConfirmation.objects.get(page_id=created.pk)
        self.assertEqual(confirmation.revision, created.get_latest_revision())

    def test_tampered_choice_is_refused(self):
        self.login(self.g.publisher)
        ticks = checklist_ticks(self.g)["submit_checklist"] + ["alt-er-fint"]
        response = self.client.post(self.url, self.submit_data(ticks=ticks))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(reload(self.page).current_workflow_state)


class ChecklistOfEachMunicipalityTests(EnglishAdminMixin, TestCase):
    def test_the_choices_are_the_owning_municipalitys_own_items(self):
        from tests.factories import load_municipality
        from tests.governance import ensure_wagtail_base

        ensure_wagtail_base()
        for slug in ("alvdal", "avesta"):
            municipality = load_municipality(slug)
            form_class = NewsPage.get_edit_handler().get_form_class()
            form = form_class(instance=NewsPage(), parent_page=municipality.site.root_page)
            self.assertEqual(
                [label for _code, label in form.fields["submit_checklist"].choices],
                [item["text"] for item in municipality.checklist],
                slug,
            )
