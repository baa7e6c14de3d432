"""Staff pages never reach citizens: an anonymous crawl of both demo sites finds no intranet text.

Both municipalities' demo content is loaded, then each intranet gets canary content: the intranet
index's introduction, a live internal notice and a live standard page with the canary word in
title, introduction and body, and a document with the canary in its title (and file) in the
intranet's private collection. A public news page that affects staff points at the canary notice,
and links a public document, so the public pages do touch the intranet.

The crawl starts anonymously from each site's root (Host header per site) and follows every
same-site link it finds in HTML (``<a>``, ``<link>``, GET forms such as the feedback prompt), in
the sitemap, in the news feeds and in the page API's answers, plus site search for the canary and
for the intranet's titles and words, the API's list, search, filters and detail views (with the
intranet pages' ids), the feedback form for intranet pages, and every ``/documents/`` link. No
answer may contain the canary or an intranet page's title, nor link to an intranet page;
intranet URLs asked for directly send the visitor to the login page or answer 404, without the
canary. The crawl must have reached every live, public page of the site, its feed, the sitemap,
the public document and the API's detail of every public page, so the test cannot pass by
crawling nothing; and a member of staff does see the canary, so it is really there.
"""

import contextlib
import html
import json
import re
import shutil
import tempfile
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urljoin, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import TestCase, override_settings
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Site
from wagtail.rich_text import RichText

from home.models import InternalNoticePage, NewsIndexPage, NewsPage, StandardPage
from publishing.models import Municipality, Sensitivity
from publishing.models.pages import without_withdrawn
from tests.governance import link_both_ways
from tests.worlds import DemoWorld

CANARY = "KANARI7731"
#: Enough for both demo sites many times over; a crawl that needs more has gone round in circles.
MAX_REQUESTS_PER_SITE = 600
#: Where the crawl does not go: the admin (but its login page, where the intranet sends people)
#: and static files.
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/static/", "/media/")
LOGIN_PATH = "/admin/login/"


class LinkParser(HTMLParser):
    """The URLs of an HTML page: ``<a>``, ``<link>`` and ``<area>`` links, and what its GET forms
    ask for with each named submit button (the feedback prompt's "yes" and "no")."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.form_action = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link", "area") and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.form_action = attrs.get("action") or ""
            self.urls.append(self.form_action)
        elif (
            tag in ("button", "input")
            and self.form_action is not None
            and attrs.get("type", "submit" if tag == "button" else "text") == "submit"
            and attrs.get("name")
        ):
            query = urlencode({attrs["name"]: attrs.get("value") or ""})
            self.urls.append(f"{self.form_action.split('?')[0]}?{query}")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_action = None


def site_path(page):
    """``page``'s path on its own site (``/nyheter/``), without host."""
    _site_id, _root_url, path = page.get_url_parts()
    return path


def plant_canaries(municipality):
    """Canary content on ``municipality``'s intranet; returns what the test needs to know."""
    home = municipality.site.root_page.specific
    intranet = municipality.intranet_page.specific
    model_notice = InternalNoticePage.objects.live().child_of(intranet).first()
    unit, leader = model_notice.owning_unit, model_notice.responsible_leader
    staff_audience = municipality.audiences.filter(is_internal=True).first()
    citizens = municipality.audiences.filter(is_internal=False).first()

    intranet.intro = f"Velkommen til intranettet. {CANARY} er kodeordet for denne uka."
    intranet.save_revision().publish()

    collection = Collection.objects.get(name=municipality.name)
    private_collection = collection.get_children().get(name=intranet.title)
    Document = get_document_model()
    secret_document = Document.objects.create(
        title=f"Lønnsoversikt {CANARY}",
        file=ContentFile(f"Bare for ansatte: {CANARY}\n".encode(), name="lonnsoversikt.txt"),
        collection=private_collection,
    )
    public_document = Document.objects.create(
        title="Åpningstider i hjemmetjenesten",
        file=ContentFile(b"Hjemmetjenesten har kveldsopent.\n", name="apningstider.txt"),
        collection=collection,
    )

    notice = InternalNoticePage(
        title=f"Personalmøte om {CANARY}",
        slug="personalmote-torsdag",
        intro=f"Alle ansatte møtes torsdag om {CANARY}.",
        body=[("paragraph", RichText(f"<p>Møtet handler om {CANARY} og nye rutiner.</p>"))],
        owning_unit=unit,
        responsible_leader=leader,
        live=False,
    )
    intranet.add_child(instance=notice)
    notice.save_revision(user=leader).publish(user=None)

    standard = StandardPage(
        title=f"Rutiner for {CANARY}",
        slug="rutiner-for-ansatte",
        intro=f"Slik gjør vi det med {CANARY}.",
        body=[
            ("paragraph", RichText(f"<p>Les rutinene for {CANARY} før du starter.</p>")),
            ("document", {"document": secret_document, "title": ""}),
        ],
        owning_unit=unit,
        responsible_leader=leader,
        sensitivity=Sensitivity.INTERNAL,
        live=False,
    )
    standard.audiences.set([staff_audience] if staff_audience else [])
    intranet.add_child(instance=standard)
    standard.save_revision(user=leader).publish(user=None)

    # A public page that points at the canary notice (it affects staff) and links a public
    # document: the public side touches the intranet here, and must still not show it.
    news_index = NewsIndexPage.objects.child_of(home).get()
    news = NewsPage(
        title="Hjemmetjenesten har nye rutiner",
        slug="hjemmetjenesten-nye-rutiner",
        intro="Hjemmetjenesten har nye rutiner for besøk på kvelden.",
        body=[
            ("paragraph", RichText("<p>Du får besøk som før. Tidene står i dokumentet.</p>")),
            ("document", {"document": public_document, "title": "Åpningstidene"}),
        ],
        owning_unit=unit,
        responsible_leader=leader,
        affects_staff=True,
        internal_notice=notice,
        live=False,
    )
    news.audiences.set([citizens])
    news_index.add_child(instance=news)
    link_both_ways(notice, news)  # the notice is about this page, so it counts for it
    news.save_revision(user=leader).publish(user=None)

    intranet_pages = list(
        Page.objects.descendant_of(intranet, inclusive=True).order_by("path").specific()
    )
    return {
        "municipality": municipality,
        "host": municipality.site.hostname,
        "intranet_pages": intranet_pages,
        "secret_document": secret_document,
        "public_document": public_document,
        "linked_news": news,
    }


