"""ODT and ODS, read as the zip of XML they are, with defusedxml (no DTDs, no entities).

content.xml is streamed: each body paragraph and each table row is read when it ends and then
dropped, so memory stays flat, and nesting is counted as it is parsed. A repeated row or cell
(``table:number-rows-repeated``, ``table:number-columns-repeated``, which can claim a million
empty cells) is never expanded: its column and row numbers are counted, an empty one is
skipped, and one with text is read once, at its first position.

Read: paragraphs and headings, tables (ODT) and cells (ODS, hidden sheets and rows marked),
text boxes, footnotes and endnotes, comments (``office:annotation``), tracked changes (deleted
text in ``text:changed-region``, inserted text between its change marks), headers and footers
(styles.xml) and meta.xml.
"""

from __future__ import annotations

from publishing.content_checks.documents.cells import cell_text, column_letters
from publishing.content_checks.documents.model import Unreadable
from publishing.content_checks.documents.xmlsafe import iterparse_defused, local, parse_defused
from publishing.content_checks.documents.zipcheck import read_entry

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
#: meta.xml element -> metadata field (the names DOCX's properties get).
META_FIELDS = {
    "title": "title",
    "subject": "subject",
    "description": "description",
    "keyword": "keywords",
    "initial-creator": "author",
    "creator": "last_modified_by",
}
_MAX_META_BYTES = 5_000_000
# text:s c="999999999" would be a gigabyte of spaces.
_MAX_SPACES = 100

P, H = TEXT + "p", TEXT + "h"
ANNOTATION, NOTE, TEXT_BOX = OFFICE + "annotation", TEXT + "note", DRAW + "text-box"
CELL, COVERED = TABLE + "table-cell", TABLE + "covered-table-cell"
ROW, COLUMN, SHEET = TABLE + "table-row", TABLE + "table-column", TABLE + "table"
REGION = TEXT + "changed-region"
# Elements whose paragraphs are read with them, not as body paragraphs.
_BLOCKS = {P, H, ANNOTATION, NOTE, TEXT_BOX, CELL, COVERED, TEXT + "tracked-changes"}
_HEADERS = {
    STYLE + name: ("header" if name.startswith("header") else "footer")
    for name in ("header", "header-left", "header-first", "footer", "footer-left", "footer-first")
}


class _Flow:
    """Text as it is read, in pieces of "normal" and "inserted" text."""

    def __init__(self):
        self.segments = []
        self.kind = "normal"

    def put(self, text):
        if not text:
            return
        if self.segments and self.segments[-1][0] == self.kind:
            self.segments[-1][1].append(text)
        else:
            self.segments.append([self.kind, [text]])

    def text(self):
        return "".join("".join(strings) for _kind, strings in self.segments)


def _walk(element, flow, insertions=frozenset(), paragraphs=None):
    """Put the text of ``element`` into ``flow``: spaces, tabs and line breaks as written,
    paragraphs on lines of their own; comments, notes and frames are read on their own."""
    paragraphs = paragraphs if paragraphs is not None else [0]
    if element.text:
        flow.put(element.text)
    for child in element:
        tag = child.tag
        if tag == TEXT + "s":
            flow.put(" " * min(_int(child.get(TEXT + "c"), 1), _MAX_SPACES))
        elif tag == TEXT + "tab":
            flow.put("\t")
        elif tag == TEXT + "line-break":
            flow.put("\n")
        elif tag == TEXT + "change-start":
            flow.kind = "inserted" if child.get(TEXT + "change-id") in insertions else flow.kind
        elif tag == TEXT + "change-end":
            flow.kind = "normal"
        elif tag in (P, H):
            if paragraphs[0]:
                flow.put("\n")
            paragraphs[0] += 1
            _walk(child, flow, insertions, paragraphs)
        elif tag in (ANNOTATION, OFFICE + "annotation-end", NOTE) or tag.startswith(DRAW):
            pass  # read where they end, as parts of their own
        elif tag.startswith(OFFICE + "change-info"):
            pass  # who made a tracked change and when
        else:
            _walk(child, flow, insertions, paragraphs)
        if child.tail:
            flow.put(child.tail)


def _int(value, default):
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return default


