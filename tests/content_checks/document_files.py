"""Real files of every format the document checks read, made by rule, and hostile ones.

Each function writes one file at ``path`` and returns ``path``. The ordinary files hold what the
arguments say, where they say (a page, a hidden sheet, a deleted tracked change, the author
field), so a test knows exactly where each ID number is. The hostile ones each attack one
limit: a zip bomb, deep nesting, a billion laughs, thousands of pages, an endless content
stream, an encrypted package, truncated files.

ID numbers are generated valid by the published rules (``norwegian_id``, ``swedish_id``), and
broken by one digit (``broken_norwegian_id``) for the negative cases.

Libraries: fpdf2 (PDF, with a Unicode TrueType font when one is installed), pypdf (tags,
encryption, blank pages), Pillow (scans), python-docx plus lxml (DOCX), openpyxl (XLSX), and
zipfile for ODT and ODS, which are written as the XML they are.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from tests.content_checks.corpus import break_no, make_no, make_se, seeded

# --- ID numbers -------------------------------------------------------------------------------


def norwegian_id(seed=1):
    """A valid Norwegian fødselsnummer (both mod-11 check digits), the same for a seed."""
    return make_no(seeded(seed))


def swedish_id(seed=1, century=True):
    """A valid Swedish personnummer (Luhn), ``YYYYMMDD-NNNN`` or ``YYMMDD-NNNN``."""
    twelve, _born = make_se(seeded(seed))
    digits = twelve if century else twelve[2:]
    return f"{digits[:-4]}-{digits[-4:]}"


def broken_norwegian_id(seed=1):
    """``norwegian_id(seed)`` with a last digit no Norwegian rule accepts."""
    return break_no(seeded(seed), norwegian_id(seed))


# --- Fonts ------------------------------------------------------------------------------------

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def unicode_font():
    """The path of a TrueType font with æøå and more, or None (then the PDF core fonts, which
    have Latin-1 only, are used)."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("fc-list"):
        listing = subprocess.run(
            ["fc-list", ":lang=nb:fontformat=TrueType", "file"],  # noqa: S607 - found on PATH
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for line in listing.splitlines():
            font = line.split(":", 1)[0].strip()
            if font.lower().endswith(".ttf"):
                return font
    return None


def new_pdf():
    """An fpdf2 document with a Unicode font set, 11 pt."""
    from fpdf import FPDF  # late: fpdf2 is a development dependency

    pdf = FPDF()
    font = unicode_font()
    if font:
        pdf.add_font("Body", fname=font)
        pdf.set_font("Body", size=11)
    else:
        pdf.set_font("Helvetica", size=11)
    return pdf


# --- PDF --------------------------------------------------------------------------------------


def pdf_with_text(
    path,
    pages,
    title=None,
    author=None,
    lang=None,
    tagged=False,
    password=None,
    annotation=None,
    subject=None,
    keywords=None,
    form_fields=None,
    xmp_title=None,
):
    """A text PDF with one page per string of ``pages`` (lines as written).

    ``annotation``: a comment (text annotation) on page 1, or {page number: text}.
    ``tagged``: /MarkInfo /Marked true and a minimal /StructTreeRoot. ``password``: encrypted
    with AES-256 with that user password; "" encrypts with an empty user password (anyone can
    open it). ``form_fields``: {label: value}, text fields on page 1. ``xmp_title``: a title in
    XMP metadata only.
    """
    pdf = new_pdf()
    if title is not None:
        pdf.set_title(title)
    if author is not None:
        pdf.set_author(author)
    if subject is not None:
        pdf.set_subject(subject)
    if keywords is not None:
        pdf.set_keywords(keywords)
    if lang is not None:
        pdf.set_lang(lang)
    annotations = annotation if isinstance(annotation, dict) else {1: annotation}
    for number, text in enumerate(pages, 1):
        pdf.add_page()
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        if annotations.get(number):
            pdf.text_annotation(20, 20, annotations[number])
    data = bytes(pdf.output())
    if tagged or password is not None or form_fields or xmp_title:
        data = _pdf_after(data, tagged, password, form_fields, xmp_title)
    Path(path).write_bytes(data)
    return path


def _pdf_after(data, tagged, password, form_fields, xmp_title):
    from pypdf import PdfReader, PdfWriter  # late: only for what fpdf2 does not write
    from pypdf.generic import (  # late: as above
        ArrayObject,
        BooleanObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    root = writer._root_object
    if tagged:
        root[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )
        tree = DictionaryObject(
            {NameObject("/Type"): NameObject("/StructTreeRoot"), NameObject("/K"): ArrayObject()}
        )
        root[NameObject("/StructTreeRoot")] = writer._add_object(tree)
    if xmp_title:
        xmp = StreamObject()
        xmp.set_data(_xmp(xmp_title).encode("utf-8"))
        xmp.update(
            {
                NameObject("/Type"): NameObject("/Metadata"),
                NameObject("/Subtype"): NameObject("/XML"),
            }
        )
        root[NameObject("/Metadata")] = writer._add_object(xmp)
    if form_fields:
        page = writer.pages[0]
        fields = ArrayObject()
        for index, (label, value) in enumerate(form_fields.items()):
            top = 700 - 30 * index
            widget = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Widget"),
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/T"): TextStringObject(label),
                    NameObject("/V"): TextStringObject(value),
                    NameObject("/Rect"): ArrayObject(
                        [FloatObject(50), FloatObject(top), FloatObject(300), FloatObject(top + 20)]
                    ),
                    NameObject("/F"): NumberObject(4),
                }
            )
            reference = writer._add_object(widget)
            fields.append(reference)
            page.setdefault(NameObject("/Annots"), ArrayObject()).append(reference)
        root[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})
    if password is not None:
        writer.encrypt(
            user_password=password, owner_password="eier-" + password, algorithm="AES-256"
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _xmp(title):
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
        "</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


def pdf_scanned(path, pages=2, text="Vedtak om tildeling av sykehjemsplass"):
    """A PDF of page images with text drawn into them and no text layer: a scan."""
    from PIL import Image, ImageDraw, ImageFont  # late: Pillow draws the scan

    font_path = unicode_font()
    font = ImageFont.truetype(font_path, 28) if font_path else ImageFont.load_default()
    images = []
    for number in range(1, pages + 1):
        image = Image.new("L", (850, 1100), 255)
        draw = ImageDraw.Draw(image)
        for line in range(12):
            draw.text((60, 80 + 70 * line), f"{text} (side {number})", fill=0, font=font)
        images.append(image)
    images[0].save(path, "PDF", resolution=100, save_all=True, append_images=images[1:])
    return path


def many_pages_pdf(path, n):
    """A valid PDF of ``n`` blank pages."""
    from pypdf import PdfWriter  # late: as above

    writer = PdfWriter()
    for _ in range(n):
        writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def endless_pdf(path, pages=20, operators=600_000):
    """A PDF of ``pages`` pages that share one content stream of ``operators`` text-showing
    operators (each shows a space): a few kilobytes on disk, seconds of parsing a page (pypdf
    stops a stream at 2 million tokens; this stays under that), minutes for the document."""
    import zlib  # late: only this builder compresses by hand

    content = zlib.compress(b"BT /F1 12 Tf " + b"( ) Tj " * operators + b"ET", 9)
    kids = " ".join(f"{6 + index} 0 R" for index in range(pages)).encode()
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ] + [page] * pages
    return _write_pdf(path, objects)


