"""Capturing what a citizen received, in the task worker, after the publish has committed.

``connect()`` (from ``PublishingConfig.ready``) listens to Wagtail's own signals, which every
door sends: ``page_published`` (the editor, the workflow's approval, scheduled publishing, bulk
actions, the APIs, ``revision.publish()``, a copy kept live, and each alias of a published page),
``page_unpublished`` and the deletion of a page. A page counts when citizens may read it there
(``Municipality.citizen_pages``: live, without a view restriction, outside the intranet); an
unpublish or deletion counts when the page was such a page, or is in the archive already.

What is captured (``capture_page``):

- *published* (or *withdrawn*, when the version published withdraws the page): the page's address
  as the site answers an anonymous visitor, through every middleware, with the stylesheets (and
  the fonts and images they name), scripts, images and the site's documents it links to. When the
  page has been published again before the worker came to it, the version this capture is about
  is served as the site served it (``rendering.fetch_version``);
- *unpublished* and *deleted*: what the address answers now (that it is gone) and, when the
  archive has no earlier capture of the page, the last version that was live, dated when it went
  live.

The metadata of each capture (the page, its unit, leader, sensitivity and audiences as they were,
who published and who approved) is in the WARC file's ``metadata`` record and in the row
(``ArchiveCapture``), which joins the municipality's digest chain (``chain.append``).
"""

import hashlib
import io
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import task
from wagtail.models import Page, PageLogEntry, Revision, TaskState
from wagtail.signals import page_published, page_unpublished

from publishing.after_commit import after_commit
from publishing.archive import chain, rendering, resources, warc
from publishing.archive.storage import archive_storage
from publishing.conf import setting
from publishing.models import GovernedPage, Municipality
from publishing.models.archive import ArchiveCapture, ArchiveEvent
from publishing.models.organisation import person_name
from publishing.rules.bulk import restricted_paths
from publishing.workflow import removal

logger = logging.getLogger(__name__)

#: The software named in each file's ``warcinfo`` record.
SOFTWARE = "wagtail-governed-publishing archive"
#: Audit-log actions after which a page is live.
_PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")


def _public_municipality(page, *, live, restricted=None):
    """The municipality whose citizens may read (``live``) or could have read ``page``, or None
    (``Municipality.citizens_may_read``). ``restricted``: the paths of the pages with a view
    restriction, when the caller has them."""
    municipality = Municipality.objects.for_page(page)
    if municipality and municipality.citizens_may_read(page, live=live, restricted=restricted):
        return municipality
    return None


def _language(page, municipality):
    """The language citizens read ``page`` in: its locale's on a site with translations, else
    the municipality's (a site without them keeps every page in Wagtail's one default locale)."""
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False) and page.locale_id:
        return page.locale.language_code
    return municipality.language


def describe(page, municipality):
    """The metadata of ``page`` (a specific page, or a revision's version of it) in
    ``municipality`` that a capture keeps, as plain values: they outlive the page, its unit and
    its leader."""
    data = {
        "title": page.title,
        "locale": _language(page, municipality),
        "page_type": page.specific_class._meta.label if page.specific_class else "",
        "unit": "",
        "unit_id": None,
        "responsible_leader": "",
        "sensitivity": "",
        "audiences": [],
    }
    if isinstance(page, GovernedPage):
        unit = page.owning_unit
        data.update(
            unit=unit.name if unit else "",
            unit_id=unit.pk if unit else None,
            responsible_leader=person_name(page.responsible_leader),
            sensitivity=page.sensitivity or "",
            audiences=sorted(audience.name for audience in page.audiences.all()),
        )
    return data


def queue_published(sender, instance, revision=None, **kwargs):
    """``page_published``: capture the page if citizens may read it."""
    if not setting("ARCHIVE_CAPTURE"):
        return
    # The restricted pages the publish's rules have read already: nothing more is asked inside
    # the publish's transaction. (An alias's restrictions are its own page's; the worker asks
    # again, exactly, before it captures.)
    municipality = _public_municipality(instance, live=True, restricted=restricted_paths())
    if municipality is None:
        return
    event = (
        ArchiveEvent.WITHDRAWN if getattr(instance, "withdrawn", False) else ArchiveEvent.PUBLISHED
    )
    happened_at = (instance.last_published_at or timezone.now()).isoformat()
    revision_id = revision.pk if revision is not None else instance.live_revision_id
    arguments = {
        "page_id": instance.pk,
        "event": event,
        "happened_at": happened_at,
        "revision_id": revision_id,
    }
    after_commit(lambda: capture_page.enqueue(**arguments))


