"""The archive of one municipality and period as a package for its records system.

``write_package`` writes a ZIP file (ZIP64 where it needs it) with, in this order:

- ``README.txt``: what the package is, in the municipality's language;
- ``manifest.xml``: every capture's metadata, in the schema ``manifest.xsd`` (namespace
  ``NAMESPACE``), with the chain's digests before and after the period, so that a package can be
  linked to the one before it;
- ``manifest.xsd``: that schema;
- ``manifest.csv``: the same metadata, a row per capture, and ``records.csv``, a row per record
  of the WARC files (RFC 4180: comma-separated, CRLF, UTF-8 with a byte order mark, so that a
  spreadsheet in a Nordic locale opens them as UTF-8);
- ``warc/<file>``: each capture's WARC file, copied from the archive's storage in chunks and
  checked against the SHA-256 its row keeps while it is copied;
- ``sha256sums.txt``: the SHA-256 of every other file, as ``sha256sum -c`` reads it.

A package holds the captures whose event happened in ``[start, end)``, in the chain's order;
``period_of`` makes that period from a month or a first and last day (calendar days in the
municipality's time zone), for the command and the admin alike. The
export refuses (``ExportRefused``) when a file or row does not hold what was archived: the stream
then holds half a package, which the caller throws away (``manage.py export_archive`` writes to a
temporary file and renames it only when the package is whole).
"""

import calendar
import csv
import datetime
import hashlib
import io
import zipfile
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from publishing.archive import chain
from publishing.archive.storage import archive_storage
from publishing.models import Municipality
from publishing.models.archive import ArchiveCapture, ArchiveEvent

#: The manifest's XML namespace; the number at its end is the schema's version.
NAMESPACE = "urn:x-governed-publishing:archive-package:1"
SCHEMA_VERSION = "1"
#: The schema of ``manifest.xml``, shipped beside this module and in every package.
SCHEMA = Path(__file__).with_name("manifest.xsd")
#: The software named in the manifest.
GENERATOR = "wagtail-governed-publishing archive export"

README = "README.txt"
MANIFEST_XML = "manifest.xml"
MANIFEST_XSD = "manifest.xsd"
MANIFEST_CSV = "manifest.csv"
RECORDS_CSV = "records.csv"
CHECKSUMS = "sha256sums.txt"
WARC_FOLDER = "warc"

#: The columns of ``manifest.csv`` and ``records.csv``.
MANIFEST_COLUMNS = [
    "sequence",
    "event",
    "happened_at",
    "captured_at",
    "page_id",
    "url",
    "title",
    "locale",
    "page_type",
    "unit",
    "responsible_leader",
    "sensitivity",
    "audiences",
    "revision_id",
    "published_by",
    "approved_by",
    "reason",
    "file",
    "size",
    "warc_sha256",
    "records",
    "previous_digest",
    "digest",
]
RECORD_COLUMNS = [
    "sequence",
    "record_id",
    "type",
    "uri",
    "status",
    "content_type",
    "length",
    "sha256",
]
#: How a list is written in one CSV cell.
LIST_SEPARATOR = "; "

CHUNK = 1 << 20


class ExportRefused(Exception):
    """The archive does not hold what it archived: nothing may be exported until it is found
    out why (``manage.py verify_archive``)."""


class PeriodError(ValueError):
    """A period that ``period_of`` cannot make. ``code`` says why, for a caller that words it
    its own way: ``both`` (a month and days), ``missing`` (neither, or only one day),
    ``reversed`` (the last day before the first) or ``out_of_range`` (beyond the calendar)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_month(text):
    """The first day of the month ``text`` (YYYY-MM); ``ValueError`` if it is not one."""
    return datetime.datetime.strptime(text.strip(), "%Y-%m").date()


def month_days(month):
    """The first and last day of the month of ``month`` (a date)."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def start_of_day(day, zone):
    """Midnight at the start of ``day`` in the time zone named ``zone``."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), zoneinfo.ZoneInfo(zone)
    )


def time_zone_of(slug):
    """The time zone of the municipality ``slug`` (``Municipality.time_zone``): its archive's
    days and times are its own. The installation's when the municipality is gone."""
    found = Municipality.objects.filter(slug=slug).first()
    return found.time_zone if found is not None else settings.TIME_ZONE


