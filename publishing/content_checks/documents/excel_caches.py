"""The copies of data an XLSX keeps out of sight: pivot caches and external link caches.

A pivot table keeps every row of its source in its cache, and the cache stays in the file when
the source sheet is deleted: a workbook of totals per unit can carry the list of people they
were counted from. A formula that refers to another workbook keeps that workbook's values in an
external link cache. Neither shows in any sheet; both are read here, streamed.
"""

from __future__ import annotations

import re

from publishing.content_checks.documents.cells import cell_text
from publishing.content_checks.documents.xmlsafe import iterparse_defused, local

_DEFINITION = re.compile(r"xl/pivotCache/pivotCacheDefinition([0-9]*)\.xml")
_RECORDS = "xl/pivotCache/pivotCacheRecords{}.xml"
_EXTERNAL = re.compile(r"xl/externalLinks/externalLink([0-9]*)\.xml")
# Cache values: s string, n number, d date, e error; b (booleans) and m (missing) say nothing.
_VALUES = {"s", "n", "d", "e"}
#: Records per part: a finding is placed at the first record of its block.
BLOCK_RECORDS = 200


def _value(element):
    value = element.get("v", "")
    if local(element.tag) == "n":
        try:
            return cell_text(float(value))
        except ValueError:
            return value
    return value


def _numbered(archive, pattern):
    found = [(pattern.fullmatch(name), name) for name in archive.namelist()]
    return sorted((int(match.group(1) or 0), name) for match, name in found if match)


def _definition(archive, name, number, max_depth, out):
    """Each cache field's name and its shared items (its distinct values) as one part."""
    field = 0
    with archive.open(name) as source:
        for event, element in iterparse_defused(source, max_depth):
            if event != "end" or local(element.tag) != "cacheField":
                continue
            field += 1
            values = [
                _value(item)
                for items in element
                if local(items.tag) == "sharedItems"
                for item in items
                if local(item.tag) in _VALUES
            ]
            if values:
                text = f"{element.get('name', '')}: " + "\n".join(values)
                out.add({"part": "pivot_cache", "number": number, "field": field}, text)
            element.clear()


def _records(archive, name, number, max_depth, out):
    """The records' own values (values shared by many records are in the definition)."""
    lines, first, record = [], 1, 0
    with archive.open(name) as source:
        for event, element in iterparse_defused(source, max_depth):
            if event != "end" or local(element.tag) != "r":
                continue
            record += 1
            lines.append("\t".join(_value(v) for v in element if local(v.tag) in _VALUES))
            element.clear()
            if len(lines) == BLOCK_RECORDS:
                out.add(
                    {"part": "pivot_cache", "number": number, "record": first}, "\n".join(lines)
                )
                lines, first = [], record + 1
    out.add({"part": "pivot_cache", "number": number, "record": first}, "\n".join(lines))


def _external(archive, name, number, max_depth, out):
    """The cached cells of another workbook, row by row."""
    sheets, sheet = [], ""
    with archive.open(name) as source:
        for event, element in iterparse_defused(source, max_depth):
            tag = local(element.tag)
            if event == "start":
                if tag == "sheetData":
                    index = int(element.get("sheetId", 0) or 0)
                    sheet = sheets[index] if index < len(sheets) else str(index + 1)
                continue
            if tag == "sheetName":
                sheets.append(element.get("val", ""))
            elif tag == "row":
                where = {"part": "external_link", "number": number, "sheet": sheet}
                out.add_line(
                    [
                        ({**where, "cell": cell.get("r", "")}, value.text or "", "\t")
                        for cell in element
                        for value in cell
                        if local(value.tag) == "v"
                    ]
                )
                element.clear()


def read_caches(archive, max_depth, out):
    """Add the pivot caches and the external link caches of the XLSX ``archive``."""
    for number, name in _numbered(archive, _DEFINITION):
        _definition(archive, name, number, max_depth, out)
        records = _RECORDS.format(number or "")
        if records in archive.namelist():
            _records(archive, records, number, max_depth, out)
    for number, name in _numbered(archive, _EXTERNAL):
        _external(archive, name, number, max_depth, out)
