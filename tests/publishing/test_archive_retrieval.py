"""Finding what a page looked like on a date in the admin, and downloading it as WARC and PDF.

Records officers and communications staff answer a citizen's request for a page that is no
longer published: they search the archive of their own municipality (never another's), read a
capture's metadata and download its WARC file (only while its SHA-256 holds) or a PDF of it.
"""

import datetime
import io
import socket
from unittest import mock

import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail import hooks

from publishing.archive import chain
from publishing.archive.pdf import ArchiveFetcher, render_pdf
from publishing.archive.storage import archive_storage
from publishing.models import ArchiveCapture, Role
from publishing.workflow import removal
from tests.factories import RoleFactory, UnitFactory, UserFactory, load_municipality
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.publishing.archive_files import replace_file
from tests.publishing.test_image_consent import image_block, make_image
from tests.worlds import GovernedWorld

NOON = datetime.time(12)
OSLO = datetime.timezone(datetime.timedelta(hours=1))  # March: Oslo is UTC+1


def at(day, hour=12):
    """A moment on ``day`` of March 2026 in Oslo."""
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=OSLO)


def fake_capture(municipality, page_id, happened_at, **fields):
    """A capture row added to ``municipality``'s chain without a file (for the listings)."""
    values = {
        "municipality": municipality,
        "event": "published",
        "happened_at": happened_at,
        "captured_at": happened_at,
        "page_id": page_id,
        "url": f"http://{municipality}.localhost/side-{page_id}/",
        "title": f"Side {page_id}",
        "warc_name": f"{municipality}/none-{page_id}-{happened_at:%Y%m%d%H%M%S}.warc.gz",
        "warc_size": 1,
        "warc_sha256": "0" * 64,
        **fields,
    }
    return chain.append(ArchiveCapture(**values))


class RetrievalTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        # Another municipality, with its own communications editor.
        cls.avesta = load_municipality("avesta")
        cls.avesta_editor = UserFactory(username="avesta-editor")
        cls.avesta_editor.groups.add(cls.avesta.communications_group, cls.avesta.staff_group)

    def index(self, **params):
        return self.client.get(reverse("publishing_archive:index"), params)

    def listed(self, response):
        return [capture.pk for capture in response.context["object_list"]]

    def publish(self, page, **changes):
        page = reload(page)
        for name, value in changes.items():
            setattr(page, name, value)
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=self.g.publisher).publish(user=self.g.editor)
        return reload(page)


