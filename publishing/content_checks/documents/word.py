"""DOCX: body paragraphs and tables, text boxes, headers and footers, footnotes and endnotes,
comments, tracked changes (deleted text above all), the document properties and customXml data.

python-docx opens the package and finds its parts by their relationships; the text is read from
the parts' XML with lxml, because python-docx's own ``paragraph.text`` leaves out exactly what
matters here: deleted text (``w:delText`` in ``w:del``), inserted runs and text boxes.
"""

from __future__ import annotations

import re

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from publishing.content_checks.documents.ooxml import read_custom_xml, read_properties
from publishing.content_checks.documents.xmlsafe import check_depth, parse_lxml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

# Properties, field codes and the fallback copy of drawings hold no text a reader sees (and
# w:tab inside w:pPr is a tab stop, not a tab). A text box is read as a part of its own.
_SKIP = {
    W + "pPr",
    W + "rPr",
    W + "sectPr",
    W + "tblPr",
    W + "tblGrid",
    W + "trPr",
    W + "tcPr",
    W + "instrText",
    W + "delInstrText",
    _MC_FALLBACK,
}
_CHARS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
_INSERTED = {W + "ins", W + "moveTo"}
_DELETED = {W + "del", W + "moveFrom"}

#: Parts besides the body, in the order they are read.
_PARTS = ((RT.HEADER, "header"), (RT.FOOTNOTES, "footnote"), (RT.ENDNOTES, "endnote"))
_LAST_PARTS = ((RT.COMMENTS, "comment"), (RT.FOOTER, "footer"))


class _Text:
    """The text of one container (a paragraph, a cell, a header): the pieces a reader sees,
    current or inserted, the deleted pieces, and the text boxes found in it."""

    def __init__(self):
        self.segments = []  # [kind, [strings]], kind "normal" or "inserted"
        self.deleted = []
        self.boxes = []
        self._deleting = []

    def put(self, kind, text):
        if kind == "deleted":
            self._deleting.append(text)
            return
        self._end_deletion()
        if self.segments and self.segments[-1][0] == kind:
            self.segments[-1][1].append(text)
        else:
            self.segments.append([kind, [text]])

    def _end_deletion(self):
        if self._deleting:
            self.deleted.append("".join(self._deleting))
            self._deleting = []

    def done(self):
        self._end_deletion()
        return self


