"""The text checks of every live page, kept so that the findings report need not redo them.

Checking a page's text (extracting it, scanning it for personal data, measuring its
readability) costs a few milliseconds; the findings report over a municipality with 17,000 live
pages took half a minute doing it on each request. So each live version is checked once, in the
background, and its results are kept (``LiveTextCheck``):

- **When a page's text is saved** (a publish on any path, a copy made live, a direct save), its
  kept results are dropped and, when the page is live, the task worker checks it once the
  transaction commits (``check_live_text``, below).
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

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task
from wagtail.documents import get_document_model
from wagtail.models import COMMENTS_RELATION_NAME, Page, ReferenceIndex

from publishing import memo
from publishing.after_commit import after_commit
from publishing.fingerprint import fingerprint
from publishing.models import GovernedPage, LiveTextCheck, Municipality
from publishing.models.pages import governed_page_models
from publishing.rules import PUBLISH, RuleContext, shared_analysis
from publishing.rules.bulk import prefetch_for_text, referenced_document_ids
from publishing.rules.content import TextResults, analyse, analysis_settings

logger = logging.getLogger(__name__)

#: Pages checked and written together: one transaction, so a stopped worker loses at most one.
BATCH_SIZE = 200
#: Stale pages a report checks itself rather than wait for the worker (well under a second).
CHECK_IN_REQUEST = 100

#: What the kept results depend on besides the text checks: the documents a page links.
_KEPT_SOURCES = ("rules/bulk.py", "reports/live_text.py")

#: Wagtail's fields that hold no text a reader sees: saving only these keeps the results.
_TEXT_OF_PAGE = {"title", "seo_title", "search_description"}
_NOT_TEXT = {f.name for f in Page._meta.concrete_fields} - _TEXT_OF_PAGE | {COMMENTS_RELATION_NAME}


@functools.cache
def code_fingerprint():
    """A digest of the checks' code and word lists and the versions of the libraries they use."""
    return fingerprint(shared_analysis.SOURCES + _KEPT_SOURCES, shared_analysis.LIBRARIES)


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
    page is live again and is checked anew). One transaction, with the pages locked.
    """
    with transaction.atomic():
        return _check_locked(page_ids)


def _check_locked(page_ids):
    # The pages stay locked until the results are written: a save of one of them meanwhile
    # waits, then drops what was written from the text it replaced (``forget_and_check``).
    locked = list(
        Page.objects.select_for_update()
        .filter(pk__in=page_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    pages = list(Page.objects.live().type(*governed_page_models()).filter(pk__in=locked).specific())
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
    # Rows written: a later save of one of these pages in the same request drops them again.
    memo.drop({"live_text.forgotten", "live_text.checked"})
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
            checked += check_pages(ids)
            last = ids[-1]
            if progress:
                progress(municipality, checked)
    return checked


def bring_up_to_date(municipalities):
    """Have ``municipalities``' stale pages checked.

    Up to ``CHECK_IN_REQUEST`` of them are checked here and now (a page just published, while
    the worker has not reached it yet, or with no worker running); more are left to the worker,
    queued unless a refresh was queued lately. A backend that runs tasks at once (development,
    tests) checks them all here too.
    """

    waiting = {m: stale_pages(m).count() for m in municipalities}
    stale = [m for m, count in waiting.items() if count]
    if not stale:
        return
    backend = refresh_live_text.get_backend()
    if sum(waiting.values()) <= CHECK_IN_REQUEST or not backend.supports_defer:
        refresh(stale)
        return
    # A queued refresh checks whatever is stale when it runs: one at a time is enough.
    wanted = sorted(m.pk for m in stale)
    if cache.add(refresh_key(wanted), True, 600):
        refresh_live_text.enqueue(wanted)


def refresh_key(municipality_ids):
    """The cache key that says a refresh of these municipalities is queued (the refresh task
    deletes it when it is done, so that what goes stale later is queued again)."""
    return f"publishing:live-text-refresh:{','.join(map(str, sorted(municipality_ids)))}"


def kept_results(contexts):
    """``({page id: TextResults or None}, {page id: ids of documents it links})`` for live pages.

    None for a page whose kept results are missing or do not hold for its live version (its
    linked documents then come from Wagtail's reference index); pages outside every
    municipality's site are left out, and the rules check them on the spot.
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
        unknown = []
        for page in pages:
            row = rows.get(page.pk)
            same_version = row is not None and row[0] == (page.live_revision_id or 0)
            results[page.pk] = (
                TextResults.from_stored(row[2]) if same_version and row[1] == key else None
            )
            if same_version:
                # What a version links does not depend on the settings it was checked with.
                documents[page.pk] = set(row[3])
            else:
                unknown.append(page.pk)
        documents.update(indexed_documents(unknown))
    return results, documents


def indexed_documents(page_ids):
    """``{page id: ids of the documents it links}`` from Wagtail's reference index, which
    indexes each page as saved, in one query: for live pages not checked since they changed."""
    found = {pk: set() for pk in page_ids}
    if page_ids:
        for page_id, document_id in page_document_links(object_id__in=[str(pk) for pk in page_ids]):
            found[page_id].add(document_id)
    return found


def page_document_links(**filters):
    """``(page id, document id)`` pairs from Wagtail's reference index, filtered by its fields
    (``object_id`` is the page's, ``to_object_id`` the document's, both as text)."""

    links = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        to_content_type=ContentType.objects.get_for_model(get_document_model()),
        **filters,
    ).values_list("object_id", "to_object_id")
    return [
        (int(page_id), int(document_id))
        for page_id, document_id in links
        if str(page_id).isdigit() and str(document_id).isdigit()
    ]


