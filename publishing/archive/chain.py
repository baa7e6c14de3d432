"""The archive's digest chain: each capture's digest covers all of its row and the digest of the
capture before it in the same municipality's archive, so that a changed byte, a changed row or a
missing capture shows (``verify``; ``manage.py verify_archive``)."""

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from publishing.archive import warc
from publishing.archive.storage import archive_storage
from publishing.models.archive import ArchiveCapture, ArchiveChain

#: The "previous digest" of a municipality's first capture.
GENESIS = "0" * 64

#: The fields the digest covers: every field but the row's id and the digest itself.
COVERED = [
    field.name
    for field in ArchiveCapture._meta.concrete_fields
    if field.name not in ("id", "digest")
]


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def canonical(capture):
    """The bytes ``capture``'s digest is computed over."""
    data = {name: _plain(getattr(capture, name)) for name in COVERED}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest_of(capture):
    """The SHA-256 (hexadecimal) of ``capture``'s row, the previous digest included."""
    return hashlib.sha256(canonical(capture)).hexdigest()


def append(capture, attempts=5):
    """Save ``capture`` (unsaved, everything but its place in the chain) as the next capture of
    its municipality. Two workers adding at once are put one after the other: the chain's row is
    locked on PostgreSQL; elsewhere the place's unique constraint makes one try again."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                ArchiveChain.objects.get_or_create(municipality=capture.municipality)
                ArchiveChain.objects.select_for_update().get(municipality=capture.municipality)
                last = (
                    ArchiveCapture.objects.filter(municipality=capture.municipality)
                    .order_by("-sequence")
                    .values("sequence", "digest")
                    .first()
                )
                capture.sequence = last["sequence"] + 1 if last else 1
                capture.previous_digest = last["digest"] if last else GENESIS
                capture.digest = digest_of(capture)
                capture.save()
                return capture
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            capture.pk = None
    return capture


def file_sha256(name, storage=None):
    """The SHA-256 and size of the archived file ``name``."""
    digest = hashlib.sha256()
    size = 0
    with (storage or archive_storage()).open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Problem:
    """What ``verify`` found wrong with one place in a municipality's chain."""

    municipality: str
    sequence: int
    message: str


@dataclass
class Verified:
    """A municipality's chain as ``verify`` read it."""

    municipality: str
    captures: int = 0
    head: str = GENESIS


def verify(municipalities=None, storage=None, files=True):
    """Read every capture of ``municipalities`` (all when None) in order and return what holds
    (a ``Verified`` per municipality) and the problems found."""
    storage = storage or archive_storage()
    captures = ArchiveCapture.objects.order_by("municipality", "sequence")
    if municipalities:
        captures = captures.filter(municipality__in=municipalities)
    chains, problems = {}, []
    expected = {}
    for capture in captures.iterator(chunk_size=500):
        chain = chains.setdefault(capture.municipality, Verified(capture.municipality))
        place = expected.get(capture.municipality, 1)
        if capture.sequence != place:
            problems.append(
                Problem(
                    capture.municipality,
                    place,
                    _("Captures %(first)s to %(last)s are missing.")
                    % {"first": place, "last": capture.sequence - 1},
                )
            )
        if capture.previous_digest != chain.head and capture.sequence == place:
            problems.append(
                Problem(
                    capture.municipality,
                    capture.sequence,
                    _("It does not follow the capture before it (the chain is broken)."),
                )
            )
        if digest_of(capture) != capture.digest:
            problems.append(
                Problem(
                    capture.municipality,
                    capture.sequence,
                    _("Its record in the database was changed after it was archived."),
                )
            )
        if files:
            problems.extend(_file_problems(capture, storage))
        chain.captures += 1
        chain.head = capture.digest
        expected[capture.municipality] = capture.sequence + 1
    return list(chains.values()), problems


def _file_problems(capture, storage):
    def problem(message):
        return Problem(capture.municipality, capture.sequence, message)

    try:
        sha256, size = file_sha256(capture.warc_name, storage)
    except (FileNotFoundError, OSError):
        return [problem(_("Its WARC file %(name)s is missing.") % {"name": capture.warc_name})]
    if sha256 == capture.warc_sha256 and size == capture.warc_size:
        return []
    found = [problem(_("Its WARC file %(name)s was changed.") % {"name": capture.warc_name})]
    with storage.open(capture.warc_name, "rb") as handle:
        for record_id, detail in warc.damaged_records(handle):
            found.append(
                problem(_("Record %(id)s: %(detail)s") % {"id": record_id, "detail": detail})
            )
    return found
