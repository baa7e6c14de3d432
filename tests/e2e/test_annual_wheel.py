"""The annual wheel in Chromium, in Swedish: the wheel and its table list the same activities.

The screenshot is kept in ``test-artifacts/annual-wheel/``; with ``UPDATE_DOCS_SCREENSHOTS=1``
it also replaces the README's picture in ``docs/screenshots/annual-wheel.png``.
"""

import os
import re

from django.contrib.auth import get_user_model
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from django.test import tag
from django.utils import translation
from wagtail.users.models import UserProfile

from home.demo import DEMO_PASSWORD
from publishing.models import Municipality
from publishing.plans.views import activities_in_year
from tests.e2e import ARTIFACTS, ChromiumMixin, keep_screenshot
from tests.governance import ensure_wagtail_base


@tag("browser")
class AnnualWheelBrowserTests(ChromiumMixin, StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shots = ARTIFACTS / "annual-wheel"
        cls.shots.mkdir(parents=True, exist_ok=True)

    def setUp(self):
        ensure_wagtail_base()
        call_command("load_demo", quiet_logins=True, stdout=open(os.devnull, "w"))
        self.user = get_user_model().objects.get(username="avesta.linnea")
        profile = UserProfile.get_for_user(self.user)
        profile.preferred_language = "sv"  # Avesta's language, as the README shows it
        profile.save()
        # Tall enough for the wheel, its key and the start of the table, since the admin
        # scrolls inside its own panel and a full-page screenshot stops at the window.
        self.context = self.browser.new_context(
            viewport={"width": 1480, "height": 1500}, locale="sv"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto(f"{self.live_server_url}/admin/login/")
        self.page.fill("#id_username", self.user.username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/admin/")

    def tearDown(self):
        self.context.close()

    def drawn_and_listed(self):
        page = self.page
        drawn = page.locator("svg.annual-wheel__svg g.wheel-activity")
        listed = page.locator("#wheel-table tbody tr[data-activity]")
        drawn_ids = [drawn.nth(i).get_attribute("data-activity") for i in range(drawn.count())]
        listed_ids = [listed.nth(i).get_attribute("data-activity") for i in range(listed.count())]
        return drawn, drawn_ids, listed_ids

    def test_wheel_and_table_list_the_same_activities(self):
        page = self.page
        page.goto(f"{self.live_server_url}/admin/publishing/annual-wheel/?year=2026")
        with translation.override("sv"):
            title = translation.gettext("Annual wheel %(year)s") % {"year": 2026}
            count = translation.ngettext(
                "%(counter)s activity", "%(counter)s activities", 2
            ).replace("%(counter)s", "")
            show = translation.gettext("Show")
        self.assertNotIn("Annual", title)
        wheel = page.get_by_role("img", name=re.compile(re.escape(f"{title} – Avesta kommun")))
        wheel.wait_for()
        drawn, drawn_ids, listed_ids = self.drawn_and_listed()
        avesta = Municipality.objects.get(slug="avesta")
        expected = sorted(str(a.pk) for a in activities_in_year(avesta, 2026))
        self.assertEqual(sorted(drawn_ids), expected)
        self.assertEqual(sorted(listed_ids), expected)
        # Every mark names its activity, and its number points to the table row.
        for i in range(drawn.count()):
            group = drawn.nth(i)
            title = group.locator("title").text_content()
            number = group.get_attribute("data-number")
            row = page.locator(f"#activity-{number}")
            self.assertEqual(
                row.get_attribute("data-activity"), group.get_attribute("data-activity")
            )
            self.assertIn(row.locator("th").inner_text().strip(), title)
        self.assertIn(f"{len(expected)}{count}", page.locator(".wheel-hub").text_content())
        keep_screenshot(page, "annual-wheel", "annual-wheel.png")

        # Filtering by audience keeps the wheel and the table in step, without any script.
        page.select_option("#id_audience", label="Medarbetare")
        page.get_by_role("button", name=show).click()
        page.wait_for_url(re.compile(r"audience=\d+"))
        _drawn, drawn_ids, listed_ids = self.drawn_and_listed()
        self.assertTrue(0 < len(drawn_ids) < len(expected))
        self.assertEqual(sorted(drawn_ids), sorted(listed_ids))
        page.screenshot(path=str(self.shots / "annual-wheel-staff.png"))
