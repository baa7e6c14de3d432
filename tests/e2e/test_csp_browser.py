"""The content security policy blocks nothing the sites need, in Chromium.

A visitor reads a news page; an editor reads it with Wagtail's userbar open; the editor opens the
page in the admin, its live preview and its checks (axe runs in the preview frame). Every frame
reports CSP violations through ``securitypolicyviolation`` events, and Chromium writes each
blocked resource to the console; both must stay empty.
"""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag

from tests.e2e import ChromiumMixin, keep_screenshot
from tests.governance import build_governed, news_page, reload

#: Runs in every frame before its own scripts: keeps the frame's CSP violations.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.documentURI}`
  );
});
"""


@tag("browser")
class ContentSecurityPolicyBrowserTests(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        self.g = build_governed()
        news = news_page(self.g, "Vannet stenges tirsdag", "vann", affects_staff=False)
        news.get_latest_revision().publish()
        self.news = reload(news)
        self.site = self.g.municipality.site
        self.public_base = f"http://{self.site.hostname}:{self.server_thread.port}"

    def watch(self, page):
        """Record CSP messages from the console of ``page`` (and its frames)."""
        page.add_init_script(RECORD_VIOLATIONS)
        messages = []

        def on_console(message):
            if "Content Security Policy" in message.text or "Content-Security-Policy" in (
                message.text
            ):
                messages.append(message.text)

        page.on("console", on_console)
        return messages

    def violations(self, page):
        found = []
        for frame in page.frames:
            if frame.url.startswith("http"):
                found += frame.evaluate("window.__cspViolations || []")
        return found

    def assert_nothing_blocked(self, page, messages):
        page.wait_for_load_state("networkidle")
        self.assertEqual(self.violations(page), [])
        self.assertEqual(messages, [])

    def test_a_visitor_reads_a_news_page_without_violations(self):
        context = self.browser.new_context()
        self.addCleanup(context.close)
        page = context.new_page()
        messages = self.watch(page)
        response = page.goto(f"{self.public_base}{self.news.url}")
        self.assertIn("script-src 'self'", response.headers["content-security-policy"])
        self.assertTrue(page.get_by_role("heading", name=self.news.title).is_visible())
        self.assert_nothing_blocked(page, messages)
        # The stylesheet in the page applied: the skip link is moved off screen until focused.
        box = page.locator(".skip-link").bounding_box()
        self.assertLess(box["x"], 0)

    def test_an_editor_uses_the_userbar_on_the_public_site(self):
        page, base = self.signed_in(self.g.editor, host=self.site.hostname)
        messages = self.watch(page)
        page.goto(f"{base}{self.news.url}")
        self.assertTrue(page.get_by_role("heading", name=self.news.title).is_visible())
        trigger = page.locator("wagtail-userbar").locator("#wagtail-userbar-trigger")
        trigger.click()
        page.locator("wagtail-userbar").get_by_role("menuitem").first.wait_for()
        self.assert_nothing_blocked(page, messages)
        keep_screenshot(page, "csp", "public-page-with-userbar.png", docs=False)

    def test_the_admin_editor_and_its_preview_work_under_the_admin_policy(self):
        page, base = self.signed_in(self.g.editor)
        messages = self.watch(page)
        response = page.goto(f"{base}/admin/pages/{self.news.pk}/edit/")
        self.assertIn("'unsafe-inline'", response.headers["content-security-policy"])
        page.locator("#id_title").wait_for()
        # The live preview renders the page in a frame of the editor.
        page.locator('[data-side-panel-toggle="preview"]').click()
        preview = page.frame_locator("iframe#w-preview-iframe")
        preview.get_by_role("heading", name=self.news.title).wait_for()
        # The Checks panel runs Wagtail's accessibility checker (axe) inside the preview frame.
        page.locator('[data-side-panel-toggle="checks"]').click()
        page.get_by_role("heading", name="Issues found").wait_for()
        page.get_by_role("heading", name="Content metrics").wait_for()
        self.assert_nothing_blocked(page, messages)
        keep_screenshot(page, "csp", "admin-edit-with-preview.png", docs=False)
