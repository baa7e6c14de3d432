"""The text the checks read, as a reader sees it, with a map back to the text as written.

Text pasted from Word, Outlook and PDFs carries characters a reader does not see or reads as
ordinary ones: no-break and narrow no-break spaces, zero-width spaces and joiners, soft hyphens,
non-breaking hyphens, direction marks, full-width digits. A number written with any of them is
still the same number to a person, so the checks must find it too. :func:`normalise` folds the
text once before a scan:

* every space separator (Unicode category Zs) becomes a space;
* format characters (category Cf: zero-width spaces and joiners, soft hyphens, direction marks,
  byte-order marks) are removed;
* dash punctuation (category Pd) and the minus sign become a hyphen;
* other compatibility forms (full-width digits and letters, other scripts' digits, ligatures)
  take their NFKC form, and a letter written with combining marks is composed (NFC).

Line breaks and tabs stay as they are: the checks read lines and sentences. The result keeps a
map, so that what a check found in the folded text is reported (and masked) at the characters
of the text as written. A text that needs no folding, the usual case, costs one regular
expression search.
"""

import bisect
import re
import unicodedata
from dataclasses import dataclass, field


def _foldable_class():
    """A character class of every character that ``_fold_char`` or composition may change.

    Built once from the Unicode database (the Basic Multilingual Plane, where what people paste
    lives), so that finding them is one fast scan: spaces, format characters, dashes, non-ASCII
    digits, compatibility forms and combining marks. Norwegian and Swedish letters are not in it.
    """
    ranges, start, previous = [], None, None
    for code in range(0x80, 0x10000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            foldable = False
        else:
            category = unicodedata.category(char)
            foldable = (
                category in ("Zs", "Cf", "Pd", "Nd", "Mn")
                or char == "\u2212"
                or unicodedata.normalize("NFKC", char) != char
            )
        if foldable and start is None:
            start = code
        elif not foldable and start is not None:
            ranges.append((start, previous))
            start = None
        previous = code
    if start is not None:
        ranges.append((start, previous))
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )


_FOLD = re.compile(f"[{_foldable_class()}]")


def _fold_char(char):
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category == "Cf":
        return ""
    if category == "Pd" or char == "\u2212":
        return "-"
    return unicodedata.normalize("NFKC", char)


@dataclass
class Normalised:
    """A folded text and the way back: ``text`` is what the checks read."""

    text: str
    #: ``(folded position, original position)`` where the two start to differ, in order.
    _breaks: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self._breaks)

    def original_offset(self, position):
        """The offset in the text as written of ``position`` in the folded text.

        A start offset maps to the first character written for it; an end offset (one past a
        found value) maps one past the last character written for it, so the span covers every
        character of the value as written, the invisible ones inside it included.
        """
        index = bisect.bisect_right(self._breaks, (position, float("inf"))) - 1
        if index < 0:
            return position
        folded, original = self._breaks[index]
        return original + (position - folded)

    def original_span(self, start, end):
        """``(start, end)`` in the text as written for ``start:end`` in the folded text."""
        return self.original_offset(start), self.original_offset(end)


def normalise(text):
    """``text`` folded as a reader reads it (see the module's note), with the map back."""
    if not _FOLD.search(text):
        return Normalised(text)
    parts, breaks = [], []
    folded_length = 0
    position = 0
    for match in _FOLD.finditer(text):
        start = match.start()
        if start < position:
            continue  # a combining mark already composed with the letter before it
        parts.append(text[position:start])
        folded_length += start - position
        char = match.group()
        if unicodedata.combining(char):
            # Compose the letter before with its marks ("a" + ring above: "å").
            end = start
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            base = parts[-1][-1:] if parts and parts[-1] else ""
            composed = unicodedata.normalize("NFC", base + text[start:end])
            if base and len(composed) == 1:
                parts[-1] = parts[-1][:-1] + composed
                position = end
                breaks.append((folded_length, end))
                continue
            replacement, end = text[start:end], end
        else:
            replacement, end = _fold_char(char), start + 1
        parts.append(replacement)
        # Inside a replacement every position maps to its start; after it, offsets run on.
        breaks.append((folded_length, start))
        folded_length += len(replacement)
        breaks.append((folded_length, end))
        position = end
    parts.append(text[position:])
    return Normalised("".join(parts), breaks)
