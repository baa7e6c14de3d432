"""The publish veto on every path by which Wagtail can make a page live.

Each test shows the path refusing a page that affects staff while its internal notice is not
live, with a clear reason and the page left unpublished, and then publishing it once the notice
is live.
"""

import datetime
import json
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.copy_page import CopyPageAction, CopyPagePermissionError
from wagtail.actions.create_alias import CreatePageAliasAction, CreatePageAliasPermissionError
from wagtail.actions.move_page import MovePageAction, MovePagePermissionError
from wagtail.models import APIToken, PageLogEntry, Revision, TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from home.models import NewsPage, StandardPage
from publishing.workflow.veto import GovernancePublishBlocked
from tests.governance import (
    EnglishAdminMixin,
    news_page,
    publish_notice,
    reload,
    unpublish_notice,
)
from tests.worlds import GovernedWorld

NOT_LIVE = "the internal notice “Nye turnuser i hjemmetjenesten” is not live yet"
NOT_NAMED = (
    "The internal notice “Nye turnuser i hjemmetjenesten” is about another page, not this one"
)


class PathTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def assertNotLive(self, page):
        page = reload(page)
        self.assertFalse(page.live, "a blocked page must not be live")
        self.assertIsNone(page.live_revision_id)
        return page

    def assertLive(self, page):
        page = reload(page)
        self.assertTrue(page.live)
        return page

    def assertBlockLogged(self, page, action="publishing.publish_blocked"):
        entry = PageLogEntry.objects.filter(page=page, action=action).latest("timestamp")
        self.assertIn("notice.not_live", json.dumps(entry.data))
        self.assertNotIn(page.title, json.dumps(entry.data), "no page text in the audit log")

    def form_data(self, page, **overrides):
        data = {
            "title": page.title,
            "slug": page.slug,
            "date": "2026-11-22",
            "intro": page.intro,
            "body": streamfield([]),
            "comments": inline_formset([]),
            "owning_unit": page.owning_unit_id,
            "responsible_leader": page.responsible_leader_id,
            "audiences": [a.pk for a in page.audiences.all()],
            "sensitivity": page.sensitivity,
            "exemption_basis": "",
            "affects_staff": "on" if page.affects_staff else "",
            "internal_notice": page.internal_notice_id or "",
            "review_by": "2027-11-22",
            "action-publish": "action-publish",
        }
        data.update(overrides)
        audiences = data.pop("audiences")
        # nested_form_data would spread a list over numbered keys; a multiple choice is one key.
        return {
            **nested_form_data({k: v for k, v in data.items() if v != ""}),
            "audiences": audiences,
        }


class EditorPublishTests(PathTestCase):
    """1. The editor's Publish button on an existing page."""

    def test_reason_inline_next_to_the_button_then_publish(self):
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:edit", args=[self.g.page.pk])
        response = self.client.post(url, self.form_data(self.g.page))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="governance-findings"')
        self.assertContains(response, NOT_LIVE)
        self.assertContains(response, reverse("wagtailadmin_pages:edit", args=[self.g.notice.pk]))
        self.assertNotContains(response, "do not have permission")
        self.assertNotLive(self.g.page)
        publish_notice(self.g)
        response = self.client.post(url, self.form_data(self.g.page))
        self.assertEqual(response.status_code, 302)
        self.assertLive(self.g.page)

    def test_veto_behind_the_form_still_explains_itself(self):
        # Even if the form let a publish through, the veto refuses it and the view says why.
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:edit", args=[self.g.page.pk])
        with mock.patch("publishing.editor.forms.check_publish", return_value=[]):
            response = self.client.post(url, self.form_data(self.g.page), follow=True)
        self.assertContains(response, NOT_LIVE)
        self.assertNotContains(response, "do not have permission")
        self.assertNotLive(self.g.page)
        self.assertBlockLogged(self.g.page)


