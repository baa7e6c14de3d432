"""The demo loader: both municipalities, realistic, valid and idempotent."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from wagtail.models import Page, PageLogEntry, Revision, Site

from home.demo import DEMO_PASSWORD
from home.models import InternalNoticePage, NewsPage, PressReleasePage, ServicePage
from publishing.models import GovernedPage, Municipality, PublisherCertificate, RoleAssignment
from publishing.rules.governance import field_errors as governance_field_errors
from tests.worlds import DemoWorld


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Page,
            Revision,
            PageLogEntry,
            get_user_model(),
            RoleAssignment,
            PublisherCertificate,
        )
    }


class DemoTests(DemoWorld, TestCase):
    def test_both_municipalities_have_content_in_their_own_language(self):
        for slug, language, word in (("alvdal", "nb", "og"), ("avesta", "sv", "och")):
            municipality = Municipality.objects.get(slug=slug)
            self.assertEqual(municipality.language, language)
            home = municipality.site.root_page
            news = NewsPage.objects.live().descendant_of(home)
            self.assertGreaterEqual(news.count(), 4)
            self.assertIn(f" {word} ", " ".join(str(p.body) for p in news))
            self.assertGreaterEqual(ServicePage.objects.live().descendant_of(home).count(), 3)
            self.assertTrue(PressReleasePage.objects.live().descendant_of(home).exists())
            self.assertTrue(
                InternalNoticePage.objects.live().descendant_of(municipality.intranet_page).exists()
            )

    def test_every_demo_page_passes_governance_validation(self):
        pages = [p for p in Page.objects.specific() if isinstance(p, GovernedPage)]
        self.assertGreater(len(pages), 20)
        for page in pages:
            self.assertEqual(governance_field_errors(page), {}, page.title)
            self.assertIsNotNone(page.responsible_leader, page.title)
            self.assertTrue(
                page.audiences.exists() or isinstance(page, InternalNoticePage), page.title
            )

    def test_staff_news_links_a_live_notice(self):
        for municipality in Municipality.objects.all():
            news = NewsPage.objects.descendant_of(municipality.site.root_page).get(
                affects_staff=True
            )
            self.assertTrue(news.internal_notice.live)
            self.assertTrue(municipality.is_intranet_page(news.internal_notice))
            # Linked both ways: the notice names the news page, so it counts for it.
            from publishing.rules import RuleContext
            from publishing.rules.governance import notice_standing

            self.assertTrue(notice_standing(RuleContext(page=news)).counts, news.title)

    def test_each_withdrawn_news_page_sends_citizens_to_a_current_page(self):
        from publishing.citizens.withdrawal import instead_of

        for municipality in Municipality.objects.all():
            withdrawn = NewsPage.objects.descendant_of(municipality.site.root_page).get(
                withdrawn=True
            )
            target = instead_of(withdrawn)
            self.assertIsNotNone(target, municipality.slug)
            response = self.client.get(withdrawn.url, HTTP_HOST=municipality.site.hostname)
            self.assertContains(response, f'href="{target.relative_url(municipality.site)}"')

    def test_demo_users_log_in_with_the_printed_password(self):
        self.assertTrue(self.client.login(username="alvdal.silje", password=DEMO_PASSWORD))
        self.assertTrue(self.client.login(username="avesta.linnea", password=DEMO_PASSWORD))
        self.assertTrue(self.client.login(username="admin", password=DEMO_PASSWORD))

    def test_admin_speaks_each_municipalitys_language(self):
        self.client.login(username="avesta.linnea", password=DEMO_PASSWORD)
        self.assertContains(self.client.get("/admin/"), 'lang="sv"')
        self.client.login(username="alvdal.silje", password=DEMO_PASSWORD)
        self.assertContains(self.client.get("/admin/"), 'lang="nb"')

    def test_loading_again_changes_nothing(self):
        before = counts()
        call_command("load_demo", quiet_logins=True, stdout=open("/dev/null", "w"))
        self.assertEqual(counts(), before)

    def test_logins_are_printed_as_make_run_asks_for_them(self):
        from io import StringIO

        out = StringIO()
        call_command("load_demo", "--port", "8123", stdout=out)  # as the Makefile calls it
        self.assertIn("http://alvdal.localhost:8123/", out.getvalue())
        self.assertIn(DEMO_PASSWORD, out.getvalue())
        self.assertIn("alvdal.silje", out.getvalue())
        self.assertIn("publisher certificate EXPIRED", out.getvalue())

    def test_links_carry_the_port_the_sites_are_served_on(self):
        call_command("load_demo", "--port", "8123", quiet_logins=True, stdout=StringIO())
        self.assertEqual(
            sorted(site.root_url for site in Site.objects.all()),
            ["http://alvdal.localhost:8123", "http://avesta.localhost:8123"],
        )
        sitemap = self.client.get("/sitemap.xml", HTTP_HOST="avesta.localhost:8123")
        self.assertContains(sitemap, "<loc>http://avesta.localhost:8123/")

    def test_a_municipality_shown_in_nynorsk_and_back_in_bokmal(self):
        call_command("load_demo", "--language", "alvdal=nn", quiet_logins=True, stdout=StringIO())
        home = self.client.get("/", HTTP_HOST="alvdal.localhost")
        self.assertContains(home, '<html lang="nn"')
        self.assertContains(home, "Hopp til innhaldet")
        self.client.login(username="alvdal.silje", password=DEMO_PASSWORD)
        self.assertContains(self.client.get("/admin/"), 'lang="nn"')
        call_command("load_demo", quiet_logins=True, stdout=StringIO())
        self.assertContains(self.client.get("/", HTTP_HOST="alvdal.localhost"), '<html lang="nb"')
        self.assertContains(self.client.get("/admin/"), 'lang="nb"')
        with self.assertRaisesMessage(CommandError, "SLUG=nb, nn, sv or en"):
            call_command("load_demo", "--language", "alvdal=de", stdout=StringIO())

    @override_settings(PUBLISHING_DEMO_USERS=False)
    def test_refused_outside_development(self):
        with self.assertRaisesMessage(CommandError, "development settings"):
            call_command("load_demo", stdout=open("/dev/null", "w"))
