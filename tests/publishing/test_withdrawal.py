"""Withdrawn pages (they stay at their address, say why and where to go instead, and leave
lists, search, feeds and the sitemap; withdrawing passes the leader like any publish and is
logged), and the reason asked when a page citizens may have relied on is unpublished or
deleted."""

import datetime
import re
from xml.etree import ElementTree

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from wagtail import hooks
from wagtail.models import APIToken, Page, PageLogEntry, PageViewRestriction, WorkflowState
from wagtail.users.models import UserProfile

from publishing.citizens.withdrawal import instead_of
from publishing.rules import PUBLISH, RuleContext, evaluate
from publishing.rules.retention import ever_public, removal_may_be_refused
from publishing.rules.withdrawal import relied_upon
from publishing.workflow import removal
from publishing.workflow.veto import GovernancePublishBlocked
from tests.factories import load_municipality
from tests.governance import (
    EnglishAdminMixin,
    allow_deleting,
    news_page,
    publish_notice,
    reload,
)
from tests.worlds import GovernedWorld

NBSP = "\u00a0"
REASON = "Ordningen ble avsluttet 31. desember."


def publish(page, user, **changes):
    """Save ``changes`` on ``page``'s latest draft as ``user`` and publish that revision."""
    draft = reload(page).get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(draft, name, value)
    revision = draft.save_revision(user=user)
    revision.publish(user=user)
    return reload(page)


class WithdrawalTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        cls.old = news_page(
            g, "Gratis busskort i sommer", "busskort", affects_staff=False, notice=False
        )
        cls.old.get_latest_revision().publish(user=g.editor)
        cls.new = news_page(
            g, "Nye regler for busskort", "nye-regler", affects_staff=False, notice=False
        )
        cls.new.get_latest_revision().publish(user=g.editor)
        cls.host = g.municipality.site.hostname

    def get(self, url):
        return self.client.get(url, HTTP_HOST=self.host)

    def withdraw(self, **changes):
        fields = {
            "withdrawn": True,
            "withdrawal_reason": REASON,
            "withdrawal_see_instead": reload(self.new),
            **changes,
        }
        return publish(self.old, self.g.editor, **fields)

    def findings(self, **changes):
        draft = reload(self.old).get_latest_revision_as_object()
        for name, value in changes.items():
            setattr(draft, name, value)
        return {
            f.code: f
            for f in evaluate(RuleContext(page=draft, purpose=PUBLISH))
            if f.code.startswith("withdrawal.")
        }


class WithdrawalRuleTests(WithdrawalTestCase):
    def test_a_withdrawal_without_a_reason_is_refused_at_every_publish(self):
        for reason in ("", "   ", f"{NBSP}\u200b"):
            with self.subTest(reason=reason):
                finding = self.findings(withdrawn=True, withdrawal_reason=reason)[
                    "withdrawal.no_reason"
                ]
                self.assertEqual(finding.severity, "block")
                self.assertEqual(finding.field, "withdrawal_reason")
        with self.assertRaises(GovernancePublishBlocked):
            publish(self.old, self.g.editor, withdrawn=True, withdrawal_reason="")
        self.assertFalse(reload(self.old).withdrawn)

    def test_where_to_go_instead_must_be_another_live_page(self):
        page = reload(self.old)
        found = self.findings(withdrawn=True, withdrawal_reason=REASON, withdrawal_see_instead=page)
        self.assertEqual(found["withdrawal.sends_to_itself"].severity, "block")
        draft = news_page(self.g, "Utkast", "utkast", affects_staff=False, notice=False)
        found = self.findings(
            withdrawn=True, withdrawal_reason=REASON, withdrawal_see_instead=draft
        )
        self.assertEqual(found["withdrawal.instead_not_live"].severity, "warn")
        self.assertEqual(
            self.findings(
                withdrawn=True, withdrawal_reason=REASON, withdrawal_see_instead=reload(self.new)
            ),
            {},
        )

    def test_a_page_that_is_not_withdrawn_has_no_withdrawal_findings(self):
        self.assertEqual(self.findings(withdrawal_reason=""), {})