def period_days(month=None, first=None, last=None):
    """The first and last day (included) of the period asked for: the month of ``month`` (a
    date), or ``first`` to ``last``. Raises ``PeriodError``."""
    if month and (first or last):
        raise PeriodError("both", _("Give either a month or a first and last day, not both."))
    if month:
        return month_days(month)
    if not (first and last):
        raise PeriodError("missing", _("Give the period: a month, or a first and last day."))
    if last < first:
        raise PeriodError(
            "reversed",
            _("The period ends (%(last)s) before it starts (%(first)s).")
            % {"first": first.isoformat(), "last": last.isoformat()},
        )
    return first, last


def period_of(month=None, first=None, last=None, *, zone):
    """The period ``[start, end)`` (timezone-aware) that ``write_package`` takes, of the month
    of ``month`` or of the days ``first`` to ``last`` (included), as whole calendar days in the
    time zone named ``zone`` (the municipality's, ``time_zone_of``). Raises ``PeriodError``."""
    first, last = period_days(month, first, last)
    try:
        start = start_of_day(first, zone)
        end = start_of_day(last + datetime.timedelta(days=1), zone)
        start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)  # both stored in UTC
    except OverflowError:
        raise PeriodError(
            "out_of_range",
            # Its ends in UTC must still be dates: 1 January of year 1 in Oslo is in year 0 in UTC.
            _(
                "The period must start after 1 January of the year 1 and end before "
                "31 December 9999."
            ),
        ) from None
    return start, end


@dataclass
class Package:
    """What ``write_package`` wrote."""

    municipality: str
    captures: int
    warc_bytes: int
    previous_digest: str
    head_digest: str
    first_sequence: int | None
    last_sequence: int | None


def utc(moment):
    """``moment`` in UTC, ISO 8601 with a ``Z``."""
    if moment is None:
        return ""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _text(value):
    return "" if value is None else str(value)


def _approval_text(approval):
    parts = [approval.get("step") or "", utc_text(approval.get("at"))]
    parts = [part for part in parts if part]
    name = approval.get("name") or ""
    return f"{name} ({', '.join(parts)})" if parts else name


def utc_text(value):
    """An ISO 8601 time kept as text (the approvals' ``at``), in UTC with a ``Z``."""
    if not value:
        return ""
    moment = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return utc(moment)


class _Member:
    """One file being added to the zip: its SHA-256 and size as they are written."""

    def __init__(self, archive, info):
        self.handle = archive.open(info, "w", force_zip64=info.file_size > zipfile.ZIP64_LIMIT)
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.handle.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def close(self):
        self.handle.close()


def _info(name, moment, size=0, compress=True):
    local = timezone.localtime(moment)
    info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.file_size = size
    info.external_attr = 0o644 << 16
    return info


def _period_captures(municipality_slug, start, end):
    return list(
        ArchiveCapture.objects.filter(
            municipality=municipality_slug, happened_at__gte=start, happened_at__lt=end
        ).order_by("sequence")
    )


def _chain_before(municipality_slug, start):
    """The digest of the last capture (in the chain's order) of an event before ``start``."""
    last = (
        ArchiveCapture.objects.filter(municipality=municipality_slug, happened_at__lt=start)
        .order_by("-sequence")
        .values_list("digest", flat=True)
        .first()
    )
    return last or chain.GENESIS


def _named(capture, **more):
    """The placeholders by which a refusal names a capture."""
    return {
        "sequence": capture.sequence,
        "title": capture.title,
        "event": capture.get_event_display().lower(),
        "when": f"{timezone.localtime(capture.happened_at):%Y-%m-%d %H:%M}",
        **more,
    }


def _check_rows(captures):
    """Refuse when a row was changed or the captures do not follow each other."""
    previous = None
    for capture in captures:
        if chain.digest_of(capture) != capture.digest:
            raise ExportRefused(
                _(
                    "The archive's record of capture %(sequence)s (“%(title)s”, %(event)s "
                    "%(when)s) was changed after it was archived; nothing was exported. Run "
                    "manage.py verify_archive."
                )
                % _named(capture)
            )
        if (
            previous is not None
            and capture.sequence == previous.sequence + 1
            and capture.previous_digest != previous.digest
        ):
            raise ExportRefused(
                _(
                    "Capture %(sequence)s (“%(title)s”, %(event)s %(when)s) does not follow the "
                    "capture before it (the chain is broken); nothing was exported. Run "
                    "manage.py verify_archive."
                )
                % _named(capture)
            )
        previous = capture


