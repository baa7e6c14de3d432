"""RTF: the body text with striprtf, and the ``\\info`` group (title, author, operator, subject,
keywords, document comment, company, manager) parsed from the raw file, since striprtf drops it.

striprtf keeps a stack of groups; nesting is measured first, in bytes, and a file nested
deeper than ``Limits.max_depth`` is refused ("too_deep") before striprtf sees it.
"""

from __future__ import annotations

import codecs
import re
from itertools import accumulate

from striprtf.striprtf import rtf_to_text

from publishing.content_checks.documents.model import Unreadable
from publishing.content_checks.documents.plain import add_lines, read_bytes

INFO_FIELDS = {
    "title": "title",
    "author": "author",
    "operator": "last_modified_by",
    "subject": "subject",
    "keywords": "keywords",
    "doccomm": "comments",
    "company": "company",
    "manager": "manager",
    "category": "category",
}
_INFO_RE = re.compile(
    rb"\{\\(" + b"|".join(name.encode() for name in INFO_FIELDS) + rb")(?![a-z])\s?"
    # Possessive: a value that does not end in "}" (it holds a group) fails at once, without
    # trying every way to split its control words.
    rb"((?:[^{}\\]++|\\[^a-z]|\\[a-z]++-?+[0-9]*+ ?+)*+)\}"
)
#: Windows language ids of \\deflang for the languages these sites publish in.
_LCID = {
    1044: "nb-NO",
    2068: "nn-NO",
    1053: "sv-SE",
    1030: "da-DK",
    1035: "fi-FI",
    2057: "en-GB",
    1033: "en-US",
}
_CODEPAGE_RE = re.compile(rb"\\ansicpg([0-9]{3,5})")
_BRACES = bytes(range(256)).translate(None, b"{}")  # every byte but the braces


def depth(data):
    """How deep the groups of the RTF ``data`` (bytes) nest; escaped braces do not count."""
    braces = data.replace(b"\\\\", b"").replace(b"\\{", b"").replace(b"\\}", b"")
    braces = braces.translate(None, _BRACES)
    return max(accumulate(1 if brace == 0x7B else -1 for brace in braces), default=0)


def _encoding(data):
    match = _CODEPAGE_RE.search(data[:4096])
    if match:
        name = f"cp{int(match.group(1))}"
        try:
            codecs.lookup(name)
            return name
        except LookupError:
            pass
    return "cp1252"


def read(path, limits, result, out):
    """Read the RTF at ``path`` into ``out``."""
    data, _more = read_bytes(path, limits.max_bytes)
    if not data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{\\rtf"):
        raise Unreadable("corrupt")
    if depth(data) > limits.max_depth:
        raise Unreadable("too_deep")
    encoding = _encoding(data)
    header = data[:1_000_000]
    info = header.find(b"{\\info")
    if info >= 0:
        for match in _INFO_RE.finditer(header, info):
            value = rtf_to_text(
                "{\\rtf1 " + match.group(2).decode("latin-1") + "}", encoding, "replace"
            )
            out.add({"part": "metadata", "field": INFO_FIELDS[match.group(1).decode()]}, value)
    language = re.search(rb"\\deflang([0-9]+)", header)
    result.language = _LCID.get(int(language.group(1)), "") if language else ""
    # RTF is 7-bit: Latin-1 maps each byte to one character, and striprtf decodes \'xx escapes
    # with the file's code page.
    add_lines(rtf_to_text(data.decode("latin-1"), encoding, "replace"), out)
