"""Holes found in review, each shown closed: aliases, intranet privacy, skipped approvals,
the municipality boundary, the fast track and the registers."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import RequestFactory, TestCase
from django.urls import reverse
from wagtail.actions.create_alias import CreatePageAliasAction
from wagtail.actions.move_page import MovePageAction, MovePagePermissionError
from wagtail.models import GroupApprovalTask, PageViewRestriction

from home.models import StandardPage
from publishing.models import FastTrackReview, OrganisationUnit
from publishing.rules import check_publish
from publishing.rules.approval import approver_ids
from publishing.templatetags.publishing_tags import fast_track_review
from tests.factories import line_organisation, load_municipality
from tests.governance import EnglishAdminMixin, news_page, publish_notice, reload
from tests.publishing.test_publish_paths import PathTestCase
from tests.worlds import GovernedWorld


class FixTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def public_page(self):
        page = StandardPage(
            title="Om oss",
            slug="om-oss",
            owning_unit=self.g.line.unit,
            responsible_leader=self.g.leader,
        )
        page.audiences.set([self.g.citizens])
        self.g.home.add_child(instance=page)
        page.save_revision(user=self.g.publisher).publish()
        return reload(page)


class AliasTests(FixTestCase):
    def test_page_with_public_alias_cannot_move_into_the_intranet_or_publish_there(self):
        page = self.public_page()
        CreatePageAliasAction(
            page,
            parent=self.g.news_index.get_parent(),
            update_slug="om-oss-2",
            user=self.g.superuser,
        ).execute()
        with self.assertRaisesMessage(MovePagePermissionError, "aliases on the public site"):
            MovePageAction(page, self.g.intranet, pos="last-child", user=self.g.superuser).execute()
        # Even if it got there another way, publishing it is refused.
        StandardPage.objects.filter(pk=page.pk).update(path=self.g.intranet.path + "0099")
        draft = reload(page).get_latest_revision_as_object()
        draft.path = self.g.intranet.path + "0099"
        self.assertIn("alias.outside_intranet", [f.code for f in check_publish(draft) if f.blocks])


class IntranetPrivacyTests(FixTestCase):
    def test_staff_restriction_cannot_be_removed(self):
        # Every path to privacy (the admin's privacy dialog, the API, code) ends in these saves
        # and deletes, so the guard sits on the model.
        restriction = PageViewRestriction.objects.get(page=self.g.intranet)
        with self.assertRaises(PermissionDenied), transaction.atomic():
            restriction.delete()
        restriction.restriction_type = PageViewRestriction.LOGIN
        with self.assertRaises(PermissionDenied), transaction.atomic():
            restriction.save()
        self.assertEqual(
            PageViewRestriction.objects.get(page=self.g.intranet).restriction_type,
            PageViewRestriction.GROUPS,
        )
        self.assertEqual(self.client.get(self.g.intranet.url).status_code, 302)


class SkippedApprovalTests(FixTestCase):
    def test_bulk_publish_leaves_pages_in_a_workflow_alone(self):
        state = self.g.municipality.external_workflow.start(reload(self.g.page), self.g.publisher)
        publish_notice(self.g)
        self.login(self.g.editor)
        url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish")) + (
            f"?id={self.g.page.pk}&next=/admin/pages/{self.g.news_index.pk}/"
        )
        response = self.client.post(url, {"include_descendants": ""}, follow=True)
        self.assertContains(response, "is in a workflow")
        self.assertFalse(reload(self.g.page).live)
        state.refresh_from_db()
        self.assertEqual(state.status, state.STATUS_IN_PROGRESS)

    def test_edit_after_the_leaders_approval_goes_back_through_the_workflow(self):
        state = self.g.municipality.external_workflow.start(reload(self.g.page), self.g.publisher)
        publish_notice(self.g)
        state.refresh_from_db()
        state.current_task_state.task.specific.on_action(
            state.current_task_state, self.g.leader, "approve"
        )
        state.refresh_from_db()
        self.assertEqual(state.current_task_state.task.specific_class, GroupApprovalTask)
        self.login(self.g.editor)
        data = PathTestCase.form_data(self, reload(self.g.page), intro="Endret etter godkjenning.")
        data.pop("action-publish")
        self.client.post(reverse("wagtailadmin_pages:edit", args=[self.g.page.pk]), data)
        state.refresh_from_db()
        review = state.current_task_state
        review.task.specific.on_action(review, self.g.editor, "approve")
        state.refresh_from_db()
        # The edited revision was never approved by the leader: back to the leader, not live.
        self.assertEqual(
            state.current_task_state.task.specific_class.__name__, "LeaderApprovalTask"
        )
        self.assertFalse(reload(self.g.page).live)


class MunicipalityBoundaryTests(FixTestCase):
    def test_unit_of_another_municipality_blocks_and_gives_no_approvers(self):
        avesta = load_municipality("avesta")
        other = line_organisation(avesta)
        draft = reload(self.g.page).get_latest_revision_as_object()
        draft.owning_unit = other.unit
        draft.responsible_leader = other.unit_head
        codes = [f.code for f in check_publish(draft) if f.blocks]
        self.assertIn("responsibility.unit_of_other_municipality", codes)
        self.assertEqual(approver_ids(draft), {})

    def test_register_changes_need_the_communications_group_of_that_municipality(self):
        avesta = load_municipality("avesta")
        self.g.editor.groups.add(avesta.staff_group)  # staff there, editor in Alvdal only
        unit = OrganisationUnit.objects.create(
            municipality=avesta, code="x", name="X", kind="municipality"
        )
        self.login(self.g.editor)
        url = reverse("publishing_organisationunit_modeladmin_edit", args=[unit.pk])
        self.assertNotEqual(self.client.get(url).status_code, 200)


class FastTrackFixTests(FixTestCase):
    def test_leader_cannot_review_their_own_fast_track(self):
        publish_notice(self.g)
        review = FastTrackReview.objects.create(
            page=self.g.page, published_by=self.g.leader, reason="Krise"
        )
        self.login(self.g.leader)
        # The banner does not offer her the button the view would refuse ...
        request = RequestFactory().get("/")
        request.user = self.g.leader
        banner = fast_track_review({"request": request}, self.g.page)
        self.assertEqual(banner["review"], review)
        self.assertFalse(banner["may_review"])
        # ... and the view refuses it all the same.
        self.client.post(reverse("publishing:review_fast_track", args=[review.pk]))
        review.refresh_from_db()
        self.assertIsNone(review.reviewed_at)

    def test_notice_outside_the_municipalitys_intranet_is_refused(self):
        page = self.public_page()
        draft = page.get_latest_revision_as_object()
        draft.affects_staff = True
        draft.internal_notice = self.g.news_index  # not a notice on the intranet
        draft.save_revision(user=self.g.publisher, clean=False)
        self.login(self.g.crisis)
        response = self.client.post(
            reverse("publishing:fast_track", args=[page.pk]), {"reason": "Krise"}, follow=True
        )
        self.assertContains(response, "not an internal notice on this municipality")
        self.assertFalse(FastTrackReview.objects.exists())


class CreateNoticeFixTests(FixTestCase):
    def test_incomplete_draft_gets_a_message_not_an_error(self):
        page = news_page(self.g, "Uten leder", "uten-leder", notice=False)
        draft = page.get_latest_revision_as_object()
        draft.responsible_leader = None
        draft.save_revision(user=self.g.publisher, clean=False)  # drafts may lack a leader
        self.login(self.g.publisher)
        response = self.client.post(
            reverse("publishing:create_notice", args=[page.pk]),
            {"title": "Til ansatte"},
            follow=True,
        )
        self.assertContains(response, "responsible leader first")


class SeoFieldTests(FixTestCase):
    def test_identity_number_in_the_search_description_is_found(self):
        page = news_page(
            self.g,
            "Søk",
            "sok",
            affects_staff=False,
            notice=False,
            search_description="Gjelder 01010012356.",
        )
        codes = [
            f.code for f in check_publish(reload(page).get_latest_revision_as_object()) if f.blocks
        ]
        self.assertIn("personal_data.national_id", codes)
