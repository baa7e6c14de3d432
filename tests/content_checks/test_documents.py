"""The text of uploaded documents, read safely, and the personal data in it.

Every file is made by rule (``document_files``) with generated, valid ID numbers in known
places; each test says where the scanner must find them (kind and place), and the hostile files
how reading them must end, within the limits, in a child process.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase, tag
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from publishing.content_checks.documents import (
    REASONS,
    Extraction,
    Limits,
    Part,
    extract,
    extract_bounded,
    sandbox,
    scan_extraction,
)
from publishing.content_checks.documents import excel as excel_reader
from tests.content_checks import corpus
from tests.content_checks import document_files as files

# Seeds whose numbers do not start with 0, so that they survive being stored as integers; and
# one that does, which needs a number format of zeros to keep it.
SEEDS = [seed for seed in range(1, 100) if files.norwegian_id(seed)[0] != "0"]
FNR = files.norwegian_id(SEEDS[0])
FNR_2 = files.norwegian_id(SEEDS[1])
FNR_ZERO = next(
    files.norwegian_id(seed) for seed in range(1, 100) if files.norwegian_id(seed)[0] == "0"
)
PNR = files.swedish_id(13)
BROKEN = files.broken_norwegian_id(SEEDS[0])

NB_PROSE = [
    "Alvdal kommune har behandlet søknaden om plass i sykehjem.",
    "Vedtaket kan påklages til Statsforvalteren innen tre uker.",
    "Kommunestyret behandlet saken i møtet 14. oktober.",
]
SV_PROSE = [
    "Avesta kommun har tagit emot din ansökan om bygglov.",
    "Beslutet kan överklagas till länsstyrelsen inom tre veckor.",
]


class _Files(SimpleTestCase):
    """A temporary directory of test files for each class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = Path(tempfile.mkdtemp(prefix="documents-"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)
        super().tearDownClass()

    def path(self, name):
        return self.dir / name

    def read(self, name, limits=Limits()):  # noqa: B008 - frozen
        extraction = extract(self.path(name), name, limits)
        self.assertEqual(extraction.status, "ok", extraction.reason)
        return extraction

    def ids(self, extraction, lang="nb"):
        """The places of the national ID numbers found."""
        return [
            finding["where"]
            for finding in scan_extraction(extraction, lang)
            if finding["kind"] == "national_id"
        ]


class PdfTests(_Files):
    def test_id_on_page_three_is_placed_on_its_line(self):
        pages = [
            "\n".join(NB_PROSE),
            "\n".join(NB_PROSE[::-1]),
            "\n".join([*NB_PROSE, f"Søkerens fødselsnummer er {FNR}.", NB_PROSE[0]]),
        ]
        files.pdf_with_text(self.path("a.pdf"), pages, title="Vedtak", lang="nb-NO")
        extraction = self.read("a.pdf")
        self.assertEqual(extraction.pages, 3)
        self.assertEqual(self.ids(extraction), [{"part": "page", "page": 3, "line": 4}])

    def test_id_only_in_the_metadata(self):
        files.pdf_with_text(
            self.path("m.pdf"),
            ["\n".join(NB_PROSE)],
            title="Vedtak om plass i sykehjem",
            author=f"Saksbehandler, fnr. {FNR}",
            subject=f"Klage fra {PNR}",
        )
        found = self.ids(self.read("m.pdf"))
        self.assertEqual(
            found,
            [{"part": "metadata", "field": "author"}, {"part": "metadata", "field": "subject"}],
        )

    def test_ids_in_a_comment_and_a_form_field(self):
        files.pdf_with_text(
            self.path("n.pdf"),
            ["\n".join(NB_PROSE), "\n".join(NB_PROSE)],
            annotation={2: f"Husk å sjekke {FNR} før utsending"},
            form_fields={"Fødselsnummer": FNR_2},
        )
        self.assertEqual(
            self.ids(self.read("n.pdf")),
            [{"part": "annotation", "page": 1}, {"part": "annotation", "page": 2}],
        )

    def test_a_wrong_check_digit_is_no_finding(self):
        files.pdf_with_text(self.path("w.pdf"), [f"Fødselsnummer {BROKEN}"])
        self.assertEqual(self.ids(self.read("w.pdf")), [])

    def test_broken_xmp_leaves_the_rest_readable(self):
        files.pdf_with_text(self.path("x.pdf"), [f"Fødselsnummer {FNR}"], title="Vedtak")
        writer = PdfWriter(clone_from=PdfReader(self.path("x.pdf")))
        broken = StreamObject()
        broken.set_data(b"<x:xmpmeta><rdf:RDF")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(broken)
        writer.write(self.path("x.pdf"))
        extraction = self.read("x.pdf")
        self.assertNotIn("no_title", extraction.accessibility)
        self.assertEqual(self.ids(extraction), [{"part": "page", "page": 1, "line": 1}])

    def test_a_scan_has_no_text(self):
        files.pdf_scanned(self.path("scan.pdf"), pages=2)
        extraction = extract(self.path("scan.pdf"), "scan.pdf")
        self.assertEqual(extraction.status, "no_text")
        self.assertIn("no_text_layer", extraction.accessibility)
        self.assertFalse([part for part in extraction.parts if part.where["part"] == "page"])

    def test_accessibility_codes(self):
        files.pdf_with_text(self.path("plain.pdf"), ["Tekst"])
        files.pdf_with_text(
            self.path("good.pdf"), ["Tekst"], title="Vedtak", lang="nb-NO", tagged=True
        )
        files.pdf_with_text(self.path("xmp.pdf"), ["Tekst"], xmp_title="Vedtak", lang="sv-SE")
        self.assertEqual(
            self.read("plain.pdf").accessibility, ["no_title", "no_language", "not_tagged"]
        )
        good = self.read("good.pdf")
        self.assertEqual((good.accessibility, good.language), ([], "nb-NO"))
        self.assertEqual(self.read("xmp.pdf").accessibility, ["not_tagged"])

    def test_an_empty_user_password_is_read(self):
        files.pdf_with_text(self.path("open.pdf"), [f"Fødselsnummer {FNR}"], password="")
        self.assertEqual(self.ids(self.read("open.pdf")), [{"part": "page", "page": 1, "line": 1}])

    def test_a_real_password_is_encrypted(self):
        files.pdf_with_text(self.path("locked.pdf"), [f"Fødselsnummer {FNR}"], password="hemmelig")
        extraction = extract(self.path("locked.pdf"), "locked.pdf")
        self.assertEqual((extraction.status, extraction.reason), ("unreadable", "encrypted"))
        self.assertEqual(extraction.parts, [])


class DocxTests(_Files):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        files.docx_with(
            cls.dir / "d.docx",
            [NB_PROSE[0], f"Klager har fødselsnummer {FNR}.", NB_PROSE[1]],
            comments={0: f"Ring søker, fnr {FNR_2}"},
            tracked_deleted=FNR,
            tracked_inserted=f"ny søker {FNR_2}",
            header=f"Unntatt offentlighet, {PNR}",
            footer="Side 1",
            author="Kari Nordmann",
            title="Vedtak",
            table=[["Navn", "Fødselsnummer"], ["Ola Nordmann", FNR]],
            language="nb-NO",
        )

    def test_every_place(self):
        extraction = self.read("d.docx")
        self.assertEqual(extraction.language, "nb-NO")
        self.assertEqual(
            self.ids(extraction),
            [
                {"part": "header"},
                {"part": "paragraph", "number": 2, "line": 1},
                {"part": "tracked_change", "change": "deleted", "in": "paragraph", "number": 4},
                {"part": "tracked_change", "change": "inserted", "in": "paragraph", "number": 5},
                {"part": "table", "table": 1, "row": 2, "cell": 2},
                {"part": "comment", "number": 1},
            ],
        )

    def test_metadata_and_footer_are_read(self):
        parts = {
            json.dumps(part.where, sort_keys=True): part.text for part in self.read("d.docx").parts
        }
        self.assertEqual(parts['{"field": "author", "part": "metadata"}'], "Kari Nordmann")
        self.assertEqual(parts['{"field": "title", "part": "metadata"}'], "Vedtak")
        self.assertEqual(parts['{"part": "footer"}'], "Side 1")

    def test_text_box_footnote_and_custom_xml(self):
        files.docx_with(
            self.path("box.docx"),
            NB_PROSE,
            textbox=f"Kontaktperson: fnr {FNR}",
            footnote=f"Opplyst av pårørende, fnr {FNR_2}",
            custom_xml={"Mottaker": "Kari Nordmann", "MottakerFodselsnummer": FNR},
        )
        # The text box is read once: Word keeps a copy of it for old readers (mc:Fallback).
        self.assertEqual(
            self.ids(self.read("box.docx")),
            [
                {"part": "textbox", "number": 1},
                {"part": "footnote", "number": 1},
                {"part": "custom_xml", "number": 1},
            ],
        )

    def test_an_inserted_run_continues_its_paragraph(self):
        parts = self.read("d.docx").parts
        inserted = next(part for part in parts if part.where.get("change") == "inserted")
        self.assertEqual(inserted.glue, "")
        before = parts[parts.index(inserted) - 1]
        self.assertEqual(
            (before.where, before.text), ({"part": "paragraph", "number": 5}, "Søker: ")
        )


class XlsxTests(_Files):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        files.xlsx_with(
            cls.dir / "x.xlsx",
            {
                "Oversikt": [["Tildelte plasser", 12], ["Venteliste", 3]],
                "Lønn": [["Navn", "Fødselsnummer"], ["Kari Nordmann", int(FNR)]],
                "Arkiv": [["CPR-nummer", "010190-1234"], ["Personnummer", PNR]],
                "Null": [["Fødselsnummer", int(FNR_ZERO)]],
            },
            hidden={"Lønn"},
            very_hidden={"Arkiv"},
            comments={("Oversikt", "B2"): f"Gjelder {FNR_2}"},
            number_formats={("Null", "B1"): "00000000000"},
            header="Fortrolig",
        )

    def expected(self):
        return [
            {"part": "comment", "number": 1, "sheet": "Oversikt", "cell": "B2"},
            {"part": "cell", "sheet": "Lønn", "cell": "B2", "hidden": True},
            {"part": "cell", "sheet": "Arkiv", "cell": "B1", "hidden": True},
            {"part": "cell", "sheet": "Arkiv", "cell": "B2", "hidden": True},
            {"part": "cell", "sheet": "Null", "cell": "B1"},
        ]

    def test_hidden_sheets_integers_comments_and_row_context(self):
        # The Danish CPR number is found only with "CPR-nummer" from the cell before it.
        extraction = self.read("x.xlsx")
        self.assertEqual(extraction.pages, 4)
        self.assertEqual(self.ids(extraction), self.expected())
        cells = {
            part.where.get("cell") + part.where.get("sheet", ""): part.text
            for part in extraction.parts
            if part.where["part"] == "cell"
        }
        self.assertEqual(cells["B2Lønn"], FNR)
        self.assertEqual(cells["B1Null"], FNR_ZERO)

    def test_numbers_typed_as_numbers_are_found_for_every_birth_year_and_day(self):
        # Typed into a cell as a number, a fødselsnummer born on the 1st to the 9th of a month
        # loses its leading zero; Swedish ten-digit personnummer stay as they are.
        norwegian, swedish = [], []
        for year in range(1900, datetime.date.today().year):
            for first in range(1, 10):
                born = datetime.date(year, (year + first) % 12 + 1, first)
                norwegian.append(corpus.norwegian_number(born))
            swedish.append(corpus.swedish_number(datetime.date(year, year % 12 + 1, 20)))
        rows = [["Fødselsnummer", int(number)] for number in norwegian]
        rows += [["Personnummer", int(number)] for number in swedish if number[0] != "0"]
        files.xlsx_with(self.path("numbers.xlsx"), {"Liste": rows})
        extraction = self.read("numbers.xlsx")
        found = self.ids(extraction)
        self.assertEqual(len(found), len(rows))
        self.assertEqual(
            {where["cell"] for where in found}, {f"B{n}" for n in range(1, len(rows) + 1)}
        )

    def test_a_ten_digit_number_that_is_no_identity_number_keeps_its_digits(self):
        files.xlsx_with(self.path("plain.xlsx"), {"Ark": [["Saksnummer", 2026001234]]})
        [part] = [p for p in self.read("plain.xlsx").parts if p.where.get("cell") == "B1"]
        self.assertEqual(part.text, "2026001234")

    def test_pivot_and_external_link_caches(self):
        # The pivot table's source sheet was deleted; its cache keeps every row.
        files.xlsx_with(
            self.path("pivot.xlsx"),
            {"Totalt": [["Enhet", "Antall"], ["Hjemmetjenesten", 2]]},
            pivot_cache={"Navn": ["Kari Nordmann", "Ola Haugen"], "Fnr": [int(FNR), int(FNR_2)]},
            external_link=[["Personnummer", PNR]],
        )
        self.assertEqual(
            self.ids(self.read("pivot.xlsx")),
            [
                {"part": "pivot_cache", "number": 1, "field": 2},
                {"part": "pivot_cache", "number": 1, "field": 2},
                {"part": "pivot_cache", "number": 1, "record": 1},
                {"part": "pivot_cache", "number": 1, "record": 1},
                {"part": "external_link", "number": 1, "sheet": "Innbyggere", "cell": "B1"},
            ],
        )

    def test_streamed_reading_finds_the_same(self):
        with mock.patch.object(excel_reader, "FULL_MODE_MAX_BYTES", 0):
            self.assertEqual(self.ids(self.read("x.xlsx")), self.expected())


class OpenDocumentTests(_Files):
    def test_ods(self):
        files.ods_with(
            self.path("s.ods"),
            {
                "Ark1": [["Navn", "Fødselsnummer"], ["Kari Nordmann", int(FNR)]],
                "Skjult": [["Personnummer", PNR]],
            },
            hidden={"Skjult"},
            comments={("Ark1", 0, 0): f"Se også {FNR_2}"},
        )
        started = time.perf_counter()
        extraction = self.read("s.ods")
        # Each sheet claims 16,384 columns and a million rows of empty cells: none is expanded.
        self.assertLess(time.perf_counter() - started, 2)
        self.assertEqual(len(extraction.parts), 7)
        self.assertEqual(
            self.ids(extraction),
            [
                {"part": "comment", "number": 1, "sheet": "Ark1", "cell": "A1"},
                {"part": "cell", "sheet": "Ark1", "cell": "B2"},
                {"part": "cell", "sheet": "Skjult", "cell": "B1", "hidden": True},
            ],
        )

    def test_odt(self):
        files.odt_with(
            self.path("t.odt"),
            [NB_PROSE[0], f"Klager har fødselsnummer {FNR}."],
            comments={0: f"Sjekk {FNR_2}"},
            tracked_deleted=f"fødselsnummer {FNR}",
            header=f"Fortrolig {PNR}",
            footer="Side 1",
            title="Vedtak",
            author="Kari Nordmann",
            table=[["Navn", "Fødselsnummer"], ["Ola Nordmann", FNR_2]],
            footnote=f"Opplyst av {PNR}",
            textbox=f"Kontakt: {FNR_2}",
        )
        extraction = self.read("t.odt")
        self.assertEqual(extraction.language, "nb-NO")
        self.assertEqual(
            self.ids(extraction),
            [
                {"part": "header"},
                {"part": "tracked_change", "change": "deleted", "number": 1},
                {"part": "comment", "number": 1},
                {"part": "footnote", "number": 1},
                {"part": "paragraph", "number": 2, "line": 1},
                {"part": "textbox", "number": 1},
                {"part": "table", "table": 1, "row": 2, "cell": 2},
            ],
        )

    def test_an_encrypted_odt(self):
        files.odt_with(self.path("e.odt"), ["Tekst"])
        namespace = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
        manifest = (
            f'<manifest:manifest xmlns:manifest="{namespace}">'
            '<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
            "</manifest:file-entry></manifest:manifest>"
        )
        files._replace_entries(self.path("e.odt"), {"META-INF/manifest.xml": manifest.encode()})
        self.assertEqual(extract(self.path("e.odt"), "e.odt").reason, "encrypted")


class TextFormatTests(_Files):
    def test_rtf_info_group_and_body(self):
        files.rtf_with(
            self.path("r.rtf"),
            [*SV_PROSE, f"Sökandens personnummer är {PNR}."],
            title="Beslut",
            author=f"Handläggare {FNR}",
            comments="Bygglov",
        )
        extraction = self.read("r.rtf")
        self.assertEqual(extraction.language, "nb-NO")
        self.assertEqual(
            self.ids(extraction, "sv"),
            [{"part": "metadata", "field": "author"}, {"part": "line", "line": 3}],
        )
        self.assertIn("Avesta kommun har tagit emot din ansökan", extraction.parts[-1].text)

    def test_csv_cells_with_their_row_as_context(self):
        rows = [["Navn", "Nummer"], ["CPR-nummer", "010190-1234"], ["Fødselsnummer", FNR]]
        files.csv_with(self.path("c.csv"), rows)
        files.csv_with(self.path("c1252.csv"), rows, delimiter=",", encoding="cp1252")
        for name in ("c.csv", "c1252.csv"):
            with self.subTest(name):
                self.assertEqual(
                    self.ids(self.read(name)),
                    [{"part": "cell", "cell": "B2"}, {"part": "cell", "cell": "B3"}],
                )

    def test_html_comment_title_and_script(self):
        files.html_with(
            self.path("h.html"),
            NB_PROSE,
            title="Søknad om barnehageplass",
            author="Kari Nordmann",
            description=f"Gjelder {FNR_2}",
            comment=f"TODO fjern fnr {FNR} før publisering",
        )
        extraction = self.read("h.html")
        self.assertEqual(extraction.language, "nb")
        self.assertEqual(
            self.ids(extraction),
            [{"part": "metadata", "field": "description"}, {"part": "comment", "number": 1}],
        )
        self.assertNotIn("1432", "".join(part.text for part in extraction.parts))  # the script

    def test_txt_lines(self):
        lines = [*NB_PROSE, "", *SV_PROSE, f"Personnummer: {PNR}"]
        files.txt_with(self.path("t.txt"), lines, encoding="cp1252")
        self.assertEqual(self.ids(self.read("t.txt")), [{"part": "line", "line": 7}])


class LimitTests(_Files):
    def test_text_beyond_the_limit_is_not_read_and_says_so(self):
        files.txt_with(self.path("long.txt"), [NB_PROSE[0]] * 200 + [f"Fnr {FNR}"])
        extraction = self.read("long.txt", Limits(max_chars=1000))
        self.assertTrue(extraction.truncated)
        self.assertEqual(extraction.chars, 1000)
        self.assertEqual(self.ids(extraction), [])

    def test_parts_beyond_the_limit(self):
        files.csv_with(self.path("many.csv"), [[str(n), "x"] for n in range(100)])
        extraction = self.read("many.csv", Limits(max_parts=50))
        self.assertEqual((len(extraction.parts), extraction.truncated), (50, True))

    def test_format_by_extension_confirmed_by_content(self):
        note = files.txt_with(self.path("note.txt"), ["Tekst"])
        files.pdf_with_text(self.path("upper.pdf"), ["Tekst"])
        # The name says the format; the bytes must agree.
        self.assertEqual(extract(note, "vedtak.pdf").reason, "corrupt")
        self.assertEqual(extract(note, "vedtak.docx").reason, "corrupt")
        self.assertEqual(extract(note, "vedtak.exe").reason, "unsupported")
        self.assertEqual(extract(self.path("upper.pdf"), "VEDTAK.PDF").status, "ok")
        self.assertEqual(extract(self.path("upper.pdf"), "vedtak.txt").reason, "corrupt")  # binary

    def test_too_large(self):
        files.txt_with(self.path("big.txt"), ["x" * 1000])
        extraction = extract(self.path("big.txt"), "big.txt", Limits(max_bytes=100))
        self.assertEqual(extraction.reason, "too_large")

    def test_a_missing_file_is_unreadable(self):
        self.assertEqual(extract(self.path("none.pdf"), "none.pdf").status, "unreadable")


class HostileFileTests(_Files):
    """Each hostile file ends in a clear reason within its limits, in a child process."""

    SMALL = Limits(memory_bytes=500_000_000, cpu_seconds=5, wall_seconds=10)
    SLACK = 3  # seconds: starting the child and killing it

    def bounded(self, name, make, limits=SMALL):
        make(self.path(name))
        started = time.monotonic()
        extraction, usage = extract_bounded(self.path(name), name, limits)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, limits.wall_seconds + self.SLACK)
        self.assertAlmostEqual(usage.seconds, elapsed, delta=0.5)
        self.assertEqual(extraction.status, "unreadable")
        self.assertIn(extraction.reason, REASONS)
        self.assertEqual(extraction.parts, [])
        return extraction.reason

    @tag("slow")
    def test_zip_bomb(self):
        # A gigabyte of spaces in word/document.xml, a megabyte on disk.
        self.assertEqual(
            self.bounded("bomb.docx", lambda path: files.zip_bomb_docx(path, 1_000_000_000)),
            "zip_bomb",
        )

    def test_small_zip_bomb_by_ratio(self):
        self.assertEqual(
            self.bounded("bomb.docx", lambda path: files.zip_bomb_docx(path, 50_000_000)),
            "zip_bomb",
        )

    def test_deep_xml(self):
        self.assertEqual(self.bounded("deep.docx", files.deep_xml_docx), "too_deep")
        # Deeper than max_depth (200) and not as deep as libxml2's own limit (256).
        self.assertEqual(
            self.bounded("deep.docx", lambda path: files.deep_xml_docx(path, 230)), "too_deep"
        )

    def test_deep_rtf(self):
        self.assertEqual(self.bounded("deep.rtf", files.deep_rtf), "too_deep")

    def test_billion_laughs(self):
        self.assertEqual(self.bounded("laughs.odt", files.billion_laughs_odt), "corrupt")

    def test_encrypted_ooxml(self):
        self.assertEqual(self.bounded("locked.docx", files.encrypted_ooxml), "encrypted")
        self.assertEqual(self.bounded("locked.xlsx", files.encrypted_ooxml), "encrypted")

    def test_truncated_files(self):
        for name, kind in (("cut.pdf", "pdf"), ("cut.docx", "docx"), ("cut.xlsx", "xlsx")):
            with self.subTest(kind):
                self.assertEqual(
                    self.bounded(name, lambda path, kind=kind: files.corrupt(path, kind)),
                    "corrupt",
                )

    def test_too_many_pages(self):
        limits = Limits(max_pages=50, cpu_seconds=5, wall_seconds=10)
        make = lambda path: files.many_pages_pdf(path, 51)  # noqa: E731
        self.assertEqual(self.bounded("pages.pdf", make, limits), "too_many_pages")

    def test_endless_pdf_cpu(self):
        limits = Limits(cpu_seconds=1, wall_seconds=10)
        self.assertEqual(self.bounded("endless.pdf", files.endless_pdf, limits), "timeout")

    def test_endless_pdf_wall_clock(self):
        limits = Limits(cpu_seconds=60, wall_seconds=1)
        self.assertEqual(self.bounded("endless.pdf", files.endless_pdf, limits), "timeout")

    def test_endless_pdf_memory(self):
        # One page of its content stream takes pypdf some 200 MB.
        limits = Limits(memory_bytes=150_000_000, cpu_seconds=10, wall_seconds=15)
        self.assertEqual(self.bounded("endless.pdf", files.endless_pdf, limits), "memory")


