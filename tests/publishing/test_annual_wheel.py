"""The annual wheel: its geometry on its own, and the admin view with its filters and table."""

import datetime
import re
import unittest
from unittest import mock

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from publishing.models import Audience, CommunicationPlan, Municipality, OrganisationUnit
from publishing.plans import wheel
from publishing.plans.views import PALETTE
from tests.governance import EnglishAdminMixin
from tests.worlds import DemoWorld

D = datetime.date
TODAY = D(2026, 11, 22)


class AngleTests(unittest.TestCase):
    def test_the_year_starts_at_twelve_and_ends_there(self):
        for year in (2026, 2028):
            self.assertEqual(wheel.angle_at_start(D(year, 1, 1)), 0)
            self.assertEqual(wheel.angle_at_end(D(year, 12, 31)), 360)

    def test_a_leap_year_has_smaller_days(self):
        self.assertAlmostEqual(wheel.angle_at_start(D(2027, 7, 1)), 181 / 365 * 360)
        self.assertAlmostEqual(wheel.angle_at_start(D(2028, 7, 1)), 182 / 366 * 360)
        self.assertAlmostEqual(wheel.angle_at_end(D(2028, 2, 29)), 60 / 366 * 360)

    def test_months_fill_the_turn_and_february_grows_in_a_leap_year(self):
        for year in (2027, 2028):
            sectors = wheel.month_sectors(year)
            self.assertEqual([s.month for s in sectors], list(range(1, 13)))
            self.assertEqual(sectors[0].start_angle, 0)
            self.assertEqual(sectors[-1].end_angle, 360)
            for before, after in zip(sectors, sectors[1:], strict=False):
                self.assertAlmostEqual(before.end_angle, after.start_angle)
        february = lambda year: wheel.month_sectors(year)[1]  # noqa: E731
        sweep = lambda s: s.end_angle - s.start_angle  # noqa: E731
        self.assertAlmostEqual(sweep(february(2027)), 28 / 365 * 360)
        self.assertAlmostEqual(sweep(february(2028)), 29 / 366 * 360)

    def test_points_go_clockwise_from_twelve(self):
        self.assertEqual(wheel.point(100, 100, 50, 0), (100, 50))
        self.assertEqual(wheel.point(100, 100, 50, 90), (150, 100))
        self.assertEqual(wheel.point(100, 100, 50, 180), (100, 150))


class ClipTests(unittest.TestCase):
    def test_an_activity_across_new_year_is_clipped_to_each_year(self):
        start, end = D(2026, 12, 28), D(2027, 1, 11)
        in_2026 = wheel.clip_to_year(start, end, 2026)
        self.assertEqual((in_2026.start, in_2026.end), (start, D(2026, 12, 31)))
        self.assertTrue(in_2026.into_next_year)
        self.assertFalse(in_2026.from_previous_year)
        in_2027 = wheel.clip_to_year(start, end, 2027)
        self.assertEqual((in_2027.start, in_2027.end), (D(2027, 1, 1), end))
        self.assertTrue(in_2027.from_previous_year)
        self.assertEqual(in_2027.start_angle, 0)
        self.assertIsNone(wheel.clip_to_year(start, end, 2028))

    def test_an_activity_over_several_years_fills_the_middle_one(self):
        span = wheel.clip_to_year(D(2026, 6, 1), D(2028, 6, 1), 2027)
        self.assertEqual((span.start_angle, span.end_angle), (0, 360))
        self.assertEqual(span.months(), list(range(1, 13)))

    def test_one_day_and_a_missing_or_backwards_end(self):
        for end in (None, D(2027, 3, 1), D(2027, 2, 1)):
            span = wheel.clip_to_year(D(2027, 3, 1), end, 2027)
            self.assertEqual(span.end, D(2027, 3, 1))
            self.assertTrue(span.single_day)

    def test_months_of_a_multi_month_activity(self):
        span = wheel.clip_to_year(D(2027, 3, 10), D(2027, 5, 2), 2027)
        self.assertEqual(span.months(), [3, 4, 5])
        self.assertAlmostEqual(span.end_angle - span.start_angle, 54 / 365 * 360)


