"""``scan_extraction``: personal data in an extracted document, by kind and place, never value.

The parts are joined into as few texts as the scanner accepts (``MAX_INPUT_CHARS`` each) rather
than scanned one by one: a spreadsheet has hundreds of thousands of cells, and one scan of a
large text costs far less than a scan per cell. Parts are separated by a blank line (a sentence
and context break to the scanner), glued parts by their glue, so a row reads as one line. Each
finding is mapped back to the part it starts in by bisection.
"""

from __future__ import annotations

import bisect

from publishing.content_checks import personal_data
from publishing.content_checks.base import MAX_INPUT_CHARS

SEPARATOR = "\n\n"
#: A part longer than this is scanned in pieces, cut at line breaks.
PIECE_CHARS = 1_000_000
#: Parts whose findings say on which line of the part they are.
LINE_PARTS = ("page", "paragraph", "line")


class _Piece:
    """A stretch of one part's text placed in a chunk."""

    __slots__ = ("index", "start", "line_from", "lines_before")

    def __init__(self, index, start, line_from, lines_before):
        self.index = index  # the part's index
        self.start = start  # where it starts in the chunk
        self.line_from = line_from  # the chunk offset line numbers count from
        self.lines_before = lines_before  # lines of the part (or its line) before line_from


def _pieces(parts):
    """(part index, text, glue, lines of the part before this piece) of every part, long
    parts cut into pieces of at most PIECE_CHARS."""
    for index, part in enumerate(parts):
        text, glue, lines = part.text, part.glue, 0
        while len(text) > PIECE_CHARS:
            cut = text.rfind("\n", 0, PIECE_CHARS) + 1 or PIECE_CHARS
            yield index, text[:cut], glue, lines
            lines += text.count("\n", 0, cut)
            text, glue = text[cut:], ""
        yield index, text, glue, lines


def _chunks(parts, limit):
    """(text, [_Piece]) chunks of at most ``limit`` characters."""
    texts, pieces, size = [], [], 0
    line_from, lines_before = 0, 0
    for index, text, glue, lines in _pieces(parts):
        joint = SEPARATOR if glue is None else glue
        if texts and size + len(joint) + len(text) > limit:
            yield "".join(texts), pieces
            texts, pieces, size = [], [], 0
        if texts:
            texts.append(joint)
            size += len(joint)
        if glue is None or not pieces:
            # A new line group (or a new chunk): lines count from here.
            line_from, lines_before = size, lines
        pieces.append(_Piece(index, size, line_from, lines_before))
        texts.append(text)
        size += len(text)
    if texts:
        yield "".join(texts), pieces


def _place(part, piece, chunk, offset):
    where = dict(part.where)
    kind = where.get("part")
    if kind in LINE_PARTS:
        line = piece.lines_before + chunk.count("\n", piece.line_from, offset) + 1
        where["line"] = where.get("line", 1) + line - 1 if kind == "line" else line
    return where


def scan_extraction(extraction, lang, allow=(), *, chunk_chars=MAX_INPUT_CHARS):
    """Personal data in ``extraction``'s parts: one dict per finding, in document order,
    ``{"kind", "subtype", "severity", "could_be", "where"}``. ``where`` is the part's place
    with, for pages, paragraphs and text lines, the 1-based ``line`` inside that part.

    Never the value nor the excerpt: these results are stored and shown in reports.
    """
    results = []
    parts = extraction.parts
    for chunk, pieces in _chunks(parts, chunk_chars):
        starts = [piece.start for piece in pieces]
        for finding in personal_data.scan(chunk, lang, allow):
            piece = pieces[bisect.bisect_right(starts, finding.start) - 1]
            results.append(
                {
                    "kind": finding.kind,
                    "subtype": finding.subtype,
                    "severity": finding.severity,
                    "could_be": finding.could_be,
                    "where": _place(parts[piece.index], piece, chunk, finding.start),
                }
            )
    return results