def _write_pdf(path, objects):
    """A PDF of ``objects`` (object 1 the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    Path(path).write_bytes(bytes(out))
    return path


# --- DOCX -------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with(
    path,
    paragraphs=(),
    comments=None,
    tracked_deleted=None,
    tracked_inserted=None,
    header=None,
    footer=None,
    author=None,
    title=None,
    table=None,
    language=None,
    textbox=None,
    footnote=None,
    custom_xml=None,
):
    """A DOCX with ``paragraphs`` in its body.

    ``comments``: {paragraph index: comment text}, anchored on that paragraph.
    ``tracked_deleted`` / ``tracked_inserted``: text of a tracked deletion / insertion in a
    paragraph of its own after the others ("Søker: " before it). ``table``: rows of cell texts
    after the paragraphs. ``language``: the default language of the styles ("nb-NO").
    ``textbox``: a text box (as Word writes it: a drawing, and a VML copy for old readers) in
    a paragraph after the others. ``footnote``: a footnote on the first paragraph.
    ``custom_xml``: {element: text}, a customXml data part as archive templates bind.
    """
    import docx  # late: python-docx is only needed to make DOCX files

    document = docx.Document()
    properties = document.core_properties
    properties.author = author or ""
    properties.title = title or ""
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    added = [document.add_paragraph(text) for text in paragraphs]
    for index, text in (comments or {}).items():
        document.add_comment(added[index].runs, text=text, author="Saksbehandler", initials="SB")
    for change, text in (("del", tracked_deleted), ("ins", tracked_inserted)):
        if text is not None:
            paragraph = document.add_paragraph("Søker: ")
            paragraph._p.append(_tracked(change, text))
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for row_cells, row in zip(grid.rows, table, strict=True):
            for cell, text in zip(row_cells.cells, row, strict=False):
                cell.text = text
    if language:
        _docx_language(document, language)
    if textbox is not None:
        document.add_paragraph("Se boksen: ")._p.append(_textbox(textbox))
    if footnote is not None:
        added[0]._p.append(_xml(f'<w:r {_W}><w:footnoteReference w:id="1"/></w:r>'))
    document.save(path)
    extra = {}
    if footnote is not None:
        extra.update(_footnote_entries(path, footnote))
    if custom_xml:
        fields = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in custom_xml.items())
        extra["customXml/item1.xml"] = f"<saksdata>{fields}</saksdata>".encode()
    if extra:
        _replace_entries(path, extra)
    return path


_W = f'xmlns:w="{W_NS}"'
_TEXTBOX_NS = (
    f'{_W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _xml(text):
    from docx.oxml import parse_xml  # late: as above

    return parse_xml(text)


def _textbox(text):
    content = f"<w:txbxContent><w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:txbxContent>"
    return _xml(
        f"<w:r {_TEXTBOX_NS}><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


def _footnote_entries(path, text):
    """The footnotes part with footnote 1, and the relationship and content type it needs."""
    notes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {_W}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        '<w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p>'
        f"<w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    with zipfile.ZipFile(path) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
    )
    return {
        "word/footnotes.xml": notes.encode(),
        "word/_rels/document.xml.rels": rels.encode(),
        "[Content_Types].xml": types.encode(),
    }


def _tracked(change, text):
    from docx.oxml import parse_xml  # late: as above

    tag = "w:delText" if change == "del" else "w:t"
    number = 1 if change == "del" else 2
    return parse_xml(
        f'<w:{change} xmlns:w="{W_NS}" w:id="{number}" w:author="Saksbehandler"'
        f' w:date="2026-11-02T10:00:00Z"><w:r><{tag} xml:space="preserve">{escape(text)}</{tag}>'
        f"</w:r></w:{change}>"
    )


def _docx_language(document, language):
    from docx.oxml import parse_xml  # late: as above

    styles = document.styles.element
    defaults = styles.find(f"{{{W_NS}}}docDefaults")
    if defaults is None:
        defaults = parse_xml(f'<w:docDefaults xmlns:w="{W_NS}"/>')
        styles.insert(0, defaults)
    for old in defaults.findall(f"{{{W_NS}}}rPrDefault"):
        defaults.remove(old)
    defaults.insert(
        0,
        parse_xml(
            f'<w:rPrDefault xmlns:w="{W_NS}"><w:rPr><w:lang w:val="{language}"/></w:rPr>'
            "</w:rPrDefault>"
        ),
    )


def _replace_entries(path, replacements):
    """Rewrite the zip at ``path`` with some entries' bytes replaced and new ones added."""
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    entries.update(replacements)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)
    return path


