"""The responsible-leader picker in Chromium: search by name, role or unit, and the owning unit's
line first when the unit changes, in bokmål."""

import io

from django.contrib.auth import get_user_model
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from django.test import tag
from django.urls import reverse

from home.demo import DEMO_PASSWORD
from home.models import ServicePage
from publishing.models import OrganisationUnit
from tests.e2e import ARTIFACTS, ChromiumMixin
from tests.governance import ensure_wagtail_base


@tag("browser")
class LeaderPickerInChromiumTests(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        super().setUp()
        ensure_wagtail_base()
        call_command("load_demo", quiet_logins=True, stdout=io.StringIO())

    def test_search_and_the_units_line_first(self):
        silje = get_user_model().objects.get(username="alvdal.silje")
        home_care = OrganisationUnit.objects.get(
            municipality__slug="alvdal", name="Hjemmetjenesten"
        )
        page = ServicePage.objects.filter(owning_unit=home_care).first()
        browser, base = self.signed_in(silje, password=DEMO_PASSWORD, language="nb")
        browser.goto(base + reverse("wagtailadmin_pages:edit", args=[page.pk]))
        browser.get_by_role("tab", name="Styring").click()
        select = browser.locator("#id_responsible_leader")
        search = browser.locator("#id_responsible_leader-search")
        search.wait_for()
        groups = select.locator("optgroup")
        self.assertEqual(groups.first.get_attribute("label"), "Ledere i linjen til Hjemmetjenesten")

        # Typing narrows the list; Enter takes the first match and keeps the page unsent.
        search.fill("oppvekst")
        shown = select.locator("option:not([hidden])").all_inner_texts()
        self.assertIn("Eirik Haugen – Kommunalsjef, Oppvekst", shown)
        self.assertNotIn("Jon Tangen – Enhetsleder, Servicetorget", shown)
        search.press("Enter")
        self.assertEqual(
            select.locator("option:checked").inner_text(), "Eirik Haugen – Kommunalsjef, Oppvekst"
        )
        search.fill("ingen slik leder")
        self.assertIn(
            "Ingen ledere passer til søket.", browser.locator("[data-leader-status]").inner_text()
        )
        search.fill("")

        # Another owning unit puts its line first, nearest leader first.
        school = OrganisationUnit.objects.get(municipality__slug="alvdal", name="Alvdal barneskole")
        browser.select_option("#id_owning_unit", value=str(school.pk))
        self.assertEqual(
            groups.first.get_attribute("label"), "Ledere i linjen til Alvdal barneskole"
        )
        first_line = groups.first.locator("option").all_inner_texts()
        self.assertEqual(first_line[0], "Per Aasen – Enhetsleder, Alvdal barneskole")
        self.assertEqual(first_line[1], "Eirik Haugen – Kommunalsjef, Oppvekst")
        self.assertEqual(
            select.locator("option:checked").inner_text(), "Eirik Haugen – Kommunalsjef, Oppvekst"
        )
        shots = ARTIFACTS / "leader-picker"
        shots.mkdir(parents=True, exist_ok=True)
        browser.screenshot(path=str(shots / "picker.png"), full_page=True)