class WithdrawnPageForCitizensTests(WithdrawalTestCase):
    def test_the_page_stays_at_its_address_and_says_why_since_when_and_where_to_go(self):
        page = self.withdraw()
        response = self.get(page.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Gratis busskort i sommer")  # the content is still there
        self.assertContains(response, "Siden er trukket tilbake")
        self.assertContains(response, REASON)
        day = timezone.localtime(page.withdrawn_at).date()
        with translation.override("nb"):
            from django.utils.formats import date_format

            self.assertContains(response, date_format(day, "DATE_FORMAT"))
        self.assertContains(response, f'datetime="{day:%Y-%m-%d}"')
        self.assertContains(response, f'href="{reload(self.new).url}"')
        self.assertContains(response, '<meta name="robots" content="noindex">')

    def test_it_leaves_lists_search_feeds_and_the_sitemap(self):
        self.withdraw()
        index = reload(self.g.news_index)
        for url in (index.url, reload(self.g.home).url, index.url + "feed/", "/sitemap.xml"):
            with self.subTest(url=url):
                content = self.get(url).content.decode()
                self.assertNotIn("busskort/", content)
                self.assertIn("nye-regler/", content)
        search = self.get(reverse("search") + "?q=busskort").content.decode()
        self.assertNotIn("Gratis busskort i sommer", search)
        self.assertIn("Nye regler for busskort", search)
        feed = ElementTree.fromstring(self.get(index.url + "feed/").content)  # noqa: S314 (our own feed)
        self.assertEqual(
            [item.findtext("title") for item in feed.iter("item")], ["Nye regler for busskort"]
        )

    def test_the_withdrawal_is_logged_with_its_reason_and_its_time_kept_through_later_edits(self):
        page = self.withdraw()
        withdrawn_at = page.withdrawn_at
        self.assertIsNotNone(withdrawn_at)
        entry = PageLogEntry.objects.get(page=page, action="publishing.withdrawn")
        self.assertEqual(entry.data["reason"], REASON)
        self.assertEqual(entry.user, self.g.editor)
        later = publish(page, self.g.editor, intro="Ordningen er avsluttet.")
        self.assertEqual(later.withdrawn_at, withdrawn_at)
        self.assertEqual(PageLogEntry.objects.filter(action="publishing.withdrawn").count(), 1)

    def test_lifting_the_withdrawal_brings_the_page_back(self):
        self.withdraw()
        page = publish(self.old, self.g.editor, withdrawn=False)
        self.assertIsNone(page.withdrawn_at)
        self.assertTrue(
            PageLogEntry.objects.filter(page=page, action="publishing.reinstated").exists()
        )
        self.assertNotContains(self.get(page.url), "Siden er trukket tilbake")
        self.assertContains(self.get(reload(self.g.news_index).url), "busskort/")


class WithdrawingThroughTheWorkflowTests(WithdrawalTestCase):
    def test_a_publishers_withdrawal_waits_for_the_leader_and_shows_first_in_the_changes(self):
        draft = reload(self.old).get_latest_revision_as_object()
        draft.withdrawn = True
        draft.withdrawal_reason = REASON
        draft.save_revision(user=self.g.publisher)
        state = self.g.municipality.external_workflow.start(reload(self.old), self.g.publisher)
        self.assertFalse(reload(self.old).withdrawn)  # not until it is approved
        self.login(self.g.leader)
        changes = self.client.get(reverse("publishing:changes", args=[self.old.pk]))
        content = changes.content.decode()
        self.assertLess(
            content.index("withdrawn"),
            content.index("responsible leader")
            if "responsible leader" in content
            else len(content),
        )
        state.refresh_from_db()
        task_state = state.current_task_state
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[self.old.pk, "approve", task_state.pk]
        )
        self.client.post(url, {"comment": ""})
        state.refresh_from_db()
        review = state.current_task_state
        self.login(self.g.editor)
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[self.old.pk, "approve", review.pk]
        )
        self.client.post(url, {"comment": ""})
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_APPROVED)
        self.assertTrue(reload(self.old).withdrawn)


