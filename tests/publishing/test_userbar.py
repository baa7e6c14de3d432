"""Our content checks in Wagtail's Checks panel and the frontend userbar.

Vague link texts in the municipalities' languages and poor alt texts are flagged by Axe next to
Wagtail's own checks, in the editor's Checks panel and on the live site for signed-in editors.
"""

import json
import re

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import RequestFactory, TestCase, tag
from django.urls import reverse
from wagtail.admin.userbar import AccessibilityItem, AdminItem, apply_userbar_hooks
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

from publishing.editor.userbar import (
    ALT_FILE_NAME_RULE,
    FILE_NAME_PATTERN,
    VAGUE_LINK_RULE,
    GovernedContentCheckerItem,
)
from tests.e2e import ARTIFACTS, ChromiumMixin
from tests.governance import EnglishAdminMixin, build_governed, news_page
from tests.worlds import GovernedWorld

OUR_RULES = ("image-alt", VAGUE_LINK_RULE, ALT_FILE_NAME_RULE)
WAGTAIL_RULES = ("alt-text-quality", "link-name", "heading-order")
VAGUE_LINK = "Link text does not say where the link goes"
FILE_NAME_ALT = "Image alt text is a file name or just “image”"


def axe_configuration(html):
    match = re.search(
        r'<script id="checker-axe-configuration" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    return json.loads(match.group(1))


class UserbarItemTests(TestCase):
    def test_hook_swaps_the_checker_and_keeps_where_it_runs(self):
        request = RequestFactory().get("/")
        for in_editor in (True, False):
            items = [AdminItem(), AccessibilityItem(in_editor=in_editor)]
            apply_userbar_hooks(request, items, None)
            self.assertIsInstance(items[0], AdminItem)
            self.assertIsInstance(items[1], GovernedContentCheckerItem)
            self.assertEqual(items[1].in_editor, in_editor)

    def test_our_rules_run_alongside_wagtails(self):
        config = GovernedContentCheckerItem().get_axe_configuration(RequestFactory().get("/"))
        run_only = config["options"]["runOnly"]
        for rule in OUR_RULES + WAGTAIL_RULES:
            self.assertIn(rule, run_only)
        rules = {rule["id"]: rule for rule in config["spec"]["rules"]}
        self.assertEqual(rules[VAGUE_LINK_RULE]["selector"], "a[href]")
        checks = {check["id"]: check for check in config["spec"]["checks"]}
        self.assertIn("check-image-alt-text", checks, "Wagtail's own alt-text check stays")
        for rule in OUR_RULES:
            self.assertIn(rule, config["messages"])

    def test_vague_phrases_in_all_four_languages(self):
        checks = GovernedContentCheckerItem.axe_custom_checks
        phrases = next(c for c in checks if c["id"] == "check-vague-link-text")["options"]
        for phrase in (
            "les mer",
            "klikk her",
            "her",
            "mer informasjon",  # nb
            "les meir",  # nn
            "läs mer",
            "klicka här",
            "mer information",  # sv
            "read more",
            "click here",  # en
        ):
            self.assertIn(phrase, phrases["phrases"])

    def test_file_and_camera_names_are_poor_alt_texts(self):
        pattern = re.compile(FILE_NAME_PATTERN, re.I)
        for poor in ("IMG-2041", "DSC01234", "PXL_20260103_101500", "bilde1", "20260103_1015"):
            self.assertRegex(poor, pattern)
        for good in ("Elever i skolegården", "Kart over Alvdal sentrum 2026", "Bildet viser brua"):
            self.assertNotRegex(good, pattern)


class ChecksInTheEditorAndOnTheSiteTests(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def test_editor_checks_panel_runs_our_rules(self):
        self.login(self.g.publisher)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.g.page.pk]))
        self.assertContains(response, 'data-side-panel="checks"')
        config = axe_configuration(response.content.decode())
        for rule in OUR_RULES:
            self.assertIn(rule, config["options"]["runOnly"])

    def test_userbar_on_the_live_site_loads_our_checks(self):
        self.login(self.g.editor)
        response = self.client.get("/", HTTP_HOST=self.g.municipality.site.hostname)
        self.assertContains(response, "<wagtail-userbar>")
        self.assertContains(response, "publishing/js/content-checks.js")
        config = axe_configuration(response.content.decode())
        self.assertIn(VAGUE_LINK_RULE, config["options"]["runOnly"])


@tag("browser")
class ChecksInChromiumTests(ChromiumMixin, StaticLiveServerTestCase):
    """The checks' JavaScript flags a vague link and a file-name alt text in a real browser."""

    def page_with_poor_links_and_alt(self, g):
        image = Image.objects.create(title="Kveldsruter", file=get_test_image_file())
        page = news_page(
            g,
            "Nye kveldsruter",
            "nye-kveldsruter",
            affects_staff=False,
            notice=False,
            body=[
                (
                    "paragraph",
                    RichText(
                        '<p>Rutene endres. <a href="https://example.org/a">Les mer</a>. Se '
                        '<a href="https://example.org/b">rutetabellen for kvelden</a>.</p>'
                    ),
                ),
                ("image", {"image": image, "alt_text": "IMG-2041", "decorative": False}),
            ],
        )
        page.get_latest_revision().publish(user=g.superuser)
        return page

    def shot(self, browser_page, name):
        shots = ARTIFACTS / "content-checks"
        shots.mkdir(parents=True, exist_ok=True)
        browser_page.screenshot(path=str(shots / name))

    def test_userbar_lists_our_findings(self):
        g = build_governed()
        page = self.page_with_poor_links_and_alt(g)
        # Signed in on the municipality's own host, where the page is served.
        browser_page, site = self.signed_in(g.editor, host=g.municipality.site.hostname)
        browser_page.goto(f"{site}{page.url}")
        userbar = browser_page.locator("wagtail-userbar")
        userbar.locator("#wagtail-userbar-trigger").click()
        userbar.locator("#checker-trigger").click()
        results = userbar.locator("#checker-results")
        results.get_by_text(VAGUE_LINK).wait_for()
        results.get_by_text(FILE_NAME_ALT).wait_for()
        self.shot(browser_page, "userbar-checks.png")
        names = results.locator("[data-content-checker-name]").all_inner_texts()
        self.assertEqual(names.count(VAGUE_LINK), 1, "the descriptive link is not flagged")

    def test_editor_checks_panel_lists_our_findings(self):
        g = build_governed()
        page = self.page_with_poor_links_and_alt(g)
        browser_page, base = self.signed_in(g.editor)
        browser_page.goto(f"{base}/admin/pages/{page.pk}/edit/")
        browser_page.locator('[data-side-panel-toggle="checks"]').click()
        panel = browser_page.locator('[data-side-panel="checks"]')
        panel.get_by_text(VAGUE_LINK).wait_for()
        panel.get_by_text(FILE_NAME_ALT).wait_for()
        self.shot(browser_page, "editor-checks-panel.png")
