"""Approvers and page owners in Chromium, as Alvdal's people walk it in bokmål and Avesta's in
Swedish: what waits, what is broken, what was withdrawn.

The leader chooses one summary a day on her account's Notifications tab. A news page has waited
at her step since Friday 8 May 2026; the daily reminder run, on a fixed clock, reminds her
deputy by mail on the second working day (she gets it in her summary instead) and escalates on
the fifth, Ascension Day not counted; the leader above sees on his phone's dashboard that it has
waited too long and that he may decide as the leader above in the line. A draft links a page
that was deleted: the editor's governance panel says so and the link blocks the publish. A live
page links six addresses on a local HTTP server that answer 200, 404, 500, a redirect chain to
200, a redirect loop and too late; after two nightly checks the leader sees the four broken ones
on her dashboard and in the report. A page that ended is withdrawn: a citizen on a 320 px phone
finds it at its address with the notice, the reason and the page to read instead, and no longer
in the news list. The communications editor unpublishes another page and must say why.

Each step is a full-page screenshot in ``test-artifacts/owners-story-<language>/``; what a step
reads is asserted in the language, and no screenshot may show English admin words.
"""

import datetime
import io
from dataclasses import dataclass

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core import mail
from django.core.management import call_command
from django.test import override_settings, tag
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from publishing.models import MailPreference
from publishing.reports import nightly_links
from publishing.workflow.waiting import remind_and_escalate
from tests.e2e import ChromiumMixin
from tests.e2e.story import StoryMixin
from tests.governance import build_governed, news_page, reload
from tests.publishing.test_external_links import Handler, LoopbackServer

#: The local server's answers under paths with no English word in them (the screenshots are
#: checked for English): 200, 404, 500, a redirect chain that ends at 200, a redirect loop, and
#: an answer later than the read timeout.
PATHS = {
    "/fint": "/ok",
    "/borte": "/missing",
    "/feil": "/error",
    "/kjede/1": "/chain/1",
    "/runde/a": "/loop/a",
    "/treg": "/slow",
}


class NordicHandler(Handler):
    def route_path(self, path):
        super().route_path(PATHS.get(path, path))


D = datetime.date


@dataclass
class Story:
    language: str
    locale: str
    municipality: str
    waiting: str  # the title of the page that waits for the leader
    linking: str  # the title of the draft that links a deleted page
    link_text: str
    checked: str  # the title of the live page whose links are checked at night
    old: str  # the title of the page that is withdrawn
    new: str  # the page to read instead
    reason: str  # why it was withdrawn
    unpublish_reason: str


BOKMAL = Story(
    language="nb",
    locale="nb-NO",
    municipality="alvdal",
    waiting="Nye åpningstider på biblioteket",
    linking="Søk om plass i barnehagen",
    link_text="søknadsskjemaet",
    checked="Kulturkalenderen for våren",
    old="Gratis busskort i sommerferien",
    new="Busskort for ungdom",
    reason="Ordningen gjaldt sommeren 2026 og er avsluttet.",
    unpublish_reason="Arrangementet er avlyst.",
)

SWEDISH = Story(
    language="sv",
    locale="sv-SE",
    municipality="avesta",
    waiting="Nya öppettider på biblioteket",
    linking="Ansök om plats i förskolan",
    link_text="ansökningsblanketten",
    checked="Kulturkalendern för våren",
    old="Gratis busskort under sommarlovet",
    new="Busskort för ungdomar",
    reason="Erbjudandet gällde sommaren 2026 och har upphört.",
    unpublish_reason="Evenemanget är inställt.",
)


def phone():
    """A phone's browser, 320 px wide."""
    return {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}


