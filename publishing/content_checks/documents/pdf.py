"""PDF with pypdf: page text, annotations and form fields, document info and XMP metadata, and
what Norwegian (uutilsynet) and Swedish (DIGG) accessibility supervision ask of a PDF first: a
title, a declared language, tags. A PDF with pages of images and no text at all is a scan: it
cannot be checked for personal data and is not accessible ("no_text", "no_text_layer").

pypdf bounds decompression and object sizes itself (``pypdf.Configuration``); a stream that
inflates beyond them is reported as a compression bomb ("zip_bomb").
"""

from __future__ import annotations

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from publishing.content_checks.documents.model import NO_TEXT, Unreadable
from publishing.content_checks.documents.xmlsafe import local, parse_defused

#: Document info keys -> metadata field; other string keys keep their own name, lower-cased.
INFO_FIELDS = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/Creator": "creator",
    "/Producer": "producer",
}
_DATES = {"/CreationDate", "/ModDate"}
#: XMP element (local name) -> metadata field.
XMP_FIELDS = {
    "title": "title",
    "creator": "author",
    "description": "subject",
    "subject": "keywords",
    "Keywords": "keywords",
    "CreatorTool": "creator",
    "Producer": "producer",
}
_XMP_NAMESPACES = (
    "http://purl.org/dc/elements/1.1/",
    "http://ns.adobe.com/pdf/1.3/",
    "http://ns.adobe.com/xap/1.0/",
)
_MAX_XMP_BYTES = 5_000_000
# Form XObjects can nest; images are looked for this deep.
_MAX_XOBJECT_DEPTH = 4


def _string(value):
    """A PDF text string as str, or None for anything else (names, numbers, arrays)."""
    if isinstance(value, bytes):
        return None
    return value if isinstance(value, str) else None


def _resolve(value):
    return value.get_object() if hasattr(value, "get_object") else value


def _xmp(root):
    """{field: [values]} of the catalog's XMP metadata stream; {} when it is missing, too large
    or broken (many tools write broken XMP: the document info is still read, and the pages)."""
    try:
        stream = _resolve(root.get("/Metadata"))
        data = stream.get_data() if hasattr(stream, "get_data") else b""
        if not data or len(data) > _MAX_XMP_BYTES:
            return {}
        elements = list(parse_defused(data).iter())
    except Exception:  # any fault in this optional stream
        return {}
    found = {}
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        namespace = element.tag[1:].partition("}")[0]
        for name, value in element.attrib.items():
            # Short XMP writes simple properties as attributes of rdf:Description.
            if name[1:].partition("}")[0] in _XMP_NAMESPACES and local(name) in XMP_FIELDS:
                found.setdefault(XMP_FIELDS[local(name)], []).append(value)
        if namespace not in _XMP_NAMESPACES or local(element.tag) not in XMP_FIELDS:
            continue
        # dc:title and dc:description hold rdf:Alt, dc:creator rdf:Seq, dc:subject rdf:Bag.
        items = [item.text for item in element.iter() if local(item.tag) == "li"]
        values = items or [element.text]
        found.setdefault(XMP_FIELDS[local(element.tag)], []).extend(
            value.strip() for value in values if value and value.strip()
        )
    return found


def _metadata(reader, root):
    """{field: [distinct values]} from the document info and the XMP metadata."""
    found = {}
    info = reader.trailer.get("/Info")
    info = _resolve(info) if info is not None else None
    if hasattr(info, "items"):
        for key in info:
            if key in _DATES:
                continue
            value = _string(_resolve(info[key]))
            if value and value.strip():
                field = INFO_FIELDS.get(key, key.lstrip("/").lower())
                found.setdefault(field, []).append(value.strip())
    for field, values in _xmp(root).items():
        found.setdefault(field, []).extend(values)
    return {field: list(dict.fromkeys(values)) for field, values in found.items()}


def _has_images(resources, depth=0):
    resources = _resolve(resources)
    xobjects = _resolve(resources.get("/XObject")) if hasattr(resources, "get") else None
    if not hasattr(xobjects, "values"):
        return False
    for xobject in xobjects.values():
        xobject = _resolve(xobject)
        subtype = xobject.get("/Subtype") if hasattr(xobject, "get") else None
        if subtype == "/Image":
            return True
        if (
            subtype == "/Form"
            and depth < _MAX_XOBJECT_DEPTH
            and _has_images(xobject.get("/Resources") or {}, depth + 1)
        ):
            return True
    return False


def _field_value(annotation):
    """'label: value' of a form field widget, its value inherited from its parent field."""
    node, value, label = annotation, None, None
    for _level in range(8):
        value = value if value is not None else _string(_resolve(node.get("/V")))
        label = label or _string(_resolve(node.get("/TU"))) or _string(_resolve(node.get("/T")))
        parent = _resolve(node.get("/Parent"))
        if parent is None or not hasattr(parent, "get"):
            break
        node = parent
    if not value:
        return ""
    # The field's label is the context a reader has ("Fødselsnummer: ..."), and the scanner too.
    return f"{label}: {value}" if label else value


def _annotations(page):
    """Texts of the page's annotations: comments' contents and form field values."""
    annotations = _resolve(page.get("/Annots"))
    if not isinstance(annotations, list):
        return []
    texts = []
    for annotation in annotations:
        annotation = _resolve(annotation)
        if not hasattr(annotation, "get"):
            continue
        subtype = annotation.get("/Subtype")
        if subtype == "/Popup":
            continue  # shows its parent's contents
        if subtype == "/Widget":
            texts.append(_field_value(annotation))
        else:
            texts.append(_string(_resolve(annotation.get("/Contents"))) or "")
    return [text for text in texts if text.strip()]


def _open(path):
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except (DependencyError, NotImplementedError) as error:
            raise Unreadable("encrypted") from error
        if decrypted == PasswordType.NOT_DECRYPTED:
            raise Unreadable("encrypted")
    return reader


def read(path, limits, result, out):
    """Read the PDF at ``path`` into ``out``; set pages, language and accessibility."""
    try:
        reader = _open(path)
        root = reader.root_object
        count = len(reader.pages)
    except FileNotDecryptedError as error:
        raise Unreadable("encrypted") from error
    if count > limits.max_pages:
        raise Unreadable("too_many_pages")
    if count == 0:
        raise Unreadable("corrupt")
    result.pages = count
    language = _string(_resolve(root.get("/Lang")))
    result.language = (language or "").strip()
    metadata = _metadata(reader, root)
    mark_info = _resolve(root.get("/MarkInfo"))
    tagged = (
        hasattr(mark_info, "get")
        and bool(_resolve(mark_info.get("/Marked")))
        and root.get("/StructTreeRoot") is not None
    )
    result.accessibility = [
        code
        for code, missing in (
            ("no_title", not metadata.get("title")),
            ("no_language", not result.language),
            ("not_tagged", not tagged),
        )
        if missing
    ]
    for field, values in metadata.items():
        for value in values:
            out.add({"part": "metadata", "field": field}, value)

    any_text = any_images = False
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text() or ""
        if text.strip():
            any_text = True
            out.add({"part": "page", "page": number}, text)
        elif not any_images:
            any_images = _has_images(page.get("/Resources") or {})
        for annotation in _annotations(page):
            out.add({"part": "annotation", "page": number}, annotation)
    if not any_text and any_images:
        result.status = NO_TEXT
        result.accessibility.append("no_text_layer")