class CreateAndPublishTests(PathTestCase):
    """2. Create-and-publish of a new page: Wagtail saves it live before the publish step."""

    def post_new(self, slug):
        page = NewsPage(
            title="Ny turnus",
            slug=slug,
            intro="Ny turnus.",
            owning_unit=self.g.line.unit,
            responsible_leader=self.g.leader,
            affects_staff=True,
            internal_notice=self.g.notice,
        )
        url = reverse("wagtailadmin_pages:add", args=("home", "newspage", self.g.news_index.pk))
        data = self.form_data(page, audiences=[self.g.citizens.pk])
        return self.client.post(url, data, follow=True)

    def test_refused_inline_and_nothing_created(self):
        self.login(self.g.editor)
        response = self.post_new("ny-turnus")
        # The notice is about another page, and cannot name one that does not exist yet.
        self.assertContains(response, NOT_NAMED)
        self.assertFalse(NewsPage.objects.filter(slug="ny-turnus").exists())
        publish_notice(self.g)
        response = self.post_new("ny-turnus")
        self.assertContains(response, NOT_NAMED)
        self.assertFalse(NewsPage.objects.filter(slug="ny-turnus").exists())

    def test_veto_takes_the_new_page_off_the_public_site(self):
        self.login(self.g.editor)
        with mock.patch("publishing.editor.forms.check_publish", return_value=[]):
            response = self.post_new("ny-turnus")
        self.assertContains(response, NOT_NAMED)
        page = self.assertNotLive(NewsPage.objects.get(slug="ny-turnus"))
        self.assertEqual(self.client.get(page.url).status_code, 404)


class WorkflowApprovalTests(PathTestCase):
    """3. Workflow final approval."""

    def run_to_editorial_review(self):
        workflow_state = self.g.municipality.external_workflow.start(
            reload(self.g.page), self.g.publisher
        )
        publish_notice(self.g)  # the notice gate opens by itself
        workflow_state.refresh_from_db()
        leader_task = workflow_state.current_task_state
        self.login(self.g.leader)
        url = reverse(
            "wagtailadmin_pages:workflow_action",
            args=[self.g.page.pk, "approve", leader_task.pk],
        )
        response = self.client.post(url, {"comment": ""})
        self.assertEqual(response.status_code, 302)
        workflow_state.refresh_from_db()
        return workflow_state

    def test_notice_withdrawn_before_final_approval(self):
        workflow_state = self.run_to_editorial_review()
        unpublish_notice(self.g)
        review = workflow_state.current_task_state
        self.login(self.g.editor)
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[self.g.page.pk, "approve", review.pk]
        )
        response = self.client.post(url, {"comment": ""}, follow=True)
        self.assertContains(response, NOT_LIVE)
        self.assertNotLive(self.g.page)
        review.refresh_from_db()
        self.assertEqual(review.status, TaskState.STATUS_IN_PROGRESS, "approval rolled back")
        self.assertBlockLogged(self.g.page)
        publish_notice(self.g)
        self.client.post(url, {"comment": ""})
        self.assertLive(self.g.page)


class BulkPublishTests(PathTestCase):
    """4. Bulk publish in the page explorer."""

    def test_blocked_pages_are_held_back_and_named(self):
        other = news_page(self.g, "Vintervedlikehold", "vinter", affects_staff=False, notice=False)
        self.login(self.g.editor)
        url = (
            reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
            + f"?id={self.g.page.pk}&id={other.pk}&next=/admin/pages/{self.g.news_index.pk}/"
        )
        response = self.client.post(url, {"include_descendants": ""}, follow=True)
        self.assertContains(response, NOT_LIVE)
        self.assertNotLive(self.g.page)
        self.assertLive(other)
        self.assertBlockLogged(self.g.page)
        publish_notice(self.g)
        self.client.post(url.replace(f"&id={other.pk}", ""), {"include_descendants": ""})
        self.assertLive(self.g.page)


