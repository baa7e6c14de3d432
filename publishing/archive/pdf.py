"""A capture as one PDF: a cover with its metadata and digests, then the archived page.

The page is drawn (WeasyPrint) from the WARC file alone: its HTML record, and its stylesheets,
fonts and images from the records beside it. Nothing is fetched from the network or the site as
it is now: an address the file does not hold is refused, and the page is drawn without it.
"""

import logging
from email.message import Message
from urllib.parse import unquote, urldefrag

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from publishing.archive import presentation, warc
from publishing.archive.files import verified_file
from publishing.models import ArchiveEvent

logger = logging.getLogger(__name__)

#: Records WeasyPrint can use to draw a page; others (documents the page links) are not kept in
#: memory while the PDF is made.
DRAWN_TYPES = ("text/css", "image/", "font/", "application/font", "application/x-font")


def _media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


class ArchiveFetcher(URLFetcher):
    """Serves WeasyPrint the resources a WARC file holds, and nothing else (no network)."""

    def __init__(self, resources=None):
        # Only data: addresses reach urllib (they carry their bytes); any other scheme is
        # refused even if ``fetch`` were bypassed.
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.resources = resources or {}

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        address = urldefrag(url)[0]
        found = self.resources.get(address) or self.resources.get(unquote(address))
        if found is None:
            raise ValueError(f"Not in the archived file: {url}")
        content_type, body = found
        return URLFetcherResponse(address, body, {"Content-Type": content_type})


def _read(capture):
    """The page's HTML record (or None), the status its address first answered with, and
    ``{address: (content type, body)}`` of the resources a page can use, from the verified WARC
    file."""
    page, status, resources = None, None, {}
    with verified_file(capture) as handle:
        for record in warc.records(handle):
            if record["type"] != "response":
                continue
            if status is None and record["uri"] == capture.url:
                status = record["status"]
            if record["status"] != 200:
                continue
            media_type = _media_type(record["content_type"])
            if page is None and record["uri"] == capture.url and media_type == "text/html":
                # Of an unpublished or deleted page: the last version that was live (dated
                # when it went live), not the answer that it is gone.
                page = record
            elif media_type.startswith(DRAWN_TYPES) and record["uri"] not in resources:
                resources[record["uri"]] = (record["content_type"], record["body"])
                resources.setdefault(unquote(record["uri"]), resources[record["uri"]])
    return page, status, resources


def _charset(content_type):
    message = Message()
    message["Content-Type"] = content_type or "text/html"
    return message.get_content_charset() or "utf-8"


def _page_document(record, resources):
    html = record["body"].decode(_charset(record["content_type"]), "replace")
    # As citizens saw it on a screen, not the site's print style.
    return HTML(
        string=html,
        base_url=record["uri"],
        url_fetcher=ArchiveFetcher(resources),
        media_type="screen",
    ).render()


def render_pdf(capture):
    """``capture`` as a PDF (bytes): the cover, in the active language and time zone, then the
    archived page. Raises ``files.ArchiveFileProblem`` when the WARC file is missing or changed."""
    record, status, resources = _read(capture)
    page, drawn_failed = None, False
    if record is not None:
        try:
            page = _page_document(record, resources)
        except Exception:  # the cover still says what was archived, and that the page failed
            logger.exception("The archived page of capture %s could not be drawn.", capture.pk)
            drawn_failed = True
    municipality = presentation.municipality_of(capture)
    made = timezone.now()
    context = {
        "capture": capture,
        "page_facts": presentation.page_facts(capture, municipality),
        "event_facts": presentation.event_facts(capture),
        "archive_facts": presentation.archive_facts(capture),
        "approvals": presentation.approvals(capture),
        "not_captured": presentation.not_captured(capture),
        "status": status,
        "gone": capture.event in (ArchiveEvent.UNPUBLISHED, ArchiveEvent.DELETED),
        "page_date": _record_date(record),
        "drawn": page is not None,
        "drawn_failed": drawn_failed,
        "made": made,
        "time_zone": timezone.get_current_timezone_name(),
        "language": translation.get_language(),
    }
    cover = HTML(
        string=render_to_string("publishing/archive/pdf_cover.html", context),
        url_fetcher=ArchiveFetcher(),
    ).render()
    document = cover.copy(cover.pages + (page.pages if page is not None else []))
    document.metadata.title = _("What was published: %(title)s") % {"title": capture.title}
    document.metadata.description = capture.url
    document.metadata.created = made.isoformat(timespec="seconds")
    document.metadata.modified = document.metadata.created
    document.metadata.lang = translation.get_language()
    return document.write_pdf()


def _record_date(record):
    """When the drawn page was received (its record's WARC-Date), as a datetime."""
    if record is None or not record.get("date"):
        return None
    return parse_datetime(record["date"].replace("Z", "+00:00"))
