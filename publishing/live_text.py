"""The text checks of every live page, kept so that the findings report need not redo them.

Checking a page's text (extracting it, scanning it for personal data, measuring its
readability) costs a few milliseconds; the findings report over a municipality with 17,000 live
pages took half a minute doing it on each request. So each live version is checked once, in the
background, and its results are kept (``LiveTextCheck``):

- **When a page's text is saved** (a publish on any path, a copy made live, a direct save), its
  kept results are dropped and, when the page is live, the task worker checks it once the
  transaction commits (``tasks.check_live_text``).
- **A kept result holds** only for the live revision it was made from and the inputs it was made
  with (``inputs_key``): the municipality's language, public contact points and plain-language
  limits, and a fingerprint of the checks' code, word lists and the libraries they use. Changing
  a profile or upgrading the checks therefore makes that municipality's results stale.
- **Stale or missing results** are found by ``stale_pages`` and checked in batches by
  ``refresh`` (``manage.py check_live_pages``: nightly, and once after an upgrade). The report
  checks a few itself (a page published a moment ago) and queues a refresh for more, saying how
  many pages wait; it never reads the text of the pages it has results for.

What depends on more than the text (the page's audiences and their reading targets, roles,
notices, documents' collections) is still judged when the report is asked.
"""

import functools
import hashlib
import json
import logging
from importlib import metadata
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import COMMENTS_RELATION_NAME, Page

from .dashboard import governed_page_models
from .models import GovernedPage, LiveTextCheck
from .rules import PUBLISH, RuleContext
from .rules.bulk import prefetch_for_text
from .rules.content import TextResults, analyse, analysis_settings
from .rules.governance import referenced_document_ids

logger = logging.getLogger(__name__)

#: Pages checked and written together: one transaction, so a stopped worker loses at most one.
BATCH_SIZE = 200
#: Stale pages a report checks itself rather than wait for the worker (well under a second).
CHECK_IN_REQUEST = 100

#: What the checks' results depend on besides the text and the profile.
_CHECK_SOURCES = ("content_checks", "rules/content.py", "text_extraction.py")
_CHECK_LIBRARIES = ("textstat", "phonenumbers", "python-stdnum", "wagtail")

#: Wagtail's fields that hold no text a reader sees: saving only these keeps the results.
_TEXT_OF_PAGE = {"title", "seo_title", "search_description"}
_NOT_TEXT = {f.name for f in Page._meta.concrete_fields} - _TEXT_OF_PAGE | {COMMENTS_RELATION_NAME}


@functools.cache
def code_fingerprint():
    """A digest of the checks' code and word lists and the versions of the libraries they use."""
    digest = hashlib.sha256()
    base = Path(__file__).resolve().parent
    files = []
    for name in _CHECK_SOURCES:
        path = base / name
        files.extend(sorted(path.rglob("*")) if path.is_dir() else [path])
    for path in files:
        if path.is_file() and path.suffix in {".py", ".json"}:
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    for library in _CHECK_LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()


def inputs_key(municipality):
    """What a page of ``municipality`` was checked with, as a digest (``LiveTextCheck.inputs``)."""
    data = {"code": code_fingerprint(), **analysis_settings(municipality)}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def live_pages(municipality):
    """The live governed pages of ``municipality``'s site (base pages)."""
    if not municipality.site_id:
        return Page.objects.none()
    return (
        Page.objects.live()
        .type(*governed_page_models())
        .filter(path__startswith=municipality.site.root_page.path)
    )


def stale_pages(municipality):
    """``municipality``'s live governed pages without results kept for their live version."""
    kept = LiveTextCheck.objects.filter(
        page_id=OuterRef("pk"),
        revision_id=Coalesce(OuterRef("live_revision_id"), Value(0)),
        inputs=inputs_key(municipality),
    )
    return live_pages(municipality).exclude(Exists(kept))


