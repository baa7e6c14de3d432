"""The governed workflow in Chromium as Alvdal's people walk it in bokmål and Avesta's in Swedish.

Every person's admin language is the municipality's, and their browser asks for it too. A
publisher writes news that affects staff, with no notice linked, and submits it with the
checklist and a note to the approver; the leader creates the internal notice from her dashboard
and submits it; she may not approve a notice she wrote herself, and the page tells her why; her
deputy approves the notice with a reason for its warning, and the notice goes live; the news
moves on to the leader by itself, and she approves it on a 320 px wide phone, with the note and
what the news changes (it is new) in front of her; the communications editor's review publishes
it; a citizen reads it on the municipality's site.

Each step is a full-page screenshot in ``test-artifacts/workflow-story-<language>/``; the labels,
headings and messages a step reads are asserted in the language, with no English in them.
"""

from dataclasses import dataclass

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag
from django.urls import reverse

from home.models import InternalNoticePage, NewsPage
from publishing.models import ChecklistConfirmation, WarningAcknowledgement
from tests.e2e import ChromiumMixin
from tests.e2e.story import StoryMixin
from tests.governance import build_governed, reload


@dataclass
class Story:
    language: str  # the admin language of everyone in the story
    locale: str  # the browsers' locale
    municipality: str  # the profile's slug
    audience: str  # the code of the profile's public audience the news is for
    title: str
    intro: str  # with a mobile number: the notice and the news each get a warning
    notice_reason: str
    news_reason: str
    note: str  # the publisher's note to the approver


BOKMAL = Story(
    language="nb",
    locale="nb-NO",
    municipality="alvdal",
    audience="innbyggere",
    title="Hjemmetjenesten får nye kveldsruter",
    intro="Fra januar kjører hjemmetjenesten nye ruter om kvelden. Spørsmål? Ring 912 34 567.",
    notice_reason="Vakttelefonen, ikke privat.",
    news_reason="Nummeret er hjemmetjenestens vakttelefon, ikke en privat mobil.",
    note="Nye kveldsruter fra januar; vakttelefonen står i ingressen.",
)

SWEDISH = Story(
    language="sv",
    locale="sv-SE",
    municipality="avesta",
    audience="kommuninvanare",
    title="Hemtjänsten får nya kvällsturer",
    intro="Från januari kör hemtjänsten nya turer på kvällen. Frågor? Ring 070-123 45 67.",
    notice_reason="Jourtelefonen, inte privat.",
    news_reason="Numret är hemtjänstens jourtelefon, inte en privat mobil.",
    note="Nya kvällsturer från januari; jourtelefonen står i ingressen.",
)