class WhoMaySeeTests(RetrievalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ours = fake_capture("alvdal", 9001, at(2))
        cls.theirs = fake_capture("avesta", 9002, at(3))

    def test_the_communications_group_is_given_the_permission_and_others_are_not(self):
        permission = Permission.objects.get(codename="view_archivecapture")
        municipality = self.g.municipality
        self.assertIn(permission, municipality.communications_group.permissions.all())
        self.assertNotIn(permission, municipality.leaders_group.permissions.all())
        self.assertTrue(self.g.editor.has_perm("publishing.view_archivecapture"))
        self.assertFalse(self.g.leader.has_perm("publishing.view_archivecapture"))

    def test_admins_can_grant_it_in_the_group_editor(self):
        granted = set()
        for hook in hooks.get_hooks("register_permissions"):
            granted.update(hook().values_list("codename", flat=True))
        self.assertIn("view_archivecapture", granted)
        self.assertNotIn("add_archivecapture", granted)  # there is no such permission at all
        self.login(self.g.superuser)
        response = self.client.get(reverse("wagtailusers_groups:add"))
        permission = Permission.objects.get(codename="view_archivecapture")
        self.assertContains(response, f'value="{permission.pk}"')

    def test_each_municipality_sees_only_its_own_captures(self):
        self.login(self.g.editor)
        self.assertEqual(self.listed(self.index()), [self.ours.pk])
        self.login(self.avesta_editor)
        self.assertEqual(self.listed(self.index()), [self.theirs.pk])
        self.login(self.g.superuser)
        self.assertEqual(self.listed(self.index()), [self.theirs.pk, self.ours.pk])

    def test_another_municipalitys_capture_is_not_found(self):
        self.login(self.avesta_editor)
        for name in ("detail", "warc", "pdf"):
            with self.subTest(name):
                response = self.client.get(
                    reverse(f"publishing_archive:{name}", args=[self.ours.pk])
                )
                self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("publishing_archive:detail", args=[self.theirs.pk]))
        self.assertEqual(response.status_code, 200)

    def test_a_user_without_the_permission_is_refused_everywhere(self):
        self.login(self.g.leader)  # a leader of Alvdal: sees the reports, not the archive
        for url in (
            reverse("publishing_archive:index"),
            reverse("publishing_archive:index_results"),
            reverse("publishing_archive:detail", args=[self.ours.pk]),
            reverse("publishing_archive:warc", args=[self.ours.pk]),
            reverse("publishing_archive:pdf", args=[self.ours.pk]),
        ):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertRedirects(response, reverse("wagtailadmin_home"))
        home = self.client.get(reverse("wagtailadmin_home"))
        self.assertNotContains(home, reverse("publishing_archive:index"))

    def test_the_reports_menu_shows_the_archive_to_those_who_may_see_it(self):
        self.login(self.g.editor)
        home = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(home, reverse("publishing_archive:index"))

    def test_there_is_nothing_to_add_change_or_delete(self):
        self.login(self.g.superuser)
        detail = reverse("publishing_archive:detail", args=[self.ours.pk])
        for url in (
            detail,
            reverse("publishing_archive:warc", args=[self.ours.pk]),
            reverse("publishing_archive:index"),
        ):
            with self.subTest(url):
                self.assertEqual(self.client.post(url).status_code, 405)
        for url in (
            detail + "edit/",
            detail + "delete/",
            reverse("publishing_archive:index") + "add/",
        ):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(ArchiveCapture.objects.filter(pk=self.ours.pk).count(), 1)


