"""The checks on real municipal prose that nobody on this project wrote.

``real_prose/`` holds public pages, payment and contact pages, news and meeting minutes from
Norwegian (bokmål and nynorsk) and Swedish municipalities and public bodies, as published
(``real_prose/README.md`` says how they were collected). ``real_prose/sources.json`` lists for
each text its source and the personal data a careful reader finds in it, determined by reading
the text, not by running the scanner.

On this prose the personal-data scanner must report no national identity number (none of the
texts holds one), must find every phone number, e-mail address and bank account a reader
finds, and must report no phone number, e-mail address or bank account that is not there.

Run as a module (``python -m tests.content_checks.test_real_prose``) it also writes
``var/real_prose_report.md``: the scanner's results per kind and the plain-language checker's
officialese and passive findings per text, for reading false alarms.
"""

import json
import sys
import unittest
from collections import Counter
from pathlib import Path

from django.test import tag

from publishing.content_checks.personal_data import scan
from publishing.content_checks.plain_language import analyze

HERE = Path(__file__).resolve().parent / "real_prose"
SOURCES = HERE / "sources.json"

#: The kinds whose every occurrence is listed in ``expected``, so that anything else the
#: scanner reports of these kinds is a false finding.
COUNTED = ("phone", "email", "bank_account")

LANGUAGES = {"nb", "nn", "sv"}
TEXT_KINDS = {"page", "minutes", "payment", "contact", "news"}

#: Characters of context either side of a finding in a failure message or the report.
CONTEXT = 30


def load_sources():
    with SOURCES.open(encoding="utf-8") as handle:
        return json.load(handle)


def read(entry):
    return (HERE / entry["file"]).read_text(encoding="utf-8")


def context(text, start, end):
    """About 60 characters around ``text[start:end]``, on one line."""
    around = text[max(0, start - CONTEXT) : end + CONTEXT]
    return " ".join(around.split())


def evaluate(entry, text):
    """What the scanner found in one text, against what a reader finds there.

    Returns ``(found, missed, false, national_ids)``: the expected items of the counted kinds
    that were found and that were missed, the findings of those kinds that are not expected,
    and every national_id finding. Findings are compared by kind and by the text they cover.
    """
    findings = scan(text, entry["lang"])
    covered = {(f.kind, text[f.start : f.end]) for f in findings}
    expected = [item for item in entry["expected"] if item["kind"] in COUNTED]
    expected_keys = {(item["kind"], item["text"]) for item in expected}
    found = [item for item in expected if (item["kind"], item["text"]) in covered]
    missed = [item for item in expected if (item["kind"], item["text"]) not in covered]
    false = [
        f
        for f in findings
        if f.kind in COUNTED and (f.kind, text[f.start : f.end]) not in expected_keys
    ]
    national_ids = [f for f in findings if f.kind == "national_id"]
    return found, missed, false, national_ids


def describe(entry, text, finding):
    return (
        f"{entry['file']}: {finding.kind}/{finding.subtype} "
        f"{text[finding.start : finding.end]!r} in …{context(text, finding.start, finding.end)}…"
    )


def describe_missed(entry, text, item):
    start = text.index(item["text"])
    end = start + len(item["text"])
    return f"{entry['file']}: {item['kind']} {item['text']!r} in …{context(text, start, end)}…"


