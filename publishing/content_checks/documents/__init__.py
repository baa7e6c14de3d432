"""The text of uploaded documents, read safely, and the personal data in it.

The leaks that cost Norwegian municipalities their fines were in attachments: a spreadsheet
with a hidden sheet of national ID numbers, a deleted tracked change, a PDF's author field. So
everything a file holds as text is read: pages, cells of hidden sheets, comments, headers and
footers, tracked changes, metadata.

- ``extract(path, filename, limits)`` -> ``Extraction``: in this process.
- ``extract_bounded(path, filename, limits)`` -> (``Extraction``, ``Usage``): the same in a
  child process with memory, CPU and time limits; what the worker calls for uploads.
- ``scan_extraction(extraction, lang, allow)`` -> findings as kind and place, never values.

Formats: PDF (pypdf), DOCX (python-docx, lxml), XLSX (openpyxl), ODT and ODS (zip and
defusedxml), RTF (striprtf), CSV, TXT, HTML (standard library). Plain Python: no Django.
"""

from publishing.content_checks.documents.extract import FORMATS, extract, format_of
from publishing.content_checks.documents.limits import Limits
from publishing.content_checks.documents.model import REASONS, Extraction, Part, Usage
from publishing.content_checks.documents.sandbox import extract_bounded

__all__ = [
    "FORMATS",
    "REASONS",
    "Extraction",
    "Limits",
    "Part",
    "Usage",
    "extract",
    "extract_bounded",
    "format_of",
    "scan_extraction",
]


def __getattr__(name):
    """``scan_extraction``, loaded when first asked for: the sandbox child imports this package
    and has no use for the scanner's word lists and phone number metadata."""
    if name == "scan_extraction":
        # late: keeps the personal-data scanner out of the sandbox child
        from publishing.content_checks.documents.scan import scan_extraction

        return scan_extraction
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
