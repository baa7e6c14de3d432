"""What reading a document gives: its text in parts, each with the place it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

OK = "ok"
NO_TEXT = "no_text"
UNREADABLE = "unreadable"

#: Why a file could not be read (``Extraction.reason``).
REASONS = (
    "encrypted",
    "corrupt",
    "too_large",
    "too_many_pages",
    "zip_bomb",
    "timeout",
    "memory",
    "unsupported",
    "too_deep",
    "missing",  # the storage has no file for the document (the caller could not copy it)
)


class Unreadable(Exception):
    """The file cannot be read, for ``reason`` (one of ``REASONS``).

    Raised inside the readers; ``extract`` turns it into an unreadable ``Extraction``. It never
    carries text from the file, so it is safe to log.
    """

    def __init__(self, reason):
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.reason = reason
        super().__init__(reason)


@dataclass(slots=True)
class Part:
    """One piece of text and where it is in the file.

    ``where`` is JSON-able and holds places only, never text from the file:
    ``{"part": "page", "page": 3}``, ``{"part": "cell", "sheet": "Lønn", "cell": "B4"}``, ...

    ``glue`` is None for a part that starts a block of its own. A part that continues the one
    before it on the same line has the string that joins them: a tab between the cells of a
    row, nothing between the pieces of a paragraph with a tracked insertion. The scanner then
    reads them as one line ("Fødselsnummer" in A1 is the context of the number in B1), while
    each finding is still placed in its own part.
    """

    where: dict
    text: str
    glue: str | None = None

    def to_json(self):
        data = {"where": self.where, "text": self.text}
        if self.glue is not None:
            data["glue"] = self.glue
        return data

    @classmethod
    def from_json(cls, data):
        return cls(where=data["where"], text=data["text"], glue=data.get("glue"))


@dataclass
class Extraction:
    """The text of one file, or why there is none.

    ``status`` is "ok", "no_text" (a PDF without a text layer: a scan, which cannot be checked)
    or "unreadable" (then ``reason`` says why). ``truncated`` says that text beyond the
    character limit was not read: what was read is still checked.
    """

    format: str
    status: str = OK
    reason: str = ""
    parts: list[Part] = field(default_factory=list)
    pages: int | None = None
    accessibility: list[str] = field(default_factory=list)
    language: str = ""
    truncated: bool = False

    @classmethod
    def unreadable(cls, format, reason):
        """An unreadable extraction of a file of ``format``."""
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        return cls(format=format, status=UNREADABLE, reason=reason)

    @property
    def chars(self):
        """Characters of text read."""
        return sum(len(part.text) for part in self.parts)

    def to_json(self):
        """A dict of JSON types only (``from_json`` reads it back)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "parts"}
        data["accessibility"] = list(self.accessibility)
        data["parts"] = [part.to_json() for part in self.parts]
        return data

    @classmethod
    def from_json(cls, data):
        """The extraction ``to_json`` wrote."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known and key != "parts"}
        values["parts"] = [Part.from_json(part) for part in data.get("parts", ())]
        return cls(**values)


@dataclass(frozen=True)
class Usage:
    """What reading a file in a child process cost."""

    seconds: float
    peak_memory_bytes: int

    def to_json(self):
        return asdict(self)