def deep_xml_docx(path, depth=20_000):
    """A DOCX whose body nests ``depth`` elements deep. (Far deeper, its document.xml grows
    past 1 MB of one repeated tag, and the zip check refuses it first as a zip bomb.)"""
    docx_with(path, ["Innledning"])
    body = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
        "<w:body>"
        + "<w:customXml>" * depth
        + "<w:p><w:r><w:t>Dypt</w:t></w:r></w:p>"
        + "</w:customXml>" * depth
        + "</w:body></w:document>"
    )
    return _replace_entries(path, {"word/document.xml": body.encode()})


def zip_bomb_docx(path, size=2_000_000_000):
    """A DOCX whose word/document.xml inflates to ``size`` bytes (spaces inside a paragraph),
    written streaming: a few MB on disk, and never in memory."""
    docx_with(path, ["Innledning"])
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    head = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
        "<w:body><w:p><w:r><w:t>"
    ).encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    block = b" " * 8_000_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in entries:
            if name != "word/document.xml":
                target.writestr(name, data)
                continue
            with target.open(name, "w", force_zip64=True) as entry:
                entry.write(head)
                written = 0
                while written < size:
                    piece = block[: size - written]
                    entry.write(piece)
                    written += len(piece)
                entry.write(tail)
    return path