class SandboxTests(_Files):
    def test_the_child_reads_as_this_process_does(self):
        files.docx_with(self.path("s.docx"), [f"Fødselsnummer {FNR}"], comments={0: "Sjekk"})
        extraction, usage = extract_bounded(self.path("s.docx"), "s.docx")
        self.assertEqual(extraction.to_json(), extract(self.path("s.docx"), "s.docx").to_json())
        self.assertGreater(usage.peak_memory_bytes, 5_000_000)
        self.assertLess(usage.peak_memory_bytes, 300_000_000)

    def test_the_child_never_imports_django(self):
        files.xlsx_with(self.path("s.xlsx"), {"Ark1": [["Tekst"]]})
        request = json.dumps(
            {"path": str(self.path("s.xlsx")), "filename": "s.xlsx", "limits": Limits().to_json()}
        )
        child = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", sandbox.CHILD_MODULE],
            input=request.encode(),
            capture_output=True,
            env=sandbox._environment(),
            cwd=sandbox._ROOT,
            timeout=60,
            check=True,
        )
        imported = {
            line.split("|")[-1].strip().split(".")[0] for line in child.stderr.decode().splitlines()
        }
        self.assertIn("openpyxl", imported)
        self.assertNotIn("django", imported)
        self.assertNotIn("wagtail", imported)
        self.assertNotIn("phonenumbers", imported)  # the scanner stays in the worker
        self.assertEqual(json.loads(child.stdout)["extraction"]["status"], "ok")

    def test_a_relative_path_is_the_callers(self):
        files.txt_with(self.path("rel.txt"), [f"Fnr {FNR}"])
        previous = os.getcwd()
        os.chdir(self.dir)
        try:
            extraction, _usage = extract_bounded("rel.txt", "rel.txt")
        finally:
            os.chdir(previous)
        self.assertEqual(extraction.status, "ok")

    def test_too_little_memory_to_start(self):
        files.txt_with(self.path("m.txt"), ["Tekst"])
        for memory in (5_000_000, 15_000_000):
            with self.subTest(memory):
                extraction, _usage = extract_bounded(
                    self.path("m.txt"), "m.txt", Limits(memory_bytes=memory)
                )
                self.assertEqual(extraction.reason, "memory")

    def test_the_child_gets_no_secrets(self):
        with mock.patch.dict(os.environ, {"DATABASE_URL": "postgres://u:p@h/db"}):
            self.assertNotIn("DATABASE_URL", sandbox._environment())


