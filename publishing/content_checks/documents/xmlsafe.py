"""XML from untrusted files: no DTDs, no entities, no network, bounded nesting.

OOXML parts are parsed with lxml (python-docx does so too, with entities off); OpenDocument
and small metadata parts with defusedxml, which refuses DTDs and entity declarations outright.
Both end in ``Unreadable``: "too_deep" for nesting beyond ``Limits.max_depth``, "corrupt" for
anything else that is not well-formed, safe XML.
"""

from __future__ import annotations

from functools import lru_cache

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from lxml import etree

from publishing.content_checks.documents.model import Unreadable

# No DTD is loaded or resolved, no entity expanded, nothing fetched. libxml2 itself also
# refuses nesting beyond 256 levels and text nodes beyond 10 MB without huge_tree.
_LXML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def is_depth_error(error):
    """Whether an lxml or expat error is libxml2's refusal of deep nesting."""
    return "depth" in str(error).lower()


@lru_cache(maxsize=8)
def _deeper_than(max_depth):
    # An XPath that selects any element below max_depth levels: evaluated in C, one step per
    # level, so it costs about one visit per element, not a Python loop.
    return etree.XPath("boolean(" + "/*" * (max_depth + 1) + ")")


def check_depth(element, max_depth):
    """Raise ``Unreadable("too_deep")`` when ``element``'s document nests deeper than
    ``max_depth`` elements."""
    if _deeper_than(max_depth)(element):
        raise Unreadable("too_deep")


def parse_lxml(data, max_depth):
    """The root element of the XML ``data`` (bytes), checked."""
    try:
        root = etree.fromstring(data, _LXML_PARSER)
    except etree.XMLSyntaxError as error:
        raise Unreadable("too_deep" if is_depth_error(error) else "corrupt") from error
    if root.getroottree().docinfo.doctype:
        raise Unreadable("corrupt")  # OOXML has no DTDs: one is there only to attack
    check_depth(root, max_depth)
    return root


def parse_defused(data):
    """The root element of a small XML ``data`` (bytes) with defusedxml (ElementTree), no DTD.

    For metadata parts only: depth is not checked, the caller reads known paths.
    """
    try:
        return DefusedET.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, DefusedET.ParseError) as error:
        raise Unreadable("corrupt") from error


def iterparse_defused(source, max_depth):
    """(event, element) of ``source`` (a file object) with start and end events, no DTD, and
    ``Unreadable("too_deep")`` as soon as nesting exceeds ``max_depth``."""
    depth = 0
    try:
        for event, element in DefusedET.iterparse(source, ("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth > max_depth:
                    raise Unreadable("too_deep")
            else:
                depth -= 1
            yield event, element
    except (DefusedXmlException, DefusedET.ParseError) as error:
        raise Unreadable("corrupt") from error


def local(tag):
    """The local name of an ElementTree/lxml tag: ``p`` of ``{urn:...}p``."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