@tag("browser")
@override_settings(
    PUBLISHING_LINK_CHECK_ALLOW_PRIVATE_ADDRESSES=True,  # the test's server is on loopback
    PUBLISHING_LINK_CHECK_RETRY_DELAY=0,
    PUBLISHING_LINK_CHECK_READ_TIMEOUT=0.5,  # the server's slow answer takes 1.5 s
    PUBLISHING_LINK_CHECK_PORTS=None,
)
class OwnersStoryTests(StoryMixin, ChromiumMixin, StaticLiveServerTestCase):
    def test_bokmal(self):
        self.walk(BOKMAL)

    def test_swedish(self):
        self.walk(SWEDISH)

    def walk(self, story):
        self.begin(story, "owners-story")
        self.g = build_governed(story.municipality)
        self.server = LoopbackServer(NordicHandler)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        try:
            self.leader_chooses_the_daily_summary()
            self.a_waiting_page_is_reminded_then_escalated()
            self.a_link_to_a_deleted_page_blocks()
            self.broken_links_found_at_night()
            self.a_citizen_finds_the_withdrawn_page()
            self.unpublishing_asks_why()
        except BaseException:
            self.shoot_every_page()
            raise
        self.assertEqual(self.english_seen, {}, "English in the screenshots")

    def admin(self, path):
        return f"{self.live_server_url}{path}"

    def site(self, page):
        host = f"http://{self.g.municipality.site.hostname}:{self.server_thread.port}"
        return host + reload(page).get_url_parts()[2]

    # 1. The leader chooses one summary a day.
    def leader_chooses_the_daily_summary(self):
        g = self.g
        leader = self.session(g.leader, self.story.locale)
        leader.goto(self.admin(reverse("wagtailadmin_account")))
        leader.locator('[role=tab][href="#tab-notifications"]').click()
        choice = leader.locator('input[name="workflow_mail-mode"][value="digest"]')
        choice.wait_for()
        label = leader.locator(f'label[for="{choice.get_attribute("id")}"]')
        self.assertSays(label, "One summary a day", "the summary's choice")
        choice.check()
        self.shot(leader, "leader-chooses-daily-summary")
        with leader.expect_navigation():
            leader.locator('form button[type="submit"]').last.click()
        self.assertEqual(MailPreference.objects.get(user=g.leader).mode, "digest")

    # 2. A page waits ten days: reminded, then escalated; the leader's summary lists it.
    def a_waiting_page_is_reminded_then_escalated(self):
        g, story = self.g, self.story
        page = news_page(g, story.waiting, "venter", affects_staff=False, notice=False)
        state = g.municipality.external_workflow.start(reload(page), g.publisher)
        state.refresh_from_db()
        step = state.current_task_state
        step.started_at = datetime.datetime(
            2026, 5, 8, 10, 0, tzinfo=timezone.get_current_timezone()
        )
        step.save(update_fields=["started_at"])
        mail.outbox.clear()
        # The daily runs on a fixed clock: nothing on Monday the 11th, the reminder on Tuesday
        # (two working days), the escalation on Monday the 18th (five: Ascension Day, the 14th,
        # is a holiday in both countries).
        self.assertEqual(remind_and_escalate(today=D(2026, 5, 11)), {"remind": 0, "escalate": 0})
        self.assertEqual(remind_and_escalate(today=D(2026, 5, 12)), {"remind": 1, "escalate": 0})
        reminded = {address for message in mail.outbox for address in message.to}
        self.assertIn(g.deputy.email, reminded)
        self.assertNotIn(g.leader.email, reminded)  # she chose the summary
        self.assertEqual(remind_and_escalate(today=D(2026, 5, 15)), {"remind": 0, "escalate": 0})
        self.assertEqual(remind_and_escalate(today=D(2026, 5, 18)), {"remind": 0, "escalate": 1})
        above = self.session(g.sector_head, story.locale, **phone())
        above.goto(self.admin(reverse("wagtailadmin_home")))
        row = above.locator("tr", has_text=story.waiting).first
        self.assertSays(row, "waited too long", "the overdue step on the dashboard")
        self.assertSays(row, "leader above in the line", "the capacity he may decide in")
        row.scroll_into_view_if_needed()  # the admin scrolls inside its main area
        self.shot(above, "leader-above-sees-escalated-step-320px")
        mail.outbox.clear()
        call_command("send_mail_digest", stdout=io.StringIO())
        [summary] = [message for message in mail.outbox if g.leader.email in message.to]
        self.assertIn(story.waiting, summary.body)
        self.assertEqual(summary.extra_headers["Content-Language"], story.language)

    # 3. A draft links a deleted page: the governance panel says so, and it blocks.
    def a_link_to_a_deleted_page_blocks(self):
        g, story = self.g, self.story
        target = news_page(g, "Skjema", "skjema", affects_staff=False, notice=False)
        page = news_page(g, story.linking, "lenker", affects_staff=False, notice=False)
        page = reload(page)
        page.body.append(
            (
                "paragraph",
                f'<p>Fyll ut <a linktype="page" id="{target.pk}">{story.link_text}</a>.</p>',
            )
        )
        page.save_revision(user=g.publisher)
        target.delete()
        editor = self.session(g.publisher, story.locale)
        editor.goto(self.admin(reverse("wagtailadmin_pages:edit", args=[page.pk])))
        panel = editor.locator("[data-governance-panel]")
        if not panel.is_visible():
            editor.locator('[data-side-panel-toggle="governance"]').click()
        finding = panel.locator('[data-finding-code="links.page_deleted"]')
        self.assertSays(
            finding, "The link “%(text)s” goes to a page that no longer exists.", "the finding"
        )
        self.assertIn(story.link_text, finding.first.inner_text())
        finding.first.scroll_into_view_if_needed()
        # The side panel slides in: the picture waits until it is all on the screen.
        editor.wait_for_function(
            "() => document.querySelector('[data-governance-panel]')"
            ".getBoundingClientRect().right <= window.innerWidth + 1"
        )
        self.shot(editor, "deleted-link-blocks")

    # 4. The nightly check finds a broken link to another site; the leader sees it.
    def broken_links_found_at_night(self):
        g, story = self.g, self.story
        page = news_page(g, story.checked, "kultur", affects_staff=False, notice=False)
        page = reload(page)
        links = " ".join(
            f'<a href="{self.server.url(path)}">lenke {number}</a>'
            for number, path in enumerate(PATHS, 1)
        )
        page.body.append(("paragraph", f"<p>{links}</p>"))
        page.save_revision(user=g.publisher).publish(user=g.editor)
        now = timezone.now()
        for night in (now - datetime.timedelta(days=1), now):
            nightly_links.check_municipality(g.municipality, now=night, sleep=lambda _s: None)
        leader = self.session(g.leader, story.locale, **phone())
        leader.goto(self.admin(reverse("wagtailadmin_home")))
        row = leader.locator("tr", has_text="/borte").first
        row.wait_for()
        self.assertIn(story.checked, row.inner_text())
        row.scroll_into_view_if_needed()
        self.shot(leader, "leader-sees-broken-link-320px")
        desk = self.session(g.leader, story.locale)
        desk.goto(self.admin(reverse("publishing_link_reports:external_links")))
        table = desk.locator("table").first
        self.assertSays(table, "Page not found or closed", "the report's problem")
        text = table.inner_text()
        for broken in ("/borte", "/feil", "/runde/a", "/treg"):
            self.assertIn(broken, text)
        for working in ("/fint", "/kjede/1"):
            self.assertNotIn(working, text)
        for problem in ("Error on the other site", "Too many redirects", "No answer in time"):
            self.assertSays(table, problem, "the report's problems")
        self.shot(desk, "report-of-broken-links")

    # 5. A page that ended is withdrawn; a citizen on a phone finds it with the notice.
    def a_citizen_finds_the_withdrawn_page(self):
        g, story = self.g, self.story
        new = news_page(g, story.new, "ungdom", affects_staff=False, notice=False)
        new.get_latest_revision().publish(user=g.editor)
        old = news_page(g, story.old, "sommer", affects_staff=False, notice=False)
        old.get_latest_revision().publish(user=g.editor)
        draft = reload(old).get_latest_revision_as_object()
        draft.withdrawn = True
        draft.withdrawal_reason = story.reason
        draft.withdrawal_see_instead = reload(new)
        draft.save_revision(user=g.editor).publish(user=g.editor)
        citizen = self.new_context(locale=story.locale, **phone()).new_page()
        citizen.goto(self.site(old))
        notice = citizen.locator(".withdrawn")
        self.assertSays(notice.locator("h2"), "This page has been withdrawn", "the notice")
        self.assertIn(story.reason, notice.inner_text())
        notice.locator("a").click()
        citizen.locator("h1", has_text=story.new).wait_for()
        citizen.go_back()
        self.assertLessEqual(citizen.evaluate("document.documentElement.scrollWidth"), 320)
        self.shot(citizen, "citizen-finds-withdrawn-page-320px")
        citizen.goto(self.site(g.news_index))
        self.assertNotIn(story.old, citizen.locator("main").inner_text())
        self.assertIn(story.new, citizen.locator("main").inner_text())

    # 6. Unpublishing a page citizens have read asks why.
    def unpublishing_asks_why(self):
        g, story = self.g, self.story
        page = news_page(g, "Konsert i parken", "konsert", affects_staff=False, notice=False)
        page.get_latest_revision().publish(user=g.editor)
        editor = self.session(g.editor, story.locale)
        url = self.admin(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
        editor.goto(url)
        reason = editor.locator('textarea[name="reason"]')
        # Spaces only: the server refuses them at the field, in the person's language.
        reason.fill("   ")
        with editor.expect_navigation():
            editor.locator("main form button[type=submit]").click()
        self.assertSays(editor.locator("[data-field-errors]"), "Say why the page goes.", "why")
        self.assertTrue(reload(page).live)
        editor.fill('textarea[name="reason"]', story.unpublish_reason)
        self.shot(editor, "unpublish-asks-why")
        with editor.expect_navigation():
            editor.locator("main form button[type=submit]").click()
        self.assertFalse(reload(page).live)
        entry = PageLogEntry.objects.get(page=page, action="publishing.unpublished_because")
        self.assertEqual(entry.data["reason"], story.unpublish_reason)
