"""Both municipal sites serve their pages; the intranet is for the staff group only."""

from django.test import TestCase
from wagtail.models import Page

from home.demo import DEMO_PASSWORD
from home.models import (
    HomePage,
    InternalNoticePage,
    IntranetIndexPage,
    NewsIndexPage,
    NewsPage,
    PressReleasePage,
    ServicePage,
    StandardPage,
)
from publishing.models import Municipality, RoleAssignment
from tests.factories import load_municipality
from tests.worlds import DemoWorld


class SiteTests(DemoWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.avesta = Municipality.objects.get(slug="avesta")

    def get(self, host, path="/"):
        return self.client.get(path, HTTP_HOST=host)

    def test_each_host_serves_its_home_page_and_news_in_its_language(self):
        for municipality, heading in ((self.alvdal, "Nyheter"), (self.avesta, "Nyheter")):
            response = self.get(municipality.site.hostname)
            self.assertContains(response, f'<html lang="{municipality.language}">')
            self.assertContains(response, municipality.site.root_page.title)
            news = NewsPage.objects.live().descendant_of(municipality.site.root_page).first()
            self.assertContains(response, news.title)
            self.assertContains(response, 'href="/nyheter/"')
            response = self.get(municipality.site.hostname, "/nyheter/")
            self.assertContains(response, heading)
            self.assertContains(self.get(municipality.site.hostname, news.url), news.title)

    def test_localhost_shows_the_default_site(self):
        self.assertContains(self.get("localhost"), self.alvdal.site.root_page.title)

    def test_every_public_page_type_renders(self):
        for model in (
            HomePage,
            NewsIndexPage,
            NewsPage,
            PressReleasePage,
            ServicePage,
            StandardPage,
        ):
            page = (
                model.objects.live()
                .descendant_of(self.avesta.site.root_page, inclusive=True)
                .first()
            )
            response = self.get(self.avesta.site.hostname, page.url)
            self.assertEqual(response.status_code, 200, model.__name__)

    def test_governed_page_names_its_unit_and_leader_role(self):
        news = NewsPage.objects.live().descendant_of(self.alvdal.site.root_page).first()
        held = (
            RoleAssignment.objects.active()
            .leaders()
            .get(user=news.responsible_leader, unit=news.owning_unit)
        )
        response = self.get(self.alvdal.site.hostname, news.url)
        # The role in the municipality's own words (Alvdal's profile says "Enhetsleder").
        self.assertContains(
            response, f"{self.alvdal.role_label(held.role)}, {news.owning_unit.name}"
        )

    def test_drafts_are_not_public(self):
        draft = (
            NewsPage.objects.filter(live=False).descendant_of(self.alvdal.site.root_page).first()
        )
        self.assertIsNotNone(draft)
        self.assertNotContains(self.get(self.alvdal.site.hostname, "/nyheter/"), draft.title)

    def test_intranet_is_for_the_municipalitys_staff_only(self):
        intranet = self.alvdal.intranet_page
        notice = InternalNoticePage.objects.live().child_of(intranet).first()
        host = self.alvdal.site.hostname
        for path in (intranet.url, notice.url):
            response = self.get(host, path)
            self.assertEqual(response.status_code, 302, path)
            self.assertIn("/admin/login/", response["Location"])
            self.assertIn("no-store", response["Cache-Control"])
        self.client.login(username="avesta.emma", password=DEMO_PASSWORD)
        self.assertNotEqual(self.get(host, notice.url).status_code, 200)
        self.client.login(username="alvdal.knut", password=DEMO_PASSWORD)
        response = self.get(host, notice.url)
        self.assertContains(response, notice.title)
        self.assertIn("private", response["Cache-Control"])

    def test_intranet_notices_stay_out_of_public_listings(self):
        notice = InternalNoticePage.objects.live().child_of(self.alvdal.intranet_page).first()
        self.assertNotContains(self.get(self.alvdal.site.hostname), notice.title)
        self.assertFalse(Page.objects.live().public().filter(pk=notice.pk).exists())


class PageTreeRulesTests(TestCase):
    def test_parent_child_rules(self):
        load_municipality("alvdal")
        self.assertEqual(InternalNoticePage.allowed_parent_page_models(), [IntranetIndexPage])
        self.assertEqual(set(NewsIndexPage.allowed_subpage_models()), {NewsPage, PressReleasePage})
        self.assertNotIn(InternalNoticePage, HomePage.allowed_subpage_models())
