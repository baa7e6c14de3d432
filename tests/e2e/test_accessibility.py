"""WCAG 2.2 A/AA: axe-core finds no violation on any public page type of either demo site.

Both municipalities' demo content is loaded and served by the live server; Debian's Chromium visits
one live, public page of every page type on each site (found from the data, so a new page type is
scanned as soon as the demo has one), the news index's second page, search with results, without
a query and without hits, the page-not-found page, the login lockout page, the feedback form (as
it opens, with errors, and its thanks) and the home page with a crisis banner of every level.
axe-core (bundled with axe-playwright-python, so nothing is downloaded) runs the rules tagged
wcag2a, wcag2aa, wcag21a, wcag21aa and wcag22aa on each, and again on the home and a news page at
a phone's width (375 px). A failure lists every violation with its rule, impact, elements and
page. Screenshots are kept in
``test-artifacts/accessibility/``, and the violations in ``violations.json`` there.
"""

import datetime
import json
from io import StringIO

from axe_playwright_python.sync_playwright import Axe
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import cache
from django.core.management import call_command
from django.test import tag
from django.utils import timezone
from wagtail.models import Page

from home.models import NEWS_PER_PAGE, NewsIndexPage, NewsPage, ServicePage
from publishing.models import CrisisBanner, CrisisLevel, Municipality
from tests.e2e import ARTIFACTS, ChromiumMixin, keep_screenshot
from tests.governance import ensure_wagtail_base

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
#: Page types every site must have, so the scan cannot pass by finding nothing.
REQUIRED_TYPES = {
    "homepage",
    "newsindexpage",
    "newspage",
    "pressreleasepage",
    "servicepage",
    "standardpage",
    "accessibilitystatementpage",
}
SHOTS = "accessibility"
NINE = datetime.time(9, 0)
CRISIS_TEXT = {
    "nb": ("Kok drikkevannet", "Kok vannet i tre minutter før du drikker det. Vi sier fra igjen."),
    "sv": ("Koka dricksvattnet", "Koka vattnet i tre minuter innan du dricker det. Vi hör av oss."),
}


def one_page_per_type(municipality):
    """One live, public page of each page type on the municipality's site, outside the intranet,
    the first in tree order: ``{model name: page}``."""
    pages = (
        Page.objects.live()
        .public()
        .in_site(municipality.site)
        .not_descendant_of(municipality.intranet_page, inclusive=True)
        .order_by("path")
        .specific()
    )
    found = {}
    for page in pages:
        found.setdefault(page.specific_class._meta.model_name, page)
    return found


def fill_news_index(index):
    """Publish enough news below ``index`` that its listing has a second page, dated before the
    demo's news so that the home page and the first page still show the demo's own."""
    model = NewsPage.objects.child_of(index).live().filter(affects_staff=False).first()
    oldest = NewsPage.objects.child_of(index).order_by("date").first().date
    missing = NEWS_PER_PAGE + 1 - index.news_items().count()
    for number in range(1, missing + 1):
        date = oldest - datetime.timedelta(days=number)
        news = NewsPage(
            title=f"{model.title} ({date:%Y-%m-%d})",
            slug=f"{model.slug}-{number}",
            intro=model.intro,
            body=model.body.raw_data,
            date=date,
            first_published_at=timezone.make_aware(datetime.datetime.combine(date, NINE)),
            owning_unit=model.owning_unit,
            responsible_leader=model.responsible_leader,
            affects_staff=False,
            live=False,
        )
        news.audiences.set(model.audiences.all())
        index.add_child(instance=news)
        news.save_revision(user=model.responsible_leader).publish(user=None)


#: The pages the README shows: the home page and a news page of each site.
README_SHOTS = {
    f"{slug}-{kind}" for slug in ("alvdal", "avesta") for kind in ("homepage", "newspage")
}