class ScanExtractionTests(SimpleTestCase):
    def extraction(self):
        return Extraction(
            format="xlsx",
            parts=[
                Part({"part": "metadata", "field": "author"}, f"Kari {FNR}"),
                Part({"part": "cell", "sheet": "A", "cell": "A1"}, "CPR-nummer"),
                Part({"part": "cell", "sheet": "A", "cell": "B1"}, "010190-1234", "\t"),
                Part({"part": "page", "page": 1}, "\n".join([*NB_PROSE, f"fnr {FNR_2}"])),
                Part({"part": "line", "line": 40}, f"a\nb\nPersonnummer {PNR}"),
            ],
        )

    def test_kinds_and_places_never_values(self):
        results = scan_extraction(self.extraction(), "nb")
        self.assertEqual(
            [result["where"] for result in results],
            [
                {"part": "metadata", "field": "author"},
                {"part": "cell", "sheet": "A", "cell": "B1"},
                {"part": "page", "page": 1, "line": 4},
                {"part": "line", "line": 42},
            ],
        )
        text = json.dumps(results)
        for value in (FNR, FNR_2, PNR, PNR.replace("-", ""), "010190", "1234"):
            self.assertNotIn(value, text)
        self.assertEqual(set(results[0]), {"kind", "subtype", "severity", "could_be", "where"})

    def test_small_chunks_find_the_same(self):
        whole = scan_extraction(self.extraction(), "nb")
        self.assertEqual(scan_extraction(self.extraction(), "nb", chunk_chars=60), whole)

    def test_json_round_trip(self):
        extraction = self.extraction()
        extraction.accessibility = ["no_title"]
        data = json.loads(json.dumps(extraction.to_json()))
        self.assertEqual(Extraction.from_json(data), extraction)

    def test_allowed_contact_points(self):
        extraction = Extraction(
            format="txt", parts=[Part({"part": "line", "line": 1}, "Ring oss på 62 48 90 00.")]
        )
        self.assertTrue(scan_extraction(extraction, "nb"))
        self.assertEqual(scan_extraction(extraction, "nb", allow=["62 48 90 00"]), [])