class ArcTests(unittest.TestCase):
    def test_narrow_arcs_are_widened_within_the_year(self):
        self.assertEqual(wheel.widened(10, 30), (10, 30))
        start, end = wheel.widened(100, 101)
        self.assertAlmostEqual(end - start, wheel.MIN_ARC_DEGREES)
        self.assertAlmostEqual((start + end) / 2, 100.5)
        self.assertEqual(wheel.widened(359.5, 360), (358, 360))
        self.assertEqual(wheel.widened(0, 0.5), (0, 2))

    def test_sector_paths(self):
        small = wheel.annular_sector(0, 0, 10, 20, 0, 90)
        self.assertTrue(small.startswith("M 0.0 -20.0 A 20 20 0 0 1 20.0 0.0"))
        self.assertIn("A 20 20 0 1 1", wheel.annular_sector(0, 0, 10, 20, 0, 270))
        ring = wheel.annular_sector(0, 0, 10, 20, 0, 360)
        self.assertEqual(ring.count("M "), 2)  # two circles: the ring with its hole

    def test_lanes_keep_overlapping_activities_apart_and_use_as_few_as_possible(self):
        lanes = wheel.assign_lanes([(0, 50), (10, 20), (30, 40), (60, 70), (15, 65)])
        self.assertEqual(lanes, [0, 1, 1, 0, 2])
        self.assertEqual(wheel.assign_lanes([]), [])


class LayoutTests(unittest.TestCase):
    def test_rings_by_key_in_order_lanes_by_overlap_and_the_year_only(self):
        items = [
            ("a", "web", D(2027, 1, 5), D(2027, 2, 5)),
            ("b", "meeting", D(2027, 3, 1), None),
            ("c", "web", D(2027, 1, 20), D(2027, 1, 30)),
            ("d", "web", D(2025, 1, 1), D(2025, 2, 1)),  # another year
            ("e", "meeting", D(2026, 12, 20), D(2027, 1, 3)),  # across new year
        ]
        layout = wheel.layout_wheel(items, 2027, cx=400, cy=400, inner=100, outer=300)
        self.assertEqual([ring.key for ring in layout.rings], ["web", "meeting"])
        web, meeting = layout.rings
        self.assertEqual((web.lanes, meeting.lanes), (2, 1))
        self.assertEqual(web.inner, 100)
        self.assertLessEqual(web.outer, meeting.inner)
        self.assertAlmostEqual(meeting.outer, 300, places=1)
        # Space is shared by lanes: the web ring, with two, is twice as wide.
        self.assertAlmostEqual(web.outer - web.inner, 2 * (meeting.outer - meeting.inner), 1)
        arcs = {arc.item: arc for arc in layout.arcs}
        self.assertEqual(set(arcs), {"a", "b", "c", "e"})
        self.assertNotEqual(arcs["a"].lane, arcs["c"].lane)
        self.assertTrue(arcs["e"].span.from_previous_year)
        self.assertEqual(arcs["e"].start_angle, 0)
        for arc in layout.arcs:
            self.assertGreaterEqual(arc.inner, arc.ring.inner)
            self.assertLessEqual(arc.outer, arc.ring.outer)

    def test_an_empty_year(self):
        layout = wheel.layout_wheel([], 2027, cx=0, cy=0, inner=10, outer=20)
        self.assertEqual((layout.rings, layout.arcs, len(layout.months)), ([], [], 12))


class ColourTests(unittest.TestCase):
    def test_contrast_formula(self):
        self.assertAlmostEqual(wheel.contrast_ratio("#000000", "#ffffff"), 21)
        self.assertAlmostEqual(wheel.contrast_ratio("#777777", "#ffffff"), 4.48, places=2)

    def test_every_ring_colour_stands_out_from_white_and_carries_white_numbers(self):
        for colour in PALETTE:
            self.assertGreaterEqual(wheel.contrast_ratio(colour, "#FFFFFF"), 4.5, colour)


