"""WCAG 2.2 1.4.10 Reflow and 1.4.12 Text spacing: no public page scrolls sideways at 320 px.

Both municipalities' demo content is loaded and served by the live server. Debian's Chromium
opens, at 320 CSS px wide, every live, public page under each site's root (found from the
database, so a new page is checked as soon as the demo has it), search with hits, the
page-not-found page, the feedback form (as it opens and with its errors), the home page with a
crisis banner of every level, and a page written to be hard to fit: unbreakable e-mail
addresses, URLs and compound words, a data table, preformatted text and an image wider than the
screen. Each is measured as it is and again with the text-spacing override of 1.4.12 (line
height 1.5, paragraph spacing 2em, letter spacing 0.12em, word spacing 0.16em on every element).
A page fails when ``document.documentElement.scrollWidth`` is larger than its ``clientWidth``;
the failure names the page and the elements that stick out furthest.

A data table may scroll inside its own box (1.4.10 allows two-dimensional scrolling for data
tables): an element in a box that scrolls by itself is not counted, as long as the page does not
scroll. Screenshots are kept in ``test-artifacts/reflow/``.
"""

from io import StringIO

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import cache
from django.core.management import call_command
from django.test import tag
from django.urls import reverse
from wagtail.models import Page

from home.models import NewsIndexPage, ServicePage, StandardPage
from publishing.models import CrisisBanner, CrisisLevel, Municipality
from tests.e2e import ARTIFACTS, ChromiumMixin
from tests.governance import ensure_wagtail_base

