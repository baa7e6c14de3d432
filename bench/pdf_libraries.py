"""pypdf against pdfminer.six on municipal PDFs: ``python -m bench.pdf_libraries``.

Three PDFs are made with fpdf2 from the real public texts in tests/content_checks/real_prose/
(read by their ``sources.json``): a bokmål case document in one justified, hyphenated column, a
Swedish newsletter in two columns, and nynorsk minutes with a table of the people concerned.
Every page has a header and a footer with page numbers; generated ID numbers (Norwegian
fødselsnummer, Swedish personnummer, Danish CPR numbers) are planted in known places: in
sentences, written with and without a space, and in table rows after the words that make them
ID numbers.

Each PDF is read with both libraries, page by page, and for each library this prints the seconds
per page, the share of the source's words recovered in order, the ID numbers the personal-data
scanner finds intact in the text, and words split in two (a hyphenated line end) or merged. Then
a short conclusion from those numbers. Nothing here is a test: the numbers are for people.
"""

import argparse
import datetime
import difflib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fpdf import FPDF  # noqa: E402
from fpdf.fonts import FontFace  # noqa: E402
from pdfminer.high_level import extract_text as pdfminer_text  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from stdnum.dk import cpr  # noqa: E402

from bench.text_checks import say  # noqa: E402
from publishing.content_checks import personal_data  # noqa: E402
from tests.content_checks import document_files  # noqa: E402
from tests.content_checks.corpus import make_no, make_se, seeded  # noqa: E402

PROSE = ROOT / "tests" / "content_checks" / "real_prose"
_WORD = re.compile(r"\w+")
SOFT_HYPHEN = "\u00ad"


# --- The documents ----------------------------------------------------------------------------


class MunicipalPdf(FPDF):
    """An A4 document with a header line and "Side n av m" in the footer."""

    def __init__(self, header_text):
        super().__init__(format="A4")
        self.header_text = header_text
        font = document_files.unicode_font()
        if font is None:
            raise SystemExit("No Unicode TrueType font found (fc-list): cannot make the PDFs.")
        self.add_font("Body", fname=font)
        self.set_font("Body", size=10)
        self.set_auto_page_break(True, margin=20)
        self.alias_nb_pages()

    def header(self):
        self.set_font_size(8)
        self.cell(0, 6, self.header_text, align="L")
        self.ln(10)
        self.set_font_size(10)

    def footer(self):
        self.set_y(-14)
        self.set_font_size(8)
        self.cell(0, 6, f"Side {self.page_no()} av {{nb}}", align="C")
        self.set_font_size(10)


def hyphenate(text):
    """Soft hyphens in words of 12 letters or more, every 6 letters: fpdf2 may break a line
    there and print a hyphen, as word processors do with Nordic compounds."""

    def split(match):
        word = match.group()
        if len(word) < 12 or any(char.isdigit() for char in word):
            return word
        return SOFT_HYPHEN.join(word[index : index + 6] for index in range(0, len(word), 6))

    return _WORD.sub(split, text)


def texts(lang):
    """(title, paragraphs) of the real texts in ``lang``."""
    sources = json.loads((PROSE / "sources.json").read_text(encoding="utf-8"))
    found = []
    for source in sources:
        if source["lang"] != lang:
            continue
        body = (PROSE / source["file"]).read_text(encoding="utf-8")
        paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", body)]
        found.append((source["title"], [paragraph for paragraph in paragraphs if paragraph]))
    return found


def danish_cpr(rng):
    """A valid Danish CPR number born 1900-1999 (the century digit 0-3), DDMMYY-NNNN."""
    while True:
        born = datetime.date(rng.randint(1920, 1999), rng.randint(1, 12), rng.randint(1, 28))
        number = f"{born:%d%m%y}{rng.randint(0, 3)}{rng.randint(0, 999):03d}"
        if cpr.is_valid(number):
            return f"{number[:6]}-{number[6:]}"


class Planted:
    """The ID numbers a document holds, and the words it was made of, in order."""

    def __init__(self):
        self.ids = []  # digits only
        self.words = []

    def text(self, text):
        self.words.extend(_WORD.findall(text.replace(SOFT_HYPHEN, "")))
        return text

    def id(self, number):
        self.ids.append(re.sub(r"\D", "", number))
        return number


