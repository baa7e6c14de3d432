"""The citizens' side of both sites: crisis banner, feedback, the governance footer and the
accessibility statement, as citizens, the crisis group and the responsible units use them."""

import datetime
import logging
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from stdnum.no import fodselsnummer
from wagtail.models import ModelLogEntry, PageViewRestriction

from home.models import (
    AccessibilityStatementPage,
    HomePage,
    InternalNoticePage,
    NewsPage,
    ServicePage,
)
from publishing.models import (
    CrisisBanner,
    Deputyship,
    Municipality,
    PageFeedback,
    RoleAssignment,
)
from publishing.models.feedback import COMMENT_MAX_LENGTH
from publishing.models.organisation import OrganisationUnit
from tests.worlds import DemoWorld


def valid_fodselsnummer():
    """A fødselsnummer with correct check digits (born 15 March 1991)."""
    for individual in range(100, 500):
        number = f"150391{individual}"
        for checks in range(100):
            candidate = f"{number}{checks:02d}"
            if fodselsnummer.is_valid(candidate):
                return candidate
    raise AssertionError("no valid number found")


class DemoSitesMixin(DemoWorld):
    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.avesta = Municipality.objects.get(slug="avesta")
        cls.users = {u.username: u for u in get_user_model().objects.all()}

    def setUp(self):
        cache.clear()

    def get(self, municipality, path="/", client=None):
        return (client or self.client).get(path, HTTP_HOST=municipality.site.hostname)

    def news(self, municipality):
        return NewsPage.objects.live().descendant_of(municipality.site.root_page).first()


class CrisisBannerTests(DemoSitesMixin, TestCase):
    def admin_client(self, username):
        client = Client()
        client.force_login(self.users[username])
        return client

    def create_banner(self, client, **fields):
        data = {
            "municipality": self.alvdal.pk,
            "level": "crisis",
            "headline": "Kok drikkevannet",
            "message": "Vannet i Alvdal sentrum må kokes før du drikker det.",
            "active": "on",
            "ends_at": "",
            "link_page": "",
            **fields,
        }
        return client.post(reverse("publishing_crisisbanner_modeladmin_create"), data)

    def test_the_crisis_group_puts_up_a_banner_that_shows_on_every_page_of_its_site(self):
        mayor = self.admin_client("alvdal.marit")  # in Alvdal's crisis group
        # A page seen before the banner goes up is cached; the banner must show anyway.
        self.assertNotContains(self.get(self.alvdal), "Kok drikkevannet")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.create_banner(mayor)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        service = ServicePage.objects.live().descendant_of(self.alvdal.site.root_page).first()
        for path in ("/", self.news(self.alvdal).url, service.url, "/search/?q=vann"):
            page = self.get(self.alvdal, path)
            self.assertContains(page, "Kok drikkevannet", msg_prefix=path)
            self.assertContains(page, "crisis-crisis", msg_prefix=path)
        # Avesta's site is not Alvdal's crisis.
        self.assertNotContains(self.get(self.avesta), "Kok drikkevannet")

    def test_every_change_is_logged_and_taking_it_down_removes_it_at_once(self):
        mayor = self.admin_client("alvdal.marit")
        with self.captureOnCommitCallbacks(execute=True):
            self.create_banner(mayor)
        banner = CrisisBanner.objects.get()
        self.assertEqual(banner.updated_by, self.users["alvdal.marit"])
        self.assertContains(self.get(self.alvdal), "Kok drikkevannet")
        with self.captureOnCommitCallbacks(execute=True):
            response = mayor.post(
                reverse("publishing_crisisbanner_modeladmin_edit", args=[banner.pk]),
                {
                    "municipality": self.alvdal.pk,
                    "level": "crisis",
                    "headline": "Kok drikkevannet",
                    "message": "Faren er over.",
                    "ends_at": "",
                    "link_page": "",
                },  # "active" unticked: taken down
            )
        self.assertEqual(response.status_code, 302)
        self.assertNotContains(self.get(self.alvdal), "Kok drikkevannet")
        actions = list(
            ModelLogEntry.objects.filter(object_id=str(banner.pk)).values_list(
                "action", "user__username"
            )
        )
        self.assertIn(("wagtail.create", "alvdal.marit"), actions)
        self.assertIn(("wagtail.edit", "alvdal.marit"), actions)

    def test_people_outside_the_crisis_group_cannot_set_a_banner(self):
        publisher = self.admin_client("alvdal.lars")  # publisher, not in the crisis group
        response = self.create_banner(publisher)
        self.assertIn(response.status_code, (302, 403))
        self.assertFalse(CrisisBanner.objects.exists())
        # Nor can Avesta's crisis group reach Alvdal's site.
        avesta_crisis = next(
            u
            for u in self.users.values()
            if u.groups.filter(pk=self.avesta.crisis_group_id).exists()
        )
        client = Client()
        client.force_login(avesta_crisis)
        response = self.create_banner(client)
        self.assertEqual(response.status_code, 200)  # the form again, with an error
        self.assertFalse(CrisisBanner.objects.exists())

    def test_an_expired_banner_is_gone_without_anyone_taking_it_down(self):
        CrisisBanner.objects.create(
            municipality=self.alvdal,
            level="warning",
            headline="Stengt vei",
            message="Fylkesvei 29 er stengt.",
            ends_at=timezone.now() + datetime.timedelta(hours=1),
        )
        self.assertContains(self.get(self.alvdal), "Stengt vei")
        # Two hours on, the cached copy still holds the banner, with its end: not shown past it.
        later = timezone.now() + datetime.timedelta(hours=2)
        with mock.patch("publishing.citizens.sites.timezone.now", return_value=later):
            self.assertNotContains(self.get(self.alvdal), "Stengt vei")

    def test_a_linked_page_that_is_no_longer_public_is_not_named(self):
        service = ServicePage.objects.live().descendant_of(self.alvdal.site.root_page).first()
        CrisisBanner.objects.create(
            municipality=self.alvdal,
            headline="Stengt vei",
            message="Fylkesvei 29 er stengt.",
            link_page=service,
        )
        self.assertContains(self.get(self.alvdal), f'href="{service.url}"')
        cache.clear()
        PageViewRestriction.objects.create(page=service, restriction_type="login")
        response = self.get(self.alvdal)
        self.assertContains(response, "Stengt vei")
        self.assertNotContains(response, service.title)

    def test_the_banner_cannot_link_into_the_intranet(self):
        mayor = self.admin_client("alvdal.marit")
        notice = InternalNoticePage.objects.live().child_of(self.alvdal.intranet_page).first()
        response = self.create_banner(mayor, link_page=notice.pk)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(CrisisBanner.objects.exists())