#: Documents are served from files on disk, as in production (the test settings keep files in
#: memory, which Wagtail's document view cannot serve).
MEDIA_ROOT = tempfile.mkdtemp(prefix="privacy-crawl-media-")


@override_settings(
    MEDIA_ROOT=MEDIA_ROOT,
    STORAGES={
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    },
)
class PrivacyCrawlTests(DemoWorld, TestCase):
    @classmethod
    def setUpClass(cls):
        cls.addClassCleanup(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.planted = [plant_canaries(m) for m in Municipality.objects.order_by("slug")]

    def setUp(self):
        self.planted = [
            {
                **planted,
                "intranet_pages": [type(p).objects.get(pk=p.pk) for p in planted["intranet_pages"]],
                "linked_news": NewsPage.objects.get(pk=planted["linked_news"].pk),
            }
            for planted in self.planted
        ]
        # Every intranet page's title is secret too (but the index's, which a public page may
        # name in a link for staff), and so is every planted string.
        self.secrets = [CANARY] + [
            p.title
            for planted in self.planted
            for p in planted["intranet_pages"]
            if p.depth > planted["municipality"].intranet_page.depth
        ]

    # --- helpers ---------------------------------------------------------------------------------

    def body_of(self, response):
        if response.streaming:
            # The test client closes the response once its content is read. Closing it again
            # here would fire request_finished unguarded, and Django would then close the test's
            # database connection (on PostgreSQL, mid-transaction).
            return b"".join(response.streaming_content)
        return response.content

    def leaked(self, content, echoes=()):
        """The secrets in ``content`` (bytes), read as it is, HTML-unescaped and JSON-decoded.

        ``echoes`` are what the request itself asked for (a search query): the answer may repeat
        them (“0 results for …”), so they are taken out before looking.
        """
        text = content.decode("utf-8", "replace")
        readings = [text, html.unescape(text)]
        with contextlib.suppress(ValueError):
            readings.append(json.dumps(json.loads(text), ensure_ascii=False))
        forms = sorted(
            {
                form
                for echo in echoes
                for form in (echo, html.escape(echo), quote_plus(echo), quote(echo))
                if form
            },
            key=len,
            reverse=True,
        )
        for form in forms:
            readings = [
                re.sub(re.escape(form), "", reading, flags=re.IGNORECASE) for reading in readings
            ]
        return sorted(
            {
                secret
                for secret in self.secrets
                for reading in readings
                if secret.casefold() in reading.casefold()
            }
        )

    def assert_no_leak(self, url, response, content):
        echoes = [value for _key, value in parse_qsl(urlsplit(url).query)]
        leaks = self.leaked(content, echoes)
        if leaks:
            where = [
                f"…{m.group(0)}…"
                for secret in leaks
                for m in re.finditer(
                    r".{0,80}" + re.escape(secret) + r".{0,80}",
                    html.unescape(content.decode("utf-8", "replace")),
                    flags=re.IGNORECASE | re.DOTALL,
                )
            ]
            self.fail(
                f"anonymous {url} ({response.status_code}) shows intranet text {leaks}: "
                + " | ".join(where[:5])
            )

    def same_site(self, url, host):
        """The path and query of ``url`` if it belongs to ``host``'s site and may be crawled."""
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https"):
            return None
        if parts.netloc and parts.hostname != host:
            return None
        path = parts.path or "/"
        if path.startswith(SKIPPED_PREFIXES) and path != LOGIN_PATH:
            return None
        return path + (f"?{parts.query}" if parts.query else "")

    def links_in(self, url, response, content):
        """Every URL the answer names: HTML links, sitemap and feed entries, API URLs."""
        kind = response.get("Content-Type", "").split(";")[0].strip()
        if response.status_code in (301, 302, 303, 307, 308):
            return [response["Location"]]
        if response.status_code != 200:
            return []
        if kind == "text/html":
            parser = LinkParser()
            parser.feed(content.decode("utf-8", "replace"))
            return parser.urls
        if kind in ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml"):
            root = ElementTree.fromstring(content)  # noqa: S314 (our own sitemap and feeds)
            found = []
            for element in root.iter():
                tag = element.tag.rsplit("}", 1)[-1]
                if tag in ("loc", "link") and element.text:
                    found.append(element.text.strip())
                if element.get("href"):
                    found.append(element.get("href"))
            return found
        if kind == "application/json":
            found = []

            def walk(value):
                if isinstance(value, dict):
                    for key, item in value.items():
                        if key in ("detail_url", "html_url", "next", "previous") and item:
                            found.append(item)
                        else:
                            walk(item)
                elif isinstance(value, list):
                    for item in value:
                        walk(item)

            walk(json.loads(content))
            return found
        return []

    def crawl(self, host, seeds, intranet_pages=()):
        """Crawl ``host`` anonymously from ``seeds``; return ``{url: (status, content type)}``.

        No answer may link to a page below the intranet's index (its HTML page or its API
        detail): that would name it, as a search result or a listing does.
        """
        forbidden = {}
        for page in intranet_pages:
            if page.depth > intranet_pages[0].depth:
                forbidden[site_path(page)] = page
            forbidden[f"/api/v3/pages/{page.pk}/"] = page
        self.client.logout()
        queue = deque(seeds)
        visited = {}
        while queue:
            url = queue.popleft()
            if url in visited:
                continue
            self.assertLess(len(visited), MAX_REQUESTS_PER_SITE, f"crawl of {host} runs away")
            response = self.client.get(url, HTTP_HOST=host)
            content = self.body_of(response)
            visited[url] = (response.status_code, response.get("Content-Type", ""))
            self.assert_no_leak(f"http://{host}{url}", response, content)
            self.assertLess(response.status_code, 500, f"http://{host}{url}")
            for found in self.links_in(url, response, content):
                target = self.same_site(urljoin(url, found), host)
                if (
                    target is not None
                    and response.status_code == 200
                    and target.split("?")[0] in forbidden
                ):
                    self.fail(f"anonymous http://{host}{url} links to intranet page {target}")
                if target is not None and target not in visited:
                    queue.append(target)
        return visited

    def seeds(self, planted):
        """Where the crawl of a site starts: root, sitemap, feeds, search, APIs, intranet URLs."""
        home = planted["municipality"].site.root_page
        intranet_pages = planted["intranet_pages"]
        titles = [p.title for p in intranet_pages]
        words = sorted(
            {w for title in titles for w in re.findall(r"\w{5,}", title)} - {CANARY},
        )
        seeds = ["/", "/sitemap.xml", "/search/", "/api/v3/pages/"]
        # Withdrawn pages leave every list; citizens' old links and bookmarks still reach them.
        site_pages = Page.objects.live().public().in_site(planted["municipality"].site)
        withdrawn = site_pages.exclude(pk__in=without_withdrawn(site_pages))
        seeds += [site_path(p) for p in withdrawn] + [f"/api/v3/pages/{p.pk}/" for p in withdrawn]
        seeds += [
            site_path(index) + "feed/" for index in NewsIndexPage.objects.child_of(home).live()
        ]
        for query in [CANARY, CANARY.lower(), *titles, *words]:
            seeds.append("/search/?" + urlencode({"q": query}))
            seeds.append("/api/v3/pages/?" + urlencode({"search": query}))
        other_hosts = Site.objects.values_list("hostname", flat=True)
        seeds += [f"/api/v3/pages/?limit=100&site={h}" for h in other_hosts]
        seeds += [
            "/api/v3/pages/?limit=100",
            "/api/v3/pages/?type=home.InternalNoticePage",
            "/api/v3/pages/?type=home.IntranetIndexPage",
            "/api/v3/pages/?type=home.StandardPage&limit=100",
            "/api/v3/schema/",
            "/api/v3/sites/",
            "/api/v3/whoami/",
            f"/api/v3/pages/{planted['linked_news'].pk}/",
            f"/api/v3/pages/{planted['linked_news'].pk}/?version=draft",
            f"/api/v3/pages/{planted['linked_news'].pk}/revisions/",
        ]
        for page in intranet_pages:
            seeds += [
                f"/api/v3/pages/{page.pk}/",
                f"/api/v3/pages/{page.pk}/?version=draft",
                f"/api/v3/pages/?child_of={page.pk}",
                f"/api/v3/pages/?descendant_of={page.pk}",
                "/api/v3/pages/find/?" + urlencode({"html_path": site_path(page)}),
                f"/api/v3/pages/find/?id={page.pk}",
                f"/feedback/{page.pk}/?found=no",
                f"/feedback/{page.pk}/thanks/",
            ]
        seeds.append(planted["secret_document"].url)
        return seeds

    # --- the tests -------------------------------------------------------------------------------

    def test_anonymous_crawl_of_both_sites_finds_no_intranet_text(self):
        for planted in self.planted:
            host = planted["host"]
            with self.subTest(site=host):
                visited = self.crawl(host, self.seeds(planted), planted["intranet_pages"])
                site = planted["municipality"].site
                public = Page.objects.live().public().in_site(site).specific()
                ok_html = {
                    url.split("?")[0]
                    for url, (status, kind) in visited.items()
                    if status == 200 and kind.startswith("text/html")
                }
                missing = [site_path(p) for p in public if site_path(p) not in ok_html]
                self.assertEqual(missing, [], f"the crawl of {host} missed public pages")
                self.assertGreaterEqual(len(ok_html), 10, host)
                news = planted["linked_news"]
                self.assertEqual(visited.get(site_path(news)), (200, "text/html; charset=utf-8"))
                feeds = [u for u, (s, k) in visited.items() if "rss" in k and s == 200]
                self.assertTrue(feeds, f"no news feed crawled on {host}")
                self.assertEqual(visited["/sitemap.xml"][0], 200)
                documents = [
                    u for u, (s, _k) in visited.items() if u.startswith("/documents/") and s == 200
                ]
                self.assertIn(planted["public_document"].url, documents)
                api_details = [
                    u
                    for u, (s, _k) in visited.items()
                    if re.fullmatch(r"/api/v3/pages/\d+/", u) and s == 200
                ]
                self.assertGreaterEqual(len(api_details), public.count(), host)

    def test_intranet_urls_asked_for_directly_send_anonymous_visitors_to_login(self):
        for planted in self.planted:
            host = planted["host"]
            for page in planted["intranet_pages"]:
                url = site_path(page)
                with self.subTest(site=host, url=url):
                    response = self.client.get(url, HTTP_HOST=host)
                    self.assert_no_leak(url, response, self.body_of(response))
                    self.assertIn(response.status_code, (302, 404), url)
                    if response.status_code == 302:
                        location = response["Location"]
                        self.assertTrue(urlsplit(location).path.startswith(LOGIN_PATH), location)
                        login = self.client.get(location, HTTP_HOST=host)
                        self.assertEqual(login.status_code, 200)
                        self.assert_no_leak(location, login, login.content)
            document = planted["secret_document"]
            with self.subTest(site=host, document=document.url):
                response = self.client.get(document.url, HTTP_HOST=host)
                self.assert_no_leak(document.url, response, self.body_of(response))
                self.assertIn(response.status_code, (302, 403, 404), document.url)

    def test_the_api_does_not_know_intranet_pages(self):
        for planted in self.planted:
            host = planted["host"]
            for page in planted["intranet_pages"]:
                with self.subTest(site=host, page=page.pk):
                    response = self.client.get(f"/api/v3/pages/{page.pk}/", HTTP_HOST=host)
                    self.assertEqual(response.status_code, 404)
                    self.assert_no_leak(f"/api/v3/pages/{page.pk}/", response, response.content)

    def test_the_canary_is_really_on_the_intranet(self):
        """The crawl would pass vacuously if the canary were never planted or never live."""
        staff = self.planted[0]["municipality"].staff_group
        self.client.force_login(staff.user_set.first())
        host = self.planted[0]["host"]
        planted_pages = [
            page
            for page in self.planted[0]["intranet_pages"]
            if CANARY in page.title or CANARY in page.intro
        ]
        self.assertEqual(len(planted_pages), 3)  # the index, the notice and the standard page
        for page in planted_pages:
            self.assertContains(self.client.get(site_path(page), HTTP_HOST=host), CANARY)
        document = self.client.get(self.planted[0]["secret_document"].url, HTTP_HOST=host)
        self.assertEqual(document.status_code, 200)
        self.assertIn(CANARY.encode(), self.body_of(document))
