"""The dashboard in Chromium: each person sees the panels and pages that concern them.

Screenshots of each person's dashboard are kept in ``test-artifacts/dashboard/``.
"""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag

from tests.e2e import ARTIFACTS, ChromiumMixin
from tests.governance import ensure_wagtail_base
from tests.publishing.test_dashboard import dashboard_world

PANELS = {
    "approval": "#governance-awaiting-approval-section",
    "notice": "#governance-held-for-notice-section",
    "review": "#governance-overdue-reviews-section",
    "certificates": "#governance-expiring-certificates-section",
}


@tag("browser")
class DashboardInChromiumTests(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        ensure_wagtail_base()
        dashboard_world(self)
        self.shots = ARTIFACTS / "dashboard"
        self.shots.mkdir(parents=True, exist_ok=True)

    def dashboard(self, user, name):
        """{panel: [row texts]} of the panels ``user`` sees on their dashboard."""
        page, _base = self.signed_in(user)
        page.wait_for_selector("main")
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        seen = {}
        for key, selector in PANELS.items():
            panel = page.locator(selector)
            if panel.count():
                seen[key] = sorted(panel.locator("td.title").all_inner_texts())
        return seen

    def test_each_person_sees_what_waits_for_them(self):
        g = self.g
        held = sorted([self.held_with_notice.title, self.held_without_notice.title])
        cases = [
            (
                "leader",
                g.leader,
                {
                    "approval": ["Nytt bibliotek"],
                    "notice": held,
                    "review": ["Opningstider"],
                    "certificates": ["Sigrid Snart"],
                },
            ),
            (
                "deputy",
                g.deputy,
                {
                    "approval": ["Leiarens eiga side", "Nytt bibliotek"],
                    "notice": held,
                    "review": ["Opningstider"],
                    "certificates": ["Sigrid Snart"],
                },
            ),
            ("publisher", g.publisher, {"notice": held}),
            ("other-municipality-leader", self.o.leader, None),
        ]
        for name, user, expected in cases:
            with self.subTest(name):
                seen = self.dashboard(user, name)
                if expected is None:
                    # Avesta's leader sees Avesta's pages and nothing of Alvdal's.
                    everything = [title for rows in seen.values() for title in rows]
                    self.assertIn(self.avesta_waiting.title, seen.get("approval", []))
                    self.assertIn(self.avesta_overdue.title, seen.get("review", []))
                    for alvdal in ("Nytt bibliotek", "Opningstider", *held):
                        self.assertNotIn(alvdal, everything)
                else:
                    self.assertEqual(seen, expected)
