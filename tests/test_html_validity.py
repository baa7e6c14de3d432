"""Every public page of both demo sites is valid HTML for the Nu HTML Checker (vnu).

Both municipalities' demo content is loaded; the test client renders every live, public page
under each site's root (found from the database, so a new page is checked as soon as the demo
has it), the news index's second page (when there is one), search without a query, with hits
and without, the page-not-found page, the feedback form (as it opens and with errors) and its
thanks, the login lockout page, the home page with crisis banners and the server-error page.
One run of vnu checks them all; any error fails the test, listed with the page, line and
message. Warnings are not failures.

``PublicSiteFilesTests`` checks the rest of what every public response owes browsers and
crawlers: ``/robots.txt`` with the site's sitemap, the favicon, a non-empty
``<meta name="description">`` where there is one, the ``Permissions-Policy`` header, and the
site's own "not found" page under the development settings (``DEBUG``).

vnu is the ``vnu-jar`` npm package and needs Java. .ci/run installs both (the jar into
``var/vnu/``); ``VNU_JAR`` names another jar. Where either is missing the test is skipped with
a message, except in CI (``CI`` set), where that is a failure.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import Http404
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, TestCase, override_settings, tag
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from home.models import NEWS_PER_PAGE, NewsIndexPage, NewsPage, ServicePage
from home.serving import SiteNotFoundMiddleware
from publishing.models import CrisisBanner, CrisisLevel, Municipality
from tests.worlds import DemoWorld

#: Where .ci/run installs the vnu-jar npm package.
DEFAULT_JAR = Path(
    settings.BASE_DIR, "var", "vnu", "node_modules", "vnu-jar", "build", "dist", "vnu.jar"
)


def vnu_command():
    """``[java, -jar, vnu.jar]``, or skip (fail in CI) when Java or the jar is missing."""
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("java (apt-get install default-jre-headless)")
    if not jar.is_file():
        missing.append(f"{jar} (npm install --prefix var/vnu vnu-jar, as .ci/run does)")
    if missing:
        message = "The Nu HTML Checker needs " + " and ".join(missing)
        if os.environ.get("CI"):
            raise AssertionError(message + "; .ci/run must install it")
        raise unittest.SkipTest(message)
    return [java, "-Xss1024k", "-jar", str(jar)]


def run_vnu(files):
    """vnu's messages for ``files`` (paths), as the dicts of its JSON output."""
    result = subprocess.run(
        [*vnu_command(), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        return json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(
            f"vnu failed ({result.returncode}): {result.stderr[-2000:]}"
        ) from error


@tag("slow")
class HtmlValidityTests(DemoWorld, TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)
        self.rendered = {}

    def render(self, name, host, path, status=200, method="get", data=None):
        response = getattr(self.client, method)(path, data=data or {}, HTTP_HOST=host)
        self.assertEqual(response.status_code, status, f"{name}: {path}")
        self.assertIn("text/html", response["Content-Type"], path)
        query = f"?{urlencode(data)}" if data and method == "get" else ""
        self.rendered[name] = (f"http://{host}{path}{query}", response.content)
        return response

    def public_pages(self, municipality):
        return (
            Page.objects.live()
            .public()
            .descendant_of(municipality.site.root_page, inclusive=True)
            .order_by("path")
        )

    def render_site(self, municipality):
        slug = municipality.slug
        host = municipality.site.hostname
        pages = list(self.public_pages(municipality))
        self.assertGreaterEqual(len(pages), 7, f"{slug}: too few public pages")
        for page in pages:
            self.render(f"{slug}-page-{page.pk}-{page.slug}", host, page.get_url_parts()[2])
        index = NewsIndexPage.objects.live().child_of(municipality.site.root_page).get()
        if index.news_items().count() > NEWS_PER_PAGE:
            self.render(f"{slug}-news-2", host, f"{index.url}?page=2")
        self.render(f"{slug}-search", host, reverse("search"))
        hits = self.render(f"{slug}-search-hits", host, reverse("search"), data={"q": index.title})
        self.assertContains(hits, '<ul class="listing"><li><a href=')
        self.render(f"{slug}-search-none", host, reverse("search"), data={"q": "qxzqxzqxz"})
        self.render(f"{slug}-not-found", host, "/finnes-ikke/", status=404)
        service = ServicePage.objects.live().descendant_of(municipality.site.root_page).first()
        feedback = reverse("feedback", args=[service.pk])
        self.render(f"{slug}-feedback", host, feedback, data={"found": "no"})
        self.render(
            f"{slug}-feedback-errors", host, feedback, 400, method="post", data={"found": ""}
        )
        self.render(f"{slug}-feedback-thanks", host, reverse("feedback_thanks", args=[service.pk]))
        for level in CrisisLevel:
            CrisisBanner.objects.create(
                municipality=municipality,
                level=level,
                headline="Kok drikkevannet",
                message="Kok vannet i tre minutter.\nVi sier fra igjen.",
                link_page=service,
            )
        cache.clear()
        self.render(f"{slug}-crisis", host, "/")
        with override_settings(AXES_ENABLED=True):
            for _attempt in range(5):
                response = self.client.post(
                    "/admin/login/",
                    {"username": f"{slug}.ukjent", "password": "feil"},
                    HTTP_HOST=host,
                    REMOTE_ADDR="192.0.2.7",
                )
            self.assertEqual(response.status_code, 429)
            self.rendered[f"{slug}-lockout"] = (f"http://{host}/admin/login/", response.content)

    def test_every_public_page_of_both_sites_is_valid_html(self):
        command = vnu_command()  # skip before rendering when vnu cannot run
        self.assertTrue(command)
        municipalities = list(Municipality.objects.order_by("slug"))
        self.assertEqual([m.slug for m in municipalities], ["alvdal", "avesta"])
        with self.assertLogs("axes", "INFO"):
            for municipality in municipalities:
                self.render_site(municipality)
        # The server-error page is static: Django serves the template as it is.
        self.rendered["server-error"] = ("500.html", render_to_string("500.html").encode())
        with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
            for name, (_url, content) in self.rendered.items():
                (Path(folder) / f"{name}.html").write_bytes(content)
            messages = run_vnu(sorted(Path(folder).iterdir()))
        errors = [m for m in messages if m.get("type") == "error"]
        report = "\n".join(
            f"- {self.where(m)} line {m.get('lastLine', '?')}: {m.get('message')}"
            f" [{' '.join((m.get('extract') or '').split())[:120]}]"
            for m in sorted(errors, key=self.where)
        )
        if errors:
            self.fail(f"vnu found {len(errors)} errors in {len(self.rendered)} pages:\n{report}")

    def where(self, message):
        """The page a vnu message is about (its URL), from the file it checked."""
        name = Path(message.get("url") or "?").stem
        return self.rendered.get(name, (name,))[0]


class PublicSiteFilesTests(DemoWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.avesta = Municipality.objects.get(slug="avesta")
        cls.host = cls.avesta.site.hostname

    def setUp(self):
        cache.clear()

    def get(self, path, host=None, **extra):
        return self.client.get(path, HTTP_HOST=host or self.host, **extra)

    def test_robots_txt_allows_the_site_and_names_its_sitemap_with_host_and_port(self):
        response = self.get("/robots.txt", host=f"{self.host}:8123")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[:2], ["User-agent: *", "Allow: /"])
        self.assertIn("Disallow: /admin/", lines)
        self.assertIn("Disallow: /search/", lines)
        self.assertNotIn("Disallow: /", lines)
        self.assertIn(f"Sitemap: http://{self.host}:8123/sitemap.xml", lines)
        self.assertIn("public", response["Cache-Control"])
        self.assertEqual(self.get("/sitemap.xml").status_code, 200)

    def test_favicon_is_served_and_linked(self):
        response = self.get("/favicon.ico")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/x-icon")
        self.assertEqual(b"".join(response.streaming_content)[:4], b"\x00\x00\x01\x00")
        page = self.get("/")
        self.assertContains(page, '<link rel="icon" href="/static/home/favicon.svg"')
        self.assertTrue(finders.find("home/favicon.svg"))

    def test_meta_description_comes_from_the_page_and_is_never_empty(self):
        news = NewsPage.objects.live().descendant_of(self.avesta.site.root_page).first()
        self.assertContains(self.get(news.url), f'<meta name="description" content="{news.intro}')
        news.search_description = "Hemtjänsten delas in i tre områden från januari."
        news.save_revision().publish()
        cache.clear()
        self.assertContains(
            self.get(news.url),
            '<meta name="description" content="Hemtjänsten delas in i tre områden från januari.">',
            html=False,
        )
        for path in ("/", "/nyheter/", reverse("search"), "/finnes-ikke/"):
            content = self.client.get(path, HTTP_HOST=self.host).content.decode()
            self.assertNotIn('name="description" content=""', content, path)

    def test_public_responses_deny_powerful_features(self):
        service = ServicePage.objects.live().descendant_of(self.avesta.site.root_page).first()
        for path in (
            "/",
            service.url,
            reverse("search") + "?q=bygglov",
            "/finnes-ikke/",
            reverse("feedback", args=[service.pk]),
            "/robots.txt",
        ):
            policy = self.get(path).get("Permissions-Policy", "")
            features = dict(item.strip().split("=", 1) for item in policy.split(",") if item)
            for feature in (
                "camera",
                "microphone",
                "geolocation",
                "payment",
                "usb",
                "interest-cohort",
                "browsing-topics",
            ):
                self.assertEqual(features.get(feature), "()", f"{feature} on {path}")
        # The admin is left as it is.
        self.assertNotIn("Permissions-Policy", self.get("/admin/login/"))

    def test_missing_page_under_debug_shows_the_sites_own_404_in_its_language(self):
        from config.settings import dev

        self.assertTrue(dev.DEBUG)
        # A client of its own for each set of middlewares: a client loads them once.
        with (
            override_settings(DEBUG=True, MIDDLEWARE=dev.MIDDLEWARE),
            self.assertLogs("django.request", "WARNING"),
        ):
            response = Client().get("/finnes-ikke/", HTTP_HOST=self.host)
        self.assertEqual(response.status_code, 404)
        with translation.override("sv"):
            self.assertContains(response, translation.gettext("Page not found"), status_code=404)
        self.assertContains(response, '<html lang="sv">', status_code=404)
        self.assertNotContains(response, "URLconf", status_code=404)
        # Without it, Django's technical page: the reason the middleware is there.
        with override_settings(DEBUG=True), self.assertLogs("django.request", "WARNING"):
            technical = Client().get("/finnes-ikke/", HTTP_HOST=self.host)
        self.assertContains(technical, "Raised by", status_code=404)

    def test_other_errors_and_the_admin_keep_djangos_debug_pages(self):
        middleware = SiteNotFoundMiddleware(lambda request: None)
        factory = RequestFactory(HTTP_HOST=self.host)
        self.assertIsNone(middleware.process_exception(factory.get("/"), RuntimeError("bug")))
        self.assertIsNone(middleware.process_exception(factory.get("/admin/x/"), Http404()))
        response = middleware.process_exception(factory.get("/x/"), Http404())
        self.assertEqual(response.status_code, 404)
