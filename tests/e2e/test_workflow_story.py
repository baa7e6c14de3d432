"""The governed workflow as the people who use it walk through it, in Chromium.

A publisher writes news that affects staff and submits it, stopped by the checklist until every
item is confirmed; the leader sees it held for the internal notice; the notice is created and
published; the leader acknowledges the news's warning with a reason and approves; the web editor
does the editorial review; a citizen reads the news on the public site.
"""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from wagtail.users.models import UserProfile

from home.models import InternalNoticePage, NewsPage
from publishing.models import ChecklistConfirmation, WarningAcknowledgement
from tests.e2e import ARTIFACTS, ChromiumMixin
from tests.governance import build_governed, reload

PASSWORD = "pw"  # the factories' password


class WorkflowStoryTests(ChromiumMixin, StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shots = ARTIFACTS / "workflow-story"
        cls.shots.mkdir(parents=True, exist_ok=True)

    def setUp(self):
        self.g = build_governed()
        for user in (self.g.publisher, self.g.leader, self.g.editor):
            profile = UserProfile.get_for_user(user)
            profile.preferred_language = "en"
            profile.save()
        self.step = 0
        self.contexts = []

    def tearDown(self):
        # Close the pages before the database is flushed: an open editor keeps pinging the
        # server, and a late request would recreate rows in the emptied database.
        for context in self.contexts:
            context.close()

    def new_context(self, **kwargs):
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)
        self.contexts.append(context)
        return context

    def session(self, user):
        """A browser context signed in as ``user``."""
        context = self.new_context(locale="en")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{self.live_server_url}/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        return page

    def shot(self, page, name):
        self.step += 1
        page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}.png"), full_page=True)

    def click_footer_action(self, page, name):
        """Click an action in the editor footer, opening the "more actions" menu if needed."""
        button = page.locator(
            f'footer button[name="{name}"], footer button[data-workflow-action-name="{name}"]'
        ).first
        if not button.is_visible():
            page.locator(
                "footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle"
            ).first.click()
        button.click()

    def test_story(self):
        g = self.g
        edit = lambda pk: f"{self.live_server_url}/admin/pages/{pk}/edit/"  # noqa: E731

        # 1. The publisher writes news that affects staff and submits it.
        publisher = self.session(g.publisher)
        publisher.goto(f"{self.live_server_url}/admin/pages/add/home/newspage/{g.news_index.pk}/")
        publisher.fill("#id_title", "Hjemmetjenesten får nye kveldsruter")
        # A mobile number warns: the leader must say why it may be published.
        publisher.fill(
            "#id_intro",
            "Fra januar kjører hjemmetjenesten nye ruter om kvelden. Spørsmål? Ring 912 34 567.",
        )
        publisher.get_by_role("tab", name="Governance").click()
        publisher.select_option("#id_owning_unit", str(g.line.unit.pk))
        publisher.select_option("#id_responsible_leader", str(g.leader.pk))
        publisher.check(f'input[name="audiences"][value="{g.citizens.pk}"]')
        publisher.check("#id_affects_staff")
        self.shot(publisher, "publisher-writes-news")
        # Submitting without the checklist is stopped, and nothing typed is lost.
        self.click_footer_action(publisher, "action-submit")
        publisher.get_by_text("Confirm the checklist before you submit").first.wait_for()
        self.assertEqual(publisher.input_value("#id_title"), "Hjemmetjenesten får nye kveldsruter")
        self.assertFalse(NewsPage.objects.filter(slug__startswith="hjemmetjenesten").exists())
        self.confirm_checklist(publisher, "stopped-by-the-checklist")
        self.click_footer_action(publisher, "action-submit")
        publisher.get_by_text("submitted for moderation").wait_for()
        news = NewsPage.objects.get(title="Hjemmetjenesten får nye kveldsruter")
        self.assertEqual(ChecklistConfirmation.objects.get(page_id=news.pk).user, g.publisher)
        state = news.current_workflow_state
        self.assertEqual(
            state.current_task_state.task.specific_class.__name__, "InternalNoticeTask"
        )
        self.shot(publisher, "submitted-and-held-for-notice")

        # 2. The leader sees it held for the internal notice.
        leader = self.session(g.leader)
        leader.goto(edit(news.pk))
        hold = leader.locator("#workflow-hold")
        hold.wait_for()
        self.assertIn("held until an internal notice", hold.inner_text())
        self.shot(leader, "leader-sees-it-held-for-the-notice")

        # 3. The notice is created in one click from the held page, and submitted.
        publisher.goto(edit(news.pk))
        self.click_footer_action(publisher, "create_notice")
        publisher.wait_for_url("**/notice/")
        self.shot(publisher, "create-notice-prefilled")
        publisher.get_by_role("button", name="Create notice and link it").click()
        publisher.wait_for_url("**/edit/")
        notice = InternalNoticePage.objects.get(
            title__contains="Hjemmetjenesten får nye kveldsruter"
        )
        self.confirm_checklist(publisher)
        self.click_footer_action(publisher, "action-submit")
        publisher.get_by_text("submitted for moderation").wait_for()
        self.shot(publisher, "notice-submitted")

        # 4. The leader approves the notice: staff hear it first, and the news moves on.
        # The notice quotes the news, phone number and all: that warning needs a reason too.
        self.approve(
            leader, edit(notice.pk), "notice-approved", reason="Vakttelefonen, ikke privat."
        )
        self.assertTrue(reload(notice).live, self.why_not_live(leader, notice))
        news = reload(news)
        self.assertEqual(
            news.current_workflow_state.current_task_state.task.specific_class.__name__,
            "LeaderApprovalTask",
        )
        # 5. The leader approves the news, with the governance summary, the publisher's checklist
        #    and the warning in front of them; the warning needs a written reason.
        self.approve(
            leader,
            edit(news.pk),
            "leader-approves-news",
            summary="live since",
            reason="Nummeret er hjemmetjenestens vakttelefon, ikke en privat mobil.",
        )
        acknowledgement = WarningAcknowledgement.objects.get(page_id=news.pk)
        self.assertEqual(acknowledgement.code, "personal_data.phone")
        self.assertEqual(acknowledgement.user, g.leader)
        self.assertFalse(news.revisions.filter(user=g.leader).exists(), "approving is not editing")
        # 6. The web editor does the editorial review; the news is published.
        editor = self.session(g.editor)
        self.approve(editor, edit(news.pk), "editor-review-publishes", modal=False)
        news = reload(news)
        self.assertTrue(news.live)

        # 7. A citizen reads the news on the public site.
        citizen = self.new_context().new_page()
        site = f"http://{g.municipality.site.hostname}:{self.server_thread.port}"
        citizen.goto(f"{site}/nyheter/")
        citizen.get_by_role("link", name="Hjemmetjenesten får nye kveldsruter").click()
        citizen.get_by_role("heading", name="Hjemmetjenesten får nye kveldsruter").wait_for()
        self.assertIn(g.line.unit.name, citizen.content())
        self.shot(citizen, "citizen-reads-the-news")

    def why_not_live(self, browser_page, page):
        """What the editor said and who wrote which revision, for a failed step's message."""
        page = reload(page)
        state = page.current_workflow_state
        revisions = list(page.revisions.order_by("pk"))
        changed = []
        if len(revisions) > 1:
            before, after = revisions[-2].content, revisions[-1].content
            changed = [key for key in after if before.get(key) != after.get(key)]
        return (
            f"messages: {browser_page.locator('.messages').all_inner_texts()}; "
            f"revisions by: {[r.user.username for r in revisions]}; changed: {changed}; "
            f"workflow: {state.status if state else None}"
        )

    def confirm_checklist(self, page, name=None):
        """Tick every item under "Before you submit" on the editor's content tab."""
        page.get_by_role("tab", name="Content").click()
        boxes = page.locator('input[name="submit_checklist"]')
        boxes.first.scroll_into_view_if_needed()
        if name:
            self.shot(page, name)
        for index in range(boxes.count()):
            boxes.nth(index).check()

    def approve(self, page, url, name, summary=None, modal=True, reason=None):
        """Approve the current task from the editor footer (through its modal, if it has one).

        With ``reason``, the modal must ask for one: approving without it is refused in the
        modal, then the reason is written for each warning.
        """
        page.goto(url)
        if not modal:
            self.shot(page, name)
            with page.expect_navigation():
                self.click_footer_action(page, "approve")
            return
        self.click_footer_action(page, "approve")
        dialog = page.locator("form[action*='/workflow/']").last
        dialog.wait_for()
        if summary:
            page.locator(".publishing-governance").last.get_by_text(summary).first.wait_for()
        if reason:
            modal = page.locator(".publishing-leader-review").last
            modal.get_by_text("Confirmed by").first.wait_for()
            dialog.locator("button[type=submit]").first.click()
            page.locator(".publishing-leader-review").last.get_by_text(
                "Still without a reason"
            ).first.wait_for()
            dialog = page.locator("form[action*='/workflow/']").last
            reasons = dialog.locator("textarea[name^='reason__']")
            self.assertGreater(reasons.count(), 0)
            for index in range(reasons.count()):
                reasons.nth(index).fill(reason)
        self.shot(page, name)
        with page.expect_navigation():
            dialog.locator("button[type=submit]").first.click()
