"""XLSX: every sheet, hidden and very hidden ones too, every cell value, cell comments, headers
and footers, the document properties, and the copies of data in pivot and external link caches
(``excel_caches``).

A row's cells are one line to the scanner ("Fødselsnummer" in A1 is the context of the number
in B1); each finding is placed in its cell. Numbers are written as digits: an ID number stored
as a number is 15039112345, not 1.5039112345E10, and a number format of zeros ("00000000000",
how a fødselsnummer keeps its leading zero in Excel) is applied as Excel shows it.

Workbooks whose sheets are small are read in openpyxl's normal mode, which has comments, headers
and footers and hidden rows and columns; larger ones are streamed in read-only mode (constant
memory), with the comments read from their own parts and sheets, not rows, marked hidden.
"""

from __future__ import annotations

import posixpath
from itertools import count, groupby

import openpyxl
from openpyxl.utils import column_index_from_string

from publishing.content_checks.documents.cells import cell_text
from publishing.content_checks.documents.excel_caches import read_caches
from publishing.content_checks.documents.ooxml import read_custom_xml, read_properties
from publishing.content_checks.documents.xmlsafe import local, parse_defused
from publishing.content_checks.documents.zipcheck import read_entry

#: Sheets up to this many bytes of XML in all are read in normal mode (about 1 KB of memory a
#: cell there, against next to nothing streaming).
FULL_MODE_MAX_BYTES = 20_000_000

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_HEADERS = (
    ("oddHeader", "header"),
    ("evenHeader", "header"),
    ("firstHeader", "header"),
    ("oddFooter", "footer"),
    ("evenFooter", "footer"),
    ("firstFooter", "footer"),
)


def _where(sheet, coordinate, hidden):
    where = {"part": "cell", "sheet": sheet, "cell": coordinate}
    if hidden:
        where["hidden"] = True
    return where


def _hidden_columns(ws):
    hidden = set()
    for key, dimension in ws.column_dimensions.items():
        if dimension.hidden:
            first = dimension.min or column_index_from_string(key)
            hidden.update(range(first, (dimension.max or first) + 1))
    return hidden


def _comment(where, numbers):
    """The place of a cell's comment: numbered through the workbook, and its cell."""
    return {
        "part": "comment",
        "number": next(numbers),
        **{k: v for k, v in where.items() if k != "part"},
    }


def _full_sheet(ws, out, numbers):
    sheet_hidden = ws.sheet_state != "visible"
    hidden_rows = {index for index, dimension in ws.row_dimensions.items() if dimension.hidden}
    hidden_columns = _hidden_columns(ws)
    # ws._cells holds only the cells the file has; iter_rows() would create every cell of the
    # used range, millions for a sheet with one stray cell at XFD1048576.
    cells = ws._cells
    for row, keys in groupby(sorted(cells), key=lambda key: key[0]):
        pieces, comments = [], []
        for key in keys:
            cell = cells[key]
            hidden = sheet_hidden or row in hidden_rows or key[1] in hidden_columns
            where = _where(ws.title, cell.coordinate, hidden)
            pieces.append((where, cell_text(cell.value, cell.number_format), "\t"))
            if cell.comment is not None:
                comments.append((where, cell.comment.text))
        out.add_line(pieces)
        for where, text in comments:
            out.add(_comment(where, numbers), text)
    for attribute, name in _HEADERS:
        item = getattr(ws, attribute, None)
        if item is None:
            continue
        texts = [getattr(item, side).text for side in ("left", "center", "right")]
        where = {"part": name, "sheet": ws.title}
        if sheet_hidden:
            where["hidden"] = True
        out.add(where, "\n".join(text for text in texts if text))


def _streamed_sheet(ws, comments, out, numbers):
    hidden = ws.sheet_state != "visible"
    # Without dimensions, a row is only as wide as its last cell: a bogus <dimension> cannot
    # make every row 16,384 cells.
    ws.reset_dimensions()
    for row in ws.iter_rows():
        pieces = [
            (_where(ws.title, cell.coordinate, hidden), cell_text(cell.value, cell.number_format))
            for cell in row
            if cell.value is not None
        ]
        out.add_line([(where, text, "\t") for where, text in pieces])
    for coordinate, text in comments.get(ws.title, ()):
        out.add(_comment(_where(ws.title, coordinate, hidden), numbers), text)


def _target(base, target):
    """An OPC relationship target as an entry name, relative to the part in ``base``."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(archive, part):
    """{id: (type, entry name)} of the relationships of entry ``part``."""
    rels = read_entry(
        archive,
        posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"),
    )
    if rels is None:
        return {}
    return {
        rel.get("Id"): (rel.get("Type", ""), _target(part, rel.get("Target", "")))
        for rel in parse_defused(rels)
    }


def _raw_comments(archive):
    """{sheet name: [(cell, text)]} read from the comment parts, for read-only mode."""
    workbook = read_entry(archive, "xl/workbook.xml")
    if workbook is None:
        return {}
    sheets_rels = _relationships(archive, "xl/workbook.xml")
    found = {}
    for element in parse_defused(workbook).iter():
        if local(element.tag) != "sheet":
            continue
        _type, sheet_part = sheets_rels.get(element.get(_REL), ("", ""))
        for rel_type, target in _relationships(archive, sheet_part).values():
            data = read_entry(archive, target) if rel_type.endswith("/comments") else None
            if data is None:
                continue
            for comment in parse_defused(data).iter():
                if local(comment.tag) == "comment":
                    text = "".join(
                        node.text or "" for node in comment.iter() if local(node.tag) == "t"
                    )
                    found.setdefault(element.get("name"), []).append((comment.get("ref"), text))
    return found


def read(path, archive, limits, result, out):
    """Read the XLSX at ``path`` (``archive`` is its checked zip) into ``out``."""
    result.language = read_properties(archive, out)
    sheet_bytes = sum(
        info.file_size
        for info in archive.infolist()
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    )
    full = sheet_bytes <= FULL_MODE_MAX_BYTES
    workbook = openpyxl.load_workbook(
        path, read_only=not full, data_only=True, keep_links=False, rich_text=False
    )
    try:
        result.pages = len(workbook.sheetnames)
        comments = {} if full else _raw_comments(archive)
        numbers = count(1)
        for ws in workbook.worksheets:
            if full:
                _full_sheet(ws, out, numbers)
            else:
                _streamed_sheet(ws, comments, out, numbers)
    finally:
        workbook.close()
    read_caches(archive, limits.max_depth, out)
    read_custom_xml(archive, out)
