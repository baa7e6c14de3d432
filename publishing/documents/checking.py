"""Checking the text of uploaded documents for personal data, in the task worker.

Every document uploaded or replaced in Wagtail is checked once per file (``DocumentCheck``, keyed
on the file's SHA-1): its text and metadata are read in a child process with bounded time and
memory (``content_checks.documents.extract_bounded``: a hostile file ends as "could not be read",
never as a crashed or hung worker) and scanned with the page checks' personal-data scanner. What
is kept says what was found and where, never the value.

- **When**: a document's ``post_save`` queues its check once the transaction commits
  (``queue_check``); the editor's panel queues checks of linked documents that have none (files
  uploaded before the extension was installed); ``manage.py check_documents`` checks every
  document whose current file has no check or was checked with other inputs.
- **With what**: the municipality owning the document's collection gives the language of the
  word lists and the public contact points that are not personal data; ``inputs_key`` digests
  them with the checks' code and libraries.
"""

import functools
import hashlib
import json
import logging
import tempfile
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task
from wagtail.documents import get_document_model

from publishing.after_commit import after_commit
from publishing.content_checks import documents as document_text
from publishing.fingerprint import fingerprint
from publishing.models import DocumentCheck
from publishing.models.municipality import municipality_of_collection
from publishing.rules.content import analysis_settings

logger = logging.getLogger(__name__)

_LIBRARIES = (
    "pypdf",
    "python-docx",
    "openpyxl",
    "striprtf",
    "defusedxml",
    "phonenumbers",
    "python-stdnum",
)


@functools.cache
def code_fingerprint():
    """A digest of the text checks' code and word lists and the readers' library versions."""
    return fingerprint(("content_checks",), _LIBRARIES)


def scan_settings(document):
    """The language and allowed contact points a document is checked with."""
    municipality = municipality_of_collection(document.collection)
    settings = analysis_settings(municipality)
    # Without a municipality, the Norwegian and Swedish word lists both apply.
    language = settings["language"] if municipality else "en"
    return language, settings["allow"]


def inputs_key(document, settings=None):
    """A digest of what the check of ``document`` depends on; ``settings`` are its
    ``scan_settings`` when the caller has them already."""
    language, allow = settings or scan_settings(document)
    data = {"code": code_fingerprint(), "language": language, "allow": allow}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def file_hash_of(document):
    """The document's ``file_hash``, computed and saved when it is missing (a document made in
    code rather than through Wagtail's views, which set it)."""
    if not document.file_hash:
        document._set_file_hash()
        get_document_model().objects.filter(pk=document.pk).update(file_hash=document.file_hash)
    return document.file_hash


def pending_check(document):
    """The check of the document's current file, made ``pending`` if there is none yet.

    Returns ``(check, created)``.
    """
    file_hash = file_hash_of(document)
    try:
        with transaction.atomic():
            return DocumentCheck.objects.get_or_create(document=document, file_hash=file_hash)
    except IntegrityError:  # made at the same moment by another request: it is queued there
        return DocumentCheck.objects.get(document=document, file_hash=file_hash), False


def queue_check(document, again=False):
    """Have the document's current file checked by the worker once the transaction commits.

    A file that already has a check is not checked again unless ``again`` (its inputs changed).
    """
    check, created = pending_check(document)
    if not created and not again:
        return check
    if again and check.done:
        DocumentCheck.objects.filter(pk=check.pk).update(
            status=DocumentCheck.PENDING, queued_at=timezone.now()
        )
    document_id, file_hash = document.pk, check.file_hash
    after_commit(lambda: check_document_task.enqueue(document_id, file_hash))
    return check


def queue_missing(document_ids):
    """Queue checks for those of these documents whose current file has none (the panel)."""
    documents = get_document_model().objects.filter(pk__in=document_ids)
    checked = set(
        DocumentCheck.objects.current()
        .filter(document_id__in=document_ids)
        .values_list("document_id", flat=True)
    )
    for document in documents:
        if document.pk not in checked:
            queue_check(document)


def check_now(document, limits=None):
    """Read and scan the document's current file now, in a bounded child process; the check.

    Called by the worker. A file replaced while it waited is left to its own queued check.
    """
    check, _created = pending_check(document)
    started = timezone.now()
    DocumentCheck.objects.filter(pk=check.pk).update(started_at=started)
    language, allow = settings = scan_settings(document)
    extraction, usage = _extract(document, limits or document_text.Limits())
    findings = []
    if extraction.status == "ok":
        findings = document_text.scan_extraction(extraction, language, allow=allow)
    check.status = {
        "ok": DocumentCheck.CHECKED,
        "no_text": DocumentCheck.NO_TEXT,
    }.get(extraction.status, DocumentCheck.UNREADABLE)
    check.reason = extraction.reason
    check.format = extraction.format
    check.pages = extraction.pages
    check.truncated = extraction.truncated
    check.findings = findings
    check.blocking_count = sum(1 for item in findings if item["severity"] == "block")
    check.accessibility = list(extraction.accessibility)
    check.inputs = inputs_key(document, settings)
    check.started_at = started
    check.finished_at = timezone.now()
    check.save()
    # The kinds and counts only: never a value, nor the document's title (it can name a person).
    logger.info(
        "document %s checked: %s %s, %d finding(s), %.1f s, %d MB",
        document.pk,
        check.status,
        check.reason,
        len(findings),
        usage.seconds,
        usage.peak_memory_bytes // 1_000_000,
    )
    return check


def _extract(document, limits):
    suffix = Path(document.file.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        # The storage may be an object store: the child process reads a local copy.
        try:
            with document.file.open("rb") as source:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    copy.write(chunk)
        except OSError as error:
            # A file gone from the storage is said to be so, not left "being checked" forever.
            # The error's text names the file, which may name a person: its kind only.
            logger.warning(
                "document %s: its file could not be read (%s)", document.pk, type(error).__name__
            )
            format = document_text.format_of(document.file.name) or suffix.lstrip(".")
            return document_text.Extraction.unreadable(format, "missing"), document_text.Usage(
                seconds=0.0, peak_memory_bytes=0
            )
        copy.flush()
        return document_text.extract_bounded(copy.name, document.file.name, limits)


@task()
def check_document_task(document_id, file_hash):
    """Check a document's file (``check_now``) unless it was replaced or deleted since."""
    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None or file_hash_of(document) != file_hash:
        return {"checked": False}
    check = check_now(document)
    return {"checked": True, "status": check.status, "findings": len(check.findings)}


def document_saved(sender, instance, raw=False, **kwargs):
    """``post_save`` of the document model: check a new or replaced file."""
    if raw or instance.pk is None or not instance.file:
        return
    queue_check(instance)