class ScheduledPublishTests(PathTestCase):
    """5. Scheduled publishing: a blocked page stays unpublished, the rest still runs."""

    def schedule(self, page):
        revision = reload(page).get_latest_revision()
        revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
        revision.save()
        return revision

    def test_blocked_page_stays_unpublished_and_leader_is_told(self):
        other = news_page(self.g, "Vintervedlikehold", "vinter", affects_staff=False, notice=False)
        blocked_revision = self.schedule(self.g.page)
        self.schedule(other)
        call_command("publish_scheduled", stdout=open("/dev/null", "w"))
        self.assertNotLive(self.g.page)
        self.assertLive(other)
        blocked_revision.refresh_from_db()
        self.assertIsNone(blocked_revision.approved_go_live_at, "not retried every minute")
        self.assertBlockLogged(self.g.page, "publishing.scheduled_publish_blocked")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.g.leader.email])
        self.assertIn(self.g.page.title, mail.outbox[0].subject)
        publish_notice(self.g)
        self.schedule(self.g.page)
        call_command("publish_scheduled", stdout=open("/dev/null", "w"))
        self.assertLive(self.g.page)


class RevertTests(PathTestCase):
    """6. Revert to an older revision and publish."""

    def test_revert_and_publish(self):
        first = reload(self.g.page).get_latest_revision()
        reload(self.g.page).save_revision(user=self.g.publisher)
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:revisions_revert", args=[self.g.page.pk, first.pk])
        response = self.client.post(url, self.form_data(self.g.page), follow=True)
        self.assertContains(response, NOT_LIVE)
        self.assertNotLive(self.g.page)
        publish_notice(self.g)
        self.client.post(url, self.form_data(self.g.page))
        self.assertLive(self.g.page)


class CopyTests(PathTestCase):
    """7. Copy with "publish copies"."""

    def setUp(self):
        super().setUp()
        publish_notice(self.g)
        reload(self.g.page).get_latest_revision().publish()
        unpublish_notice(self.g)  # the notice is withdrawn after the page went out

    def test_copy_that_would_publish_is_refused(self):
        page = reload(self.g.page)
        self.assertTrue(page.live, "unpublishing the notice does not unpublish the page")
        action = CopyPageAction(
            page,
            to=self.g.news_index,
            update_attrs={"slug": "kopi", "title": "Kopi"},
            keep_live=True,
            user=self.g.editor,
        )
        with self.assertRaisesMessage(CopyPagePermissionError, NOT_LIVE):
            action.execute()
        self.assertFalse(NewsPage.objects.filter(slug="kopi").exists())
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:copy", args=[page.pk])
        response = self.client.post(
            url,
            {
                "new_title": "Kopi",
                "new_slug": "kopi",
                "new_parent_page": self.g.news_index.pk,
                "publish_copies": "on",
            },
            follow=True,
        )
        self.assertContains(response, NOT_LIVE)
        self.assertFalse(NewsPage.objects.filter(slug="kopi").exists())
        publish_notice(self.g)
        copy = CopyPageAction(
            reload(self.g.page),
            to=self.g.news_index,
            update_attrs={"slug": "kopi", "title": "Kopi"},
            keep_live=True,
            user=self.g.editor,
        ).execute()
        self.assertTrue(copy.live)

    def test_copy_as_draft_is_allowed(self):
        copy = CopyPageAction(
            reload(self.g.page),
            to=self.g.news_index,
            update_attrs={"slug": "utkast", "title": "Utkast"},
            keep_live=False,
            user=self.g.editor,
        ).execute()
        self.assertFalse(copy.live)


