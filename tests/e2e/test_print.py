"""Printed pages (notices posted for people who are not online) keep the content and where it came
from, without the screen's navigation."""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag

from tests.e2e import ChromiumMixin, keep_screenshot
from tests.governance import build_governed, news_page, reload


@tag("browser")
class PrintTests(ChromiumMixin, StaticLiveServerTestCase):
    def test_print_shows_content_and_address_not_navigation(self):
        g = build_governed()
        news = news_page(g, "Vannet stenges tirsdag", "vann", affects_staff=False)
        news.get_latest_revision().publish()
        news = reload(news)
        site = g.municipality.site
        context = self.browser.new_context()
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(f"http://{site.hostname}:{self.server_thread.port}{news.url}")
        printed = page.locator(".print-only")
        self.assertFalse(printed.is_visible(), "hidden on screen")
        page.emulate_media(media="print")
        self.assertTrue(page.get_by_role("heading", name="Vannet stenges tirsdag").is_visible())
        self.assertTrue(printed.is_visible())
        self.assertIn(f"{site.hostname}", printed.inner_text())
        self.assertFalse(page.locator(".skip-link").is_visible())
        keep_screenshot(page, "print", "news-printed.png")