class AnnualWheelViewTests(DemoWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.avesta = Municipality.objects.get(slug="avesta")
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        User = get_user_model()
        cls.linnea = User.objects.get(username="avesta.linnea")
        cls.oskar = User.objects.get(username="avesta.oskar")
        cls.anders = User.objects.get(username="avesta.anders")
        cls.admin = User.objects.get(username="admin")
        cls.url = reverse("publishing:annual_wheel")

    def get(self, user=None, today=TODAY, **params):
        self.login(user or self.linnea)
        with mock.patch("publishing.plans.views.timezone.localdate", return_value=today):
            response = self.client.get(self.url, params)
        self.assertEqual(response.status_code, 200)
        return response

    def activity_ids(self, response):
        """The activities drawn in the SVG and the ones listed in the table, as two lists."""
        html = response.content.decode()
        svg = html[html.index('<svg class="annual-wheel__svg"') : html.index("</svg>\n\n")]
        table = html[html.index('id="wheel-table"') :]
        drawn = re.findall(r'class="wheel-activity" data-activity="(\d+)"', svg)
        listed = re.findall(r'<tr id="activity-\d+" data-activity="(\d+)"', table)
        return [int(pk) for pk in drawn], [int(pk) for pk in listed]

    def titles(self, response):
        return [arc.item.title for arc in response.context["wheel"]["rows"]]

    def test_the_wheel_and_the_table_show_the_same_activities(self):
        response = self.get()
        drawn, listed = self.activity_ids(response)
        self.assertTrue(drawn)
        self.assertEqual(sorted(drawn), sorted(listed))
        self.assertEqual(len(set(listed)), len(listed))
        self.assertEqual(response.context["year"], 2026)
        self.assertEqual(response.context["municipality"], self.avesta)

    def test_the_svg_is_an_image_with_a_summary_and_titles(self):
        response = self.get()
        self.assertContains(response, 'role="img" aria-labelledby="wheel-title wheel-summary"')
        self.assertContains(response, '<title id="wheel-title">Annual wheel 2026 – Avesta kommun')
        self.assertContains(response, "Annual wheel for 2026: 24 activities from 5 plans")
        self.assertContains(response, "Today, November 22, is marked with a dashed line.")
        self.assertContains(response, '<g class="wheel-today">')
        self.assertRegex(
            response.content.decode(),
            r"<title>\d+\. Öppet möte i Avesta – Sept\.\xa022,\xa02026 – Meeting – plan: Samråd "
            r"om översiktsplanen – who: Karin Sundberg – done</title>",
        )
        for month in ("January", "June", "December"):
            self.assertContains(response, f">{month}</text>")

    def test_the_table_has_headers_for_columns_and_rows(self):
        response = self.get()
        for heading in (
            "No.",
            "Month",
            "Dates",
            "Activity",
            "Plan",
            "Channel",
            "Who does it",
            "Audiences",
        ):
            self.assertContains(response, f'<th scope="col">{heading}</th>', html=True)
        self.assertContains(response, '<th scope="row">Brev till brukarna</th>', html=True)

    def test_year_filter_clips_activities_across_new_year(self):
        titles_2027 = self.titles(self.get(year=2027))
        self.assertIn("Påminnelse i sociala medier", titles_2027)  # 28 Dec 2026 - 11 Jan 2027
        self.assertIn("Höstens rekryteringsträff", titles_2027)
        self.assertNotIn("Brev till brukarna", titles_2027)
        self.assertIn("Påminnelse i sociala medier", self.titles(self.get(year=2026)))
        response = self.get(year=2027)
        self.assertContains(response, "January (from 2026)")
        self.assertNotContains(response, '<g class="wheel-today">')

    def test_unit_filter_includes_the_units_below(self):
        home_care = OrganisationUnit.objects.get(municipality=self.avesta, code="hemtjansten")
        sector = OrganisationUnit.objects.get(municipality=self.avesta, code="vard-omsorg")
        plan = CommunicationPlan.objects.get(title="Hemtjänsten delas in i tre områden")
        expected = sorted(
            plan.activities.filter(starts_on__year=2026).values_list("title", flat=True)
        )
        for unit in (home_care, sector):
            with self.subTest(unit=unit.code):
                self.assertEqual(sorted(self.titles(self.get(unit=unit.pk))), expected)
        school = OrganisationUnit.objects.get(municipality=self.avesta, code="centralskolan")
        self.assertEqual(self.titles(self.get(unit=school.pk)), [])
        response = self.get(unit=school.pk)
        self.assertContains(response, "No activities match the filters.")
        self.assertContains(response, "Shown: plans of Centralskolan and the units below it.")

    def test_audience_filter_counts_the_plans_audiences_for_activities_without_their_own(self):
        shortage = Audience.objects.get(municipality=self.avesta, code="medarbetare-bristyrken")
        titles = self.titles(self.get(year=2027, audience=shortage.pk))
        # Own audience:
        self.assertIn("Sommarjobb i vården", titles)
        # No audience of its own; its plan's audiences include the shortage professions:
        self.assertIn("Vårens rekryteringsträff", titles)
        # Another plan, for staff only:
        self.assertNotIn("Utbildning, grupp 1", titles)
        staff = Audience.objects.get(municipality=self.avesta, code="medarbetare")
        staff_titles = self.titles(self.get(year=2027, audience=staff.pk))
        self.assertIn("Utbildning, grupp 1", staff_titles)
        self.assertNotIn("Sommarjobb i vården", staff_titles)

    def test_rings_per_plan(self):
        response = self.get(year=2027, rings="plan")
        labels = [str(ring.label) for ring in response.context["wheel"]["rings"]]
        self.assertEqual(
            sorted(labels),
            sorted(
                CommunicationPlan.objects.filter(
                    municipality=self.avesta, activities__starts_on__year=2027
                )
                .distinct()
                .values_list("title", flat=True)
            ),
        )
        self.assertContains(response, "one ring per plan from the centre outwards")

    def test_filters_offer_only_the_users_municipality_and_refuse_others(self):
        response = self.get()
        form = response.context["form"]
        self.assertEqual(
            set(form.fields["unit"].queryset.values_list("municipality", flat=True)),
            {self.avesta.pk},
        )
        self.assertEqual(
            set(form.fields["audience"].queryset.values_list("municipality", flat=True)),
            {self.avesta.pk},
        )
        alvdal_unit = OrganisationUnit.objects.filter(municipality=self.alvdal).first()
        response = self.get(unit=alvdal_unit.pk, municipality=self.alvdal.pk)
        self.assertEqual(response.context["municipality"], self.avesta)
        self.assertIn("unit", response.context["form"].errors)
        self.assertNotContains(response, "Lengre åpningstid i hjemmetjenesten")

    def test_a_superuser_chooses_the_municipality(self):
        response = self.get(self.admin, municipality=self.alvdal.pk)
        self.assertEqual(response.context["municipality"], self.alvdal)
        self.assertContains(response, "Brev til brukerne")
        self.assertNotContains(response, "Brev till brukarna")

    def test_publishers_read_it_and_plain_staff_do_not(self):
        self.get(self.oskar)
        self.client.force_login(self.anders)
        self.assertNotEqual(self.client.get(self.url).status_code, 200)

    def test_month_names_in_the_users_language(self):
        self.client.force_login(self.linnea)
        with mock.patch("publishing.plans.views.timezone.localdate", return_value=TODAY):
            response = self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="sv")
        self.assertContains(response, ">Januari</text>")
        self.assertContains(response, ">Oktober</text>")
        self.assertContains(response, "I dag, 22 november, är markerat med en streckad linje.")
        silje = get_user_model().objects.get(username="alvdal.silje")
        self.client.force_login(silje)  # the other municipality's communications editor
        with mock.patch("publishing.plans.views.timezone.localdate", return_value=TODAY):
            html = self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
        self.assertIn("I dag, 22. november", html)
        # A month name inside a span of months is written in lower case.
        spans = re.findall(
            r"\b(?:Januar|Februar|Mars|April|Mai|Juni|Juli|August|September|"
            r"Oktober|November|Desember)–(\w+)",
            html,
        )
        self.assertTrue(spans)
        self.assertTrue(all(month == month.lower() for month in spans), spans)

    def test_the_drawing_is_the_same_in_every_language(self):
        # nb, nn and sv write decimals with a comma; SVG needs a point, or the wheel is garbled.
        self.client.force_login(self.linnea)
        geometry = re.compile(r'\b(?:x1|y1|x2|y2|cx|cy|r|x|y|d|points|viewBox|transform)="[^"]*"')
        drawn = {}
        for language in ("en", "nb", "nn", "sv"):
            with (
                translation.override(language),
                mock.patch("publishing.plans.views.timezone.localdate", return_value=TODAY),
            ):
                html = self.client.get(self.url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            start = html.index('<svg class="annual-wheel__svg"')
            drawn[language] = geometry.findall(html[start : html.index("</svg>", start)])
        self.assertGreater(len(drawn["en"]), 100)
        self.assertTrue(any("." in value for value in drawn["en"]))
        for language in ("nb", "nn", "sv"):
            self.assertEqual(drawn[language], drawn["en"], language)

    def test_a_bad_year_is_reported_and_the_current_year_shown(self):
        response = self.get(year="1850")
        self.assertEqual(response.context["year"], 2026)
        self.assertIn("year", response.context["form"].errors)
