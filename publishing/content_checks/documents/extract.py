"""``extract``: the text of one file, in this process. Never raises for a bad file.

The format comes from the file name's extension and must be confirmed by the file's first
bytes: a .pdf that does not start like a PDF is corrupt, a .docx that is an OLE file is
encrypted. Each reader is imported when a file of its format comes: the sandbox child reads one
file and loads one reader.
"""

from __future__ import annotations

import os
from pathlib import PurePath

from publishing.content_checks.documents.limits import Collector, Full, Limits
from publishing.content_checks.documents.model import Extraction, Unreadable
from publishing.content_checks.documents.zipcheck import open_zip

#: Extension -> format.
FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".odt": "odt",
    ".ods": "ods",
    ".rtf": "rtf",
    ".csv": "csv",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
}
ZIP_FORMATS = {"docx", "xlsx", "odt", "ods"}
# The PDF header may follow some bytes of junk (the spec allows 1024).
_PDF_HEADER_WITHIN = 1024


def format_of(filename):
    """The format of a file called ``filename`` ("" when it is not one that is read)."""
    return FORMATS.get(PurePath(str(filename)).suffix.lower(), "")


def _reason(error):
    """The reason for an exception a reader let through. Errors are told apart by type and
    by their library's wording, never shown: their messages can quote the file."""
    name = type(error).__name__
    if isinstance(error, MemoryError):
        return "memory"
    if isinstance(error, RecursionError):
        return "too_deep"
    if name == "XMLSyntaxError" and "depth" in str(error).lower():
        return "too_deep"
    if name in ("LimitReachedError", "DecompressionBombError"):
        return "zip_bomb"  # pypdf's and Pillow's limits on inflating a stream or an image
    if name in ("FileNotDecryptedError", "WrongPasswordError"):
        return "encrypted"
    return "corrupt"  # zipfile.BadZipFile, zlib.error, a parser's error, a reader's bug


def _read(path, format, limits, result, out):
    if format == "pdf":
        with open(path, "rb") as handle:
            if b"%PDF-" not in handle.read(_PDF_HEADER_WITHIN):
                raise Unreadable("corrupt")
        # late: each reader is loaded for its first file (the sandbox child reads one file)
        from publishing.content_checks.documents import pdf

        pdf.read(path, limits, result, out)
    elif format in ZIP_FORMATS:
        with open_zip(path, limits) as archive:
            if format == "docx":
                # late: python-docx and lxml load for the first DOCX only
                from publishing.content_checks.documents import word

                word.read(path, archive, limits, result, out)
            elif format == "xlsx":
                # late: openpyxl loads for the first XLSX only
                from publishing.content_checks.documents import excel

                excel.read(path, archive, limits, result, out)
            else:
                # late: the OpenDocument reader loads for the first ODT or ODS only
                from publishing.content_checks.documents import opendocument

                opendocument.read(path, archive, limits, result, out, format)
    elif format == "rtf":
        # late: striprtf loads for the first RTF only
        from publishing.content_checks.documents import rtf

        rtf.read(path, limits, result, out)
    else:
        # late: the text readers load for the first TXT, CSV or HTML only
        from publishing.content_checks.documents import plain

        {"txt": plain.read_txt, "csv": plain.read_csv, "html": plain.read_html}[format](
            path, limits, result, out
        )


def extract(path, filename, limits=Limits()):  # noqa: B008 - Limits is frozen
    """The text of the file at ``path``, read in this process (``extract_bounded`` reads it in
    a child process with memory, CPU and time limits: use that for uploaded files).

    ``filename`` (its extension) says the format. A file that cannot be read gives an
    unreadable ``Extraction`` with a reason; text beyond ``limits.max_chars`` is not read and
    the extraction says ``truncated``.
    """
    format = format_of(filename)
    if not format:
        return Extraction.unreadable(
            PurePath(str(filename)).suffix.lower().lstrip("."), "unsupported"
        )
    result = Extraction(format=format)
    out = Collector(limits)
    try:
        if os.stat(path).st_size > limits.max_bytes:
            raise Unreadable("too_large")
        _read(path, format, limits, result, out)
    except Full:
        pass  # the text limit was reached: what was read is kept
    except Unreadable as error:
        return Extraction.unreadable(format, error.reason)
    except ImportError:
        raise  # a missing library is the installation's fault, not the file's
    except Exception as error:  # a hostile file must not raise: MemoryError and all
        return Extraction.unreadable(format, _reason(error))
    result.parts = out.parts
    result.truncated = out.truncated
    return result