@tag("slow")
class CorpusTests(unittest.TestCase):
    """The corpus is what its README says: real texts with their sources, read by a person."""

    def test_every_text_has_its_source_and_every_source_its_text(self):
        sources = load_sources()
        listed = [entry["file"] for entry in sources]
        self.assertEqual(len(listed), len(set(listed)), "a file is listed twice")
        on_disk = sorted(path.name for path in HERE.glob("*.txt"))
        self.assertEqual(sorted(listed), on_disk)

    def test_entries_are_complete(self):
        for entry in load_sources():
            with self.subTest(entry["file"]):
                self.assertIn(entry["lang"], LANGUAGES)
                self.assertTrue(entry["file"].startswith(entry["lang"] + "-"))
                self.assertIn(entry["kind"], TEXT_KINDS)
                self.assertTrue(entry["title"].strip())
                self.assertTrue(entry["url"].startswith(("http://", "https://")))
                self.assertRegex(entry["retrieved"], r"^\d{4}-\d{2}-\d{2}$")

    def test_expected_items_are_in_their_texts(self):
        for entry in load_sources():
            text = read(entry)
            for item in entry["expected"]:
                with self.subTest(entry["file"], item=item):
                    self.assertIn(item["text"], text)

    def test_size_and_spread(self):
        sources = load_sources()
        languages = Counter(entry["lang"] for entry in sources)
        kinds = Counter(entry["kind"] for entry in sources)
        size = sum((HERE / entry["file"]).stat().st_size for entry in sources)
        self.assertGreaterEqual(len(sources), 40)
        self.assertGreaterEqual(size, 150 * 1024)
        self.assertGreaterEqual(languages["nn"], 8)
        self.assertGreaterEqual(languages["nb"] + languages["nn"], len(sources) // 3)
        self.assertGreaterEqual(languages["sv"], len(sources) // 3)
        self.assertEqual(set(kinds), TEXT_KINDS)


@tag("slow")
class PersonalDataOnRealProseTests(unittest.TestCase):
    """The scanner on prose it was not written against."""

    @classmethod
    def setUpClass(cls):
        cls.results = []
        for entry in load_sources():
            text = read(entry)
            cls.results.append((entry, text, *evaluate(entry, text)))

    def test_no_national_id_in_any_text(self):
        found = [
            describe(entry, text, finding)
            for entry, text, _, _, _, national_ids in self.results
            for finding in national_ids
        ]
        self.assertEqual(found, [], "national_id reported in real prose:\n" + "\n".join(found))

    def test_every_phone_email_and_account_a_reader_finds_is_found(self):
        missed = [
            describe_missed(entry, text, item)
            for entry, text, _, missed_items, _, _ in self.results
            for item in missed_items
        ]
        self.assertEqual(missed, [], "not found:\n" + "\n".join(missed))

    def test_no_false_phone_email_or_account(self):
        false = [
            describe(entry, text, finding)
            for entry, text, _, _, false_findings, _ in self.results
            for finding in false_findings
        ]
        reported = sum(
            len(found_items) + len(false_findings)
            for _, _, found_items, _, false_findings, _ in self.results
        )
        rate = len(false) / reported if reported else 0.0
        self.assertEqual(
            false,
            [],
            f"{len(false)} of {reported} phone, e-mail and account findings are false "
            f"({rate:.0%}):\n" + "\n".join(false),
        )


@tag("slow")
class PlainLanguageOnRealProseTests(unittest.TestCase):
    """The plain-language checker reads every text without failing, in its own language."""

    def test_every_text_is_analysed(self):
        for entry in load_sources():
            with self.subTest(entry["file"]):
                report = analyze(read(entry), entry["lang"])
                self.assertGreater(report.words, 0)
                self.assertGreater(report.sentences, 0)


# --- Report -----------------------------------------------------------------------------------


def _cell(value):
    return value.replace("|", "\\|").replace("\n", " ")


def build_report():
    """The scanner's results and the plain-language findings on the corpus, as Markdown."""
    sources = load_sources()
    totals = {kind: Counter() for kind in COUNTED}
    national = 0
    false_lines, missed_lines = [], []
    for entry in sources:
        text = read(entry)
        found, missed, false, national_ids = evaluate(entry, text)
        national += len(national_ids)
        for item in found:
            totals[item["kind"]]["found"] += 1
        for item in missed:
            totals[item["kind"]]["missed"] += 1
            missed_lines.append(describe_missed(entry, text, item))
        for finding in false:
            totals[finding.kind]["false"] += 1
            false_lines.append(describe(entry, text, finding))

    out = ["# Real municipal prose: scanner and plain-language results", ""]
    size = sum((HERE / entry["file"]).stat().st_size for entry in sources)
    out.append(
        f"{len(sources)} texts, {size:,} bytes. Regenerate with "
        "`python -m tests.content_checks.test_real_prose`."
    )
    out += ["", "## Personal data", "", "| kind | found | missed | false |", "|---|---|---|---|"]
    for kind in COUNTED:
        counts = totals[kind]
        out.append(f"| {kind} | {counts['found']} | {counts['missed']} | {counts['false']} |")
    out += ["", f"national_id findings: {national}", ""]
    out += ["### False findings", ""] + [f"- {_cell(line)}" for line in false_lines or ["none"]]
    out += ["", "### Missed", ""] + [f"- {_cell(line)}" for line in missed_lines or ["none"]]

    out += ["", "## Plain language: officialese and passive per text", ""]
    out.append("Each finding with about 60 characters around it, so that false alarms can be read.")
    for entry in sources:
        text = read(entry)
        report = analyze(text, entry["lang"])
        out += ["", f"### {entry['file']} ({entry['lang']}, {entry['kind']})", ""]
        out.append(
            f"LIX {report.lix}, {report.words} words, {report.sentences} sentences; "
            f"{len(report.officialese)} officialese, {len(report.passive)} passive."
        )
        if report.officialese:
            out += ["", "| officialese | suggestion | context |", "|---|---|---|"]
            for span in report.officialese:
                out.append(
                    f"| {_cell(span.data.get('word', text[span.start : span.end]))} "
                    f"| {_cell(str(span.data.get('suggestion', '')))} "
                    f"| …{_cell(context(text, span.start, span.end))}… |"
                )
        if report.passive:
            out += ["", "| passive | context |", "|---|---|"]
            for span in report.passive:
                out.append(
                    f"| {_cell(text[span.start : span.end])} "
                    f"| …{_cell(context(text, span.start, span.end))}… |"
                )
    return "\n".join(out) + "\n"


def main():
    target = Path(__file__).resolve().parents[2] / "var" / "real_prose_report.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(build_report(), encoding="utf-8")
    sys.stdout.write(f"{target}\n")


if __name__ == "__main__":
    sys.exit(main())