PHONE = {"width": 320, "height": 640}
SHOTS = "reflow"
#: WCAG 2.2 1.4.12's text-spacing values, forced on every element (as the usual bookmarklet does).
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p, li, dd, dt, blockquote, figcaption { margin-bottom: 2em !important; }
"""
#: The elements that stick out past the right edge of the viewport, innermost first, leaving out
#: those inside a box that scrolls (or clips) by itself.
OVERFLOW = """
() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== "visible" && p.getBoundingClientRect().right <= limit + 0.5) {
        return true;
      }
    }
    return false;
  };
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + [...el.classList].join(".");
    const parent = el.parentElement;
    if (parent && parent !== document.body) {
      name = describe_short(parent) + " > " + name;
    }
    return name;
  };
  const describe_short = (el) => el.tagName.toLowerCase() +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const over = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    if (box.right > limit + 0.5 && !inScroller(el)) over.push({el, right: box.right});
  }
  // Text that runs out of its own box (a long word in a box that fits) counts as its parent.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !node.parentElement) continue;
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.right > limit + 0.5 && !inScroller(node.parentElement)) {
      over.push({el: node.parentElement, right: box.right});
    }
  }
  const furthest = new Map();
  for (const o of over) furthest.set(o.el, Math.max(o.right, furthest.get(o.el) || 0));
  const leaves = [...furthest].map(([el, right]) => ({el, right}))
    .filter((o) => ![...furthest.keys()].some((el) => el !== o.el && o.el.contains(el)));
  leaves.sort((a, b) => b.right - a.right);
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: limit,
    widest: leaves.slice(0, 5).map((o) => ({
      element: describe(o.el),
      right: Math.round(o.right),
      text: (o.el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60),
    })),
  };
}
"""
LONG_WORDS = {
    "nb": "Kommuneplanensarealdelshøringsfristforlengelsessøknadsskjema",
    "sv": "Översiktsplanesamrådsförlängningsansökningsblankettsinlämningen",
}
#: Screenshots to look at: the home and a news page of each site, plain and with text spacing.
LOOKED_AT = {"homepage", "newspage", "servicepage", "stress", "not-found", "feedback-form"}


def stress_body(language):
    """Rich text with what does not fit on a phone by itself."""
    word = LONG_WORDS[language]
    url = "https://www.example.org/" + "/".join(["tjenester-og-skjemaer-for-innbyggere"] * 4)
    mail = "postmottak.servicetorget.innbyggertjenester@kommune.example.org"
    rows = "".join(
        f"<tr><td>{word[:20]}</td><td>{mail}</td><td>{url}</td><td>{n * 1000} kr</td></tr>"
        for n in range(1, 4)
    )
    return (
        f"<p>{word} og {word.upper()}.</p>"
        f'<p>Skriv til <a href="mailto:{mail}">{mail}</a> eller les <a href="{url}">{url}</a>.</p>'
        f"<p>Adressen er {url} og e-posten {mail}.</p>"
        f"<table><caption>{word}</caption><thead><tr><th>Tjeneste</th><th>E-post</th>"
        f"<th>Adresse</th><th>Pris</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<pre><code>curl --header 'Accept: application/json' {url}?{word}=1</code></pre>"
        f'<p><img src="/static/home/favicon.svg" width="1200" height="300" alt=""></p>'
    )


@tag("browser")
class ReflowTests(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        # The site chrome (crisis banners) is cached per site id; ids come back after the flush.
        cache.clear()
        self.addCleanup(cache.clear)
        ensure_wagtail_base()
        call_command("load_demo", quiet_logins=True, stdout=StringIO())
        self.failures = []
        self.measured = []
        self.console = []

    def browser_page(self, language):
        context = self.browser.new_context(viewport=PHONE, locale=language, bypass_csp=True)
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(20_000)
        # A Permissions-Policy feature Chromium does not know is logged, and protects nothing.
        page.on(
            "console",
            lambda message: (
                "Permissions-Policy" in message.text
                and self.console.append(f"{page.url}: {message.text}")
            ),
        )
        return page

    def add_stress_page(self, municipality):
        """A standard page under the home page with everything that is hard to fit."""
        model = StandardPage.objects.live().descendant_of(municipality.site.root_page).first()
        word = LONG_WORDS[municipality.language]
        stress = StandardPage(
            title=f"{word} {word}",
            slug="stress-reflow",
            intro=f"{word} https://www.example.org/{word.lower()}/{word.lower()}",
            body=[{"type": "paragraph", "value": stress_body(municipality.language)}],
            owning_unit=model.owning_unit,
            responsible_leader=model.responsible_leader,
            affects_staff=False,
            live=False,
        )
        stress.audiences.set(model.audiences.all())
        municipality.site.root_page.add_child(instance=stress)
        stress.save_revision(user=model.responsible_leader).publish(user=None)
        return stress

    def add_banners(self, municipality):
        link = ServicePage.objects.live().descendant_of(municipality.site.root_page).first()
        for level in CrisisLevel:
            CrisisBanner.objects.create(
                municipality=municipality,
                level=level,
                headline=LONG_WORDS[municipality.language],
                message="https://www.example.org/" + LONG_WORDS[municipality.language].lower(),
                link_page=link,
            )
        cache.clear()

    def measure(self, page, name, *, spacing):
        if spacing:
            page.add_style_tag(content=TEXT_SPACING)
        result = page.evaluate(OVERFLOW)
        label = f"{name}{' + text spacing' if spacing else ''}"
        self.measured.append(label)
        if name.split("-", 1)[1] in LOOKED_AT:
            target = ARTIFACTS / SHOTS
            target.mkdir(parents=True, exist_ok=True)
            shot = target / f"{name}{'-spacing' if spacing else ''}.png"
            page.screenshot(path=str(shot), full_page=True)
        if result["scrollWidth"] > result["clientWidth"]:
            widest = "; ".join(
                f"{w['element']} to {w['right']} px «{w['text']}»" for w in result["widest"]
            )
            self.failures.append(
                f"- {label} ({page.url}): {result['scrollWidth']} px wide for "
                f"{result['clientWidth']} px; widest: {widest or 'unknown'}"
            )

    def visit(self, page, name, url, status=200):
        """Open ``url`` and measure it as it is and with the text-spacing override."""
        for spacing in (False, True):
            response = page.goto(url)
            self.assertEqual(response.status, status, url)
            page.wait_for_load_state("load")
            self.measure(page, name, spacing=spacing)

    def visit_feedback(self, page, base, service, name):
        url = base + reverse("feedback", args=[service.pk]) + "?found=no"
        self.visit(page, f"{name}-feedback-form", url)
        for spacing in (False, True):
            page.goto(url)
            with page.expect_navigation():
                page.locator("main form[method=post] button[type=submit]").click()
            self.assertTrue(page.locator("[role=alert]").count(), "no error for an empty form")
            self.measure(page, f"{name}-feedback-errors", spacing=spacing)

    def check_site(self, municipality):
        slug = municipality.slug
        site = municipality.site
        base = f"http://{site.hostname}:{self.server_thread.port}"
        stress = self.add_stress_page(municipality)
        pages = (
            Page.objects.live()
            .public()
            .descendant_of(site.root_page, inclusive=True)
            .order_by("path")
            .specific()
        )
        self.assertGreaterEqual(pages.count(), 8, f"{slug}: too few public pages")
        page = self.browser_page(municipality.language)
        for public in pages:
            kind = "stress" if public.pk == stress.pk else public.specific_class._meta.model_name
            if kind in LOOKED_AT and f"{slug}-{kind}" in self.seen:
                kind = f"{kind}-{public.slug}"
            self.seen.add(f"{slug}-{kind}")
            self.visit(page, f"{slug}-{kind}", base + public.get_url_parts()[2])
        index = NewsIndexPage.objects.live().child_of(site.root_page).get()
        self.visit(page, f"{slug}-search", f"{base}{reverse('search')}?q={index.title}")
        self.assertTrue(page.locator("main li a").count(), f"{slug}: search found nothing")
        self.visit(page, f"{slug}-not-found", f"{base}/finnes-ikke/", status=404)
        service = ServicePage.objects.live().descendant_of(site.root_page).first()
        self.visit_feedback(page, base, service, slug)
        self.add_banners(municipality)
        self.visit(page, f"{slug}-crisis-banners", base + "/")

    def test_no_public_page_scrolls_sideways_at_320_px(self):
        self.seen = set()
        municipalities = list(Municipality.objects.order_by("slug"))
        self.assertEqual([m.slug for m in municipalities], ["alvdal", "avesta"])
        for municipality in municipalities:
            self.check_site(municipality)
        # 2 sites x (at least 8 pages + search, 404, 2 feedback views, banners) x 2 spacings.
        self.assertGreaterEqual(len(self.measured), 2 * 13 * 2)
        self.assertEqual(self.console, [], "the browser did not take the Permissions-Policy")
        if self.failures:
            self.fail(
                f"{len(self.failures)} of {len(self.measured)} views scroll sideways at 320 px "
                "(WCAG 1.4.10/1.4.12):\n" + "\n".join(self.failures)
            )
