"""What DOCX and XLSX share: the document properties in docProps/ and the data in customXml/.

Archive systems (Public 360, Elements, ePhorte) and their templates write case data into these:
the caseworker, the recipient and now and then a national ID number, in a custom property or
in a customXml data part bound to the document's content controls, which stays in the file
when the text that showed it is deleted. They are read like any text of the file.
"""

from __future__ import annotations

import re

from publishing.content_checks.documents.model import Unreadable
from publishing.content_checks.documents.xmlsafe import local, parse_defused
from publishing.content_checks.documents.zipcheck import read_entry

#: docProps/core.xml element -> metadata field.
CORE_FIELDS = {
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "lastModifiedBy": "last_modified_by",
    "keywords": "keywords",
    "description": "comments",
    "category": "category",
    "contentStatus": "content_status",
}
#: docProps/app.xml element -> metadata field.
APP_FIELDS = {"Company": "company", "Manager": "manager"}

# A properties part is a few KB; a large one is not read whole into memory.
_MAX_PROPERTIES_BYTES = 5_000_000
_CUSTOM_XML = re.compile(r"customXml/item[0-9]+\.xml")


def _root(archive, name):
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PROPERTIES_BYTES:
        raise Unreadable("corrupt")
    return parse_defused(read_entry(archive, name))


def read_properties(archive, out):
    """Add the core, extended and custom properties of the OOXML package ``archive``; return
    the language the core properties declare ("" when none)."""
    language = ""
    core = _root(archive, "docProps/core.xml")
    if core is not None:
        for child in core:
            name, text = local(child.tag), (child.text or "").strip()
            if name == "language":
                language = text
            elif name in CORE_FIELDS:
                out.add({"part": "metadata", "field": CORE_FIELDS[name]}, text)
    app = _root(archive, "docProps/app.xml")
    if app is not None:
        for child in app:
            name = local(child.tag)
            if name in APP_FIELDS:
                out.add({"part": "metadata", "field": APP_FIELDS[name]}, (child.text or "").strip())
    custom = _root(archive, "docProps/custom.xml")
    if custom is not None:
        for number, prop in enumerate(custom, 1):
            value = "".join(prop.itertext()).strip()
            if value:
                # The property's name goes with its value into the text, as context for the
                # scanner ("Fødselsnummer: ..."); the place says only which property it was.
                label = (prop.get("name") or "").strip()
                out.add(
                    {"part": "metadata", "field": "custom", "number": number},
                    f"{label}: {value}" if label else value,
                )
    return language


def read_custom_xml(archive, out):
    """Add the data parts in customXml/: each element's text, after its name (the element's
    name is the context a scanner needs: "Mottaker_Fodselsnummer: ...")."""
    names = sorted(
        (info.filename for info in archive.infolist() if _CUSTOM_XML.fullmatch(info.filename)),
        key=lambda name: int(re.sub(r"[^0-9]", "", name)),
    )
    for number, name in enumerate(names, 1):
        root = _root(archive, name)
        lines = [
            f"{local(element.tag)}: {element.text.strip()}"
            for element in root.iter()
            if len(element) == 0 and element.text and element.text.strip()
        ]
        out.add({"part": "custom_xml", "number": number}, "\n".join(lines))