def id_sentence(rng, lang, planted, index):
    """A sentence with a generated ID number, in the text's language; every other Norwegian one
    written with a space (DDMMYY NNNNN)."""
    if lang == "sv":
        twelve, _born = make_se(rng)
        number = twelve[2:8] + "-" + twelve[8:] if index % 2 else twelve[:8] + "-" + twelve[8:]
        return f"Sökandens personnummer är {planted.id(number)} enligt ansökan."
    number = make_no(rng)
    if index % 2:
        number = number[:6] + " " + number[6:]
    word = "fødselsnummer" if lang == "nb" else "fødselsnummeret"
    return f"Søkjar/søker har {word} {planted.id(number)} i saka."


def one_column(path, rng):
    """Bokmål case document: justified, hyphenated, an ID sentence every third text."""
    pdf, planted = MunicipalPdf("Alvdal kommune · Saksframlegg · Unntatt offentlighet"), Planted()
    pdf.add_page()
    for index, (title, paragraphs) in enumerate(texts("nb")):
        pdf.set_font_size(12)
        pdf.multi_cell(0, 7, planted.text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(10)
        body = list(paragraphs)
        if index % 3 == 0:
            body.insert(len(body) // 2, id_sentence(rng, "nb", planted, index // 3))
        for paragraph in body:
            text = paragraph if any(char.isdigit() for char in paragraph) else hyphenate(paragraph)
            pdf.multi_cell(0, 5, planted.text(text), align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(path))
    return planted


def two_columns(path, rng):
    """Swedish newsletter in two columns, an ID sentence every third text."""
    pdf, planted = MunicipalPdf("Avesta kommun · Nyhetsbrev till anställda"), Planted()
    pdf.add_page()
    with pdf.text_columns(ncols=2, gutter=8, text_align="J") as columns:
        for index, (title, paragraphs) in enumerate(texts("sv")):
            columns.write(planted.text(title) + "\n")
            body = list(paragraphs)
            if index % 3 == 0:
                body.append(id_sentence(rng, "sv", planted, index // 3))
            for paragraph in body:
                columns.write(planted.text(hyphenate(paragraph)) + "\n")
            columns.ln()
    pdf.output(str(path))
    return planted


def minutes_with_table(path, rng):
    """Nynorsk minutes, then a table of the people a case concerns: name, which number, the
    number, a note. A Danish CPR number is an ID number only after its word ("CPR-nummer"), here
    in the cell before it."""
    pdf, planted = MunicipalPdf("Valle kommune · Møtebok · Formannskapet"), Planted()
    pdf.add_page()
    for title, paragraphs in texts("nn"):
        pdf.set_font_size(12)
        pdf.multi_cell(0, 7, planted.text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(10)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 5, planted.text(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    names = ["Kari Nordmann", "Ola Haugen", "Anna Svensson", "Jens Jensen", "Liv Berg"]
    rows = [["Namn", "Kva nummer", "Nummer", "Merknad"]]
    for index in range(15):
        name = names[index % len(names)]
        if index % 3 == 0:
            label, number = "CPR-nummer", danish_cpr(rng)
        elif index % 3 == 1:
            label, number = "Fødselsnummer", make_no(rng)
        else:
            twelve, _born = make_se(rng)
            label, number = "Personnummer", twelve[:8] + "-" + twelve[8:]
        rows.append([name, label, number, "Søknad om sjukeheimsplass"])
    pdf.ln(4)
    with pdf.table(headings_style=FontFace(emphasis=""), col_widths=(30, 30, 30, 40)) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    for cells in rows:
        for cell in cells:
            planted.text(cell)
    for cells in rows[1:]:
        planted.id(cells[2])
    pdf.output(str(path))
    return planted


DOCUMENTS = (
    ("nb, one column, hyphenated", one_column),
    ("sv, two columns", two_columns),
    ("nn, minutes with a table", minutes_with_table),
)


# --- Reading and measuring --------------------------------------------------------------------


def read_pypdf(path):
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def read_pdfminer(path):
    # pdfminer.six separates pages with form feeds.
    return pdfminer_text(str(path)).split("\f")


LIBRARIES = {"pypdf": read_pypdf, "pdfminer.six": read_pdfminer}


def ids_found(text, planted):
    """How many of the planted numbers the scanner finds, each one whole."""
    found = {
        re.sub(r"\D", "", text[finding.start : finding.end])
        for finding in personal_data.scan(text, "nb")
        if finding.kind == "national_id"
    }
    return sum(1 for number in planted.ids if number in found)


def split_and_merged(source, extracted):
    """(words split in two, words merged) in ``extracted`` against the ``source`` words."""
    vocabulary = {word.lower() for word in source}
    joined = {(a + b).lower() for a, b in zip(source, source[1:], strict=False)}
    split = sum(
        1
        for a, b in zip(extracted, extracted[1:], strict=False)
        if (a + b).lower() in vocabulary
        and (a.lower() not in vocabulary or b.lower() not in vocabulary)
    )
    merged = sum(
        1 for word in extracted if word.lower() not in vocabulary and word.lower() in joined
    )
    return split, merged


def measure(read, path, planted):
    started = time.perf_counter()
    pages = read(path)
    seconds = time.perf_counter() - started
    text = "\n".join(pages)
    words = _WORD.findall(text)
    matcher = difflib.SequenceMatcher(None, planted.words, words, autojunk=False)
    in_order = sum(block.size for block in matcher.get_matching_blocks())
    split, merged = split_and_merged(planted.words, words)
    return {
        "pages": len(PdfReader(path).pages),
        "seconds": seconds,
        "words": in_order / len(planted.words),
        "ids": ids_found(text, planted),
        "planted": len(planted.ids),
        "split": split,
        "merged": merged,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = seeded(args.seed)
    totals = {name: {"pages": 0, "seconds": 0.0, "ids": 0, "planted": 0} for name in LIBRARIES}
    words = {name: [] for name in LIBRARIES}
    say("PDF text extraction: pypdf against pdfminer.six (fpdf2 PDFs of real municipal texts)")
    with tempfile.TemporaryDirectory() as directory:
        for label, make in DOCUMENTS:
            path = Path(directory) / f"{make.__name__}.pdf"
            planted = make(path, rng)
            say(f"\n{label}: {len(planted.words):,} words, {len(planted.ids)} ID numbers")
            say(f"  {'library':<13} {'pages':>5} {'s/page':>8} {'words in order':>15} "
                f"{'IDs intact':>11} {'split':>6} {'merged':>7}")  # fmt: skip
            for name, read in LIBRARIES.items():
                row = measure(read, path, planted)
                for key in ("pages", "seconds", "ids", "planted"):
                    totals[name][key] += row[key]
                words[name].append(row["words"])
                say(
                    f"  {name:<13} {row['pages']:>5} {row['seconds'] / row['pages']:>8.4f} "
                    f"{row['words']:>15.1%} {row['ids']:>5}/{row['planted']:<5} "
                    f"{row['split']:>6} {row['merged']:>7}"
                )
    say("\nAll three:")
    for name, total in totals.items():
        say(
            f"  {name:<13} {total['seconds'] / total['pages']:.4f} s/page, words in order "
            f"{min(words[name]):.1%}-{max(words[name]):.1%}, IDs intact "
            f"{total['ids']}/{total['planted']}"
        )
    conclusion(totals, words)


def conclusion(totals, words):
    pypdf, miner = totals["pypdf"], totals["pdfminer.six"]
    speed = (miner["seconds"] / miner["pages"]) / (pypdf["seconds"] / pypdf["pages"])
    say("\nConclusion:")
    say(f"  pdfminer.six takes {speed:.1f} times as long a page as pypdf.")
    if miner["ids"] > pypdf["ids"]:
        say(
            f"  pdfminer.six finds more ID numbers intact ({miner['ids']} against "
            f"{pypdf['ids']} of {pypdf['planted']}): worth a second reading where pypdf finds none."
        )
    elif miner["ids"] < pypdf["ids"]:
        say(
            f"  pypdf finds more ID numbers intact ({pypdf['ids']} against {miner['ids']} of "
            f"{pypdf['planted']}): pdfminer.six's layout analysis reads a table column by column, "
            "so a number loses the word before it in its row that makes it an ID number."
        )
    else:
        say(f"  Both find the same ID numbers intact ({pypdf['ids']} of {pypdf['planted']}).")
    say(
        f"  Words in order: pypdf {sum(words['pypdf']) / len(words['pypdf']):.1%}, pdfminer.six "
        f"{sum(words['pdfminer.six']) / len(words['pdfminer.six']):.1%} on average. pypdf stays: "
        "it also reads the structure, metadata, annotations, forms and encryption the checks need."
    )


if __name__ == "__main__":
    main()
