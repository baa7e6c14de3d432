"""Benchmark of the document checks: ``python -m bench.document_checks``.

Makes a 100-page text PDF and a DOCX of about 10 MB (text, a table and photos, as a municipal
report has) from the real public texts in tests/content_checks/real_prose/, with generated ID
numbers in them; reads each with ``extract_bounded`` (a child process under the default limits)
and scans the text with ``scan_extraction``, as the worker does. Prints for each the seconds of
reading and of scanning and the child's peak resident memory, against targets; then how each
hostile file of the tests ends under the limits the tests use, and in how many seconds.
"""

import argparse
import itertools
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pdf_libraries import MunicipalPdf, texts  # noqa: E402
from bench.text_checks import say  # noqa: E402
from publishing.content_checks.documents import (  # noqa: E402
    Limits,
    extract_bounded,
    scan_extraction,
)
from tests.content_checks import document_files as files  # noqa: E402
from tests.content_checks.corpus import make_no, seeded  # noqa: E402

#: Targets for the worker: seconds to read and scan, and the child's peak memory (MB).
TARGETS = {"pdf": (10.0, 300), "docx": (20.0, 600)}
# About 10 MB of DOCX: text of some 4 million characters (about 2 MB zipped) and photos.
PARAGRAPHS = 30_000
PHOTOS = 3


class Paragraphs:
    """Real bokmål and nynorsk paragraphs, over and over, one in 25 with a generated ID number;
    ``planted`` counts those given out."""

    def __init__(self, rng):
        self.rng = rng
        self.source = [text for _title, body in texts("nb") + texts("nn") for text in body]
        self.planted = 0

    def __iter__(self):
        for index in itertools.count():
            paragraph = self.source[index % len(self.source)]
            if index % 25 == 0:
                paragraph += f" Søkerens fødselsnummer er {make_no(self.rng)}."
                self.planted += 1
            yield paragraph


def make_pdf(path, rng, pages=100):
    """A PDF of exactly ``pages`` pages of text; returns the ID numbers planted."""
    pdf = MunicipalPdf("Alvdal kommune · Årsrapport helse og omsorg")
    pdf.add_page()
    source = Paragraphs(rng)
    for paragraph in source:
        # Stop at the bottom of the last page rather than start one page more.
        if pdf.pages_count == pages and pdf.get_y() > 230:
            break
        pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))
    return source.planted


def make_docx(path, rng):
    """A report of about 10 MB: some 4 million characters of text, a table of people, and
    noise photos (which do not compress, as photos do not); returns the ID numbers planted."""
    import docx  # late: only the benchmark makes a large DOCX
    from docx.oxml import parse_xml  # late: as above
    from docx.shared import Cm  # late: as above
    from PIL import Image  # late: as above

    document = docx.Document()
    document.core_properties.title = "Årsrapport helse og omsorg"
    source = Paragraphs(rng)
    body = document.element.body
    section = body[-1]  # w:sectPr ends the body
    per_photo = PARAGRAPHS // PHOTOS
    for _photo in range(PHOTOS):
        # python-docx's add_paragraph looks for the section properties each time, which is
        # quadratic over 30,000 paragraphs; the XML is written here and parsed at once.
        runs = "".join(
            f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
            for text in itertools.islice(source, per_photo)
        )
        for paragraph in parse_xml(f'<w:body xmlns:w="{files.W_NS}">{runs}</w:body>'):
            section.addprevious(paragraph)
        with tempfile.NamedTemporaryFile(suffix=".png") as photo:
            noise = os.urandom(1100 * 850 * 3)
            Image.frombytes("RGB", (1100, 850), noise).save(photo.name, compress_level=1)
            document.add_picture(photo.name, width=Cm(15))
    table = document.add_table(rows=300, cols=3)
    for row in table.rows:
        row.cells[0].text, row.cells[1].text = "Fødselsnummer", make_no(rng)
        row.cells[2].text = "Vedtak om praktisk bistand"
    document.save(path)
    return source.planted + len(table.rows)