class ReasonToUnpublishTests(WithdrawalTestCase):
    def url(self, page):
        return reverse("wagtailadmin_pages:unpublish", args=[page.pk])

    def test_the_confirmation_asks_why_and_refuses_without_a_reason(self):
        self.login(self.g.editor)
        self.assertContains(self.client.get(self.url(self.old)), 'name="reason"')
        for reason, message in ((f" {NBSP} ", "Say why the page goes."), ("\u200b", "invisible")):
            response = self.client.post(self.url(self.old), {"reason": reason}, follow=True)
            self.assertTrue(reload(self.old).live)
            self.assertContains(response, message)
            self.assertContains(response, 'name="reason"')

    def test_the_reason_is_logged_with_the_unpublish(self):
        self.login(self.g.editor)
        self.client.post(self.url(self.old), {"reason": "Feil opplysninger om prisen."})
        self.assertFalse(reload(self.old).live)
        entry = PageLogEntry.objects.get(page=self.old, action="publishing.unpublished_because")
        self.assertEqual(entry.data["reason"], "Feil opplysninger om prisen.")
        self.assertEqual(entry.user, self.g.editor)

    def test_a_page_never_on_the_public_site_needs_no_reason(self):
        self.login(self.g.editor)
        notice = reload(self.g.notice)
        notice.get_latest_revision().publish(user=self.g.editor)
        self.assertNotContains(self.client.get(self.url(notice)), 'name="reason"')
        self.client.post(self.url(notice), {})
        self.assertFalse(reload(notice).live)

    def test_bulk_unpublish_leaves_such_pages_out_and_names_them(self):
        self.login(self.g.editor)
        url = (
            reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
            + f"?id={self.old.pk}&next=/admin/"
        )
        response = self.client.post(url, {}, follow=True)
        self.assertTrue(reload(self.old).live)
        self.assertContains(response, "Unpublish it on its own, so that you can say why.")


class ReasonToDeleteTests(WithdrawalTestCase):
    def url(self, page):
        return reverse("wagtailadmin_pages:delete", args=[page.pk])

    def test_the_confirmation_asks_why_offers_withdrawing_and_logs_it(self):
        allow_deleting(self.g.municipality, "newspage")
        self.login(self.g.superuser)
        confirmation = self.client.get(self.url(self.old))
        self.assertContains(confirmation, 'name="reason"')
        self.assertContains(confirmation, "withdraw it instead")
        refused = self.client.post(self.url(self.old), {"reason": "  "})
        self.assertContains(refused, "Say why the page goes.")
        self.assertTrue(type(self.old).objects.filter(pk=self.old.pk).exists())
        page_id = self.old.pk
        self.client.post(self.url(self.old), {"reason": "Siden var en dublett."})
        self.assertFalse(type(self.old).objects.filter(pk=page_id).exists())
        entry = PageLogEntry.objects.get(page_id=page_id, action="publishing.deleted_because")
        self.assertEqual(entry.data["reason"], "Siden var en dublett.")
        self.assertEqual(entry.data["municipality"], self.g.municipality.slug)

    def test_someone_who_may_not_delete_the_page_is_refused(self):
        self.login(self.g.publisher)
        response = self.client.get(self.url(self.old))
        self.assertNotContains(response, 'name="reason"', status_code=302)  # Wagtail's refusal
        self.assertTrue(type(self.old).objects.filter(pk=self.old.pk).exists())


