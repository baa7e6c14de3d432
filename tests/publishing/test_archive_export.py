"""The archive's export for the municipality's records system (``publishing.archive.export``,
``manage.py export_archive``): the package's files, its manifest in XML (valid against its
schema) and CSV, its checksums, the period's boundaries, and the refusals."""

import csv
import datetime
import hashlib
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

import time_machine
from defusedxml import ElementTree
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.utils import timezone

from publishing.archive import chain, export, guard
from publishing.archive.storage import archive_storage
from publishing.models.archive import ArchiveCapture
from publishing.workflow import removal
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.publishing.archive_files import read_file, replace_file, tamper
from tests.worlds import GovernedWorld

try:
    from lxml import etree as lxml_etree
except ImportError:  # pragma: no cover (lxml is in the venv; the structure is checked anyway)
    lxml_etree = None

NS = {"a": export.NAMESPACE}
REASON = "Arrangementet er avlyst."


def month_after(day, months):
    """The first day of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def local_midnight(day):
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


@override_settings(PUBLISHING_ARCHIVE_CAPTURE=True)
class ExportTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    """Alvdal's archive around a month M (two months ahead, so that the clock can be set to
    its edges): page A published a second before M (number 1); B published as M starts (2) and
    unpublished ten days in (3); C published a second before M ends (4); D published as the
    next month starts (5)."""

    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        cls.first_day = month_after(timezone.localdate(), 2)
        cls.next_first_day = month_after(cls.first_day, 1)
        cls.start = local_midnight(cls.first_day)
        cls.end = local_midnight(cls.next_first_day)
        second = datetime.timedelta(seconds=1)
        pages = {
            name: news_page(
                g, f"Nyhet {name}", f"nyhet-{name.lower()}", affects_staff=False, notice=False
            )
            for name in "ABCD"
        }
        cls.pages = pages
        cls.publish_at(pages["A"], cls.start - second)
        cls.publish_at(pages["B"], cls.start)
        with (
            time_machine.travel(cls.start + datetime.timedelta(days=10), tick=False),
            removal.because(REASON),
            cls.captureOnCommitCallbacks(execute=True),
        ):
            reload(pages["B"]).unpublish(user=g.editor)
        cls.publish_at(pages["C"], cls.end - second)
        cls.publish_at(pages["D"], cls.end)
        cls.captures = list(ArchiveCapture.objects.order_by("sequence"))

    @classmethod
    def publish_at(cls, page, moment):
        with time_machine.travel(moment, tick=False), cls.captureOnCommitCallbacks(execute=True):
            reload(page).get_latest_revision().publish(user=cls.g.editor)

    def capture(self, sequence):
        return ArchiveCapture.objects.get(municipality="alvdal", sequence=sequence)

    def package(self, start=None, end=None):
        stream = io.BytesIO()
        result = export.write_package(stream, "alvdal", start or self.start, end or self.end)
        return result, zipfile.ZipFile(io.BytesIO(stream.getvalue()))

    def tamper(self, name, content):
        tamper(self, name, content)


class TheWorldTests(ExportTestCase):
    def test_the_captures_are_where_the_test_expects_them(self):
        self.assertEqual(
            [(c.sequence, c.event, c.title) for c in self.captures],
            [
                (1, "published", "Nyhet A"),
                (2, "published", "Nyhet B"),
                (3, "unpublished", "Nyhet B"),
                (4, "published", "Nyhet C"),
                (5, "published", "Nyhet D"),
            ],
        )
        self.assertEqual(self.capture(2).happened_at, self.start)
        self.assertEqual(self.capture(5).happened_at, self.end)


class PackageTests(ExportTestCase):
    def test_the_package_holds_the_period_s_captures_in_a_fixed_order(self):
        result, package = self.package()
        self.assertIsNone(package.testzip())
        in_period = [self.capture(n) for n in (2, 3, 4)]
        warcs = [f"warc/{c.warc_name.rsplit('/', 1)[-1]}" for c in in_period]
        self.assertEqual(
            package.namelist(),
            [
                "README.txt",
                "manifest.xml",
                "manifest.xsd",
                "manifest.csv",
                "records.csv",
                *warcs,
                "sha256sums.txt",
            ],
        )
        for capture, name in zip(in_period, warcs, strict=True):
            self.assertEqual(package.read(name), read_file(capture.warc_name))
        self.assertEqual(package.read("manifest.xsd"), export.SCHEMA.read_bytes())
        self.assertEqual(result.captures, 3)
        self.assertEqual(result.warc_bytes, sum(c.warc_size for c in in_period))
        self.assertEqual((result.first_sequence, result.last_sequence), (2, 4))
        self.assertEqual(result.previous_digest, self.capture(1).digest)
        self.assertEqual(result.head_digest, self.capture(4).digest)

    def test_the_warc_files_are_copied_in_chunks_not_read_whole(self):
        reads = []
        storage = archive_storage()
        original_open = storage.open

        class Counted:
            def __init__(self, handle):
                self.handle = handle

            def read(self, size=-1):
                reads.append(size)
                return self.handle.read(size)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

        with (
            mock.patch.object(export, "CHUNK", 1000),
            mock.patch.object(
                storage, "open", lambda name, mode="rb": Counted(original_open(name, mode))
            ),
        ):
            result, package = self.package()
        self.assertEqual(set(reads), {1000})
        self.assertGreater(len(reads), 3 + result.warc_bytes // 1000)
        self.assertEqual(
            package.read(f"warc/{self.capture(2).warc_name.rsplit('/', 1)[-1]}"),
            read_file(self.capture(2).warc_name),
        )

    def test_the_stream_need_not_be_seekable(self):
        class Pipe(io.RawIOBase):
            def __init__(self):
                self.written = bytearray()

            def writable(self):
                return True

            def write(self, data):
                self.written += data
                return len(data)

        pipe = Pipe()
        result = export.write_package(pipe, "alvdal", self.start, self.end)
        package = zipfile.ZipFile(io.BytesIO(bytes(pipe.written)))
        self.assertIsNone(package.testzip())
        self.assertEqual(len(package.namelist()), 6 + result.captures)

    def test_the_manifest_is_valid_against_its_schema(self):
        if lxml_etree is None:
            self.skipTest("lxml is not installed")
        _result, package = self.package()
        schema = lxml_etree.XMLSchema(lxml_etree.parse(str(export.SCHEMA)))
        document = lxml_etree.fromstring(package.read("manifest.xml"))
        schema.assertValid(document)
        # And the schema holds it to something: a capture without its digest is refused.
        document.find("a:captures/a:capture/a:digest", NS).getparent().remove(
            document.find("a:captures/a:capture/a:digest", NS)
        )
        self.assertFalse(schema.validate(document))

    def test_the_manifest_describes_the_package_and_every_capture_in_order(self):
        _result, package = self.package()
        root = ElementTree.fromstring(package.read("manifest.xml"))
        self.assertEqual(root.tag, f"{{{export.NAMESPACE}}}archivePackage")
        municipality = root.find("a:municipality", NS)
        self.assertEqual(municipality.text, self.g.municipality.name)
        self.assertEqual(municipality.get("slug"), "alvdal")
        self.assertEqual(municipality.get("country"), "NO")
        self.assertEqual(municipality.get("language"), "nb")
        period = root.find("a:period", NS)
        self.assertEqual(period.get("start"), export.utc(self.start))
        self.assertEqual(period.get("end"), export.utc(self.end))
        self.assertTrue(period.get("start").endswith("Z"))
        self.assertTrue(root.findtext("a:generatedAt", namespaces=NS).endswith("Z"))
        links = root.find("a:chain", NS)
        self.assertEqual(links.get("previousDigest"), self.capture(1).digest)
        self.assertEqual(links.get("headDigest"), self.capture(4).digest)
        self.assertEqual((links.get("firstSequence"), links.get("lastSequence")), ("2", "4"))
        listing = root.find("a:captures", NS)
        self.assertEqual(listing.get("count"), "3")
        entries = listing.findall("a:capture", NS)
        self.assertEqual([e.get("sequence") for e in entries], ["2", "3", "4"])

        entry, capture = entries[0], self.capture(2)

        def text(tag, element=entry):
            return element.findtext(f"a:{tag}", namespaces=NS)

        self.assertEqual(text("event"), "published")
        self.assertEqual(text("happenedAt"), export.utc(self.start))
        self.assertEqual(text("capturedAt"), export.utc(capture.captured_at))
        self.assertEqual(text("pageId"), str(self.pages["B"].pk))
        self.assertEqual(text("url"), capture.url)
        self.assertEqual(text("title"), "Nyhet B")
        self.assertEqual(text("locale"), "nb")
        self.assertEqual(text("pageType"), "home.NewsPage")
        self.assertEqual(text("unit"), self.g.line.unit.name)
        self.assertEqual(text("responsibleLeader"), capture.responsible_leader)
        self.assertTrue(capture.responsible_leader)
        self.assertEqual(text("sensitivity"), capture.sensitivity)
        self.assertEqual(
            [a.text for a in entry.findall("a:audiences/a:audience", NS)], capture.audiences
        )
        self.assertEqual(text("revisionId"), str(capture.revision_id))
        self.assertEqual(text("publishedBy"), capture.published_by)
        self.assertTrue(capture.published_by)
        self.assertEqual(entry.findall("a:approvedBy/a:approval", NS), [])
        self.assertIsNone(entry.find("a:reason", NS))
        file = entry.find("a:file", NS)
        self.assertEqual(file.get("name"), f"warc/{capture.warc_name.rsplit('/', 1)[-1]}")
        self.assertEqual(file.get("size"), str(capture.warc_size))
        self.assertEqual(file.get("sha256"), capture.warc_sha256)
        records = entry.find("a:records", NS)
        self.assertEqual(records.get("count"), str(len(capture.records)))
        self.assertEqual(
            [
                (r.get("type"), r.get("id"), r.get("uri"), r.get("sha256"), r.get("length"))
                for r in records.findall("a:record", NS)
            ],
            [
                (r["type"], r["id"], r["uri"], r["sha256"], str(r["length"]))
                for r in capture.records
            ],
        )
        page_record = records.findall("a:record", NS)[1]
        self.assertEqual(page_record.get("status"), "200")
        self.assertTrue(page_record.get("contentType").startswith("text/html"))
        self.assertIsNone(records.find("a:record", NS).get("status"))  # warcinfo
        self.assertEqual(text("previousDigest"), self.capture(1).digest)
        self.assertEqual(text("digest"), capture.digest)

        unpublished = entries[1]
        self.assertEqual(text("event", unpublished), "unpublished")
        self.assertEqual(text("reason", unpublished), REASON)

    def test_approvals_are_listed_with_their_step_and_time(self):
        capture = self.capture(2)
        capture.approved_by = [
            {"name": "Tor Haugland", "step": "Leder godkjenner", "at": "2027-02-01T08:00:00+01:00"},
            {"name": "Kari Nordmann", "step": "", "at": None},
        ]
        names = {capture.pk: "warc/x.warc.gz"}
        links = {"previous": capture.previous_digest, "head": capture.digest, "first": 2, "last": 2}
        municipality = {
            "slug": "alvdal",
            "name": "Alvdal kommune",
            "country": "NO",
            "language": "nb",
            "time_zone": "Europe/Oslo",
        }
        document = export.manifest_xml(
            municipality, (self.start, self.end), timezone.now(), links, [capture], names
        )
        approvals = ElementTree.fromstring(document).findall(".//a:approvedBy/a:approval", NS)
        self.assertEqual(
            [(a.text, a.get("step"), a.get("at")) for a in approvals],
            [
                ("Tor Haugland", "Leder godkjenner", "2027-02-01T07:00:00Z"),
                ("Kari Nordmann", None, None),
            ],
        )
        if lxml_etree is not None:
            schema = lxml_etree.XMLSchema(lxml_etree.parse(str(export.SCHEMA)))
            schema.assertValid(lxml_etree.fromstring(document))
        rows = list(
            csv.DictReader(io.StringIO(export.manifest_csv([capture], names).decode("utf-8-sig")))
        )
        self.assertEqual(
            rows[0]["approved_by"],
            "Tor Haugland (Leder godkjenner, 2027-02-01T07:00:00Z); Kari Nordmann",
        )

    def test_the_csv_files_hold_a_row_per_capture_and_per_record(self):
        _result, package = self.package()
        for name in ("manifest.csv", "records.csv"):
            raw = package.read(name)
            self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), name)  # UTF-8 with a BOM
            self.assertIn(b"\r\n", raw)
        manifest = list(
            csv.DictReader(
                io.StringIO(package.read("manifest.csv").decode("utf-8-sig"), newline="")
            )
        )
        self.assertEqual(list(manifest[0]), export.MANIFEST_COLUMNS)
        self.assertEqual([row["sequence"] for row in manifest], ["2", "3", "4"])
        row, capture = manifest[0], self.capture(2)
        self.assertEqual(row["event"], "published")
        self.assertEqual(row["happened_at"], export.utc(self.start))
        self.assertEqual(row["title"], "Nyhet B")
        self.assertEqual(row["audiences"], "; ".join(capture.audiences))
        self.assertEqual(row["file"], f"warc/{capture.warc_name.rsplit('/', 1)[-1]}")
        self.assertEqual(row["size"], str(capture.warc_size))
        self.assertEqual(row["warc_sha256"], capture.warc_sha256)
        self.assertEqual(row["records"], str(len(capture.records)))
        self.assertEqual(row["previous_digest"], self.capture(1).digest)
        self.assertEqual(row["digest"], capture.digest)
        self.assertEqual(manifest[1]["reason"], REASON)

        records = list(
            csv.DictReader(io.StringIO(package.read("records.csv").decode("utf-8-sig"), newline=""))
        )
        self.assertEqual(list(records[0]), export.RECORD_COLUMNS)
        expected = [
            (str(c.sequence), r["id"], r["type"], r["uri"], r["sha256"])
            for c in (self.capture(2), self.capture(3), self.capture(4))
            for r in c.records
        ]
        self.assertEqual(
            [(r["sequence"], r["record_id"], r["type"], r["uri"], r["sha256"]) for r in records],
            expected,
        )

    def test_sha256sums_names_every_other_file_with_its_checksum(self):
        _result, package = self.package()
        listing = package.read("sha256sums.txt").decode()
        sums = {}
        for line in listing.splitlines():
            digest, name = line.split("  ", 1)
            sums[name] = digest
        self.assertEqual(set(sums), set(package.namelist()) - {"sha256sums.txt"})
        for name, digest in sums.items():
            self.assertEqual(hashlib.sha256(package.read(name)).hexdigest(), digest, name)
        if shutil.which("sha256sum"):
            with tempfile.TemporaryDirectory() as folder:
                package.extractall(folder)
                result = subprocess.run(
                    [shutil.which("sha256sum"), "--strict", "-c", "sha256sums.txt"],
                    cwd=folder,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_the_readme_is_in_the_municipality_s_language(self):
        _result, package = self.package()
        readme = package.read("README.txt").decode("utf-8")
        self.assertIn(self.g.municipality.name, readme)
        self.assertIn("Publisert: 2", readme)  # the event names in bokmål
        self.assertIn("RFC 4180", readme)
        self.assertIn("sha256sum -c sha256sums.txt", readme)
        self.assertIn(self.capture(4).digest, readme)
        self.assertIn(self.capture(1).digest, readme)


class BoundaryTests(ExportTestCase):
    def test_a_period_holds_the_events_from_its_start_up_to_its_end(self):
        before, package = self.package(local_midnight(month_after(self.first_day, -1)), self.start)
        self.assertEqual((before.first_sequence, before.last_sequence), (1, 1))
        self.assertEqual(before.previous_digest, chain.GENESIS)
        after, _package = self.package(self.end, local_midnight(month_after(self.first_day, 2)))
        self.assertEqual((after.first_sequence, after.last_sequence), (5, 5))
        during, _package = self.package()
        # Each package follows the one before it.
        self.assertEqual(during.previous_digest, before.head_digest)
        self.assertEqual(after.previous_digest, during.head_digest)

    def test_a_period_without_events_is_an_empty_package_at_the_chain_s_place(self):
        later = local_midnight(month_after(self.first_day, 3))
        result, package = self.package(later, later + datetime.timedelta(days=1))
        self.assertEqual(result.captures, 0)
        self.assertEqual(result.previous_digest, self.capture(5).digest)
        self.assertEqual(result.head_digest, self.capture(5).digest)
        self.assertIsNone(result.first_sequence)
        self.assertEqual(
            package.namelist(),
            [
                "README.txt",
                "manifest.xml",
                "manifest.xsd",
                "manifest.csv",
                "records.csv",
                "sha256sums.txt",
            ],
        )
        root = ElementTree.fromstring(package.read("manifest.xml"))
        self.assertEqual(root.find("a:captures", NS).get("count"), "0")
        self.assertIsNone(root.find("a:chain", NS).get("firstSequence"))
        if lxml_etree is not None:
            schema = lxml_etree.XMLSchema(lxml_etree.parse(str(export.SCHEMA)))
            schema.assertValid(lxml_etree.fromstring(package.read("manifest.xml")))

    def test_another_municipality_s_captures_are_not_in_the_package(self):
        result, _package = self.package()
        stream = io.BytesIO()
        other = export.write_package(stream, "avesta", self.start, self.end)
        self.assertEqual(other.captures, 0)
        self.assertEqual(result.captures, 3)

    def test_the_period_is_timezone_aware_and_ends_after_it_starts(self):
        with self.assertRaises(ValueError):
            export.write_package(io.BytesIO(), "alvdal", self.start.replace(tzinfo=None), self.end)
        with self.assertRaises(ValueError):
            export.write_package(io.BytesIO(), "alvdal", self.end, self.start)


class RefusalTests(ExportTestCase):
    def test_a_changed_file_is_refused_naming_the_capture(self):
        capture = self.capture(3)
        content = bytearray(read_file(capture.warc_name))
        content[len(content) // 2] ^= 0x01
        self.tamper(capture.warc_name, bytes(content))
        with self.assertRaises(export.ExportRefused) as refused:
            self.package()
        message = str(refused.exception)
        self.assertIn(capture.warc_name, message)
        self.assertIn("capture 3", message)
        self.assertIn("Nyhet B", message)
        self.assertIn("verify_archive", message)

    def test_a_missing_file_is_refused(self):
        capture = self.capture(2)
        original = read_file(capture.warc_name)
        archive_storage().delete(capture.warc_name)
        self.addCleanup(replace_file, capture.warc_name, original)
        with self.assertRaisesMessage(export.ExportRefused, "is missing"):
            self.package()

    def test_a_changed_row_is_refused(self):
        with guard.suspended(connection), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE publishing_archivecapture SET title = %s"
                " WHERE municipality = %s AND sequence = %s",
                ["Nyhet X", "alvdal", 4],
            )
        with self.assertRaisesMessage(export.ExportRefused, "was changed after it was archived"):
            self.package()

    def test_a_file_outside_the_period_does_not_stop_it(self):
        capture = self.capture(5)
        self.tamper(capture.warc_name, b"not a warc file")
        result, _package = self.package()
        self.assertEqual(result.captures, 3)


class CommandTests(ExportTestCase):
    def setUp(self):
        super().setUp()
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.output = self.folder / "alvdal.zip"

    def run_command(self, *args):
        out = io.StringIO()
        call_command("export_archive", *args, stdout=out)
        return out.getvalue()

    def month(self):
        return f"{self.first_day:%Y-%m}"

    def test_month_writes_the_package_and_sums_it_up(self):
        output = self.run_command(
            "--municipality", "alvdal", "--month", self.month(), "--output", str(self.output)
        )
        with zipfile.ZipFile(self.output) as package:
            self.assertEqual(len([n for n in package.namelist() if n.startswith("warc/")]), 3)
        self.assertIn("3 captures", output)
        self.assertIn(str(self.output), output)
        self.assertIn(f"{self.output.stat().st_size} bytes in all", output)
        self.assertIn(f"Chain head: {self.capture(4).digest}", output)
        self.assertIn(f"Digest before the period: {self.capture(1).digest}", output)
        self.assertEqual([p.name for p in self.folder.iterdir()], ["alvdal.zip"])

    def test_from_and_to_are_days_in_the_site_s_time_zone_to_included(self):
        last_day = self.next_first_day - datetime.timedelta(days=1)
        self.run_command(
            "--municipality",
            "alvdal",
            "--from",
            f"{self.first_day}",
            "--to",
            f"{last_day}",
            "--output",
            str(self.output),
        )
        with zipfile.ZipFile(self.output) as package:
            root = ElementTree.fromstring(package.read("manifest.xml"))
        sequences = [e.get("sequence") for e in root.iter(f"{{{export.NAMESPACE}}}capture")]
        self.assertEqual(sequences, ["2", "3", "4"])
        # One day: the first, whose midnight B was published at.
        self.run_command(
            "--municipality",
            "alvdal",
            "--from",
            f"{self.first_day}",
            "--to",
            f"{self.first_day}",
            "--output",
            str(self.output),
            "--force",
        )
        with zipfile.ZipFile(self.output) as package:
            root = ElementTree.fromstring(package.read("manifest.xml"))
        sequences = [e.get("sequence") for e in root.iter(f"{{{export.NAMESPACE}}}capture")]
        self.assertEqual(sequences, ["2"])

    def test_an_existing_file_is_replaced_only_with_force(self):
        self.output.write_bytes(b"earlier")
        args = ["--municipality", "alvdal", "--month", self.month(), "--output", str(self.output)]
        with self.assertRaisesMessage(CommandError, "exists already. Give --force"):
            self.run_command(*args)
        self.assertEqual(self.output.read_bytes(), b"earlier")
        self.run_command(*args, "--force")
        self.assertTrue(zipfile.is_zipfile(self.output))

    def test_a_refused_export_leaves_nothing_behind(self):
        capture = self.capture(4)
        self.tamper(capture.warc_name, read_file(capture.warc_name) + b"\0")
        with self.assertRaisesMessage(CommandError, "capture 4"):
            self.run_command(
                "--municipality", "alvdal", "--month", self.month(), "--output", str(self.output)
            )
        self.assertEqual(list(self.folder.iterdir()), [])
        # Nor does it touch a file that was there.
        self.output.write_bytes(b"earlier")
        with self.assertRaises(CommandError):
            self.run_command(
                "--municipality",
                "alvdal",
                "--month",
                self.month(),
                "--output",
                str(self.output),
                "--force",
            )
        self.assertEqual(self.output.read_bytes(), b"earlier")
        self.assertEqual([p.name for p in self.folder.iterdir()], ["alvdal.zip"])

    def test_an_unknown_municipality_is_refused_with_the_known_ones(self):
        with self.assertRaisesMessage(
            CommandError, "No municipality with the slug nowhere. The municipalities are: alvdal."
        ):
            self.run_command(
                "--municipality", "nowhere", "--month", self.month(), "--output", str(self.output)
            )

    def test_bad_periods_are_refused_clearly(self):
        base = ["--municipality", "alvdal", "--output", str(self.output)]
        cases = [
            (["--month", "2026-13"], "takes a month as YYYY-MM, not “2026-13”"),
            (["--from", "2026-02-30", "--to", "2026-03-01"], "takes a day as YYYY-MM-DD"),
            (["--from", "2026-03-01"], "Give the period"),
            ([], "Give the period"),
            (["--month", "2026-03", "--from", "2026-03-01"], "not both"),
            (["--from", "2026-03-02", "--to", "2026-03-01"], "before it starts"),
        ]
        for args, message in cases:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                self.run_command(*base, *args)
        self.assertEqual(list(self.folder.iterdir()), [])

    def test_the_output_s_folder_must_exist(self):
        with self.assertRaisesMessage(CommandError, "There is no folder"):
            self.run_command(
                "--municipality",
                "alvdal",
                "--month",
                self.month(),
                "--output",
                str(self.folder / "missing" / "alvdal.zip"),
            )
