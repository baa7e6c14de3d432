"""The admin in bokmål, nynorsk and Swedish, walked in Chromium: no English anywhere people look.

Each person signs in with their municipality's language as admin language and browser language
and opens the pages they use: the dashboard, the page listing, the editor with its status and
governance panels, the page history, the reports, the registers and the annual wheel. Every text
they can see or hear (visible text, screen-reader text, labels, titles and placeholders) is read
and any that looks English fails the test, with the page and the text. On a 320 px phone, in
bokmål and Swedish, the same pages and Wagtail's page listing and reports must show nothing cut
off at the right edge. Screenshots are kept in ``test-artifacts/admin-<language>/`` and
``test-artifacts/admin-<language>-320/``.
"""

import io
import json

from django.contrib.auth import get_user_model
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from django.test import tag
from django.urls import reverse

from home.demo import DEMO_PASSWORD
from home.models import NewsIndexPage, ServicePage
from publishing.models import Municipality
from tests.e2e import ARTIFACTS, ChromiumMixin
from tests.e2e.story import VISIBLE_TEXTS_JS, english_words
from tests.governance import ensure_wagtail_base

User = get_user_model()

#: Texts that are English on purpose: product names and what people typed in a demo.
NOT_ENGLISH = ("Wagtail",)
#: What in the admin's main area a person cannot see or reach at the phone's width: controls,
#: headings and table cells that stand (partly) past the right edge, outside a box that
#: scrolls sideways by itself (Wagtail's main area clips what sticks out, so the page itself
#: never scrolls and nothing else would tell).
CUT_OFF_JS = """
() => {
  const limit = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll") return true;
    }
    return false;
  };
  const shown = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== "hidden" && style.display !== "none"
      && box.width > 1 && box.height > 1;
  };
  const found = [];
  const selector = "a, button, select, input:not([type=hidden]), label, th, td, h1, h2, h3, p";
  for (const el of document.querySelectorAll("main " + selector.split(", ").join(", main "))) {
    // Wagtail's minimap of the editor's fields waits folded at the edge until it is opened.
    const aside = ".w-sr-only, .sr-only, [hidden], [aria-hidden=true], .w-minimap";
    if (!shown(el) || el.closest(aside)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && !inScroller(el)) {
      found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} `
        + `"${(el.textContent.trim() || el.getAttribute("aria-label") || "").slice(0, 40)}" `
        + `${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
  }
  return found.slice(0, 8);
}
"""


@tag("browser")
class AdminLanguageTests(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        super().setUp()
        ensure_wagtail_base()  # the live server's test case empties the database between tests
        call_command("load_demo", quiet_logins=True, stdout=io.StringIO())

    def pages_of(self, municipality):
        """The admin addresses a person of ``municipality`` uses, by name."""
        root = municipality.site.root_page
        page = ServicePage.objects.descendant_of(root).live().first()
        return {
            "dashboard": reverse("wagtailadmin_home"),
            "listing": reverse("wagtailadmin_explore", args=[root.pk]),
            "editor": reverse("wagtailadmin_pages:edit", args=[page.pk]),
            "history": reverse("wagtailadmin_pages:history", args=[page.pk]),
            "findings": reverse("publishing_reports:findings"),
            "review-dates": reverse("publishing_reports:review_dates"),
            "approvals": reverse("publishing_reports:approvals"),
            "roles": reverse("publishing_roleassignment_modeladmin_index"),
            "units": reverse("publishing_organisationunit_modeladmin_index"),
            "certificates": reverse("publishing_publishercertificate_modeladmin_index"),
            "plans": reverse("publishing_communicationplan_modeladmin_index"),
            "annual-wheel": reverse("publishing:annual_wheel"),
            "account": reverse("wagtailadmin_account"),
        }

    def english_on(self, page):
        texts = page.evaluate(VISIBLE_TEXTS_JS)
        return [
            text
            for text in texts
            if english_words(text) and not any(name in text for name in NOT_ENGLISH)
        ]

    def walk(self, username, language):
        user = User.objects.get(username=username)
        municipality = Municipality.objects.for_user(user).first()
        shots = ARTIFACTS / f"admin-{language}"
        shots.mkdir(parents=True, exist_ok=True)
        browser_page, base = self.signed_in(user, password=DEMO_PASSWORD, language=language)
        found = {}
        for name, path in self.pages_of(municipality).items():
            with self.subTest(page=name):
                response = browser_page.goto(base + path)
                self.assertEqual(response.status, 200, name)
                browser_page.wait_for_load_state("networkidle")
                if name == "editor":
                    # The status panel and the governance panel: what an editor opens first.
                    for toggle in ("status", "governance"):
                        button = browser_page.locator(f'[data-side-panel-toggle="{toggle}"]')
                        if button.count():
                            button.first.click()
                            if toggle == "governance":
                                # Its report is loaded once the editor is shown.
                                browser_page.locator("[data-governance-fragment]").wait_for()
                            browser_page.wait_for_timeout(600)
                            english = self.english_on(browser_page)
                            if english:
                                found[f"{name}+{toggle}"] = english
                            browser_page.screenshot(
                                path=str(shots / f"{name}-{toggle}.png"), full_page=True
                            )
                browser_page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                english = self.english_on(browser_page)
                if english:
                    found[name] = english
        (shots / "english.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
        self.assertEqual(found, {}, f"English in the {language} admin")

    def cut_off_at_320(self, username, language):
        user = User.objects.get(username=username)
        municipality = Municipality.objects.for_user(user).first()
        shots = ARTIFACTS / f"admin-{language}-320"
        shots.mkdir(parents=True, exist_ok=True)
        browser_page, base = self.signed_in(
            user, password=DEMO_PASSWORD, language=language, width=320
        )
        news = NewsIndexPage.objects.descendant_of(municipality.site.root_page).first()
        addresses = {
            **self.pages_of(municipality),
            "news": reverse("wagtailadmin_explore", args=[news.pk]),
            "site-history": reverse("wagtailadmin_reports:site_history"),
            "aging-pages": reverse("wagtailadmin_reports:aging_pages"),
        }
        found = {}
        for name, path in addresses.items():
            browser_page.goto(base + path)
            browser_page.wait_for_load_state("networkidle")
            browser_page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            cut = browser_page.evaluate(CUT_OFF_JS)
            if cut:
                found[name] = cut
        self.assertEqual(found, {}, f"Cut off at 320 px in the {language} admin")

    def test_nothing_is_cut_off_on_a_phone(self):
        self.cut_off_at_320("alvdal.silje", "nb")
        self.cut_off_at_320("avesta.linnea", "sv")

    def test_bokmal(self):
        self.walk("alvdal.silje", "nb")

    def test_nynorsk(self):
        self.walk("alvdal.silje", "nn")

    def test_swedish(self):
        self.walk("avesta.linnea", "sv")