def _file_names(captures):
    """The name in the package of each capture's WARC file: its own name in the folder
    ``warc/`` (with the capture's number in front, should two files have the same name)."""
    names, taken = {}, set()
    for capture in captures:
        base = capture.warc_name.rsplit("/", 1)[-1]
        name = f"{WARC_FOLDER}/{base}"
        if name in taken:
            name = f"{WARC_FOLDER}/{capture.sequence}-{base}"
        taken.add(name)
        names[capture.pk] = name
    return names


def _add_element(parent, tag, text=None, **attributes):
    element = ElementTree.SubElement(
        parent,
        f"{{{NAMESPACE}}}{tag}",
        {key: _text(value) for key, value in attributes.items() if value is not None},
    )
    if text is not None:
        element.text = _text(text)
    return element


def manifest_xml(municipality, period, generated_at, package_chain, captures, file_names):
    """The manifest's XML document (bytes, UTF-8)."""
    ElementTree.register_namespace("", NAMESPACE)
    root = ElementTree.Element(f"{{{NAMESPACE}}}archivePackage", {"schemaVersion": SCHEMA_VERSION})
    _add_element(
        root,
        "municipality",
        municipality["name"],
        slug=municipality["slug"],
        country=municipality["country"] or None,
        language=municipality["language"] or None,
    )
    _add_element(
        root, "period", start=utc(period[0]), end=utc(period[1]), timeZone=municipality["time_zone"]
    )
    _add_element(root, "generatedAt", utc(generated_at))
    _add_element(root, "generator", GENERATOR)
    _add_element(
        root,
        "chain",
        previousDigest=package_chain["previous"],
        headDigest=package_chain["head"],
        firstSequence=package_chain["first"],
        lastSequence=package_chain["last"],
    )
    listing = _add_element(root, "captures", count=len(captures))
    for capture in captures:
        item = _add_element(listing, "capture", sequence=capture.sequence)
        _add_element(item, "event", capture.event)
        _add_element(item, "happenedAt", utc(capture.happened_at))
        _add_element(item, "capturedAt", utc(capture.captured_at))
        _add_element(item, "pageId", capture.page_id)
        _add_element(item, "url", capture.url)
        _add_element(item, "title", capture.title)
        _add_element(item, "locale", capture.locale)
        _add_element(item, "pageType", capture.page_type)
        _add_element(item, "unit", capture.unit)
        _add_element(item, "responsibleLeader", capture.responsible_leader)
        _add_element(item, "sensitivity", capture.sensitivity)
        audiences = _add_element(item, "audiences")
        for audience in capture.audiences or []:
            _add_element(audiences, "audience", audience)
        if capture.revision_id is not None:
            _add_element(item, "revisionId", capture.revision_id)
        _add_element(item, "publishedBy", capture.published_by)
        approvals = _add_element(item, "approvedBy")
        for approval in capture.approved_by or []:
            _add_element(
                approvals,
                "approval",
                approval.get("name") or "",
                step=approval.get("step") or None,
                at=utc_text(approval.get("at")) or None,
            )
        reason = (capture.details or {}).get("reason")
        if reason:
            _add_element(item, "reason", reason)
        _add_element(
            item,
            "file",
            name=file_names[capture.pk],
            size=capture.warc_size,
            sha256=capture.warc_sha256,
        )
        records = _add_element(item, "records", count=len(capture.records or []))
        for record in capture.records or []:
            _add_element(
                records,
                "record",
                type=record.get("type") or "",
                id=record.get("id") or None,
                uri=record.get("uri") or "",
                status=record.get("status"),
                contentType=record.get("content_type") or "",
                length=record.get("length"),
                sha256=record.get("sha256") or "",
            )
        _add_element(item, "previousDigest", capture.previous_digest)
        _add_element(item, "digest", capture.digest)
    ElementTree.indent(root, space=" ")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _csv(rows, columns):
    """RFC 4180 CSV, UTF-8 with a byte order mark."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def manifest_csv(captures, file_names):
    rows = []
    for capture in captures:
        rows.append(
            [
                capture.sequence,
                capture.event,
                utc(capture.happened_at),
                utc(capture.captured_at),
                capture.page_id,
                capture.url,
                capture.title,
                capture.locale,
                capture.page_type,
                capture.unit,
                capture.responsible_leader,
                capture.sensitivity,
                LIST_SEPARATOR.join(capture.audiences or []),
                _text(capture.revision_id),
                capture.published_by,
                LIST_SEPARATOR.join(_approval_text(a) for a in capture.approved_by or []),
                (capture.details or {}).get("reason") or "",
                file_names[capture.pk],
                capture.warc_size,
                capture.warc_sha256,
                len(capture.records or []),
                capture.previous_digest,
                capture.digest,
            ]
        )
    return _csv(rows, MANIFEST_COLUMNS)


def records_csv(captures):
    rows = []
    for capture in captures:
        for record in capture.records or []:
            rows.append(
                [
                    capture.sequence,
                    record.get("id") or "",
                    record.get("type") or "",
                    record.get("uri") or "",
                    _text(record.get("status")),
                    record.get("content_type") or "",
                    _text(record.get("length")),
                    record.get("sha256") or "",
                ]
            )
    return _csv(rows, RECORD_COLUMNS)


def _period_text(start, end):
    """The period as people write it: whole days when it starts and ends at midnight."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    midnight = datetime.time(0, 0)
    if start.time() == midnight and end.time() == midnight:
        last = (end - datetime.timedelta(days=1)).date()
        return _("%(first)s to %(last)s") % {
            "first": formats.date_format(start.date(), "DATE_FORMAT"),
            "last": formats.date_format(last, "DATE_FORMAT"),
        }
    return _("%(start)s up to %(end)s") % {
        "start": formats.date_format(start, "DATETIME_FORMAT"),
        "end": formats.date_format(end, "DATETIME_FORMAT"),
    }