def encrypted_ooxml(path):
    """What Office writes for a password-protected DOCX or XLSX: an OLE compound file (with
    the EncryptionInfo and EncryptedPackage streams), not a zip."""
    names = "".join(name.ljust(32, "\0") for name in ("EncryptionInfo", "EncryptedPackage"))
    junk = bytes((index * 7 + 13) % 256 for index in range(4096))
    Path(path).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + junk + names.encode("utf-16-le"))
    return path


def corrupt(path, kind):
    """A broken file: "pdf", "docx" or "xlsx" cut in half, as an interrupted upload leaves it
    (a PDF without its cross-reference table and trailer, a zip without its central
    directory), or "not_pdf" (a Word file, to be named .pdf)."""
    path = Path(path)
    if kind == "pdf":
        data = Path(pdf_with_text(path, ["Side en " * 50, "Side to " * 50])).read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind in ("docx", "xlsx"):
        maker = docx_with if kind == "docx" else xlsx_with
        data = Path(
            maker(path, ["Tekst"] if kind == "docx" else {"Ark1": [["Tekst"]]})
        ).read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "not_pdf":
        data = Path(docx_with(path, ["Tekst"])).read_bytes()
        path.write_bytes(data)
    else:
        raise ValueError(kind)
    return path


# --- XLSX -------------------------------------------------------------------------------------


def xlsx_with(
    path,
    sheets,
    hidden=(),
    very_hidden=(),
    comments=None,
    number_formats=None,
    author=None,
    title=None,
    header=None,
    pivot_cache=None,
    external_link=None,
):
    """An XLSX with ``sheets`` ({name: rows}, a row a list of values: str, int, float, None).

    ``hidden``/``very_hidden``: names of sheets so hidden. ``comments``: {(sheet, "B2"): text}.
    ``number_formats``: {(sheet, "B2"): "00000000000"}. ``header``: the first sheet's centre
    header. ``pivot_cache``: {field: values}, a pivot cache (shared items, and the records as
    rows of the values) left behind by a pivot table whose source sheet is gone.
    ``external_link``: rows of values cached from another workbook.
    """
    import openpyxl  # late: openpyxl writes the test workbooks
    from openpyxl.comments import Comment  # late: as above

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if name in hidden:
            sheet.sheet_state = "hidden"
        if name in very_hidden:
            sheet.sheet_state = "veryHidden"
    for (name, cell), text in (comments or {}).items():
        workbook[name][cell].comment = Comment(text, "Saksbehandler")
    for (name, cell), number_format in (number_formats or {}).items():
        workbook[name][cell].number_format = number_format
    if header:
        workbook.worksheets[0].oddHeader.center.text = header
    workbook.properties.creator = author
    workbook.properties.title = title
    workbook.save(path)
    extra = {}
    if pivot_cache:
        extra.update(_pivot_entries(pivot_cache))
    if external_link:
        extra["xl/externalLinks/externalLink1.xml"] = _external_link(external_link)
    if extra:
        _replace_entries(path, extra)
    return path


_SML = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _cache_value(value):
    return f'<n v="{value}"/>' if isinstance(value, int | float) else f"<s v={quoteattr(value)}/>"


def _pivot_entries(fields):
    definition = "".join(
        f'<cacheField name={quoteattr(name)} numFmtId="0"><sharedItems>'
        + "".join(_cache_value(value) for value in values)
        + "</sharedItems></cacheField>"
        for name, values in fields.items()
    )
    records = "".join(
        "<r>" + "".join(_cache_value(value) for value in row) + "</r>"
        for row in zip(*fields.values(), strict=True)
    )
    return {
        "xl/pivotCache/pivotCacheDefinition1.xml": (
            f'<pivotCacheDefinition {_SML}><cacheFields count="{len(fields)}">'
            f"{definition}</cacheFields></pivotCacheDefinition>"
        ).encode(),
        "xl/pivotCache/pivotCacheRecords1.xml": (
            f"<pivotCacheRecords {_SML}>{records}</pivotCacheRecords>"
        ).encode(),
    }


def _external_link(rows):
    cells = "".join(
        f'<row r="{index}">'
        + "".join(
            f'<cell r="{chr(65 + column)}{index}"><v>{escape(str(value))}</v></cell>'
            for column, value in enumerate(row)
        )
        + "</row>"
        for index, row in enumerate(rows, 1)
    )
    return (
        f'<externalLink {_SML}><externalBook><sheetNames><sheetName val="Innbyggere"/>'
        f'</sheetNames><sheetDataSet><sheetData sheetId="0">{cells}</sheetData></sheetDataSet>'
        "</externalBook></externalLink>"
    ).encode()