class IntranetExitTests(PathTestCase):
    """8. Aliases of intranet pages on the public site, and moves out of the intranet."""

    def setUp(self):
        super().setUp()
        publish_notice(self.g)

    def staff_page(self):
        page = StandardPage(
            title="Personalhåndbok",
            slug="personalhandbok",
            owning_unit=self.g.line.unit,
            responsible_leader=self.g.leader,
            sensitivity="internal",
        )
        self.g.intranet.add_child(instance=page)
        page.save_revision(user=self.g.leader).publish()
        return reload(page)

    def test_alias_of_intranet_page_on_public_site_is_refused(self):
        page = self.staff_page()
        action = CreatePageAliasAction(
            page, parent=self.g.home, update_slug="alias", user=self.g.superuser
        )
        with self.assertRaisesMessage(CreatePageAliasPermissionError, "outside the intranet"):
            action.execute()
        self.assertFalse(StandardPage.objects.filter(alias_of=page).exists())
        alias = CreatePageAliasAction(
            reload(self.g.notice),
            parent=self.g.intranet,
            update_slug="alias-inne",
            user=self.g.superuser,
        ).execute()
        self.assertEqual(
            alias.alias_of_id, self.g.notice.pk, "aliases within the intranet are fine"
        )

    def test_move_out_of_intranet_is_refused(self):
        page = self.staff_page()
        with self.assertRaisesMessage(MovePagePermissionError, "intranet"):
            MovePageAction(page, self.g.home, pos="last-child", user=self.g.superuser).execute()
        self.assertTrue(reload(page).path.startswith(self.g.intranet.path))
        self.login(self.g.superuser)
        url = reverse("wagtailadmin_pages:move_confirm", args=[page.pk, self.g.home.pk])
        response = self.client.post(url, follow=True)
        self.assertContains(response, "cannot be moved from the intranet")
        self.assertTrue(reload(page).path.startswith(self.g.intranet.path))
        # Within the intranet a page moves freely.
        MovePageAction(
            reload(page), self.g.intranet, pos="first-child", user=self.g.superuser
        ).execute()

    def test_copy_out_of_intranet_is_refused_even_as_draft(self):
        with self.assertRaisesMessage(CopyPagePermissionError, "copied out of it"):
            CopyPageAction(
                self.staff_page(),
                to=self.g.home,
                update_attrs={"slug": "ut", "title": "Ut"},
                keep_live=False,
                user=self.g.superuser,
            ).execute()


class APITests(PathTestCase):
    """9. The admin API and the v3 API publish endpoints."""

    def test_admin_api_publish(self):
        self.login(self.g.editor)
        url = f"/admin/api/main/pages/{self.g.page.pk}/action/publish/"
        response = self.client.post(url, content_type="application/json", data={})
        self.assertEqual(response.status_code, 403)
        self.assertIn(NOT_LIVE, response.json()["detail"])
        self.assertNotLive(self.g.page)
        publish_notice(self.g)
        response = self.client.post(url, content_type="application/json", data={})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertLive(self.g.page)

    def test_v3_api_publish(self):
        _token, plaintext = APIToken.create_token(user=self.g.editor, name="publisering")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
        url = f"/api/v3/pages/{self.g.page.pk}/actions/publish/"
        response = self.client.post(url, content_type="application/json", data={}, **headers)
        self.assertEqual(response.status_code, 403)
        self.assertIn(NOT_LIVE, response.json()["detail"])
        self.assertNotLive(self.g.page)
        publish_notice(self.g)
        response = self.client.post(url, content_type="application/json", data={}, **headers)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertLive(self.g.page)


class CodePublishTests(PathTestCase):
    """10. ``revision.publish()`` in code, by anyone, superusers included."""

    def test_revision_publish(self):
        revision = reload(self.g.page).get_latest_revision()
        for user in (None, self.g.superuser):
            with self.assertRaisesMessage(GovernancePublishBlocked, NOT_LIVE):
                revision.publish(user=user, skip_permission_checks=True)
        self.assertNotLive(self.g.page)
        publish_notice(self.g)
        Revision.objects.get(pk=revision.pk).publish(user=None)
        self.assertLive(self.g.page)


class WithdrawnNoticeTests(PathTestCase):
    """Unpublishing a notice later leaves the external page live, but blocks its next publish."""

    def test_withdrawn_notice(self):
        publish_notice(self.g)
        reload(self.g.page).get_latest_revision().publish()
        unpublish_notice(self.g)
        page = self.assertLive(self.g.page)
        page.title = "Oppdatert tittel"
        revision = page.save_revision(user=self.g.publisher)
        with self.assertRaisesMessage(GovernancePublishBlocked, NOT_LIVE):
            revision.publish(user=self.g.editor)
        page = self.assertLive(self.g.page)
        self.assertNotEqual(page.title, "Oppdatert tittel", "the live version is unchanged")