class _Content:
    """Reads the events of content.xml into the collector."""

    def __init__(self, out, spreadsheet):
        self.out = out
        self.spreadsheet = spreadsheet
        self.free = []  # per open block: whether it is outside every other block
        self.blocked = 0
        self.insertions = set()
        self.hidden_styles = set()
        self.counts = {"paragraph": 0, "table": 0, "comment": 0, "footnote": 0, "endnote": 0}
        self.counts.update({"textbox": 0, "deleted": 0})
        self.sheet = None
        self.sheet_hidden = False
        self.sheets = 0
        self.hidden_columns = []  # (first, last) column numbers
        self.row = self.column = self.cell_column = 0
        self.row_hidden = False

    # -- events -------------------------------------------------------------------------------

    def start(self, element):
        tag = element.tag
        if tag in _BLOCKS:
            self.free.append(self.blocked == 0)
            self.blocked += 1
            if tag in (CELL, COVERED):
                self.cell_column = self.column + 1
        elif tag == SHEET and self.blocked == 0:
            self.sheets += 1
            self.counts["table"] += 1
            self.sheet = element.get(TABLE + "name") or f"{self.sheets}"
            self.sheet_hidden = element.get(TABLE + "style-name") in self.hidden_styles
            self.hidden_columns, self.row, self.column = [], 0, 0
        elif tag == ROW and self.blocked == 0:
            self.column = 0
            self.row_hidden = element.get(TABLE + "visibility", "visible") != "visible"

    def end(self, element):
        tag = element.tag
        if tag in _BLOCKS:
            self.blocked -= 1
            free = self.free.pop()
            if tag in (P, H) and free:
                self.paragraph(element)
            elif tag == ANNOTATION:
                self.comment(element)
            elif tag == NOTE:
                self.note(element)
            elif tag == TEXT_BOX:
                self.counts["textbox"] += 1
                where = {"part": "textbox", "number": self.counts["textbox"]}
                self.out.add_line(self.emit(element, where))
            elif tag in (CELL, COVERED) and self.blocked == 0:
                self.column += _int(element.get(TABLE + "number-columns-repeated"), 1)
        elif tag == ROW and self.blocked == 0:
            self.table_row(element)
            element.clear()
        elif tag == COLUMN and self.blocked == 0:
            repeat = _int(element.get(TABLE + "number-columns-repeated"), 1)
            if element.get(TABLE + "visibility", "visible") != "visible":
                self.hidden_columns.append((self.column + 1, self.column + repeat))
            self.column += repeat
        elif tag == REGION:
            self.region(element)
            element.clear()
        elif tag == STYLE + "style" and element.get(STYLE + "family") == "table":
            properties = element.find(STYLE + "table-properties")
            if properties is not None and properties.get(TABLE + "display") == "false":
                self.hidden_styles.add(element.get(STYLE + "name"))
        elif tag == SHEET and self.blocked == 0:
            self.column = 0

    # -- parts --------------------------------------------------------------------------------

    def emit(self, element, where, glue=None):
        flow = _Flow()
        _walk(element, flow, self.insertions)
        pieces = []
        for index, (kind, strings) in enumerate(flow.segments):
            place = where
            if kind == "inserted":
                inner = {key: value for key, value in where.items() if key != "part"}
                place = {"part": "tracked_change", "change": "inserted", "in": where["part"]}
                place.update(inner)
            pieces.append((place, "".join(strings), glue if index == 0 else ""))
        return pieces

    def paragraph(self, element):
        self.counts["paragraph"] += 1
        self.out.add_line(
            self.emit(element, {"part": "paragraph", "number": self.counts["paragraph"]})
        )
        element.clear()

    def comment(self, element):
        self.counts["comment"] += 1
        where = {"part": "comment", "number": self.counts["comment"]}
        if self.spreadsheet and self.sheet is not None:
            where.update(self._cell_place(self.row + 1, self.cell_column))
        flow = _Flow()
        for child in element:
            if child.tag in (P, H, TEXT + "list"):
                if flow.segments:
                    flow.put("\n")
                _walk(child, flow, self.insertions)
        self.out.add(where, flow.text())

    def note(self, element):
        kind = "endnote" if element.get(TEXT + "note-class") == "endnote" else "footnote"
        self.counts[kind] += 1
        body = element.find(TEXT + "note-body")
        if body is not None:
            self.out.add_line(self.emit(body, {"part": kind, "number": self.counts[kind]}))

    def region(self, element):
        deletion = element.find(TEXT + "deletion")
        if element.find(TEXT + "insertion") is not None:
            self.insertions.add(element.get(TEXT + "id") or element.get(XML_ID))
        if deletion is not None:
            flow = _Flow()
            _walk(deletion, flow)
            self.counts["deleted"] += 1
            where = {
                "part": "tracked_change",
                "change": "deleted",
                "number": self.counts["deleted"],
            }
            self.out.add(where, flow.text())

    def _cell_place(self, row, column):
        place = {"sheet": self.sheet, "cell": f"{column_letters(column)}{row}"}
        hidden = (
            self.sheet_hidden
            or self.row_hidden
            or any(first <= column <= last for first, last in self.hidden_columns)
        )
        if hidden:
            place["hidden"] = True
        return place

    def table_row(self, row):
        repeat = _int(row.get(TABLE + "number-rows-repeated"), 1)
        pieces, column = [], 0
        for cell in row:
            if cell.tag not in (CELL, COVERED):
                continue
            first = column + 1
            column += _int(cell.get(TABLE + "number-columns-repeated"), 1)
            # Paragraphs, lists and nested tables, one line each; comments are read apart.
            flow = _Flow()
            _walk(cell, flow, self.insertions)
            text = flow.text()
            if not text.strip():
                text = self._value(cell)
            if not text:
                continue
            if self.spreadsheet:
                where = {"part": "cell", **self._cell_place(self.row + 1, first)}
            else:
                where = {"part": "table", "table": self.counts["table"], "row": self.row + 1}
                where["cell"] = first
            pieces.append((where, text, "\t"))
        self.out.add_line(pieces)
        self.row += repeat

    @staticmethod
    def _value(cell):
        """A number cell with no displayed text: its value, as digits when it is whole."""
        value = cell.get(OFFICE + "value")
        if value is None or cell.get(OFFICE + "value-type") not in ("float", "currency"):
            return cell.get(OFFICE + "date-value") or ""
        try:
            return cell_text(float(value))
        except ValueError:
            return value