def _gone(instance, event):
    if not setting("ARCHIVE_CAPTURE"):
        return
    page = instance.specific_deferred if isinstance(instance, Page) else instance
    archived = ArchiveCapture.objects.filter(page_id=page.pk).exists()
    if event == ArchiveEvent.DELETED and not (page.live or archived):
        # Unpublished before the archive was kept, or never public.
        return
    if not archived and (page.first_published_at is None or page.alias_of_id):
        return
    municipality = _public_municipality(page, live=False)
    if municipality is None:
        return
    last_live = (
        PageLogEntry.objects.filter(page_id=page.pk, action__in=_PUBLISH_ACTIONS)
        .exclude(revision_id=None)
        .order_by("-timestamp", "-pk")
        .values_list("revision_id", flat=True)
        .first()
    )
    snapshot = {
        **describe(page.specific, municipality),
        "url": page.get_full_url() or "",
        "municipality": municipality.slug,
        "reason": removal.given() or "",
        "last_published_at": page.last_published_at.isoformat() if page.last_published_at else None,
        "archived_before": archived,
    }
    arguments = {
        "page_id": page.pk,
        "event": event,
        "happened_at": timezone.now().isoformat(),
        "revision_id": last_live,
        "snapshot": snapshot,
    }
    after_commit(lambda: capture_page.enqueue(**arguments))


def queue_unpublished(sender, instance, **kwargs):
    """``page_unpublished``: capture that the page is gone."""
    _gone(instance, ArchiveEvent.UNPUBLISHED)


def queue_deleted(sender, instance, **kwargs):
    """A page's deletion: capture that it is gone, while the page can still be described."""
    _gone(instance, ArchiveEvent.DELETED)


def connect():
    """Listen to every door by which a page goes live or away."""
    page_published.connect(queue_published, dispatch_uid="publishing_archive_published")
    page_unpublished.connect(queue_unpublished, dispatch_uid="publishing_archive_unpublished")
    pre_delete.connect(queue_deleted, sender=Page, dispatch_uid="publishing_archive_deleted")


#: The audit-log actions that took a page away, by the event that records them.
_TAKEN_AWAY = {
    ArchiveEvent.UNPUBLISHED: ("wagtail.unpublish", "wagtail.unpublish.scheduled"),
    ArchiveEvent.DELETED: ("wagtail.delete",),
}


def _taken_away_by(page_id, event):
    """Who unpublished or deleted the page (a name, as it was; "" for an expiry date)."""
    entry = (
        PageLogEntry.objects.filter(page_id=page_id, action__in=_TAKEN_AWAY[event])
        .select_related("user")
        .order_by("-timestamp", "-pk")
        .first()
    )
    return person_name(entry.user) if entry else ""


def _people(revision_id):
    """Who published the revision and who approved it in the workflow (names, as they were)."""
    if revision_id is None:
        return "", []
    entry = (
        PageLogEntry.objects.filter(revision_id=revision_id, action__in=_PUBLISH_ACTIONS)
        .select_related("user")
        .order_by("-timestamp", "-pk")
        .first()
    )
    approvals = (
        TaskState.objects.filter(revision_id=revision_id, status=TaskState.STATUS_APPROVED)
        .select_related("finished_by", "task")
        .order_by("finished_at", "pk")
    )
    approved = [
        {
            "name": person_name(state.finished_by),
            "step": state.task.name,
            "at": state.finished_at.isoformat() if state.finished_at else None,
        }
        for state in approvals
    ]
    return (person_name(entry.user) if entry else ""), approved


def _with_resources(first, site_netloc):
    """``first`` and what it loads, each fetched once; and what was left out, and why."""
    answers, left_out = [first], []
    queue = [(url, first) for url in _references(first)]
    seen = {first.url}
    limit_count = setting("ARCHIVE_MAX_RESOURCES")
    limit_bytes = setting("ARCHIVE_MAX_RESOURCE_BYTES")
    while queue:
        url, parent = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if len(answers) > limit_count:
            left_out.append({"uri": url, "why": "too_many"})
            continue
        answer = rendering.fetch_resource(url, site_netloc)
        if answer is None:
            left_out.append({"uri": url, "why": "other_site"})
            continue
        if len(answer.body) > limit_bytes:
            left_out.append({"uri": url, "why": "too_large"})
            continue
        answers.append(answer)
        if answer.content_type.startswith("text/css"):
            queue.extend((found, answer) for found in _references(answer))
    return answers, left_out


def _references(answer):
    if answer.status != 200:
        return []
    text = answer.body.decode("utf-8", "replace")
    if answer.content_type.startswith("text/html"):
        return resources.in_html(answer.url, text)
    if answer.content_type.startswith("text/css"):
        return resources.in_css(answer.url, text)
    return []