def read_text(container):
    """The ``_Text`` of ``container``, its paragraphs separated by line breaks."""
    text = _Text()
    inserting = deleting = paragraphs = 0
    walker = etree.iterwalk(container, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "end":
            if tag in _INSERTED:
                inserting -= 1
            elif tag in _DELETED:
                deleting -= 1
            continue
        kind = "deleted" if deleting else "inserted" if inserting else "normal"
        if tag == W + "t":
            text.put(kind, element.text or "")
        elif tag == W + "delText":
            text.put("deleted", element.text or "")
        elif tag in _CHARS:
            text.put(kind, _CHARS[tag])
        elif tag == W + "p":
            if paragraphs:
                text.put(kind, "\n")
            paragraphs += 1
        elif tag in _INSERTED:
            inserting += 1
        elif tag in _DELETED:
            deleting += 1
        elif tag == W + "txbxContent" and element is not container:
            text.boxes.append(element)
            walker.skip_subtree()
        elif tag in _SKIP:
            walker.skip_subtree()
    return text.done()


def _change(kind, where):
    """The place of a tracked change inside the part at ``where``."""
    inner = {key: value for key, value in where.items() if key != "part"}
    return {"part": "tracked_change", "change": kind, "in": where["part"], **inner}


class _Reader:
    """Adds the parts of a document to the collector, numbering paragraphs, tables and text
    boxes as it goes."""

    def __init__(self, out, max_depth):
        self.out = out
        self.max_depth = max_depth
        self.paragraphs = self.tables = self.boxes = 0

    def pieces(self, text, where, glue):
        """(where, text, glue) of the current and inserted pieces of ``text``."""
        found = []
        for index, (kind, strings) in enumerate(text.segments):
            place = where if kind == "normal" else _change("inserted", where)
            found.append((place, "".join(strings), glue if index == 0 else ""))
        return found

    def after(self, text, where):
        """The deleted text and the text boxes of a line, after it."""
        for deleted in text.deleted:
            self.out.add(_change("deleted", where), deleted)
        for box in text.boxes:
            self.boxes += 1
            self.emit(read_text(box), {"part": "textbox", "number": self.boxes})

    def emit(self, text, where):
        """Add ``text`` as the line at ``where``, then what came with it."""
        self.out.add_line(self.pieces(text, where, None))
        self.after(text, where)

    def body(self, element):
        for child in element:
            tag = child.tag
            if tag == W + "p":
                self.paragraphs += 1
                self.emit(read_text(child), {"part": "paragraph", "number": self.paragraphs})
            elif tag == W + "tbl":
                self.table(child)
            elif tag in (W + "sdt", W + "customXml"):
                content = child.find(W + "sdtContent") if tag == W + "sdt" else child
                if content is not None:
                    self.body(content)

    def table(self, table):
        self.tables += 1
        number = self.tables
        rows = _ROWS(table)
        for row_number, row in enumerate(rows, 1):
            cells = _CELLS(row)
            pieces, texts = [], []
            for cell_number, cell in enumerate(cells, 1):
                where = {"part": "table", "table": number, "row": row_number, "cell": cell_number}
                text = read_text(cell)
                texts.append((text, where))
                pieces.extend(self.pieces(text, where, "\t"))
            self.out.add_line(pieces)
            for text, where in texts:
                self.after(text, where)

    def part(self, root, name):
        """A header, footer, or the notes or comments part."""
        check_depth(root, self.max_depth)
        if name in ("header", "footer"):
            self.emit(read_text(root), {"part": name})
            return
        for number, item in enumerate(root, 1):
            if name == "comment":
                self.emit(read_text(item), {"part": "comment", "number": number})
                continue
            # Notes -1 and 0 are the separator lines Word keeps in every notes part.
            note_type = item.get(W + "type")
            if note_type in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            self.emit(read_text(item), {"part": name, "number": int(item.get(W + "id", 0))})


_NS = {"w": W[1:-1]}
# Compiled XPath works on python-docx's elements and plain lxml ones alike.
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr", namespaces=_NS)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc", namespaces=_NS)
_LANGUAGE = etree.XPath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val", namespaces=_NS)
_NUMBERED = re.compile(r"(.*?)([0-9]*)(?:\.xml)?$")


def _parts(document, kinds, max_depth):
    """(root element, name) of the document part's related parts of ``kinds``, by part name."""
    found = {}
    for rel in document.part.rels.values():
        if rel.is_external:
            continue
        for reltype, name in kinds:
            if rel.reltype == reltype:
                part = rel.target_part
                found[str(part.partname)] = (part, name)
    for partname in sorted(found, key=_natural):
        part, name = found[partname]
        element = getattr(part, "element", None)
        root = element if element is not None else parse_lxml(part.blob, max_depth)
        yield root, name


def _natural(partname):
    """header2.xml before header10.xml."""
    match = _NUMBERED.match(partname)
    return (match.group(1), int(match.group(2) or 0), partname)


def read(path, archive, limits, result, out):
    """Read the DOCX at ``path`` (``archive`` is its checked zip) into ``out``."""
    language = read_properties(archive, out)
    document = docx.Document(path)
    body = document.element.body
    check_depth(body, limits.max_depth)
    styles = _LANGUAGE(document.styles.element)
    result.language = str(styles[0]) if styles else language
    reader = _Reader(out, limits.max_depth)
    for root, name in _parts(document, _PARTS[:1], limits.max_depth):
        reader.part(root, name)
    reader.body(body)
    for root, name in _parts(document, _PARTS[1:] + _LAST_PARTS, limits.max_depth):
        reader.part(root, name)
    read_custom_xml(archive, out)