class FindingTests(RetrievalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit = cls.g.line.unit
        cls.other_unit = cls.g.line.other_unit
        # Page 1 published three times in March, its title changed each time; withdrawn later.
        cls.v1 = fake_capture("alvdal", 1, at(1), title="Åpningstider i mars", unit_id=cls.unit.pk)
        cls.v2 = fake_capture(
            "alvdal", 1, at(10), title="Åpningstider i påsken", unit_id=cls.unit.pk
        )
        cls.v3 = fake_capture(
            "alvdal", 1, at(20), title="Nye åpningstider", unit_id=cls.unit.pk, event="withdrawn"
        )
        # Page 2, once, in the other unit (since renamed: the capture keeps the old name).
        cls.p2 = fake_capture(
            "alvdal",
            2,
            at(5),
            title="Brøyting av veiene",
            url="http://alvdal.localhost/veier/broyting/",
            unit="Teknisk drift",
            unit_id=cls.other_unit.pk,
            responsible_leader="Kari Nordmann",
        )
        # Half past midnight on 13 March in Oslo: still 12 March in UTC.
        cls.p3 = fake_capture("alvdal", 3, datetime.datetime(2026, 3, 13, 0, 30, tzinfo=OSLO))

    def setUp(self):
        super().setUp()
        self.login(self.g.editor)

    def test_days_at_the_ends_of_the_calendar_give_an_answer(self):
        self.login(self.g.editor)
        for params in (
            {"on": "9999-12-31"},
            {"on": "0001-01-01"},
            {"happened_at_from": "0001-01-01", "happened_at_to": "9999-12-31"},
        ):
            with self.subTest(params):
                self.assertEqual(self.index(**params).status_code, 200)

    def test_newest_first_with_the_columns_a_records_officer_needs(self):
        response = self.index()
        self.assertEqual(
            self.listed(response),
            [self.v3.pk, self.p3.pk, self.v2.pk, self.p2.pk, self.v1.pk],
        )
        self.assertContains(response, reverse("publishing_archive:detail", args=[self.p2.pk]))
        self.assertContains(response, "http://alvdal.localhost/veier/broyting/")
        self.assertContains(response, "Teknisk drift")
        self.assertContains(response, "Kari Nordmann")
        self.assertContains(response, "Withdrawn")
        # The time as in the user's time zone (Oslo), with its machine value.
        self.assertContains(response, 'datetime="2026-03-05T12:00:00+01:00"')
        self.assertContains(response, "publishing-table-scroll")

    def test_filters(self):
        cases = {
            "title": ({"title": "påsken"}, [self.v2]),
            "address": ({"url": "/veier/"}, [self.p2]),
            "unit": ({"unit": self.other_unit.pk}, [self.p2]),
            "unit and below": (
                {"unit": self.g.line.sector.pk},
                [self.v3, self.v2, self.p2, self.v1],
            ),
            "kept unit name": ({"unit_name": "teknisk"}, [self.p2]),
            "event": ({"event": "withdrawn"}, [self.v3]),
            "period": (
                {"happened_at_from": "2026-03-05", "happened_at_to": "2026-03-10"},
                [self.v2, self.p2],
            ),
            "period's last day is whole": (
                {"happened_at_from": "2026-03-13", "happened_at_to": "2026-03-13"},
                [self.p3],
            ),
        }
        for name, (params, expected) in cases.items():
            with self.subTest(name):
                response = self.index(**params)
                self.assertEqual(self.listed(response), [c.pk for c in expected])

    def test_a_unit_of_another_municipality_cannot_be_chosen(self):
        theirs = UnitFactory(municipality=self.avesta, name="Hemtjänsten")
        response = self.index(unit=theirs.pk)
        self.assertNotContains(response, "Hemtjänsten")

    def test_as_it_looked_on_a_day_picks_each_pages_latest_capture_until_that_day_ends(self):
        cases = {
            "2026-02-28": [],
            "2026-03-01": [self.v1],
            "2026-03-09": [self.p2, self.v1],
            "2026-03-10": [self.v2, self.p2],  # the publish at noon on the 10th counts
            "2026-03-12": [self.v2, self.p2],  # p3 is on the 13th in Oslo (12th in UTC)
            "2026-03-13": [self.p3, self.v2, self.p2],
            "2026-03-25": [self.v3, self.p3, self.p2],
        }
        for day, expected in cases.items():
            with self.subTest(day):
                self.assertEqual(self.listed(self.index(on=day)), [c.pk for c in expected])
        # With other filters: what the page was called on that day.
        self.assertEqual(self.listed(self.index(on="2026-03-12", title="mars")), [])
        self.assertEqual(self.listed(self.index(on="2026-03-12", title="påsken")), [self.v2.pk])

    def test_as_it_looked_on_counts_days_in_the_users_time_zone(self):
        from wagtail.users.models import UserProfile

        profile = UserProfile.get_for_user(self.g.editor)
        profile.current_time_zone = "UTC"
        profile.save()
        self.assertEqual(
            self.listed(self.index(on="2026-03-12")), [self.p3.pk, self.v2.pk, self.p2.pk]
        )

    def test_the_results_fragment_filters_too(self):
        response = self.client.get(
            reverse("publishing_archive:index_results"), {"title": "Brøyting"}
        )
        self.assertEqual(self.listed(response), [self.p2.pk])


class QueryCountTests(RetrievalTestCase):
    def queries(self, **params):
        self.index(**params)  # caches warmed (content types, the user's profile)
        with CaptureQueriesContext(connection) as context:
            response = self.index(**params)
        self.assertEqual(response.status_code, 200)
        return len(context), len(response.context["object_list"])

    def test_the_list_costs_the_same_for_3_and_30_captures(self):
        self.login(self.g.editor)
        for page_id in range(3):
            fake_capture("alvdal", page_id, at(1 + page_id))
        few = {name: self.queries(**params) for name, params in self.filters().items()}
        for page_id in range(3, 30):
            fake_capture("alvdal", page_id, at(1 + page_id % 20))
        for page_id in range(30):
            fake_capture("alvdal", page_id, at(21), title=f"Endret {page_id}")
        many = {name: self.queries(**params) for name, params in self.filters().items()}
        for name in few:
            with self.subTest(name):
                self.assertEqual(few[name][0], many[name][0])
                self.assertGreater(many[name][1], few[name][1])

    @staticmethod
    def filters():
        return {"all": {}, "on a day": {"on": "2026-03-22"}, "title": {"title": "e"}}


@override_settings(PUBLISHING_ARCHIVE_CAPTURE=True)
class DownloadTests(RetrievalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.page = news_page(
            cls.g,
            "Nattbussen kommer tilbake",
            "nattbussen",
            affects_staff=False,
            notice=False,
            intro="Nattbussen går hver time fra 1. mars.",
        )

    def setUp(self):
        super().setUp()
        self.login(self.g.editor)

    def published(self, **changes):
        self.publish(self.page, **changes)
        return ArchiveCapture.objects.filter(page_id=self.page.pk).latest("sequence")

    def test_the_detail_shows_every_piece_of_metadata_and_the_records(self):
        capture = self.published()
        response = self.client.get(reverse("publishing_archive:detail", args=[capture.pk]))
        for text in (
            "Alvdal kommune",
            "Nattbussen kommer tilbake",
            capture.url,
            "News page",
            "Hjemmetjenesten",
            self.g.leader.get_full_name(),
            "Published",
            capture.digest,
            capture.previous_digest,
            capture.warc_sha256,
            capture.warc_name,
            reverse("publishing_archive:warc", args=[capture.pk]),
            reverse("publishing_archive:pdf", args=[capture.pk]),
        ):
            self.assertContains(response, text)
        for record in capture.records:
            self.assertContains(response, record["sha256"])
        self.assertContains(
            response, f'datetime="{timezone.localtime(capture.happened_at):%Y-%m-%dT%H:%M:%S}'
        )

    def test_the_detail_shows_approvals_what_was_not_captured_and_the_pages_timeline(self):
        first = fake_capture(
            "alvdal",
            77,
            at(1),
            approved_by=[
                {"name": "Randi Gundersen", "step": "Leader's approval", "at": at(1, 9).isoformat()}
            ],
            details={
                "rendered": "live",
                "not_captured": [
                    {"uri": "https://kart.example.org/widget.js", "why": "other_site"},
                    {"uri": "http://alvdal.localhost/media/stor.mp4", "why": "too_large"},
                    {"uri": "http://alvdal.localhost/media/mange.png", "why": "too_many"},
                ],
            },
        )
        second = fake_capture(
            "alvdal",
            77,
            at(4),
            event="unpublished",
            details={"reason": "Tilbudet er avsluttet.", "rendered": "gone", "not_captured": []},
        )
        response = self.client.get(reverse("publishing_archive:detail", args=[first.pk]))
        self.assertContains(response, "Randi Gundersen")
        self.assertContains(response, "Leader&#x27;s approval")
        self.assertContains(response, "https://kart.example.org/widget.js")
        self.assertContains(response, "It is on another site")
        self.assertContains(response, "larger than the archive keeps")
        self.assertContains(response, "more files than the archive keeps")
        self.assertNotContains(response, "other_site")
        self.assertContains(response, reverse("publishing_archive:detail", args=[second.pk]))
        response = self.client.get(reverse("publishing_archive:detail", args=[second.pk]))
        self.assertContains(response, "Tilbudet er avsluttet.")
        self.assertContains(response, "Unpublished")

    def test_the_warc_file_is_handed_out_as_archived(self):
        capture = self.published()
        response = self.client.get(reverse("publishing_archive:warc", args=[capture.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/warc")
        self.assertNotIn("Content-Encoding", response)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(capture.warc_name.rsplit("/", 1)[-1], response["Content-Disposition"])
        body = b"".join(response.streaming_content)
        with archive_storage().open(capture.warc_name, "rb") as handle:
            self.assertEqual(body, handle.read())
        self.assertEqual(response["Content-Length"], str(len(body)))

    def tamper(self, capture, content=b"WARC/1.1 not what was archived"):
        replace_file(capture.warc_name, content)

    def test_a_changed_file_is_refused_with_a_page_that_says_why(self):
        capture = self.published()
        self.tamper(capture)
        for name in ("warc", "pdf"):
            with self.subTest(name), self.assertLogs("publishing.archive.views", "ERROR"):
                response = self.client.get(reverse(f"publishing_archive:{name}", args=[capture.pk]))
                self.assertEqual(response.status_code, 409)
                self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
                self.assertNotIn("Content-Disposition", response)
                self.assertContains(response, "may have been changed", status_code=409)

    def test_a_missing_file_is_refused(self):
        capture = self.published()
        archive_storage().delete(capture.warc_name)
        with self.assertLogs("publishing.archive.views", "ERROR"):
            response = self.client.get(reverse("publishing_archive:warc", args=[capture.pk]))
        self.assertContains(response, "missing", status_code=409)

    def test_a_file_with_bytes_added_at_its_end_is_refused(self):
        capture = self.published()
        with archive_storage().open(capture.warc_name, "rb") as handle:
            content = handle.read()
        self.tamper(capture, content + b"\n")
        with self.assertLogs("publishing.archive.views", "ERROR"):
            response = self.client.get(reverse("publishing_archive:pdf", args=[capture.pk]))
        self.assertEqual(response.status_code, 409)

    def pdf_text(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        reader = PdfReader(io.BytesIO(response.content))
        return reader, [page.extract_text() for page in reader.pages]

    def test_the_pdf_has_a_cover_with_the_metadata_and_then_the_page(self):
        capture = self.published()
        response = self.client.get(reverse("publishing_archive:pdf", args=[capture.pk]))
        day = timezone.localtime(capture.happened_at).date()
        self.assertIn(f'filename="nattbussen-{day:%Y-%m-%d}.pdf"', response["Content-Disposition"])
        reader, pages = self.pdf_text(response)
        cover = pages[0].replace("\n", "")
        self.assertIn("What was published", cover)
        self.assertIn("Nattbussen kommer tilbake", cover)
        self.assertIn(capture.digest, cover)
        self.assertIn(capture.warc_sha256, cover)
        self.assertIn("Hjemmetjenesten", cover)
        page = "\n".join(pages[1:])
        self.assertIn("Nattbussen går hver time fra 1. mars.", page)
        self.assertIn("Nattbussen kommer tilbake", reader.metadata.title)
        self.assertTrue(reader.metadata.creation_date)

    def test_the_pdf_cover_is_in_the_users_language(self):
        capture = self.published()
        from wagtail.users.models import UserProfile

        profile = UserProfile.get_for_user(self.g.editor)
        profile.preferred_language = "nb"
        profile.save()
        response = self.client.get(reverse("publishing_archive:pdf", args=[capture.pk]))
        reader, pages = self.pdf_text(response)
        self.assertEqual(reader.trailer["/Root"]["/Lang"], "nb")
        self.assertIn(" kl. ", pages[0])  # bokmål's format of a time

    def test_the_pdf_draws_the_page_from_the_file_alone_never_the_network(self):
        image = make_image()
        capture = self.published(body=[image_block(image)])
        fetched = []
        original = ArchiveFetcher.fetch

        def fetch(fetcher, url, headers=None):
            fetched.append(url)
            return original(fetcher, url, headers)

        def no_network(*args, **kwargs):
            raise AssertionError("The PDF tried to reach the network")

        with (
            mock.patch.object(ArchiveFetcher, "fetch", fetch),
            mock.patch.object(socket, "create_connection", no_network),
            mock.patch.object(socket.socket, "connect", no_network),
        ):
            pdf = render_pdf(capture)
        self.assertTrue(pdf.startswith(b"%PDF"))
        archived = {record["uri"] for record in capture.records}
        images = [url for url in fetched if "/images/" in url or "/media/" in url]
        self.assertTrue(images, fetched)
        self.assertTrue(set(images) <= archived, (images, archived))

    def test_addresses_the_file_does_not_hold_are_refused(self):
        fetcher = ArchiveFetcher({"http://alvdal.localhost/a.css": ("text/css", b"p{}")})
        self.assertEqual(fetcher("http://alvdal.localhost/a.css").read(), b"p{}")
        for url in (
            "http://alvdal.localhost/b.css",
            "https://example.org/x.png",
            "file:///etc/passwd",
        ):
            with self.subTest(url), self.assertRaises(ValueError):
                fetcher(url)
        self.assertEqual(fetcher("data:text/plain,hei").read(), b"hei")

    def test_an_unpublished_pages_pdf_says_it_was_gone(self):
        self.published()
        with self.captureOnCommitCallbacks(execute=True), removal.because("Avsluttet."):
            reload(self.page).unpublish(user=self.g.editor)
        gone = ArchiveCapture.objects.get(page_id=self.page.pk, event="unpublished")
        response = self.client.get(reverse("publishing_archive:pdf", args=[gone.pk]))
        _reader, pages = self.pdf_text(response)
        text = " ".join(pages).replace("\n", " ")
        self.assertIn("The page was gone", text)
        self.assertIn("404", text)
        self.assertIn("Avsluttet.", text)
        self.assertNotIn("Nattbussen går hver time", text)

    def test_an_unpublished_page_the_archive_never_saw_is_drawn_as_it_was_last_live(self):
        with override_settings(PUBLISHING_ARCHIVE_CAPTURE=False):
            self.publish(self.page)
        with self.captureOnCommitCallbacks(execute=True), removal.because("Avsluttet."):
            reload(self.page).unpublish(user=self.g.editor)
        gone = ArchiveCapture.objects.get(page_id=self.page.pk, event="unpublished")
        response = self.client.get(reverse("publishing_archive:pdf", args=[gone.pk]))
        _reader, pages = self.pdf_text(response)
        self.assertNotIn("The page was gone", pages[0])
        self.assertIn("Nattbussen går hver time fra 1. mars.", "\n".join(pages[1:]))

    def test_as_it_looked_on_with_real_publishes(self):
        # In the days ahead: the publishers' certificates are valid from today.
        today = timezone.localdate()

        def noon(days):
            moment = datetime.datetime.combine(today + datetime.timedelta(days=days), NOON)
            return timezone.make_aware(moment)

        with time_machine.travel(noon(1), tick=False):
            first = self.published(title="Nattbussen kommer tilbake")
        with time_machine.travel(noon(8), tick=False):
            second = self.published(title="Nattbussen går hver halvtime")
        with time_machine.travel(noon(19), tick=False):
            self.published(title="Nattbussen er forlenget")
        for days, expected in ((0, []), (1, [first]), (7, [first]), (8, [second]), (18, [second])):
            with self.subTest(days=days):
                on = today + datetime.timedelta(days=days)
                response = self.index(on=on.isoformat())
                self.assertEqual(self.listed(response), [c.pk for c in expected])
        self.assertContains(response, "Nattbussen går hver halvtime")


class SmallScreenTests(RetrievalTestCase):
    def test_wide_tables_scroll_in_their_own_box(self):
        capture = fake_capture(
            "alvdal",
            5,
            at(1),
            records=[
                {
                    "type": "response",
                    "uri": "http://alvdal.localhost/x/",
                    "status": 200,
                    "content_type": "text/html",
                    "length": 10,
                    "sha256": "a" * 64,
                }
            ],
        )
        self.login(self.g.editor)
        response = self.client.get(reverse("publishing_archive:detail", args=[capture.pk]))
        self.assertContains(response, '<div class="publishing-table-scroll')
        self.assertContains(response, "publishing/css/archive.css")


class RoleHolderTests(RetrievalTestCase):
    def test_a_role_in_the_municipality_is_belonging_to_it(self):
        # Someone given the permission directly, who holds a role in Alvdal but is in no group.
        person = UserFactory(username="arkivar")
        RoleFactory(user=person, unit=self.g.line.top, role=Role.EMPLOYEE)
        person.user_permissions.add(
            Permission.objects.get(codename="view_archivecapture"),
            Permission.objects.get(codename="access_admin"),
        )
        ours = fake_capture("alvdal", 1, at(1))
        fake_capture("avesta", 2, at(2))
        self.login(person)
        self.assertEqual(self.listed(self.index()), [ours.pk])