def check_pages(page_ids):
    """Check the live versions of these pages now and keep the results; how many were kept.

    Pages that are not live or not governed are left out (their kept results stay until the
    page is live again and is checked anew).
    """
    pages = list(
        Page.objects.live().type(*governed_page_models()).filter(pk__in=page_ids).specific()
    )
    if not pages:
        return 0
    contexts = [RuleContext(page=page, purpose=PUBLISH) for page in pages]
    prefetch_for_text(contexts)
    now = timezone.now()
    rows = [
        LiveTextCheck(
            page_id=context.page.pk,
            revision_id=context.page.live_revision_id or 0,
            inputs=inputs_key(context.municipality),
            results=analyse(context).stored(),
            documents=sorted(referenced_document_ids(context.page)),
            checked_at=now,
        )
        for context in contexts
    ]
    LiveTextCheck.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["page"],
        update_fields=["revision_id", "inputs", "results", "documents", "checked_at"],
    )
    return len(rows)


def refresh(municipalities, batch_size=BATCH_SIZE, progress=None):
    """Check every stale live page of ``municipalities``, a batch at a time; how many.

    Each batch is its own transaction; ``progress(municipality, count)`` is called after each.
    """
    checked = 0
    for municipality in municipalities:
        last = 0
        while True:
            ids = list(
                stale_pages(municipality)
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            with transaction.atomic():
                checked += check_pages(ids)
            last = ids[-1]
            if progress:
                progress(municipality, checked)
    return checked


def bring_up_to_date(municipalities):
    """Have ``municipalities``' stale pages checked; how many are left waiting for the worker.

    Up to ``CHECK_IN_REQUEST`` of them are checked here and now (a page just published, while
    the worker has not reached it yet, or with no worker running); more are left to the worker,
    queued unless a refresh was queued lately. A backend that runs tasks at once (development,
    tests) checks them all here too.
    """
    from .tasks import refresh_live_text

    waiting = {m: stale_pages(m).count() for m in municipalities}
    stale = [m for m, count in waiting.items() if count]
    if not stale:
        return 0
    backend = refresh_live_text.get_backend()
    if sum(waiting.values()) <= CHECK_IN_REQUEST or not backend.supports_defer:
        refresh(stale)
        return 0
    # A queued refresh checks whatever is stale when it runs: one at a time is enough.
    wanted = sorted(m.pk for m in stale)
    if cache.add(f"publishing:live-text-refresh:{','.join(map(str, wanted))}", True, 600):
        refresh_live_text.enqueue(wanted)
    return sum(waiting.values())


def kept_results(contexts):
    """``({page id: TextResults or None}, {page id: ids of documents it links})`` for live pages.

    None (and no documents) for a page whose kept results are missing or do not hold for its
    live version; pages outside every municipality's site are left out, and the rules check
    them on the spot.
    """
    by_municipality = {}
    for context in contexts:
        municipality = context.municipality
        if municipality is not None and municipality.site_id:
            by_municipality.setdefault(municipality.pk, (municipality, []))[1].append(context.page)
    results, documents = {}, {}
    for municipality, pages in by_municipality.values():
        key = inputs_key(municipality)
        rows = {
            page_id: (revision_id, inputs, stored, linked)
            for page_id, revision_id, inputs, stored, linked in LiveTextCheck.objects.filter(
                page__path__startswith=municipality.site.root_page.path
            ).values_list("page_id", "revision_id", "inputs", "results", "documents")
        }
        for page in pages:
            row = rows.get(page.pk)
            if row and row[0] == (page.live_revision_id or 0) and row[1] == key:
                results[page.pk] = TextResults.from_stored(row[2])
                documents[page.pk] = set(row[3])
            else:
                results[page.pk] = None
                documents[page.pk] = set()
    return results, documents


def text_may_change(update_fields):
    """Whether a page's save of ``update_fields`` (None: all) may change its text."""
    return update_fields is None or not set(update_fields) <= _NOT_TEXT


def forget_and_check(sender, instance, raw=False, update_fields=None, **kwargs):
    """``post_save`` of a page: drop its kept results when its text may have changed, and
    have a live governed page checked once the transaction commits."""
    from .after_commit import after_commit
    from .tasks import check_live_text

    if raw or not isinstance(instance, Page) or not text_may_change(update_fields):
        return
    if not isinstance(instance, GovernedPage) and type(instance) is not Page:
        return  # a page type without governance: nothing is kept for it
    LiveTextCheck.objects.filter(page_id=instance.pk).delete()
    if instance.live:
        page_id = instance.pk
        after_commit(lambda: check_live_text.enqueue([page_id]))
