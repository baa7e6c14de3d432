"""Writing and reading the archive's WARC files (ISO 28500, WARC 1.1) with warcio.

Every record carries a ``WARC-Block-Digest`` and, where it has a payload, a
``WARC-Payload-Digest``, both SHA-256 (warcio's default is SHA-1, which no longer resists a
forger). The file is gzip-compressed record by record, as replay tools expect.
"""

import base64
import datetime
import io
import json

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

#: The metadata record's content type: the capture's metadata as JSON.
METADATA_TYPE = "application/json"


class _Sha256Writer(WARCWriter):
    def _create_digester(self):
        return Digester("sha256")


def hex_digest(labelled):
    """``sha256:BASE32`` as a WARC header gives it, in hexadecimal (as the database keeps it)."""
    if not labelled:
        return ""
    _algorithm, _sep, value = labelled.partition(":")
    return base64.b32decode(value).hex()


def _warc_date(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write(stream, *, filename, info, answers, metadata, target_uri, when):
    """Write a capture to ``stream``: a ``warcinfo`` record (``info``), one ``response`` record
    per answer (the page first) and a ``metadata`` record about ``target_uri``. ``when`` is the
    capture's WARC-Date. Returns what the database keeps of each record."""
    writer = _Sha256Writer(stream, gzip=True, warc_version="1.1")
    date = _warc_date(when)
    kept = []

    def add(record, uri, status=None, content_type=""):
        writer.write_record(record)
        headers = record.rec_headers
        kept.append(
            {
                "type": headers.get_header("WARC-Type"),
                "id": headers.get_header("WARC-Record-ID"),
                "uri": uri,
                "status": status,
                "content_type": content_type,
                "length": int(headers.get_header("Content-Length")),
                "sha256": hex_digest(headers.get_header("WARC-Block-Digest")),
            }
        )

    record = writer.create_warcinfo_record(filename, info)
    record.rec_headers.replace_header("WARC-Date", date)
    add(record, "")
    page_record_id = None
    for answer in answers:
        http_headers = StatusAndHeaders(
            f"{answer.status} {answer.reason}", answer.headers, protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            answer.url,
            "response",
            payload=io.BytesIO(answer.body),
            length=len(answer.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": _warc_date(answer.date) if answer.date else date},
        )
        add(record, answer.url, answer.status, answer.content_type)
        page_record_id = page_record_id or record.rec_headers.get_header("WARC-Record-ID")
    payload = json.dumps(metadata, ensure_ascii=False, sort_keys=True, indent=1).encode()
    # No WARC-Target-URI (optional on a metadata record): under the page's address a replay tool
    # indexes the JSON as a capture of the page and replays it instead of the page. It names the
    # page's record instead.
    headers = {"WARC-Date": date}
    if page_record_id:
        headers["WARC-Concurrent-To"] = page_record_id
    record = writer.create_warc_record(
        None,
        "metadata",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type=METADATA_TYPE,
        warc_headers_dict=headers,
    )
    add(record, target_uri, content_type=METADATA_TYPE)
    return kept


def _status(record):
    if record.rec_type != "response" or not record.http_headers:
        return None
    return int(record.http_headers.get_statuscode())


def records(stream):
    """Each record of a WARC file as a dict: type, uri, date, status, content type, headers
    (a list of pairs) and body (the payload's bytes)."""
    for record in ArchiveIterator(stream):
        headers = record.http_headers
        yield {
            "type": record.rec_type,
            "uri": record.rec_headers.get_header("WARC-Target-URI") or "",
            "date": record.rec_headers.get_header("WARC-Date"),
            "status": int(headers.get_statuscode())
            if headers and record.rec_type == "response"
            else None,
            "content_type": (headers.get_header("Content-Type") if headers else None)
            or record.rec_headers.get_header("Content-Type")
            or "",
            "headers": list(headers.headers) if headers else [],
            "body": record.content_stream().read(),
        }


def damaged_records(stream):
    """The records whose SHA-256 digests do not match their bytes, as (record id, problem), and
    a problem with the file itself (a truncated or unreadable file) as (None, problem)."""
    damaged = []
    try:
        for record in ArchiveIterator(stream, check_digests=True):
            record.content_stream().read()
            if record.digest_checker.passed is False:
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                damaged.extend((record_id, problem) for problem in record.digest_checker.problems)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:
        damaged.append((None, str(error)))
    return damaged