def measure(path, name):
    """(extraction, usage, scan seconds, findings)."""
    extraction, usage = extract_bounded(path, name, Limits())
    started = time.perf_counter()
    findings = scan_extraction(extraction, "nb")
    return extraction, usage, time.perf_counter() - started, findings


HOSTILE = (
    ("zip bomb (1 GB of XML)", "bomb.docx", lambda p: files.zip_bomb_docx(p, 1_000_000_000), {}),
    ("XML nested 20,000 deep", "deep.docx", files.deep_xml_docx, {}),
    ("RTF nested 100,000 deep", "deep.rtf", files.deep_rtf, {}),
    ("billion laughs", "laughs.odt", files.billion_laughs_odt, {}),
    ("encrypted OOXML", "locked.xlsx", files.encrypted_ooxml, {}),
    ("truncated DOCX", "cut.docx", lambda p: files.corrupt(p, "docx"), {}),
    ("3,001 pages", "pages.pdf", lambda p: files.many_pages_pdf(p, 3001), {}),
    ("endless PDF, 3 CPU s", "endless.pdf", files.endless_pdf, {"cpu_seconds": 3}),
    ("endless PDF, 3 s wall", "endless.pdf", files.endless_pdf, {"wall_seconds": 3}),
    ("endless PDF, 150 MB", "endless.pdf", files.endless_pdf, {"memory_bytes": 150_000_000}),
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile files")
    args = parser.parse_args(argv)
    rng = seeded(args.seed)
    say(
        "Document checks: read in a child process (default limits) and scanned "
        f"({os.cpu_count()} cores)"
    )
    say(
        f"{'file':>6} {'MB':>6} {'pages':>6} {'chars':>10} {'read s':>8} {'scan s':>8} "
        f"{'peak MB':>8} {'IDs found':>11}"
    )
    with tempfile.TemporaryDirectory() as directory:
        results = {}
        for kind, make in (("pdf", make_pdf), ("docx", make_docx)):
            path = Path(directory) / f"report.{kind}"
            planted = make(path, rng)
            extraction, usage, scan_seconds, findings = measure(path, path.name)
            ids = sum(1 for finding in findings if finding["kind"] == "national_id")
            results[kind] = (usage.seconds + scan_seconds, usage.peak_memory_bytes / 1e6)
            say(
                f"{kind:>6} {path.stat().st_size / 1e6:>6.1f} {extraction.pages or '-':>6} "
                f"{extraction.chars:>10,} {usage.seconds:>8.2f} {scan_seconds:>8.2f} "
                f"{usage.peak_memory_bytes / 1e6:>8.0f} {ids:>5}/{planted:<5}"
                + (f"  {extraction.status} {extraction.reason}" if extraction.reason else "")
            )
        for kind, (seconds_target, memory_target) in TARGETS.items():
            seconds, memory = results[kind]
            verdict = "ok" if seconds < seconds_target and memory < memory_target else "OVER TARGET"
            say(
                f"target: {kind} read and scanned under {seconds_target:.0f} s and "
                f"{memory_target} MB: {seconds:.1f} s, {memory:.0f} MB {verdict}"
            )
        if not args.no_hostile:
            hostile(Path(directory))


def hostile(directory):
    say("\nHostile files (the tests' files), each in a child process:")
    say(f"  {'file':<26} {'limits':<22} {'outcome':<27} {'s':>6} {'peak MB':>8}")
    for label, name, make, overrides in HOSTILE:
        path = directory / name
        make(path)
        limits = Limits(**overrides)
        extraction, usage = extract_bounded(path, name, limits)
        changed = ", ".join(f"{key}={value:,}" for key, value in overrides.items()) or "defaults"
        outcome = f"{extraction.status} {extraction.reason}".strip()
        say(
            f"  {label:<26} {re.sub('_(bytes|seconds)', '', changed):<22} {outcome:<27} "
            f"{usage.seconds:>6.2f} {usage.peak_memory_bytes / 1e6:>8.0f}"
        )


if __name__ == "__main__":
    main()