def _meta(archive, out):
    """Add the fields of meta.xml; return its declared language."""
    try:
        info = archive.getinfo("meta.xml")
    except KeyError:
        return ""
    if info.file_size > _MAX_META_BYTES:
        raise Unreadable("corrupt")
    language = ""
    for element in parse_defused(read_entry(archive, "meta.xml")).iter():
        name = local(element.tag)
        text = (element.text or "").strip()
        if name == "language":
            language = text
        elif name in META_FIELDS:
            out.add({"part": "metadata", "field": META_FIELDS[name]}, text)
        elif name == "user-defined" and text:
            label = element.get("{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}name", "")
            out.add({"part": "metadata", "field": "custom"}, f"{label}: {text}" if label else text)
    return language


def _styles(archive, max_depth, out):
    """(footer pieces, language) of styles.xml; headers are added to ``out`` at once."""
    footers, language = [], ""
    if "styles.xml" not in archive.namelist():
        return footers, language
    with archive.open("styles.xml") as source:
        for event, element in iterparse_defused(source, max_depth):
            if event != "end":
                continue
            if element.tag in _HEADERS:
                flow = _Flow()
                _walk(element, flow)
                name = _HEADERS[element.tag]
                if name == "header":
                    out.add({"part": "header"}, flow.text())
                else:
                    footers.append(({"part": "footer"}, flow.text()))
            elif element.tag == STYLE + "default-style" and not language:
                properties = element.find(STYLE + "text-properties")
                if properties is not None and properties.get(FO + "language"):
                    country = properties.get(FO + "country")
                    language = properties.get(FO + "language") + (
                        f"-{country}" if country and country != "none" else ""
                    )
    return footers, language


def _encrypted(archive):
    manifest = read_entry(archive, "META-INF/manifest.xml")
    if manifest is None:
        return False
    return any(
        local(element.tag) == "encryption-data" for element in parse_defused(manifest).iter()
    )


def read(path, archive, limits, result, out, format):
    """Read the ODT or ODS at ``path`` (``archive`` is its checked zip) into ``out``."""
    mimetype = read_entry(archive, "mimetype")
    if mimetype is not None and mimetype.strip() != MIMETYPES[format].encode():
        raise Unreadable("corrupt")
    if _encrypted(archive):
        raise Unreadable("encrypted")
    if "content.xml" not in archive.namelist():
        raise Unreadable("corrupt")
    language = _meta(archive, out)
    footers, style_language = _styles(archive, limits.max_depth, out)
    result.language = language or style_language
    content = _Content(out, spreadsheet=format == "ods")
    with archive.open("content.xml") as source:
        for event, element in iterparse_defused(source, limits.max_depth):
            if event == "start":
                content.start(element)
            else:
                content.end(element)
    if format == "ods":
        result.pages = content.sheets
    for where, text in footers:
        out.add(where, text)