@task()
def capture_page(page_id, event, happened_at, revision_id=None, snapshot=None):
    """Capture page ``page_id`` at ``event`` (an ``ArchiveEvent``) and add it to the archive."""
    happened = parse_datetime(happened_at)
    page = Page.objects.filter(pk=page_id).first()
    revision = Revision.objects.filter(pk=revision_id).first() if revision_id else None
    if snapshot is None:
        if page is None:
            logger.warning("Page %s was deleted before its publish was captured.", page_id)
            return None
        page = page.specific
        version = revision.as_object() if revision else page
        municipality = _public_municipality(page, live=False)
        if municipality is None:
            return None
        url = page.get_full_url()
        if page.live and (revision_id is None or page.live_revision_id == revision_id):
            first, rendered = rendering.fetch(url), "live"
        else:
            first, rendered = rendering.fetch_version(url, version), "version"
        metadata = {**describe(version, municipality), "url": url}
        metadata["municipality"] = municipality.slug
        details = {"rendered": rendered}
    else:
        if event == ArchiveEvent.UNPUBLISHED and page is None:
            # Wagtail unpublishes a live page on its way to deleting it: the deletion's capture
            # says what happened.
            return None
        metadata = dict(snapshot)
        url = metadata["url"]
        first = rendering.fetch(url)
        details = {"reason": metadata.pop("reason", ""), "rendered": "gone"}
        archived_before = metadata.pop("archived_before", False)
        last_published_at = metadata.pop("last_published_at", None)
        shown = None
        if not archived_before and revision is not None:
            # The archive never saw this page live: keep the last live version beside the
            # answer that it is gone, dated when it went live.
            shown = rendering.fetch_version(url, revision.as_object())
            shown.date = parse_datetime(last_published_at) if last_published_at else None
            details["last_version_rendered"] = True
    netloc = rendering.netloc(url)
    answers, left_out = _with_resources(first, netloc)
    if snapshot is not None and shown is not None:
        shown_answers, shown_left_out = _with_resources(shown, netloc)
        answers = shown_answers + answers
        left_out += shown_left_out
    if first.status >= 500:
        logger.warning(
            "The archive's capture of page %s was answered with %s.", page_id, first.status
        )
    if event in _TAKEN_AWAY:
        # Who took it away, in the column of who published it.
        published_by, approved_by = _taken_away_by(page_id, event), []
    else:
        published_by, approved_by = _people(revision_id)
    details["not_captured"] = left_out
    return _store(
        page_id=page_id,
        event=event,
        happened=happened,
        revision_id=revision_id,
        metadata=metadata,
        published_by=published_by,
        approved_by=approved_by,
        details=details,
        answers=answers,
    )


def _store(
    *, page_id, event, happened, revision_id, metadata, published_by, approved_by, details, answers
):
    captured = timezone.now()
    municipality = metadata.pop("municipality")
    url = metadata.pop("url")
    row = {
        "municipality": municipality,
        "event": str(event),
        "happened_at": happened.isoformat(),
        "page_id": page_id,
        "url": url,
        "revision_id": revision_id,
        "published_by": published_by,
        "approved_by": approved_by,
        **metadata,
        **details,
    }
    unique = uuid.uuid4().hex[:12]
    folder = f"{municipality}/{happened:%Y/%m}"
    name = f"{folder}/{happened:%Y%m%dT%H%M%S}-{page_id}-{event}-{unique}.warc.gz"
    buffer = io.BytesIO()
    records = warc.write(
        buffer,
        filename=name.rsplit("/", 1)[-1],
        info={"software": SOFTWARE, "format": "WARC File Format 1.1", "isPartOf": municipality},
        answers=answers,
        metadata=row,
        target_uri=url,
        when=captured,
    )
    content = buffer.getvalue()
    storage = archive_storage()
    name = storage.save(name, ContentFile(content))
    capture = ArchiveCapture(
        municipality=municipality,
        event=event,
        happened_at=happened,
        captured_at=captured,
        page_id=page_id,
        url=url,
        revision_id=revision_id,
        published_by=published_by,
        approved_by=approved_by,
        details=details,
        warc_name=name,
        warc_size=len(content),
        warc_sha256=hashlib.sha256(content).hexdigest(),
        records=records,
        **metadata,
    )
    chain.append(capture)
    return capture.pk


def missed(municipality, since=None):
    """Publishes of ``municipality``'s pages that the archive has no capture of (a worker that
    was stopped, a storage that failed): ``(page id, revision id, when)`` for each publish logged
    since ``since``, or since the municipality's first capture (the archive's start). Pages that
    citizens could not read are among them; the capture leaves those out."""
    captures = ArchiveCapture.objects.filter(municipality=municipality.slug)
    if since is None:
        first = captures.order_by("sequence").values_list("happened_at", flat=True).first()
        if first is None:
            return []
        since = first
    entries = (
        PageLogEntry.objects.filter(
            action__in=_PUBLISH_ACTIONS,
            timestamp__gte=since,
            page_id__in=municipality.citizen_pages(live=False).values("pk"),
            revision_id__isnull=False,
        )
        .exclude(revision_id__in=captures.exclude(revision_id=None).values("revision_id"))
        .order_by("timestamp", "pk")
        .values_list("page_id", "revision_id", "timestamp")
    )
    return list(entries)


def capture_missed(municipality, since=None):
    """Queue a capture of each publish ``missed`` finds; how many were queued."""
    found = missed(municipality, since)
    for page_id, revision_id, when in found:
        capture_page.enqueue(
            page_id=page_id,
            event=ArchiveEvent.PUBLISHED,
            happened_at=when.isoformat(),
            revision_id=revision_id,
        )
    return len(found)