# --- OpenDocument -----------------------------------------------------------------------------

_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'office:version="1.3"'
)
_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _odf(path, kind, body, automatic_styles="", header=None, footer=None, meta=None):
    master = ""
    if header or footer:
        parts = ""
        if header:
            parts += f"<style:header><text:p>{escape(header)}</text:p></style:header>"
        if footer:
            parts += f"<style:footer><text:p>{escape(footer)}</text:p></style:footer>"
        master = (
            '<office:master-styles><style:master-page style:name="Standard">'
            f"{parts}</style:master-page></office:master-styles>"
        )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODF_NS}>'
        '<office:styles><style:default-style style:family="paragraph">'
        '<style:text-properties fo:language="nb" fo:country="NO"/></style:default-style>'
        f"</office:styles>{master}</office:document-styles>"
    )
    meta_fields = "".join(
        f"<{tag}>{escape(value)}</{tag}>" for tag, value in (meta or {}).items() if value
    )
    meta_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NS}>'
        f"<office:meta>{meta_fields}</office:meta></office:document-meta>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}>'
        f"<office:automatic-styles>{automatic_styles}</office:automatic-styles>"
        f"<office:body>{body}</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_MIMETYPES[kind]}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        # The mimetype comes first and stored, as the standard says.
        archive.writestr("mimetype", _MIMETYPES[kind], compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("meta.xml", meta_xml)
        archive.writestr("styles.xml", styles)
        archive.writestr("content.xml", content)
    return path


def _meta(title, author):
    return {"dc:title": title, "meta:initial-creator": author}


def odt_with(
    path,
    paragraphs=(),
    comments=None,
    tracked_deleted=None,
    header=None,
    footer=None,
    title=None,
    author=None,
    table=None,
    footnote=None,
    textbox=None,
):
    """An ODT with ``paragraphs``; ``comments`` {paragraph index: text}; ``tracked_deleted``: a
    tracked deletion of that text (recorded changes on); ``table``: rows of cell texts;
    ``footnote``: a footnote on the first paragraph; ``textbox``: a frame with a text box in a
    paragraph after the others."""
    comments = comments or {}
    changes, blocks = "", []
    if tracked_deleted is not None:
        changes = (
            '<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion>'
            "<office:change-info><dc:creator>Saksbehandler</dc:creator>"
            "<dc:date>2026-11-02T10:00:00</dc:date></office:change-info>"
            f"<text:p>{escape(tracked_deleted)}</text:p></text:deletion></text:changed-region>"
            "</text:tracked-changes>"
        )
    for index, text in enumerate(paragraphs):
        note = ""
        if index in comments:
            note = (
                "<office:annotation><dc:creator>Saksbehandler</dc:creator>"
                f"<text:p>{escape(comments[index])}</text:p></office:annotation>"
            )
        if index == 0 and footnote is not None:
            note += (
                '<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1'
                f"</text:note-citation><text:note-body><text:p>{escape(footnote)}</text:p>"
                "</text:note-body></text:note>"
            )
        blocks.append(f"<text:p>{note}{escape(text)}</text:p>")
    if textbox is not None:
        blocks.append(
            '<text:p>Se boksen: <draw:frame svg:width="5cm"><draw:text-box>'
            f"<text:p>{escape(textbox)}</text:p></draw:text-box></draw:frame></text:p>"
        )
    if tracked_deleted is not None:
        blocks.append('<text:p>Søker: <text:change text:change-id="ct1"/></text:p>')
    if table:
        rows = "".join(
            "<table:table-row>"
            + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{escape(text)}</text:p>'
                "</table:table-cell>"
                for text in row
            )
            + "</table:table-row>"
            for row in table
        )
        columns = max(len(row) for row in table)
        blocks.append(
            f'<table:table table:name="Tabell1"><table:table-column '
            f'table:number-columns-repeated="{columns}"/>{rows}</table:table>'
        )
    body = f"<office:text>{changes}{''.join(blocks)}</office:text>"
    return _odf(path, "odt", body, header=header, footer=footer, meta=_meta(title, author))


