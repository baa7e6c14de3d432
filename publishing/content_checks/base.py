"""Shared types of the text checks."""

from dataclasses import asdict, dataclass, field

BLOCK = "block"
WARN = "warn"

#: The largest text the checks accept (characters). Larger inputs are refused with a clear error
#: rather than risking a slow response; a page or file this large should be split.
MAX_INPUT_CHARS = 5_000_000


class InputTooLarge(ValueError):
    """The text is larger than ``MAX_INPUT_CHARS``."""

    def __init__(self, size):
        self.size = size
        super().__init__(
            f"the text has {size:,} characters; the checks accept at most {MAX_INPUT_CHARS:,}"
        )


def check_size(text):
    if len(text) > MAX_INPUT_CHARS:
        raise InputTooLarge(len(text))


def mask(value, keep=0):
    """``value`` with every letter and digit after the first ``keep`` ones replaced by ``*``.

    Separators stay, so the shape is recognisable without the value: ``150391*****``.
    """
    out, kept = [], 0
    for char in value:
        if char.isalnum():
            if kept < keep:
                out.append(char)
                kept += 1
            else:
                out.append("*")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class PersonalDataFinding:
    """Personal data found in a text. ``start``/``end`` are character offsets into the input.

    ``excerpt`` is masked: full values never leave the scanner.
    """

    kind: str  # national_id, phone, email, bank_account, special_category, person_name, address
    subtype: str  # e.g. no_fodselsnummer, se_personnummer, no_mobile, health, ...
    start: int
    end: int
    severity: str  # block | warn
    excerpt: str
    #: Another kind the same characters could be, when the text does not say which: a Swedish
    #: personnummer written as ten bare digits can also be a phone number ("phone").
    could_be: str = ""

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Span:
    """A stretch of text a plain-language check points at, with what it found there."""

    start: int
    end: int
    data: dict = field(default_factory=dict)

    def to_dict(self):
        return {"start": self.start, "end": self.end, **self.data}
