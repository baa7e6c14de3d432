"""The governed workflow as the people who use it walk through it, in Chromium.

A publisher writes news that affects staff and submits it, stopped by the checklist until every
item is confirmed; the leader sees it held for the internal notice; the notice is created and
published; the leader acknowledges the news's warning with a reason and approves; the web editor
does the editorial review; a citizen reads the news on the public site.
"""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag

from home.models import InternalNoticePage, NewsPage
from publishing.models import ChecklistConfirmation, WarningAcknowledgement
from tests.e2e import ARTIFACTS, ChromiumMixin
from tests.e2e.story import StoryMixin
from tests.governance import build_governed, reload


@tag("browser")
class WorkflowStoryTests(StoryMixin, ChromiumMixin, StaticLiveServerTestCase):
    shots = ARTIFACTS / "workflow-story"

    def setUp(self):
        super().setUp()
        self.g = build_governed()

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
        self.open_tab_of(publisher, "#id_owning_unit")
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
            summary="Went live",
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