def _ods_cell(value):
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def ods_with(path, sheets, hidden=(), comments=None, title=None, author=None):
    """An ODS with ``sheets`` ({name: rows}), ``hidden`` sheets (table:display false) and
    ``comments`` {(sheet, row index, column index): text}. Like LibreOffice, each sheet ends
    in repeated empty columns and rows that claim the whole grid."""
    comments = comments or {}
    tables = []
    for name, rows in sheets.items():
        style = ' table:style-name="ta-hidden"' if name in hidden else ' table:style-name="ta1"'
        xml_rows = []
        for row_index, row in enumerate(rows):
            cells = []
            for column_index, value in enumerate(row):
                cell = _ods_cell(value)
                note = comments.get((name, row_index, column_index))
                if note:
                    cell = cell.replace(
                        "<text:p>",
                        f"<office:annotation><text:p>{escape(note)}</text:p></office:annotation>"
                        "<text:p>",
                        1,
                    )
                cells.append(cell)
            cells.append('<table:table-cell table:number-columns-repeated="16380"/>')
            xml_rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        xml_rows.append(
            '<table:table-row table:number-rows-repeated="1048570">'
            '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        )
        tables.append(
            f"<table:table table:name={quoteattr(name)}{style}>"
            '<table:table-column table:number-columns-repeated="16384"/>'
            f"{''.join(xml_rows)}</table:table>"
        )
    styles = (
        '<style:style style:name="ta1" style:family="table">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta-hidden" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
    )
    body = f"<office:spreadsheet>{''.join(tables)}</office:spreadsheet>"
    return _odf(path, "ods", body, automatic_styles=styles, meta=_meta(title, author))


def billion_laughs_odt(path):
    """An ODT whose content.xml declares entities that expand to a billion "lol"s."""
    odt_with(path, ["Innledning"])
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{level} "{("&lol" + (str(level - 1) if level > 1 else "") + ";") * 10}">'
        for level in range(1, 10)
    )
    content = (
        f'<?xml version="1.0"?><!DOCTYPE office:document-content [{entities}]>'
        f"<office:document-content {_ODF_NS}><office:body><office:text>"
        "<text:p>&lol9;</text:p></office:text></office:body></office:document-content>"
    )
    return _replace_entries(path, {"content.xml": content.encode()})


# --- RTF, CSV, HTML, TXT ----------------------------------------------------------------------


def _rtf_escape(text):
    out = []
    for char in text:
        if char in "\\{}":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\line ")
        elif ord(char) < 128:
            out.append(char)
        else:
            try:
                out.append(f"\\'{char.encode('cp1252')[0]:02x}")
            except UnicodeEncodeError:
                out.append(f"\\u{ord(char)}?")
    return "".join(out)


def rtf_with(path, paragraphs=(), title=None, author=None, subject=None, comments=None):
    """An RTF (Windows-1252) with ``paragraphs`` and an \\info group."""
    info = "".join(
        f"{{\\{key} {_rtf_escape(value)}}}"
        for key, value in (("title", title), ("author", author), ("subject", subject))
        + (("doccomm", comments),)
        if value
    )
    body = "".join(f"\\pard {_rtf_escape(text)}\\par\n" for text in paragraphs)
    document = (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0\\deflang1044{\\fonttbl{\\f0 Arial;}}"
        f"{{\\info{info}}}\n{body}}}"
    )
    Path(path).write_bytes(document.encode("ascii"))
    return path


def deep_rtf(path, depth=100_000):
    """An RTF whose groups nest ``depth`` deep."""
    Path(path).write_bytes(b"{\\rtf1\\ansi " + b"{" * depth + b"dypt" + b"}" * depth + b"}")
    return path


def csv_with(path, rows, delimiter=";", encoding="utf-8-sig"):
    """A CSV of ``rows`` (Excel's Nordic default: semicolons, UTF-8 with BOM)."""
    import csv  # late: only the CSV builder needs it

    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def html_with(
    path, paragraphs=(), title=None, author=None, description=None, comment=None, lang="nb"
):
    """An HTML page with ``paragraphs``, a <title>, author and description meta tags and an
    HTML comment (which no visitor sees, and anyone can read in the source)."""
    head = f"<title>{escape(title)}</title>" if title else ""
    if author:
        head += f'<meta name="author" content={quoteattr(author)}>'
    if description:
        head += f'<meta name="description" content={quoteattr(description)}>'
    body = "".join(f"<p>{escape(text)}</p>\n" for text in paragraphs)
    if comment:
        body += f"<!-- {comment} -->\n"
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">{head}\n</head>\n'
        f"<body>\n<script>var sak = 1432;</script>\n{body}</body>\n</html>\n"
    )
    Path(path).write_text(page, encoding="utf-8")
    return path


def txt_with(path, lines, encoding="utf-8"):
    """A text file of ``lines``."""
    Path(path).write_text("\n".join(lines) + "\n", encoding=encoding)
    return path
