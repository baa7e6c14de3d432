"""How much of a file is read: the limits, and the collector that keeps the text within them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from publishing.content_checks.base import MAX_INPUT_CHARS
from publishing.content_checks.documents.model import Part


@dataclass(frozen=True)
class Limits:
    """Limits on reading one file, sensible for the attachments of a municipal site.

    Sizes are bytes; ``max_zip_ratio`` applies to zip entries larger than ``ZIP_RATIO_FROM``
    (small XML parts compress far better than 200:1 and are harmless). ``max_parts`` bounds the
    number of parts (cells, paragraphs) besides their characters: each costs memory of its own,
    and a sheet of a million one-digit cells is small in characters but not in objects.
    ``memory_bytes``, ``cpu_seconds`` and ``wall_seconds`` apply to ``extract_bounded``.
    """

    max_bytes: int = 200_000_000
    max_pages: int = 3000
    max_unzipped_bytes: int = 500_000_000
    max_zip_ratio: int = 200
    max_zip_entries: int = 10_000
    max_chars: int = MAX_INPUT_CHARS
    max_parts: int = 500_000
    max_depth: int = 200
    memory_bytes: int = 1_000_000_000
    cpu_seconds: int = 60
    wall_seconds: int = 120

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, data):
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


#: Zip entries at least this large are held to ``Limits.max_zip_ratio``.
ZIP_RATIO_FROM = 1_000_000


class Full(Exception):
    """The collector holds as much text as the limits allow: stop reading."""


class Collector:
    """The parts of a file as its reader finds them, within ``max_chars`` and ``max_parts``.

    ``add`` raises ``Full`` once the limit is reached (after keeping the text that still fits,
    and setting ``truncated``), so a reader stops at the limit without checking it itself.
    """

    def __init__(self, limits):
        self.parts: list[Part] = []
        self.chars = 0
        self.truncated = False
        self._max_chars = limits.max_chars
        self._max_parts = limits.max_parts

    def add(self, where, text, glue=None):
        """Keep ``text`` found at ``where`` (empty and blank blocks are dropped)."""
        if not text or (glue is None and text.isspace()):
            return
        room = self._max_chars - self.chars
        if room <= 0 or len(self.parts) >= self._max_parts:
            self.truncated = True
            raise Full
        if len(text) > room:
            text = text[:room]
            self.truncated = True
        self.parts.append(Part(where, text, glue))
        self.chars += len(text)
        if self.truncated:
            raise Full

    def add_line(self, pieces):
        """Keep ``pieces``, (where, text, glue) triples, as one line: the cells of a row, the
        pieces of a paragraph. The first non-blank piece starts the line (its glue is dropped),
        the others keep their glue."""
        started = False
        for where, text, glue in pieces:
            if not text or (not started and text.isspace()):
                continue
            self.add(where, text, glue if started else None)
            started = True
