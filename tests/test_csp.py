"""Content security policy: strict on the public sites, looser (but still same-origin) in the admin.

The browser side (no violations in Chromium on a public page and the admin's edit view) is in
tests/e2e/test_csp_browser.py.
"""

import re

from django.test import TestCase
from django.urls import reverse

from tests.governance import news_page, reload
from tests.worlds import GovernedWorld

HEADER = "Content-Security-Policy"


def policy(response):
    """The response's policy as {directive: [sources]}."""
    parsed = {}
    for part in response[HEADER].split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


class ContentSecurityPolicyTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        cls.news = news_page(g, "Vannet stenges tirsdag", "vann", affects_staff=False)
        cls.news.get_latest_revision().publish()
        cls.news = reload(cls.news)
        cls.host = g.municipality.site.hostname

    def get(self, path):
        return self.client.get(path, HTTP_HOST=self.host)

    def assert_public_policy(self, response):
        csp = policy(response)
        self.assertEqual(csp["default-src"], ["'self'"])
        self.assertEqual(csp["script-src"], ["'self'"], "no inline script, no eval")
        self.assertEqual(csp["style-src"], ["'self'", "'unsafe-inline'"])
        self.assertEqual(csp["img-src"], ["'self'"])
        self.assertEqual(csp["object-src"], ["'none'"])
        self.assertEqual(csp["base-uri"], ["'self'"])
        self.assertEqual(csp["form-action"], ["'self'"])
        self.assertEqual(csp["frame-ancestors"], ["'self'"])

    def test_public_pages_feeds_search_and_sitemap_get_the_strict_policy(self):
        for path in (
            "/",
            self.news.url,
            f"{self.g.news_index.url}feed/",
            "/sitemap.xml",
            reverse("search") + "?q=vann",
        ):
            with self.subTest(path):
                response = self.get(path)
                self.assertEqual(response.status_code, 200)
                self.assert_public_policy(response)

    def test_public_pages_have_no_inline_script_for_visitors(self):
        """The strict script-src holds only while public templates write no inline script."""
        for path in ("/", self.g.news_index.url, self.news.url, reverse("search")):
            html = self.get(path).content.decode()
            scripts = re.findall(r"<script\b[^>]*>", html)
            self.assertEqual([s for s in scripts if "src=" not in s], [], path)
            self.assertIsNone(re.search(r"\son[a-z]+\s*=", html), f"event handler in {path}")

    def test_signed_in_editors_keep_the_strict_policy_on_public_pages(self):
        self.client.force_login(self.g.editor)
        response = self.get(self.news.url)
        self.assertContains(response, "wagtail-userbar")
        self.assert_public_policy(response)

    def test_the_admin_gets_its_own_policy(self):
        response = self.client.get(reverse("wagtailadmin_login"))
        self.assertEqual(response.status_code, 200)
        self.client.force_login(self.g.superuser)
        for path in (
            reverse("wagtailadmin_login"),
            reverse("wagtailadmin_home"),
            reverse("wagtailadmin_pages:edit", args=[self.news.pk]),
        ):
            with self.subTest(path):
                response = self.client.get(path)
                csp = policy(response)
                # Wagtail's admin still writes inline scripts and styles.
                self.assertEqual(csp["script-src"], ["'self'", "'unsafe-inline'"])
                self.assertEqual(csp["style-src"], ["'self'", "'unsafe-inline'"])
                self.assertEqual(csp["img-src"], ["'self'", "data:", "blob:"])
                self.assertEqual(csp["default-src"], ["'self'"])
                self.assertEqual(csp["object-src"], ["'none'"])
                self.assertEqual(csp["frame-ancestors"], ["'self'"])
                self.assertNotIn("'unsafe-eval'", response[HEADER])

    def test_preview_shows_the_page_under_the_public_policy_and_privately(self):
        """Wagtail renders a preview through the middleware with the page's own path."""
        self.client.force_login(self.g.superuser)
        request = self.client.get(reverse("wagtailadmin_home")).wsgi_request
        response = self.news.make_preview_request(original_request=request)
        self.assertContains(response, self.news.title)
        self.assert_public_policy(response)
        self.assertIn("private", response["Cache-Control"])