def forget(page_ids, check=True):
    """Drop the kept results of these pages and, with ``check``, have them checked again once
    the transaction commits (the task leaves out pages that are not live)."""

    page_ids = sorted(page_ids)
    # A request saves a page more than once (its revision, then its publish): the kept rows
    # are dropped and the check queued the first time; the check reads the page as committed.
    if memo.first_time(("live_text.forgotten", tuple(page_ids))):
        LiveTextCheck.objects.filter(page_id__in=page_ids).delete()
    if check and page_ids and memo.first_time(("live_text.checked", tuple(page_ids))):
        after_commit(lambda: check_live_text.enqueue(page_ids))


def text_may_change(update_fields):
    """Whether a page's save of ``update_fields`` (None: all) may change its text."""
    return update_fields is None or not set(update_fields) <= _NOT_TEXT


def forget_and_check(sender, instance, raw=False, update_fields=None, **kwargs):
    """``post_save`` of a page: drop its kept results when its text may have changed, and
    have a live governed page checked once the transaction commits."""
    if not isinstance(instance, Page) or not text_may_change(update_fields):
        return
    if not isinstance(instance, GovernedPage) and type(instance) is not Page:
        return  # a page type without governance: nothing is kept for it
    # Fixtures are loaded without tasks; the daily run checks them.
    forget([instance.pk], check=instance.live and not raw)


def forget_pages_linking(sender, instance, **kwargs):
    """``post_save``/``pre_delete`` of a document: the pages that link it show its title, so
    their kept results go and the live ones are checked again once the transaction commits."""
    if kwargs.get("raw") or instance.pk is None:
        return
    linking = {page_id for page_id, _doc in page_document_links(to_object_id=str(instance.pk))}
    if linking:
        forget(linking)


@task()
def check_live_text(page_ids):
    """Check the text of these pages' live versions and keep the results (``live_text``)."""
    return {"checked": check_pages(page_ids)}


@task()
def refresh_live_text(municipality_ids):
    """Check every live page of these municipalities whose kept text results are stale."""
    municipalities = Municipality.objects.filter(pk__in=municipality_ids).order_by("pk")
    try:
        return {"checked": refresh(municipalities.select_related("site__root_page"))}
    finally:
        cache.delete(refresh_key(municipality_ids))