@tag("browser")
class AccessibilityTests(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        # The site chrome (crisis banners) is cached per site id; ids come back after the flush.
        self.addCleanup(cache.clear)
        ensure_wagtail_base()
        call_command("load_demo", quiet_logins=True, stdout=StringIO())
        self.axe = Axe()
        self.violations = []
        self.scanned = []
        for municipality in Municipality.objects.all():
            # Full URLs (print footer, feeds) point at the live server, as they would in use.
            site = municipality.site
            site.port = self.server_thread.port
            site.save()
            fill_news_index(NewsIndexPage.objects.child_of(site.root_page).get())

    def browser_page(self, viewport=DESKTOP, language="nb"):
        context = self.browser.new_context(viewport=viewport, locale=language)
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    def scan(self, page, name, expected_status=200, *, url=None, viewport="desktop"):
        """Open ``url`` (or scan what ``page`` shows) and record axe's violations."""
        if url is not None:
            response = page.goto(url)
            self.assertEqual(response.status, expected_status, url)
        page.wait_for_load_state("load")
        keep_screenshot(page, SHOTS, f"{name}.png", docs=name in README_SHOTS)
        results = self.axe.run(page, options=AXE_OPTIONS).response
        self.scanned.append(f"{page.url} [{viewport}]")
        for violation in results["violations"]:
            for node in violation["nodes"]:
                self.violations.append(
                    {
                        "rule": violation["id"],
                        "impact": node.get("impact") or violation["impact"],
                        "target": " ".join(
                            t if isinstance(t, str) else " >>> ".join(t) for t in node["target"]
                        ),
                        "page": page.url,
                        "viewport": viewport,
                        "help": violation["help"],
                        "html": node["html"][:200],
                    }
                )

    def scan_site(self, municipality):
        slug = municipality.slug
        site = municipality.site
        base = f"http://{site.hostname}:{self.server_thread.port}"
        browser_page = self.browser_page(language=municipality.language)
        per_type = one_page_per_type(municipality)
        self.assertLessEqual(REQUIRED_TYPES, set(per_type), f"{slug}: page types missing")
        for type_name, page in per_type.items():
            self.scan(browser_page, f"{slug}-{type_name}", url=base + page.get_url_parts()[2])
        news_index = per_type["newsindexpage"]
        self.scan(
            browser_page,
            f"{slug}-newsindexpage-2",
            url=f"{base}{news_index.get_url_parts()[2]}?page=2",
        )
        word = per_type["newspage"].title.split()[0]
        self.scan(browser_page, f"{slug}-search", url=f"{base}/search/?q={word}")
        self.assertTrue(browser_page.locator("main li a").count(), f"{slug}: search found nothing")
        self.scan(browser_page, f"{slug}-search-empty", url=f"{base}/search/")
        self.scan(browser_page, f"{slug}-search-no-hits", url=f"{base}/search/?q=qxzqxzqxz")
        self.scan(browser_page, f"{slug}-not-found", 404, url=f"{base}/finnes-ikke/")
        self.scan_feedback(browser_page, base + per_type["servicepage"].get_url_parts()[2], slug)
        self.scan_lockout(browser_page, base, slug)
        # The rest with crisis banners on: they sit at the top of every page.
        self.scan_crisis(browser_page, municipality, base + "/", slug)
        phone = self.browser_page(PHONE, municipality.language)
        for type_name in ("homepage", "newspage"):
            url = base + per_type[type_name].get_url_parts()[2]
            self.scan(phone, f"{slug}-{type_name}-375px", url=url, viewport="375px")

    def scan_feedback(self, page, url, slug):
        """The feedback form a page leads to, its answer to an empty comment, and its thanks."""
        page.goto(url)
        with page.expect_navigation():
            page.locator("form[action*='/feedback/'] button[type=submit]").last.click()
        self.scan(page, f"{slug}-feedback-form")
        form = page.locator("main form[method=post]")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        self.assertTrue(page.locator("[role=alert]").count(), f"{slug}: no error for an empty form")
        self.scan(page, f"{slug}-feedback-errors")
        form.locator("textarea").fill("Jeg fant ikke åpningstidene for biblioteket.")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        self.assertIn("/thanks/", page.url)
        self.scan(page, f"{slug}-feedback-thanks")

    def scan_crisis(self, page, municipality, url, slug):
        """The home page with a crisis banner of every level, most serious first."""
        link = ServicePage.objects.live().descendant_of(municipality.site.root_page).first()
        headline, message = CRISIS_TEXT[municipality.language]
        for level in CrisisLevel:
            CrisisBanner.objects.create(
                municipality=municipality,
                level=level,
                headline=headline,
                message=message,
                link_page=link,
            )
        self.scan(page, f"{slug}-crisis-banners", url=url)
        self.assertEqual(page.locator(".crisis").count(), len(CrisisLevel), slug)

    def scan_lockout(self, page, base, slug):
        """The lockout page after five wrong passwords (django-axes)."""
        with self.settings(AXES_ENABLED=True), self.assertLogs("axes", "INFO"):
            for _attempt in range(5):
                page.goto(f"{base}/admin/login/")
                page.fill("#id_username", f"{slug}.ukjent")
                page.fill("#id_password", "feil-passord")
                with page.expect_navigation() as navigation:
                    page.click("button[type=submit]")
            self.assertEqual(navigation.value.status, 429)
            self.scan(page, f"{slug}-lockout")

    def test_public_pages_of_both_sites_have_no_wcag_violations(self):
        for municipality in Municipality.objects.order_by("slug"):
            self.scan_site(municipality)
        target = ARTIFACTS / SHOTS
        target.mkdir(parents=True, exist_ok=True)
        (target / "violations.json").write_text(
            json.dumps({"scanned": self.scanned, "violations": self.violations}, indent=2),
            encoding="utf-8",
        )
        self.assertGreaterEqual(len(self.scanned), 2 * (len(REQUIRED_TYPES) + 11))
        grouped = {}
        for v in self.violations:
            key = (v["rule"], v["impact"], v["page"], v["viewport"], v["help"])
            grouped.setdefault(key, []).append(v["target"])
        report = "\n".join(
            f"- {rule} ({impact}) on {url} [{viewport}]: {'; '.join(targets)} ({why})"
            for (rule, impact, url, viewport, why), targets in grouped.items()
        )
        if self.violations:
            self.fail(
                f"axe-core ({', '.join(WCAG_TAGS)}) found {len(self.violations)} violations in "
                f"{len(self.scanned)} scans:\n{report}"
            )
