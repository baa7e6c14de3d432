"""Exporting a period of the archive in the admin (``publishing.archive.export_views``): a
records officer without a shell downloads the package ``manage.py export_archive`` writes, for a
month or from one day to another, of their own municipality only; a tampered file gives the form
again with the reason instead of half a package."""

import datetime
import io
import zipfile
import zoneinfo

import time_machine
from defusedxml import ElementTree
from django.urls import reverse

from publishing.archive import export
from publishing.archive.export_views import last_month
from publishing.models import Municipality
from tests.factories import UserFactory, load_municipality
from tests.publishing.archive_files import read_file
from tests.publishing.test_archive_export import NS, ExportTestCase, month_after

URL = reverse("publishing_archive:export")


class ExportAdminTestCase(ExportTestCase):
    """The export test's world (Alvdal's captures 1 to 5 around month M; 2, 3 and 4 in it),
    with Avesta and its communications editor beside it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.avesta = load_municipality("avesta")
        cls.avesta_editor = UserFactory(username="avesta-editor")
        cls.avesta_editor.groups.add(cls.avesta.communications_group, cls.avesta.staff_group)

    def setUp(self):
        super().setUp()
        self.login(self.g.editor)

    def month(self):
        return f"{self.first_day:%Y-%m}"

    def last_day(self):
        return self.next_first_day - datetime.timedelta(days=1)

    def post(self, **data):
        return self.client.post(URL, {"municipality": "alvdal", **data})

    def downloaded(self, response):
        """The package in ``response``, after checking that it is one."""
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        content = b"".join(response.streaming_content)
        self.assertEqual(int(response["Content-Length"]), len(content))
        package = zipfile.ZipFile(io.BytesIO(content))
        self.assertIsNone(package.testzip())
        return package

    def sequences(self, package):
        root = ElementTree.fromstring(package.read("manifest.xml"))
        return [entry.get("sequence") for entry in root.findall("a:captures/a:capture", NS)]


class DownloadTests(ExportAdminTestCase):
    def test_the_page_explains_the_package_and_offers_last_month(self):
        today = datetime.datetime(2026, 3, 14, 12, tzinfo=datetime.UTC)
        with time_machine.travel(today, tick=False):
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "publishing/archive/export.html")
        self.assertContains(response, "The package is a ZIP file for the records system")
        self.assertContains(response, "README.txt")
        self.assertNotContains(response, "docs/archive.md")
        # Last month is preselected; the user's one municipality is given, not chosen.
        self.assertContains(response, 'name="month" value="2026-02"')
        self.assertContains(response, 'type="hidden" name="municipality" value="alvdal"')
        self.assertContains(response, self.g.municipality.name)
        self.assertContains(response, "Europe/Oslo")

    def test_a_month_downloads_the_package_of_its_captures(self):
        response = self.post(month=self.month())
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="alvdal-archive-{self.month()}.zip"',
        )
        package = self.downloaded(response)
        self.assertEqual(self.sequences(package), ["2", "3", "4"])
        root = ElementTree.fromstring(package.read("manifest.xml"))
        period = root.find("a:period", NS)
        self.assertEqual(period.get("start"), export.utc(self.start))
        self.assertEqual(period.get("end"), export.utc(self.end))
        capture = self.capture(3)
        self.assertEqual(
            package.read(f"warc/{capture.warc_name.rsplit('/', 1)[-1]}"),
            read_file(capture.warc_name),
        )
        self.assertIn("sha256sums.txt", package.namelist())

    def test_from_and_to_are_whole_days_to_included(self):
        response = self.post(first_day=f"{self.first_day}", last_day=f"{self.last_day()}")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="alvdal-archive-{self.first_day}_{self.last_day()}.zip"',
        )
        self.assertEqual(self.sequences(self.downloaded(response)), ["2", "3", "4"])
        # One day: the first, whose midnight B was published at.
        response = self.post(first_day=f"{self.first_day}", last_day=f"{self.first_day}")
        self.assertEqual(self.sequences(self.downloaded(response)), ["2"])

    def test_a_period_in_the_future_is_an_empty_package(self):
        later = month_after(self.first_day, 6)
        package = self.downloaded(self.post(month=f"{later:%Y-%m}"))
        self.assertEqual(self.sequences(package), [])
        root = ElementTree.fromstring(package.read("manifest.xml"))
        self.assertEqual(root.find("a:chain", NS).get("headDigest"), self.capture(5).digest)

    def test_a_month_and_its_days_are_the_same_period(self):
        zone = export.time_zone_of("alvdal")
        self.assertEqual(zone, "Europe/Oslo")
        self.assertEqual(export.period_of(month=self.first_day, zone=zone), (self.start, self.end))
        self.assertEqual(
            export.period_of(first=self.first_day, last=self.last_day(), zone=zone),
            (self.start, self.end),
        )

    def test_the_days_and_times_are_the_municipalitys_own(self):
        # Alvdal as if it were Finnish: its days begin an hour before Oslo's.
        Municipality.objects.filter(slug="alvdal").update(country="FI")
        helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")
        start = datetime.datetime.combine(self.first_day, datetime.time.min, tzinfo=helsinki)
        self.assertEqual(start, self.start - datetime.timedelta(hours=1))
        self.assertContains(self.client.get(URL), "Europe/Helsinki")
        package = self.downloaded(self.post(month=self.month()))
        period = ElementTree.fromstring(package.read("manifest.xml")).find("a:period", NS)
        self.assertEqual(period.get("start"), export.utc(start))
        self.assertEqual(period.get("timeZone"), "Europe/Helsinki")
        self.assertIn("Europe/Helsinki", package.read("README.txt").decode())
        # Avesta's records officer reads Swedish time, named as such.
        self.assertEqual(self.avesta.time_zone, "Europe/Stockholm")
        self.login(self.avesta_editor)
        response = self.client.get(URL)
        self.assertContains(response, "Europe/Stockholm")
        self.assertNotContains(response, "Europe/Oslo")


class BadInputTests(ExportAdminTestCase):
    def assertRefused(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "publishing/archive/export.html")
        self.assertFalse(response.has_header("Content-Disposition"))
        self.assertContains(response, message)

    def test_a_month_and_days_together_are_refused_and_the_values_kept(self):
        response = self.post(month="2026-03", first_day="2026-03-02", last_day="2026-03-05")
        self.assertRefused(response, "Give either a month or a first and last day, not both")
        self.assertContains(response, 'value="2026-03"')
        self.assertContains(response, 'value="2026-03-02"')
        self.assertContains(response, 'value="2026-03-05"')

    def test_days_typed_beside_the_month_filled_in_for_her_are_what_she_means(self):
        default = last_month().strftime("%Y-%m")
        response = self.post(month=default, first_day="2026-03-02", last_day="2026-03-05")
        self.assertEqual(response.status_code, 200)
        self.assertIn("2026-03-02_2026-03-05", response["Content-Disposition"])

    def test_an_end_before_the_start_is_refused_on_the_last_day(self):
        response = self.post(first_day="2026-03-05", last_day="2026-03-02")
        self.assertRefused(response, "The period ends (2026-03-02) before it starts (2026-03-05).")
        self.assertEqual(
            response.context["form"].errors["last_day"],
            ["The period ends (2026-03-02) before it starts (2026-03-05)."],
        )
        self.assertContains(response, 'value="2026-03-05"')

    def test_other_mistakes_are_named(self):
        cases = [
            ({"month": "2026-13"}, "Give the month as YYYY-MM, for example 2026-03.", "month"),
            ({"first_day": "2026-03-01"}, "Give both the first and the last day", "last_day"),
            ({"last_day": "2026-03-01"}, "Give both the first and the last day", "first_day"),
            ({}, "Give the period: a month, or a first and last day.", "__all__"),
            ({"month": "9999-12"}, "end before 31 December 9999", "__all__"),
            ({"first_day": "2026-02-30", "last_day": "2026-03-01"}, "valid date", "first_day"),
        ]
        for data, message, field in cases:
            with self.subTest(data):
                response = self.post(**data)
                self.assertRefused(response, message)
                self.assertIn(field, response.context["form"].errors)
                for value in data.values():
                    self.assertContains(response, f'value="{value}"')

    def test_a_tampered_file_gives_the_form_again_with_the_reason(self):
        capture = self.capture(3)
        content = bytearray(read_file(capture.warc_name))
        content[len(content) // 2] ^= 0x01
        self.tamper(capture.warc_name, bytes(content))
        with self.assertLogs("publishing.archive.export_views", "ERROR") as logs:
            response = self.post(month=self.month())
        self.assertRefused(response, "capture 3")
        self.assertContains(response, "Nyhet B")
        self.assertContains(response, "verify_archive")
        self.assertContains(response, 'role="alert"')
        self.assertContains(response, f'value="{self.month()}"')
        # The log names the municipality and period, not the page or the people.
        self.assertIn("alvdal", logs.output[0])
        self.assertNotIn("Nyhet B", logs.output[0])
        self.assertNotIn(self.g.editor.username, logs.output[0])


class WhoMayExportTests(ExportAdminTestCase):
    def test_the_archive_s_index_offers_the_export(self):
        response = self.client.get(reverse("publishing_archive:index"))
        self.assertContains(response, f'href="{URL}"')
        self.assertContains(response, "Export a period")

    def test_another_municipality_s_archive_cannot_be_exported(self):
        self.login(self.avesta_editor)
        response = self.client.get(URL)
        self.assertContains(response, 'type="hidden" name="municipality" value="avesta"')
        response = self.post(month=self.month())
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.has_header("Content-Disposition"))
        self.assertIn("municipality", response.context["form"].errors)
        self.assertContains(response, "Select a valid choice")
        # Their own archive, for the same month, is theirs to export (and empty).
        response = self.client.post(URL, {"municipality": "avesta", "month": self.month()})
        self.assertEqual(self.sequences(self.downloaded(response)), [])
        # Nor can Alvdal's editor export Avesta's.
        self.login(self.g.editor)
        response = self.client.post(URL, {"municipality": "avesta", "month": self.month()})
        self.assertFalse(response.has_header("Content-Disposition"))
        self.assertIn("municipality", response.context["form"].errors)

    def test_a_superuser_chooses_the_municipality(self):
        self.login(self.g.superuser)
        response = self.client.get(URL)
        self.assertContains(response, '<select name="municipality"')
        self.assertEqual(
            [slug for slug, _name in response.context["form"].fields["municipality"].choices],
            ["alvdal", "avesta"],
        )
        response = self.client.post(URL, {"municipality": "alvdal", "month": self.month()})
        self.assertEqual(self.sequences(self.downloaded(response)), ["2", "3", "4"])

    def test_a_user_without_the_permission_is_refused(self):
        self.login(self.g.leader)  # a leader of Alvdal: sees the reports, not the archive
        for response in (self.client.get(URL), self.post(month=self.month())):
            self.assertRedirects(response, reverse("wagtailadmin_home"))