class FeedbackTests(DemoSitesMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.page = self.news(self.alvdal)
        self.url = reverse("feedback", args=[self.page.pk])

    def post(self, data, client=None):
        return (client or self.client).post(self.url, data, HTTP_HOST=self.alvdal.site.hostname)

    def test_every_public_page_asks_and_the_answer_reaches_the_responsible_unit(self):
        page = self.get(self.alvdal, self.page.url)
        self.assertContains(page, f'action="{self.url}"')
        form = self.get(self.alvdal, self.url + "?found=no")
        self.assertContains(
            form, '<input type="radio" name="found" value="no" id="id_found_1" checked>', html=True
        )
        self.assertEqual(form["Cache-Control"].count("no-store") >= 1, True)
        response = self.post({"found": "no", "comment": "Jeg fant ikke åpningstidene."})
        self.assertRedirects(
            response, reverse("feedback_thanks", args=[self.page.pk]), fetch_redirect_response=False
        )
        item = PageFeedback.objects.get()
        self.assertEqual(item.page_id, self.page.pk)
        self.assertEqual(item.unit_id, self.page.owning_unit_id)
        self.assertIs(item.found, False)

    def test_personal_data_is_masked_before_it_is_stored_and_never_logged(self):
        number = valid_fodselsnummer()
        comment = (
            f"Min mor har fødselsnummer {number}. Ring meg på 912 34 567 "
            "eller skriv til kari.nordmann@example.org."
        )
        with self.assertLogs("publishing.citizens.feedback", logging.INFO) as logs:
            self.post({"found": "no", "comment": comment})
        stored = PageFeedback.objects.get()
        for value in (number, "912 34 567", "kari.nordmann@example.org"):
            self.assertNotIn(value, stored.comment)
            self.assertNotIn(value, "\n".join(logs.output))
        self.assertIn("Min mor har fødselsnummer", stored.comment)
        self.assertIn("national_id", stored.masked)
        self.assertIn("phone", stored.masked)
        self.assertIn("email", stored.masked)

    def test_a_number_pasted_with_invisible_characters_is_masked_too(self):
        number = valid_fodselsnummer()
        for separator in ("\u00a0", "\u202f", "\u200b", "\u00ad", "\u2011"):
            PageFeedback.objects.all().delete()
            written = number[:6] + separator + number[6:]
            self.post({"found": "no", "comment": f"Fødselsnummeret mitt er {written}."})
            stored = PageFeedback.objects.get()
            self.assertFalse([c for c in stored.comment if c.isdigit()], repr(separator))
            self.assertIn("national_id", stored.masked)

    def test_markup_is_removed_with_nh3(self):
        self.post({"comment": '<script>alert("x")</script><b>Fin side</b> <a href="x">lenke</a>'})
        self.assertEqual(PageFeedback.objects.get().comment, "Fin side lenke")

    def test_a_no_without_a_comment_gets_a_clear_error_and_keeps_the_answer(self):
        for found in ("no", ""):
            response = self.post({"found": found, "comment": "   "})
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, "Skriv en kommentar", status_code=400)
        self.assertContains(
            self.post({"found": "no", "comment": ""}),
            '<input type="radio" name="found" value="no" id="id_found_1" checked>',
            html=True,
            status_code=400,
        )
        self.assertFalse(PageFeedback.objects.exists())

    def test_a_yes_may_come_without_a_comment(self):
        response = self.post({"found": "yes", "comment": "  "})
        self.assertEqual(response.status_code, 302)
        stored = PageFeedback.objects.get()
        self.assertTrue(stored.found)
        self.assertEqual(stored.comment, "")

    def test_an_oversized_comment_gets_a_clear_error_and_the_text_is_kept(self):
        text = "Lang tekst om åpningstider. " * 60
        response = self.post({"found": "no", "comment": text})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, str(len(text.strip())), status_code=400)
        self.assertContains(response, str(COMMENT_MAX_LENGTH), status_code=400)
        self.assertContains(response, text.strip()[:200], status_code=400)
        self.assertFalse(PageFeedback.objects.exists())

    def test_csrf_is_checked(self):
        client = Client(enforce_csrf_checks=True)
        response = self.post({"comment": "Hei"}, client=client)
        self.assertEqual(response.status_code, 403)
        form = client.get(self.url, HTTP_HOST=self.alvdal.site.hostname)
        token = form.context["csrf_token"]
        response = self.post({"comment": "Hei", "csrfmiddlewaretoken": token}, client=client)
        self.assertEqual(response.status_code, 302)

    def test_a_refused_token_gives_the_form_back_with_the_text(self):
        client = Client(enforce_csrf_checks=True)
        response = self.post({"found": "no", "comment": "Teksten min"}, client=client)
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Teksten min", status_code=403)
        self.assertContains(response, "csrfmiddlewaretoken", status_code=403)
        self.assertIn("no-store", response["Cache-Control"])

    @override_settings(PUBLISHING_FEEDBACK_RATE_LIMIT=(1, 600), PUBLISHING_TRUSTED_PROXIES=1)
    def test_behind_a_proxy_each_citizen_has_their_own_allowance(self):
        def post(forwarded, comment):
            return self.client.post(
                self.url,
                {"comment": comment},
                HTTP_HOST=self.alvdal.site.hostname,
                REMOTE_ADDR="10.0.0.1",  # the proxy
                HTTP_X_FORWARDED_FOR=forwarded,
            )

        self.assertEqual(post("203.0.113.5", "Første").status_code, 302)
        self.assertEqual(post("203.0.113.6", "Andre").status_code, 302)
        # A forged left part does not buy a new allowance: the proxy's own entry counts.
        self.assertEqual(post("1.2.3.4, 203.0.113.5", "Tredje").status_code, 429)

    @override_settings(PUBLISHING_FEEDBACK_RATE_LIMIT=(1, 600))
    def test_refused_answers_do_not_use_up_the_allowance(self):
        self.assertEqual(self.post({"comment": ""}).status_code, 400)
        self.assertEqual(self.post({"comment": "Nå med tekst"}).status_code, 302)

    @override_settings(PUBLISHING_FEEDBACK_RATE_LIMIT=(2, 600))
    def test_a_client_sending_too_many_answers_is_told_to_wait_and_keeps_the_text(self):
        for i in range(2):
            self.assertEqual(self.post({"comment": f"Svar {i}"}).status_code, 302)
        response = self.post({"comment": "Et tredje svar"})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Et tredje svar", status_code=429)
        self.assertContains(response, "Vent noen minutter", status_code=429)
        self.assertEqual(PageFeedback.objects.count(), 2)
        # Another client is not held back.
        other = self.client.post(
            self.url,
            {"comment": "Hei"},
            HTTP_HOST=self.alvdal.site.hostname,
            REMOTE_ADDR="10.0.0.9",
        )
        self.assertEqual(other.status_code, 302)

    def test_intranet_pages_and_other_sites_pages_take_no_feedback(self):
        notice = InternalNoticePage.objects.live().child_of(self.alvdal.intranet_page).first()
        self.assertNotContains(
            self.get(self.alvdal, notice.url, client=self._staff_client()), 'action="/feedback/'
        )
        self.assertEqual(
            self.get(self.alvdal, reverse("feedback", args=[notice.pk])).status_code, 404
        )
        self.assertEqual(self.get(self.avesta, self.url).status_code, 404)

    def _staff_client(self):
        client = Client()
        client.force_login(self.users["alvdal.lars"])
        return client

    def test_the_answer_is_routed_to_the_units_leaders_in_the_admin(self):
        self.post({"found": "no", "comment": "Jeg savner kveldsåpent."})
        item = PageFeedback.objects.get()
        index = reverse("publishing_pagefeedback_modeladmin_index")
        unit = OrganisationUnit.objects.get(pk=item.unit_id)

        def sees(username):
            client = Client()
            client.force_login(self.users[username])
            return "Jeg savner kveldsåpent." in client.get(index).content.decode()

        leaders_here = {
            a.user.username
            for u in unit.line()
            for a in u.role_assignments.all()
            if a.role in ("unit_head", "sector_head", "chief_executive", "mayor")
        }
        self.assertTrue(leaders_here)
        for username in leaders_here:
            self.assertTrue(sees(username), username)
        self.assertTrue(sees("alvdal.silje"))  # communications group: all of Alvdal's
        self.assertFalse(sees("alvdal.lars"))  # a publisher in another unit
        # A deputy standing in for the unit's head sees what the head sees.
        head = RoleAssignment.objects.filter(unit=unit, role="unit_head").first()
        if head is not None:
            deputy = get_user_model().objects.create_user("stedfortreder", password="pw")
            deputy.groups.add(self.alvdal.leaders_group)  # may use the admin, leads nothing
            Deputyship.objects.create(
                assignment=head,
                deputy=deputy,
                starts_on=timezone.localdate(),
                ends_on=timezone.localdate(),
            )
            self.users["stedfortreder"] = deputy
            self.assertTrue(sees("stedfortreder"))
        avesta_comms = next(
            u.username
            for u in self.users.values()
            if u.groups.filter(pk=self.avesta.communications_group_id).exists()
        )
        self.assertFalse(sees(avesta_comms))

    def test_unhandled_feedback_waits_on_the_leaders_dashboard_until_handled(self):
        self.post({"found": "no", "comment": "Åpningstidene mangler for helgen."})
        item = PageFeedback.objects.get()
        leader = Client()
        leader.force_login(self.page.responsible_leader)
        self.assertContains(leader.get(reverse("wagtailadmin_home")), "Åpningstidene mangler")
        response = leader.post(
            reverse("publishing_pagefeedback_modeladmin_edit", args=[item.pk]),
            {"handled": "on", "handled_note": "Lagt inn helgeåpent."},
        )
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertTrue(item.handled)
        self.assertEqual(item.handled_by, self.page.responsible_leader)
        self.assertNotContains(leader.get(reverse("wagtailadmin_home")), "Åpningstidene mangler")