class EveryDoorAsksWhyTests(WithdrawalTestCase):
    """Whichever way relied-upon pages are taken away, with the page above them, through the
    APIs or in code, a reason is asked, and it is written in each page's history."""

    def reasons(self, page_id, action="publishing.unpublished_because"):
        return list(
            PageLogEntry.objects.filter(page_id=page_id, action=action).values_list(
                "data__reason", flat=True
            )
        )

    def test_unpublishing_the_page_above_with_its_pages_asks_why(self):
        self.login(self.g.editor)
        index = reload(self.g.news_index)
        url = reverse("wagtailadmin_pages:unpublish", args=[index.pk])
        self.assertContains(self.client.get(url), 'name="reason"')
        response = self.client.post(url, {"include_descendants": "on"}, follow=True)
        self.assertContains(response, "Say why the page goes.")
        self.assertTrue(reload(self.old).live)
        self.client.post(url, {"include_descendants": "on", "reason": "Nyhetene flyttes."})
        self.assertFalse(reload(self.old).live)
        self.assertEqual(self.reasons(self.old.pk), ["Nyhetene flyttes."])
        self.assertEqual(self.reasons(self.new.pk), ["Nyhetene flyttes."])

    def test_unpublishing_the_page_above_alone_asks_why_too(self):
        # The news list and its feed go, and with them how citizens find the news.
        self.login(self.g.editor)
        index = reload(self.g.news_index)
        url = reverse("wagtailadmin_pages:unpublish", args=[index.pk])
        self.client.post(url, {})
        self.assertTrue(reload(index).live)
        self.client.post(url, {"reason": "Nyhetene flyttes til forsiden."})
        self.assertFalse(reload(index).live)
        self.assertTrue(reload(self.old).live)

    def test_a_refused_form_comes_back_with_the_choices_made(self):
        self.login(self.g.editor)
        index = reload(self.g.news_index)
        url = reverse("wagtailadmin_pages:unpublish", args=[index.pk])
        response = self.client.post(url, {"include_descendants": "on", "next": "/admin/pages/"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say why the page goes.")
        self.assertRegex(response.content.decode(), r'name="include_descendants"[^>]*checked')
        self.assertContains(response, 'name="next" value="/admin/pages/"')
        # The server says what is missing, in the person's language; not the browser.
        [textarea] = re.findall(r"<textarea[^>]*>", response.content.decode())
        self.assertNotIn("required", textarea)

    def test_a_page_unpublished_meanwhile_is_said_to_be_so(self):
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:unpublish", args=[self.old.pk])
        with removal.because("Avlyst."):
            reload(self.old).unpublish(user=self.g.editor)
        response = self.client.post(url, {"reason": "Avlyst."}, follow=True)
        self.assertContains(response, "is not published (any more)")

    def test_deleting_the_page_above_asks_why_for_the_pages_below(self):
        allow_deleting(self.g.municipality, "newspage", "newsindexpage")
        self.login(self.g.superuser)
        index = reload(self.g.news_index)
        delete_url = reverse("wagtailadmin_pages:delete", args=[index.pk])
        self.assertContains(self.client.get(delete_url), "2 pages below it")
        self.client.post(delete_url, {})
        self.assertTrue(type(index).objects.filter(pk=index.pk).exists())
        self.client.post(delete_url, {"reason": "Nyhetsarkivet legges ned."})
        self.assertFalse(type(index).objects.filter(pk=index.pk).exists())
        for page in (self.old, self.new):
            deleted = self.reasons(page.pk, "publishing.deleted_because")
            self.assertEqual(deleted, ["Nyhetsarkivet legges ned."])

    def test_bulk_unpublish_with_the_pages_below_leaves_the_page_above_out(self):
        self.login(self.g.editor)
        index = reload(self.g.news_index)
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
        response = self.client.post(
            f"{url}?id={index.pk}&next=/admin/", {"include_descendants": "on"}, follow=True
        )
        self.assertContains(response, "Unpublish it on its own, so that you can say why.")
        self.assertTrue(reload(self.old).live)
        self.assertTrue(reload(index).live)

    def test_the_admin_api_and_the_v3_api_are_refused_without_a_reason(self):
        self.login(self.g.editor)
        url = f"/admin/api/main/pages/{self.old.pk}/action/unpublish/"
        response = self.client.post(url, content_type="application/json", data={})
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("say why it goes", response.content.decode())
        _token, secret = APIToken.create_token(user=self.g.superuser, name="reasons")
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        unpublish = f"/api/v3/pages/{self.old.pk}/actions/unpublish/"
        response = self.client.post(unpublish, content_type="application/json", data={}, **bearer)
        self.assertNotEqual(response.status_code, 200)
        response = self.client.delete(f"/api/v3/pages/{self.old.pk}/", **bearer)
        self.assertNotEqual(response.status_code, 204)
        self.assertTrue(reload(self.old).live)

    def test_code_gives_its_reason_with_because(self):
        with self.assertRaises(PermissionDenied):
            reload(self.old).unpublish()
        with removal.because("Importen erstatter siden."):
            reload(self.old).unpublish()
        self.assertFalse(reload(self.old).live)
        self.assertEqual(self.reasons(self.old.pk), ["Importen erstatter siden."])

    def test_an_expiry_approved_with_the_version_unpublishes_on_its_date(self):
        type(self.old).objects.filter(pk=self.old.pk).update(
            expire_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        call_command("publish_scheduled", verbosity=0)
        self.assertFalse(reload(self.old).live)


class WithdrawnPlacesTests(WithdrawalTestCase):
    """Where a withdrawn page sends citizens, what the public API lists, where a page citizens
    read may be moved, and the date on copies and aliases."""

    def test_citizens_are_never_sent_to_a_page_only_staff_can_open(self):
        notice = reload(self.g.notice)
        notice.get_latest_revision().publish(user=self.g.editor)
        found = self.findings(
            withdrawn=True, withdrawal_reason=REASON, withdrawal_see_instead=reload(notice)
        )
        self.assertEqual(found["withdrawal.instead_staff_only"].severity, "block")
        page = self.withdraw()
        self.assertEqual(instead_of(page), reload(self.new).page_ptr)
        # The page it sends to is made staff-only afterwards: the notice stops linking it.
        PageViewRestriction.objects.create(
            page=reload(self.new), restriction_type=PageViewRestriction.LOGIN
        )
        self.assertIsNone(instead_of(reload(page)))
        self.assertNotContains(self.get(page.url), 'href="' + reload(self.new).url)

    def test_an_unpublished_intranet_page_is_staff_only_not_merely_unpublished(self):
        notice = reload(self.g.notice)
        self.assertFalse(notice.live)
        found = self.findings(
            withdrawn=True, withdrawal_reason=REASON, withdrawal_see_instead=notice
        )
        self.assertEqual(found["withdrawal.instead_staff_only"].severity, "block")
        self.assertNotIn("withdrawal.instead_not_live", found)

    def test_citizens_are_never_sent_to_another_municipalitys_site(self):
        avesta = load_municipality("avesta")
        elsewhere = avesta.site.root_page
        found = self.findings(
            withdrawn=True, withdrawal_reason=REASON, withdrawal_see_instead=elsewhere
        )
        self.assertEqual(found["withdrawal.instead_elsewhere"].severity, "block")
        # A draft may not hold it either: the editor says so at the field and keeps nothing.
        draft = reload(self.old).get_latest_revision_as_object()
        draft.withdrawal_see_instead = elsewhere
        with self.assertRaises(ValidationError) as refused:
            draft.full_clean()
        self.assertIn("withdrawal_see_instead", refused.exception.message_dict)
        # Published before this rule (or in code around it): the public page links nothing.
        type(self.old).objects.filter(pk=self.old.pk).update(
            withdrawn=True, withdrawal_reason=REASON, withdrawal_see_instead=elsewhere
        )
        self.assertIsNone(instead_of(reload(self.old)))
        self.assertNotContains(self.get(reload(self.old).url), elsewhere.get_full_url())

    def test_the_page_listing_says_which_live_pages_are_withdrawn(self):
        page = self.withdraw()
        self.assertEqual(page.status_string, "withdrawn")
        self.assertEqual(reload(self.new).status_string, "live")
        self.login(self.g.editor)
        listing = self.client.get(reverse("wagtailadmin_explore", args=[self.g.news_index.pk]))
        self.assertContains(listing, "withdrawn")
        page.save_revision(user=self.g.editor)
        self.assertEqual(reload(page).status_string, "withdrawn + draft")

    def test_the_public_api_lists_no_withdrawn_page_and_still_answers_for_it(self):
        self.withdraw()
        response = self.get("/api/v3/pages/?type=home.NewsPage&limit=20")
        self.assertEqual(response.status_code, 200, response.content[:400])
        listed = response.json()
        titles = {item["title"] for item in listed["items"]}
        self.assertNotIn("Gratis busskort i sommer", titles)
        self.assertIn("Nye regler for busskort", titles)
        # As the page still answers at its address, its own endpoint still answers.
        self.assertEqual(self.get(f"/api/v3/pages/{self.old.pk}/").status_code, 200)

    def test_a_page_citizens_read_is_not_moved_behind_the_staff_restriction(self):
        self.login(self.g.superuser)
        url = reverse("wagtailadmin_pages:move_confirm", args=[self.old.pk, self.g.intranet.pk])
        response = self.client.post(url, follow=True)
        self.assertContains(response, "citizens could no longer open it")
        self.assertEqual(reload(self.old).get_parent().pk, self.g.news_index.pk)

    def test_an_expiry_date_warns_the_approver(self):
        later = timezone.now() + datetime.timedelta(days=30)
        finding = self.findings(expire_at=later)["withdrawal.expires"]
        self.assertEqual(finding.severity, "warn")
        self.assertEqual(finding.field, "expire_at")

    def test_a_copy_has_no_withdrawal_date_until_it_is_published(self):
        page = self.withdraw()
        copy = page.copy(update_attrs={"slug": "kopi", "title": "Kopi"}, keep_live=False)
        self.assertTrue(copy.specific.withdrawn)
        self.assertIsNone(copy.specific.withdrawn_at)

    def test_an_alias_shows_its_pages_withdrawal_date(self):
        alias = reload(self.old).create_alias(parent=self.g.home, update_slug="busskort-alias")
        page = self.withdraw()
        alias = reload(alias.specific)
        self.assertTrue(alias.withdrawn)
        self.assertEqual(alias.withdrawn_at, page.withdrawn_at)


class BulkConfirmationNamesWhatIsLeftOutTests(WithdrawalTestCase):
    """The bulk confirmation says which pages it will not unpublish or delete, and why, before
    the publisher confirms; the pages it acts on are the rest."""

    def confirmation(self, action, *pages):
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
        ids = "&".join(f"id={page.pk}" for page in pages)
        return self.client.get(f"{url}?{ids}&next=/admin/")

    def test_unpublish_names_the_page_citizens_relied_on(self):
        self.login(self.g.editor)
        never_public = news_page(
            self.g, "Utkast til nyhet", "utkast-bulk", affects_staff=False, notice=False
        )
        response = self.confirmation("unpublish", self.old, never_public)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This page is not unpublished here")
        self.assertContains(response, "Unpublish it on its own, so that you can say why.")
        left_out = [item["item"].pk for item in response.context["items_left_out"]]
        acted_on = [item["item"].pk for item in response.context["items"]]
        self.assertEqual(left_out, [self.old.pk])
        self.assertNotIn(self.old.pk, acted_on)

    def test_delete_names_the_page_the_archive_keeps(self):
        self.login(self.g.editor)
        response = self.confirmation("delete", self.old)
        self.assertContains(response, "This page is not deleted here")
        self.assertEqual(list(response.context["items"]), [])
        self.assertNotContains(response, "Yes, delete")
        # Confirming anyway (a form from another tab) leaves it, and says why.
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
        response = self.client.post(f"{url}?id={self.old.pk}&next=/admin/", {}, follow=True)
        self.assertTrue(type(self.old).objects.filter(pk=self.old.pk).exists())
        said = [str(message) for message in response.context["messages"]]
        self.assertEqual(len(said), 1)
        self.assertIn("“Gratis busskort i sommer” is public", said[0])

    def test_in_bokmal_and_swedish(self):
        self.login(self.g.editor)
        profile = UserProfile.get_for_user(self.g.editor)
        url = (
            reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
            + f"?id={self.old.pk}&next=/admin/"
        )
        for language, heading in (
            ("nb", "Denne siden blir ikke slettet her"),
            ("sv", "Den här sidan tas inte bort här"),
        ):
            with self.subTest(language=language):
                profile.preferred_language = language
                profile.save()
                response = self.client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                self.assertContains(response, heading)
                self.assertNotContains(response, "This page is not deleted here")


class BulkRemovalAtScaleTests(WithdrawalTestCase):
    """Which pages of a bulk removal may be refused is found for the whole selection at once,
    and agrees with asking each page on its own."""

    def test_the_selection_is_judged_in_a_few_queries_as_each_page_would_be(self):
        drafts = [
            news_page(self.g, f"Kladd {n}", f"kladd-{n}", affects_staff=False, notice=False)
            for n in range(12)
        ]
        everything = list(Page.objects.order_by("path"))
        for deleting in (True, False):
            with self.subTest(deleting=deleting), self.assertNumQueries(3 if deleting else 2):
                found = removal_may_be_refused(everything, deleting=deleting)
            for page in everything:
                if deleting:
                    expected = bool(ever_public(page))
                else:
                    expected = bool(relied_upon(page, descendants=True, live_only=True))
                self.assertEqual(page.pk in found, expected, (page.url_path, deleting))
        self.assertFalse(found & {draft.pk for draft in drafts})

    @override_settings(WAGTAILADMIN_UNSAFE_PAGE_DELETION_LIMIT=1)
    def test_a_mistyped_site_name_shows_the_same_confirmation(self):
        self.login(self.g.superuser)  # who may delete the news index with its pages
        draft = news_page(self.g, "Kladd", "kladd-x", affects_staff=False, notice=False)
        index = reload(self.g.news_index)
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
        url = f"{url}?id={index.pk}&id={draft.pk}&next=/admin/"
        response = self.client.post(url, {"confirm_site_name": "feil"})
        self.assertEqual(response.status_code, 200)
        # The index is left out, named as chosen, with why; the draft alone is to be deleted.
        self.assertEqual(
            [left["item"].pk for left in response.context["items_left_out"]], [index.pk]
        )
        self.assertEqual([item["item"].pk for item in response.context["items"]], [draft.pk])
        self.assertContains(response, index.title)
        self.assertTrue(Page.objects.filter(pk=draft.pk).exists())

    @override_settings(WAGTAILADMIN_UNSAFE_PAGE_DELETION_LIMIT=1)
    def test_a_mistyped_site_name_is_said_in_the_persons_language(self):
        self.login(self.g.superuser)
        profile = UserProfile.get_for_user(self.g.superuser)
        profile.preferred_language = "sv"
        profile.save()
        draft = news_page(self.g, "Kladd", "kladd-y", affects_staff=False, notice=False)
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
        response = self.client.post(
            f"{url}?id={draft.pk}&next=/admin/",
            {"confirm_site_name": "fel"},
            HTTP_ACCEPT_LANGUAGE="sv",
        )
        said = [str(message) for message in response.context["messages"]]
        self.assertTrue(any("exakt för att bekräfta" in message for message in said), said)
        self.assertFalse(any("Please type" in message for message in said), said)
        self.assertTrue(Page.objects.filter(pk=draft.pk).exists())


class ChangedBetweenConfirmationAndClickTests(WithdrawalTestCase):
    """A bulk delete or unpublish acts on the pages as they are when it runs: what a colleague
    or another tab changed since the confirmation is said of that page, the rest is done, and
    nothing is counted that was not done."""

    def drafts(self, *names):
        return [
            news_page(self.g, name, slugify(name), affects_staff=False, notice=False)
            for name in names
        ]

    def meanwhile(self, change):
        """``change()`` runs after the bulk action has read its pages and before it acts."""

        def hook(request, action_type, objects, action_view):
            change()

        return hooks.register_temporarily("before_bulk_action", hook)

    def post(self, action, pages, data=None):
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
        ids = "&".join(f"id={page.pk}" for page in pages)
        response = self.client.post(f"{url}?{ids}&next=/admin/", data or {}, follow=True)
        self.assertEqual(response.status_code, 200)
        return [str(message) for message in response.context["messages"]]

    def test_a_bulk_delete_leaves_out_a_page_published_meanwhile_and_deletes_the_rest(self):
        self.login(self.g.editor)
        published, deleted, draft = self.drafts("Publisert imens", "Slettet imens", "Kladd")

        def change():
            reload(published).get_latest_revision().publish(user=self.g.editor)
            Page.objects.get(pk=deleted.pk).delete(user=self.g.editor)

        with self.meanwhile(change):
            said = self.post("delete", [published, deleted, draft])
        self.assertTrue(Page.objects.filter(pk=published.pk, live=True).exists())
        self.assertFalse(Page.objects.filter(pk__in=[deleted.pk, draft.pk]).exists())
        self.assertIn("1 page has been deleted", " ".join(said))
        self.assertTrue(any(m.startswith("Publisert imens: ") for m in said), said)
        self.assertIn("“Slettet imens” was deleted in the meantime.", said)

    def test_a_page_chosen_with_the_page_above_it_goes_with_it_unremarked(self):
        self.login(self.g.superuser)
        (parent,) = self.drafts("Samleside")
        child = news_page(
            self.g, "Underside", "underside", affects_staff=False, notice=False, parent=parent
        )
        said = self.post("delete", [parent, child])
        self.assertFalse(Page.objects.filter(pk__in=[parent.pk, child.pk]).exists())
        self.assertFalse(any("in the meantime" in message for message in said), said)

    def test_a_bulk_unpublish_counts_only_what_it_unpublished(self):
        self.login(self.g.superuser)
        publish_notice(self.g)  # staff read it on the intranet: no reason needed
        notice = reload(self.g.notice)
        with self.meanwhile(lambda: reload(notice).unpublish(user=self.g.superuser)):
            said = self.post("unpublish", [notice])
        self.assertEqual(said, [f"“{notice.title}” is not published (any more)."])

    def test_in_bokmal_and_swedish(self):
        for language, words in (
            ("nb", "ble slettet i mellomtiden"),
            ("sv", "togs bort under tiden"),
        ):
            with self.subTest(language=language):
                self.login(self.g.editor)
                profile = UserProfile.get_for_user(self.g.editor)
                profile.preferred_language = language
                profile.save()
                (deleted,) = self.drafts(f"Borte {language}")
                with self.meanwhile(lambda page=deleted: Page.objects.get(pk=page.pk).delete()):
                    said = self.post("delete", [deleted])
                self.assertTrue(any(words in message for message in said), said)
                self.assertFalse(any("deleted in the meantime" in m for m in said), said)