@tag("browser")
class NordicWorkflowStoryTests(StoryMixin, ChromiumMixin, StaticLiveServerTestCase):
    def test_bokmal(self):
        self.walk(BOKMAL)

    def test_swedish(self):
        self.walk(SWEDISH)

    def walk(self, story):
        self.begin(story, "workflow-story")
        self.g = g = build_governed(story.municipality)
        self.assertEqual(g.citizens.code, story.audience)
        try:
            news = self.publisher_submits_news()
            notice = self.leader_creates_notice(news)
            self.leader_may_not_approve_own_notice(notice)
            self.deputy_approves_notice(notice, news)
            self.leader_approves_news_on_a_phone(news)
            self.editor_publishes(news)
            self.citizen_reads(news)
        except BaseException:
            self.shoot_every_page()
            raise

    def edit_url(self, page):
        return f"{self.live_server_url}{reverse('wagtailadmin_pages:edit', args=[page.pk])}"

    def assertMessage(self, page, message, where):
        """The admin's message after a step says ``message`` in the story's language."""
        return self.assertSays(page.locator(".messages"), message, where)

    def task_of(self, page):
        state = reload(page).current_workflow_state
        return state.current_task_state.task.specific_class.__name__ if state else None

    # 1. The publisher writes news that affects staff, with no notice, and submits it.
    def publisher_submits_news(self):
        g, story = self.g, self.story
        publisher = self.session(g.publisher, story.locale)
        publisher.goto(
            f"{self.live_server_url}"
            f"{reverse('wagtailadmin_pages:add', args=['home', 'newspage', g.news_index.pk])}"
        )
        publisher.fill("#id_title", story.title)
        publisher.fill("#id_intro", story.intro)
        self.open_tab_of(publisher, "#id_owning_unit")
        publisher.select_option("#id_owning_unit", str(g.line.unit.pk))
        publisher.select_option("#id_responsible_leader", str(g.leader.pk))
        publisher.check(f'input[name="audiences"][value="{g.citizens.pk}"]')
        publisher.check("#id_affects_staff")
        self.assertEqual(publisher.input_value("#id_internal_notice"), "")
        self.shot(publisher, "publisher-writes-news")
        # Submitting without the checklist is stopped, in the publisher's language.
        self.click_footer_action(publisher, "action-submit", "Submit to %(workflow_name)s")
        self.assertSays(
            publisher.locator('[id$="submit_checklist-errors"]'),
            "Confirm the checklist before you submit: tick each item under “Before you submit”. "
            "None is ticked yet.",
            "the checklist refusal",
        )
        self.assertMessage(
            publisher,
            [
                "The page could not be created due to validation errors.",
                "The page could not be saved due to validation errors.",
            ],
            "the message when the checklist stops the submit",
        )
        self.assertFalse(NewsPage.objects.filter(title=story.title).exists())
        self.confirm_checklist(publisher, "stopped-by-the-checklist")
        publisher.fill("#id_note_to_approver", story.note)
        self.click_footer_action(publisher, "action-submit")
        # The editor's autosave may have created the page already.
        self.assertMessage(
            publisher,
            [
                "Page '%(page_title)s' created and submitted for moderation.",
                "Page '%(page_title)s' has been submitted for moderation.",
            ],
            "the message after submitting",
        )
        news = NewsPage.objects.get(title=story.title)
        self.assertIsNone(news.internal_notice_id)
        self.assertEqual(ChecklistConfirmation.objects.get(page_id=news.pk).user, g.publisher)
        self.assertEqual(self.task_of(news), "InternalNoticeTask")
        self.shot(publisher, "submitted-and-held-for-notice")
        return news

    # 2. The leader creates the internal notice from her dashboard and submits it.
    def leader_creates_notice(self, news):
        g, story = self.g, self.story
        self.leader = leader = self.session(g.leader, story.locale)
        panel = leader.locator("#governance-held-for-notice-section")
        self.assertSays(
            panel.locator("h2"), "Waiting for an internal notice to staff", "the dashboard panel"
        )
        create = panel.locator(f'a[href="{reverse("publishing:create_notice", args=[news.pk])}"]')
        self.assertEqual(create.inner_text().strip(), self.tr("Create internal notice"))
        self.shot(leader, "leader-dashboard-page-waits-for-notice")
        create.click()
        leader.wait_for_url("**/notice/")
        self.assertSays(leader.locator("h1"), "Create internal notice", "the notice form's heading")
        self.assertIn(story.title, leader.input_value("#id_title"))
        self.assertNotEnglish(leader.input_value("#id_title"), "the notice's prefilled title")
        submit = leader.locator("form:has(#id_title) button[type=submit]")
        self.assertEqual(submit.inner_text().strip(), self.tr("Create notice and link it"))
        self.shot(leader, "create-notice-prefilled")
        submit.click()
        leader.wait_for_url("**/edit/")
        self.assertMessage(
            leader,
            "The internal notice was created and linked. Publish it to tell staff; the page then "
            "moves on to its leader.",
            "the message after creating the notice",
        )
        notice = InternalNoticePage.objects.get(title__contains=story.title)
        self.assertEqual(reload(news).get_latest_revision_as_object().internal_notice_id, notice.pk)
        self.confirm_checklist(leader)
        self.click_footer_action(leader, "action-submit", "Submit to %(workflow_name)s")
        self.assertMessage(
            leader,
            "Page '%(page_title)s' has been submitted for moderation.",
            "the message after submitting the notice",
        )
        self.assertEqual(self.task_of(notice), "LeaderApprovalTask")
        self.shot(leader, "leader-submitted-notice")
        return notice

    # 7. (Read while the notice waits.) The leader wrote the notice: she may not approve it, and
    #    the editor says why.
    def leader_may_not_approve_own_notice(self, notice):
        leader = self.leader
        leader.goto(self.edit_url(notice))
        self.assertEqual(
            leader.locator(
                'footer button[data-workflow-action-name="approve"], footer button[name="approve"]'
            ).count(),
            0,
        )
        why = self.assertSays(
            leader.locator("#approval-obstacles"),
            "You cannot approve this page:",
            "why the leader cannot approve her own notice",
        )
        self.assertIn(
            self.tr("You edited this page yourself; another leader must approve it (four eyes)."),
            why,
        )
        self.shot(leader, "leader-may-not-approve-own-notice")

    # 3. The deputy approves the notice, with a reason for its warning; it goes live.
    def deputy_approves_notice(self, notice, news):
        g, story = self.g, self.story
        deputy = self.session(g.deputy, story.locale)
        self.approve(
            deputy,
            self.edit_url(notice),
            "deputy-approves-notice",
            reason=story.notice_reason,
            label="Approve",
        )
        self.assertTrue(reload(notice).live, self.why_not_live(deputy, notice))
        self.shot(deputy, "notice-is-live")
        # The news moved on from waiting for the notice to the leader by itself.
        self.assertEqual(self.task_of(news), "LeaderApprovalTask")

    # 4. The leader approves the news on her phone, 320 px wide.
    def leader_approves_news_on_a_phone(self, news):
        g, story = self.g, self.story
        phone = self.session(
            g.leader,
            story.locale,
            viewport={"width": 320, "height": 640},
            is_mobile=True,
            has_touch=True,
        )
        phone.goto(self.edit_url(news))
        self.shot(phone, "leader-opens-news-320px")
        self.approve(
            phone,
            self.edit_url(news),
            "leader-approves-news-320px",
            reason=story.news_reason,
            label="Approve",
            note=story.note,
        )
        acknowledgement = WarningAcknowledgement.objects.get(page_id=news.pk)
        self.assertEqual(acknowledgement.code, "personal_data.phone")
        self.assertEqual(acknowledgement.user, g.leader)
        self.assertEqual(self.task_of(news), "GroupApprovalTask")

    # 5. The communications editor reviews the news and approves: it is published.
    def editor_publishes(self, news):
        g, story = self.g, self.story
        editor = self.session(g.editor, story.locale)
        self.approve(
            editor,
            self.edit_url(news),
            "editor-review-publishes",
            modal=False,
            label="Approve",
        )
        self.assertTrue(reload(news).live, self.why_not_live(editor, news))
        self.assertMessage(
            editor,
            "Page '%(page_title)s' has been published.",
            "the message after the review published the news",
        )
        self.shot(editor, "news-published")

    # 6. A citizen reads the news on the municipality's site.
    def citizen_reads(self, news):
        g, story = self.g, self.story
        citizen = self.new_context(locale=story.locale).new_page()
        site = f"http://{g.municipality.site.hostname}:{self.server_thread.port}"
        path = lambda page: page.get_url_parts()[2]  # noqa: E731 - the path on its own site
        citizen.goto(f"{site}{path(g.news_index)}")
        self.assertEqual(citizen.locator("html").get_attribute("lang"), story.language)
        citizen.locator(f'a[href$="{path(reload(news))}"]').first.click()
        heading = citizen.locator("h1")
        heading.wait_for()
        self.assertEqual(heading.inner_text().strip(), story.title)
        self.assertIn(g.line.unit.name, citizen.content())
        self.shot(citizen, "citizen-reads-the-news")