class FooterAndStatementTests(DemoSitesMixin, TestCase):
    def test_governed_pages_say_who_answers_published_updated_and_contact(self):
        for municipality in (self.alvdal, self.avesta):
            news = self.news(municipality)
            response = self.get(municipality, news.url)
            self.assertContains(response, news.owning_unit.name)
            self.assertContains(response, news.first_published_at.date().isoformat())
            phone = next(p for p in municipality.contact_points if p["kind"] == "phone")
            self.assertContains(response, phone["value"])

    def test_a_renamed_unit_is_named_anew_without_republishing(self):
        news = self.news(self.alvdal)
        unit = news.owning_unit
        unit.name = "Hjemmebaserte tjenester"
        unit.save()
        self.assertContains(self.get(self.alvdal, news.url), "Hjemmebaserte tjenester")
        news.refresh_from_db()
        self.assertFalse(news.has_unpublished_changes)

    def test_the_daily_refresh_fills_a_missing_or_stale_credit(self):
        news = self.news(self.alvdal)
        NewsPage.objects.filter(pk=news.pk).update(public_credit={})  # as before the migration
        self.assertNotContains(self.get(self.alvdal, news.url), f"{news.owning_unit.name}</dd>")
        call_command("refresh_public_credits", stdout=open("/dev/null", "w"))
        self.assertContains(self.get(self.alvdal, news.url), f", {news.owning_unit.name}</dd>")

    def test_each_site_links_its_accessibility_statement_from_every_page(self):
        for municipality, enforcement in (
            (self.alvdal, "https://www.uutilsynet.no/"),
            (self.avesta, "https://www.digg.se/tdosanmalan"),
        ):
            statement = (
                AccessibilityStatementPage.objects.live()
                .descendant_of(municipality.site.root_page)
                .get()
            )
            for path in ("/", self.news(municipality).url, "/search/"):
                self.assertContains(self.get(municipality, path), f'href="{statement.url}"')
            response = self.get(municipality, statement.url)
            self.assertContains(response, enforcement)
            self.assertContains(response, "WCAG 2.1")
        self.assertContains(
            self.get(
                self.alvdal,
                AccessibilityStatementPage.objects.get(
                    locale__language_code__isnull=False, title__startswith="Tilgjengelighet"
                ).url,
            ),
            "uustatus.no",
        )

    def test_not_found_is_the_sites_own_page_in_its_language(self):
        response = self.get(self.avesta, "/finns-inte/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, '<html lang="sv">', status_code=404)
        self.assertContains(response, "Sidan hittades inte", status_code=404)
        self.assertContains(response, 'href="/search/"', status_code=404)

    def test_home_page_has_news_services_and_contact(self):
        home = HomePage.objects.get(pk=self.avesta.site.root_page_id)
        response = self.get(self.avesta)
        self.assertContains(response, home.title)
        self.assertContains(response, "kommun@avesta.se")
        self.assertContains(response, self.news(self.avesta).title)


class PressReleaseTests(DemoSitesMixin, TestCase):
    def test_readers_see_whom_to_contact_not_the_internal_statement_level(self):
        from home.models import PressReleasePage

        for release in PressReleasePage.objects.live().exclude(spokesperson=None):
            site = release.get_site()
            response = self.client.get(release.url, HTTP_HOST=site.hostname)
            self.assertEqual(response.status_code, 200)
            html = response.content.decode()
            for level in ("Political", "Strategic", "Own unit", "Politisk", "Strategisk"):
                self.assertNotIn(f"({level}", html)
            self.assertRegex(html, r"Kontakt: [^<]+ – [^<]+, [^<]+</p>")

    def test_the_contact_is_stored_with_the_page_and_follows_a_new_role(self):
        from home.models import PressReleasePage
        from publishing.models import Role, RoleAssignment

        release = PressReleasePage.objects.live().exclude(spokesperson=None).first()
        person = release.spokesperson
        self.assertEqual(release.public_credit["spokesperson"]["name"], person.get_full_name())
        site = release.get_site()
        # The role is read when the page is saved, not each time a citizen reads it.
        with CaptureQueriesContext(connection) as queries:
            self.client.get(release.url, HTTP_HOST=site.hostname)
        self.assertFalse([q for q in queries if "publishing_roleassignment" in q["sql"]])
        # A new role is credited on the page at once (not only at its next save).
        RoleAssignment.objects.filter(user=person).delete()
        unit = release.owning_unit
        RoleAssignment.objects.create(user=person, unit=unit, role=Role.UNIT_HEAD)
        release.refresh_from_db()
        self.assertEqual(release.public_credit["spokesperson"]["unit"], unit.name)
        html = self.client.get(release.url, HTTP_HOST=site.hostname).content.decode()
        self.assertIn(f"{person.get_full_name()} – ", html)
        self.assertIn(f", {unit.name}</p>", html)


class SmallScreenTextTests(DemoSitesMixin, TestCase):
    def test_the_home_page_title_names_the_municipality_once(self):
        for host, name in (
            ("alvdal.localhost", "Alvdal kommune"),
            ("avesta.localhost", "Avesta kommun"),
        ):
            html = self.client.get("/", HTTP_HOST=host).content.decode()
            self.assertIn(f"<title>{name}</title>", html)

    def test_postcodes_and_phone_numbers_do_not_break_across_lines(self):
        html = self.client.get("/", HTTP_HOST="avesta.localhost").content.decode()
        self.assertIn("774\u00a081", html)
        self.assertIn("64\u00a050\u00a000", html)
        self.assertIn('href="tel:0226-645000"', html)

    def test_a_search_without_hits_says_what_to_try(self):
        response = self.client.get("/search/", {"q": "xqzywv"}, HTTP_HOST="alvdal.localhost")
        self.assertContains(response, "Sjekk skrivemåten")
