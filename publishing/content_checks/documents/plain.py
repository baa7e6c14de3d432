"""Text files: TXT, CSV and HTML, and the decoding and line blocks they share with RTF.

Encodings are tried as Nordic offices' files come: UTF-8 (with or without BOM), UTF-16 with a
BOM (Excel's "Unicode text"), then Windows-1252, then Latin-1, which decodes anything.
"""

from __future__ import annotations

import codecs
import csv
import io
from html.parser import HTMLParser

from publishing.content_checks.documents.cells import column_letters, lost_zero
from publishing.content_checks.documents.model import Unreadable

#: Lines per part of a text file: findings get their line number from the part's first line,
#: so parts can be long; they are cut at blank lines where there are some.
BLOCK_LINES = 200
_SNIFF_CHARS = 65_536

_HTML_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "td", "th", "tr", "ul",
}  # fmt: skip
_HTML_HIDDEN = {"script", "style", "template"}
_HTML_META = {"author": "author", "description": "description", "keywords": "keywords"}


def read_bytes(path, limit):
    """(the first ``limit`` bytes of the file, whether it has more)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


def decode(data, final=True):
    """``data`` as text in the first encoding that fits. ``final`` False: the bytes were cut,
    and a character cut in two at the end is dropped rather than making UTF-8 fail."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return codecs.getincrementaldecoder("utf-16")("replace").decode(data, final)
    if b"\x00" in data[:8192]:
        raise Unreadable("corrupt")  # binary, not text
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return codecs.getincrementaldecoder(encoding)("strict").decode(data, final)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_text(path, limits, out):
    """The text of a text file, at most ``max_chars`` characters of it (``out`` is marked
    truncated when there was more)."""
    # UTF-8 takes at most four bytes a character: this many bytes hold max_chars characters.
    data, more = read_bytes(path, limits.max_chars * 4)
    if more:
        out.truncated = True
    return decode(data, final=not more)


def add_lines(text, out, part="line"):
    """Add ``text`` as blocks of lines, each placed at its first line (1-based)."""
    lines = text.splitlines()
    start = 0
    while start < len(lines):
        end = min(start + BLOCK_LINES, len(lines))
        if end < len(lines):
            # Cut at the last blank line of the block, when there is one.
            for index in range(end - 1, start, -1):
                if not lines[index].strip():
                    end = index + 1
                    break
        out.add({"part": part, "line": start + 1}, "\n".join(lines[start:end]))
        start = end


def read_txt(path, limits, result, out):
    """Read a plain text file."""
    add_lines(read_text(path, limits, out), out)


def _dialect(sample):
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|")
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = max(";,\t|", key=first.count)

        class Dialect(csv.excel):
            pass

        Dialect.delimiter = delimiter if first.count(delimiter) else ","
        return Dialect


def read_csv(path, limits, result, out):
    """Read a CSV file: each field is a cell (A1, B1, ...), each record one line to the
    scanner."""
    text = read_text(path, limits, out)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:_SNIFF_CHARS]))
    try:
        for row_number, row in enumerate(reader, 1):
            out.add_line(
                [
                    (
                        {"part": "cell", "cell": f"{column_letters(column)}{row_number}"},
                        # Saved from a spreadsheet, a number typed as a number lost its zero.
                        lost_zero(value) if value.isdigit() else value,
                        "\t",
                    )
                    for column, value in enumerate(row, 1)
                    if value
                ]
            )
    except csv.Error as error:  # a field beyond csv's limit, a NUL byte
        raise Unreadable("corrupt") from error


class _Html(HTMLParser):
    def __init__(self, out):
        super().__init__(convert_charrefs=True)
        self.out = out
        self.lines = []
        self.hidden = 0
        self.title = None
        self.comments = 0
        self.language = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.language = (attributes.get("lang") or "").strip()
        elif tag in _HTML_HIDDEN:
            self.hidden += 1
        elif tag == "title":
            self.title = []
        elif tag == "meta":
            field = _HTML_META.get((attributes.get("name") or "").lower())
            if field:
                self.out.add({"part": "metadata", "field": field}, attributes.get("content") or "")
        elif tag in _HTML_BLOCKS:
            self.lines.append("\n")
        if tag == "img" and attributes.get("alt"):
            self.lines.append(f" {attributes['alt']} ")

    def handle_endtag(self, tag):
        if tag in _HTML_HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag == "title" and self.title is not None:
            self.out.add({"part": "metadata", "field": "title"}, "".join(self.title).strip())
            self.title = None
        elif tag in _HTML_BLOCKS:
            self.lines.append("\n")

    def handle_data(self, data):
        if self.title is not None:
            self.title.append(data)
        elif not self.hidden:
            self.lines.append(data)

    def handle_comment(self, data):
        self.comments += 1
        self.out.add({"part": "comment", "number": self.comments}, data.strip())


def read_html(path, limits, result, out):
    """Read an HTML file: visible text (lines as blocks and line breaks make them), the title,
    author, description and keywords, and HTML comments."""
    data, _more = read_bytes(path, limits.max_bytes)
    parser = _Html(out)
    parser.feed(decode(data))
    parser.close()
    text = "".join(parser.lines)
    # Collapse the blank lines the markup leaves, so that line numbers count lines of text.
    lines = [" ".join(line.split()) for line in text.splitlines()]
    add_lines("\n".join(line for line in lines if line), out)
    result.language = parser.language