def readme(municipality, period, generated_at, package_chain, captures):
    """The package's README.txt in the active language."""
    counts = {}
    for capture in captures:
        counts[capture.event] = counts.get(capture.event, 0) + 1
    lines = [
        _("Web archive of %(municipality)s") % {"municipality": municipality["name"]},
        "",
        _("Period: %(period)s (%(time_zone)s).")
        % {"period": _period_text(*period), "time_zone": municipality["time_zone"]},
        _("Made: %(when)s.")
        % {"when": formats.date_format(timezone.localtime(generated_at), "DATETIME_FORMAT")},
        "",
        _(
            "Each time a public page of the municipality's website was published, withdrawn, "
            "unpublished or deleted, the page as citizens received it was captured, with the "
            "stylesheets, images and documents it referenced. This package holds the captures "
            "of events in the period, with their metadata."
        ),
        "",
        _("Captures: %(count)s.") % {"count": len(captures)},
    ]
    for event in ArchiveEvent:
        if counts.get(event.value):
            lines.append(f"  {event.label}: {counts[event.value]}")
    lines += [
        "",
        _("Contents:"),
        "  " + _("%(name)s: this description.") % {"name": README},
        "  "
        + _(
            "%(name)s: the metadata of every capture (the page, its unit, responsible leader, "
            "who published and approved it, the file and the SHA-256 of each record in it), in "
            "the XML schema %(schema)s (namespace %(namespace)s)."
        )
        % {"name": MANIFEST_XML, "schema": MANIFEST_XSD, "namespace": NAMESPACE},
        "  "
        + _(
            "%(manifest)s: the same metadata, one row per capture; %(records)s: one row per "
            "record in the WARC files. Both are comma-separated (RFC 4180), in UTF-8 with a "
            "byte order mark; lists in a cell are separated by “%(separator)s”."
        )
        % {"manifest": MANIFEST_CSV, "records": RECORDS_CSV, "separator": LIST_SEPARATOR.strip()},
        "  "
        + _(
            "%(folder)s/: one WARC file (ISO 28500, web archive format) per capture, to be "
            "opened in a web archive player such as ReplayWeb.page or pywb."
        )
        % {"folder": WARC_FOLDER},
        "  "
        + _(
            "%(name)s: the SHA-256 checksum of every other file in the package; check them "
            "with “sha256sum -c %(name)s”."
        )
        % {"name": CHECKSUMS},
        "",
        _("All times in the manifests are in UTC (ISO 8601)."),
        "",
        _(
            "Each capture's digest covers its metadata and the digest of the capture before it, "
            "so that a changed or missing capture shows. The digest before this package's "
            "first capture: %(previous)s. The digest of its last capture: %(head)s. The "
            "previous package ended with the first; the next one starts after the second."
        )
        % {"previous": package_chain["previous"], "head": package_chain["head"]},
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def _municipality(slug):
    found = Municipality.objects.filter(slug=slug).first()
    if found is None:  # The archive outlives the municipality's row.
        return {
            "slug": slug,
            "name": slug,
            "country": "",
            "language": settings.LANGUAGE_CODE,
            "time_zone": settings.TIME_ZONE,
        }
    return {
        "slug": found.slug,
        "name": found.name,
        "country": found.country,
        "language": found.language,
        "time_zone": found.time_zone,
    }


def write_package(stream, municipality_slug, start, end, *, storage=None):
    """Write the package of ``municipality_slug``'s captures of events in ``[start, end)``
    (timezone-aware) to ``stream`` (a binary file, which need not be seekable). Returns a
    ``Package``; raises ``ExportRefused`` when a file or row is not what was archived."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("The period's start and end must be timezone-aware.")
    if end <= start:
        raise ValueError("The period must end after it starts.")
    storage = storage or archive_storage()
    municipality = _municipality(municipality_slug)
    # Days and times in the package are the municipality's, whoever asks for it.
    with timezone.override(municipality["time_zone"]):
        return _write(stream, municipality, (start, end), storage)


def _write(stream, municipality, period, storage):
    municipality_slug = municipality["slug"]
    start, end = period
    captures = _period_captures(municipality_slug, start, end)
    _check_rows(captures)
    if captures:
        package_chain = {
            "previous": captures[0].previous_digest,
            "head": captures[-1].digest,
            "first": captures[0].sequence,
            "last": captures[-1].sequence,
        }
    else:
        before = _chain_before(municipality_slug, start)
        package_chain = {"previous": before, "head": before, "first": None, "last": None}
    generated_at = timezone.now().replace(microsecond=0)
    file_names = _file_names(captures)
    with translation.override(municipality["language"]):
        readme_bytes = readme(municipality, (start, end), generated_at, package_chain, captures)
    documents = [
        (README, readme_bytes),
        (
            MANIFEST_XML,
            manifest_xml(
                municipality, (start, end), generated_at, package_chain, captures, file_names
            ),
        ),
        (MANIFEST_XSD, SCHEMA.read_bytes()),
        (MANIFEST_CSV, manifest_csv(captures, file_names)),
        (RECORDS_CSV, records_csv(captures)),
    ]
    sums = []
    warc_bytes = 0
    with zipfile.ZipFile(stream, "w", allowZip64=True) as archive:
        for name, content in documents:
            archive.writestr(_info(name, generated_at, len(content)), content)
            sums.append((hashlib.sha256(content).hexdigest(), name))
        for capture in captures:
            name = file_names[capture.pk]
            member = _copy(archive, capture, name, storage)
            sums.append((member.sha256.hexdigest(), name))
            warc_bytes += member.size
        listing = "".join(f"{digest}  {name}\n" for digest, name in sums).encode("utf-8")
        archive.writestr(_info(CHECKSUMS, generated_at, len(listing)), listing)
    return Package(
        municipality=municipality_slug,
        captures=len(captures),
        warc_bytes=warc_bytes,
        previous_digest=package_chain["previous"],
        head_digest=package_chain["head"],
        first_sequence=package_chain["first"],
        last_sequence=package_chain["last"],
    )


def _copy(archive, capture, name, storage):
    """Copy ``capture``'s WARC file into the zip in chunks, checking it against its row."""
    try:
        source = storage.open(capture.warc_name, "rb")
    except (FileNotFoundError, OSError):
        raise ExportRefused(
            _(
                "The WARC file %(name)s of capture %(sequence)s (“%(title)s”, %(event)s "
                "%(when)s) is missing from the archive's storage; nothing was exported. Run "
                "manage.py verify_archive."
            )
            % _named(capture, name=capture.warc_name)
        ) from None
    # Already compressed (gzip per record): stored as it is.
    member = _Member(archive, _info(name, capture.captured_at, capture.warc_size, compress=False))
    try:
        with source:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                member.write(chunk)
                if member.size > capture.warc_size:
                    break  # longer than the archived file: no need to read the rest
    finally:
        member.close()
    if member.sha256.hexdigest() != capture.warc_sha256 or member.size != capture.warc_size:
        raise ExportRefused(
            _(
                "The WARC file %(name)s of capture %(sequence)s (“%(title)s”, %(event)s "
                "%(when)s) is not the file that was archived (its SHA-256 differs); nothing was "
                "exported. Run manage.py verify_archive."
            )
            % _named(capture, name=capture.warc_name)
        )
    return member
