"""The nightly check of the external links on a municipality's live public pages.

``check_municipality`` finds the external addresses (http and https, to hosts that are not one
of the installation's own sites) in the text fields of every live governed page that citizens
may read, keeps one ``ExternalLink`` per address with the pages that link it, checks each
address once (``link_checking``: robots.txt, bounded parallel, SSRF guard, a retry within the
run) and keeps what it found. A link is reported broken only when it failed on
``LINK_CHECK_FAILURES_TO_REPORT`` nightly runs in a row, so a site that is down for a night is
not. It runs in the task worker (``check_external_links``), queued nightly by
``manage.py check_external_links``; the log says how many, never which, pages or addresses.

Rows are created and updated in bulk, without model signals: the publish rules read none of
them, so a run should not count as a change for the kept findings (``live_findings``). Deleting
the links no page has any more does send signals.
"""

import html
import logging
import re
import time
from urllib.parse import urlsplit, urlunsplit

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.fields import StreamField
from wagtail.models import Site

from publishing.conf import setting
from publishing.models import ExternalLink, LinkStatus, Municipality
from publishing.models.external_links import MAX_URL_LENGTH, url_hash
from publishing.models.pages import governed_page_models
from publishing.reports import link_checking
from publishing.rules.text_extraction import content_fields, stored_strings

logger = logging.getLogger(__name__)

#: Pages read from the database at a time.
CHUNK = 500
#: How long a municipality's run may hold its lock (a run that died leaves it this long).
RUN_LOCK_SECONDS = 6 * 3600

_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://\S+", re.IGNORECASE)


# --- which links ---------------------------------------------------------------------------


def own_hosts():
    """The host names of the installation's own sites: links to them are not external (the
    publish rules judge links between pages)."""
    return {host.lower() for host in Site.objects.values_list("hostname", flat=True) if host}


def external_address(url, own):
    """``url`` as the checker asks for it (without its #fragment, which is never sent), or
    None when it is not an external http(s) address: another scheme, one of ``own`` hosts,
    malformed or too long."""
    url = html.unescape(url or "").strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or host in own:
        return None
    url = urlunsplit(parts._replace(fragment=""))
    return url if len(url) <= MAX_URL_LENGTH else None


def addresses_in(text):
    """The addresses ``text`` links: the ``href`` of its ``<a>`` tags (rich text), or the text
    itself when it is nothing but an address (a URL field or block)."""
    if "<a" in text.lower():
        return [double or single for double, single in _HREF.findall(text)]
    stripped = text.strip()
    return [stripped] if _BARE_URL.fullmatch(stripped) else []


def page_addresses(page, own):
    """The external addresses in ``page``'s text fields (those ``content_fields`` names: the
    same fields the publish rules read for links), as stored."""
    found = set()
    for model_field in content_fields(type(page)):
        value = model_field.value_from_object(page)
        if isinstance(model_field, StreamField):
            value = list(getattr(value, "raw_data", None) or [])
        for text in stored_strings(value):
            for address in addresses_in(text):
                url = external_address(address, own)
                if url:
                    found.add(url)
    return found


def linked_addresses(municipality):
    """``{external address: {ids of the live public pages that link it}}`` for
    ``municipality``: its live governed pages that citizens may read (not the intranet, not
    behind a view restriction). One query per page type, read in chunks."""
    own = own_hosts()
    public = municipality.citizen_pages().values("pk")
    found = {}
    for model in governed_page_models():
        names = [f.name for f in content_fields(model)]
        pages = model.objects.filter(pk__in=public).only("pk", *names).order_by("pk")
        for page in pages.iterator(chunk_size=CHUNK):
            for url in page_addresses(page, own):
                found.setdefault(url, set()).add(page.pk)
    return found


# --- keeping the links ---------------------------------------------------------------------


@transaction.atomic
def keep_links(municipality, found):
    """Make ``municipality``'s kept links those of ``found`` (``linked_addresses``): new
    addresses added (not checked yet), each link's pages as found, and links that no page has
    any more removed. ``{url: ExternalLink}``."""
    kept = {link.url_hash: link for link in ExternalLink.objects.filter(municipality=municipality)}
    wanted = {url_hash(url): url for url in found}
    ExternalLink.objects.bulk_create(
        [
            ExternalLink(municipality=municipality, url=url, url_hash=key)
            for key, url in wanted.items()
            if key not in kept
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,  # a run of the same municipality elsewhere added it meanwhile
    )
    gone = [link.pk for key, link in kept.items() if key not in wanted]
    if gone:
        ExternalLink.objects.filter(pk__in=gone).delete()
    links = {
        link.url: link
        for link in ExternalLink.objects.filter(municipality=municipality, url_hash__in=wanted)
    }
    through = ExternalLink.pages.through
    pairs = {(links[url].pk, page_id) for url, pages in found.items() for page_id in pages}
    existing = {
        (link_id, page_id): pk
        for pk, link_id, page_id in through.objects.filter(
            externallink__municipality=municipality
        ).values_list("pk", "externallink_id", "page_id")
    }
    stale = [pk for pair, pk in existing.items() if pair not in pairs]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    through.objects.bulk_create(
        [
            through(externallink_id=link_id, page_id=page_id)
            for link_id, page_id in pairs - existing.keys()
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    return links


def apply_result(link, result, now, failures_to_report):
    """Update ``link`` (not saved) with what ``result`` (a ``link_checking.Result``) found.

    A failure counts once a day: a second run on the same day (a run started by hand) does not
    make a link that failed last night broken.
    """
    if result.status == link_checking.INCONCLUSIVE:
        link.last_checked_at = now  # the site asked for fewer requests: tomorrow decides
        return
    link.http_status = result.http_status
    link.final_url = result.final_url if result.final_url != link.url else ""
    link.error = result.error if result.failed else ""
    if result.failed:
        earlier = link.last_checked_at and timezone.localdate(link.last_checked_at)
        if link.consecutive_failures == 0 or earlier != timezone.localdate(now):
            link.consecutive_failures += 1
        link.first_failed_at = link.first_failed_at or now
        link.status = (
            LinkStatus.BROKEN
            if link.consecutive_failures >= failures_to_report
            else LinkStatus.FAILING
        )
    else:
        link.status = {
            link_checking.OK: LinkStatus.OK,
            link_checking.ROBOTS: LinkStatus.ROBOTS,
            link_checking.PRIVATE: LinkStatus.PRIVATE,
        }[result.status]
        link.consecutive_failures = 0
        link.first_failed_at = None
    link.last_checked_at = now


RESULT_FIELDS = [
    "status",
    "http_status",
    "error",
    "final_url",
    "first_failed_at",
    "consecutive_failures",
    "last_checked_at",
]


# --- the run -------------------------------------------------------------------------------


def check_municipality(municipality, now=None, sleep=time.sleep):
    """Find, check and keep the external links of ``municipality``'s live public pages.

    ``{status: how many links}`` after the run (empty when another run of the municipality
    holds its lock, or it has no site). ``now``: when the run counts as made (tests make
    tomorrow's run with it).
    """
    if municipality.site is None:
        return {}
    lock = f"publishing:link-check:{municipality.pk}"
    if not cache.add(lock, True, RUN_LOCK_SECONDS):
        logger.info("External links of %s are being checked already", municipality.slug)
        return {}
    try:
        started = time.monotonic()
        links = keep_links(municipality, linked_addresses(municipality))
        options = link_checking.Options.from_settings(municipality.site.root_url)
        results = link_checking.check_with_retry(
            list(links), options, retry_delay=setting("LINK_CHECK_RETRY_DELAY"), sleep=sleep
        )
        now = now or timezone.now()
        failures = max(1, int(setting("LINK_CHECK_FAILURES_TO_REPORT")))
        for url, link in links.items():
            if url in results:
                apply_result(link, results[url], now, failures)
        ExternalLink.objects.bulk_update(links.values(), RESULT_FIELDS, batch_size=CHUNK)
        counts = {}
        for link in links.values():
            counts[link.status] = counts.get(link.status, 0) + 1
        logger.info(
            "Checked %s external links of %s in %.1f s: %s",
            len(links),
            municipality.slug,
            time.monotonic() - started,
            ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "none",
        )
        return counts
    finally:
        cache.delete(lock)


@task()
def check_external_links(municipality_ids):
    """Check the external links of these municipalities' live public pages (the nightly
    run; ``manage.py check_external_links`` queues it)."""
    municipalities = Municipality.objects.filter(pk__in=municipality_ids).order_by("pk")
    checked = 0
    for municipality in municipalities.select_related("site"):
        counts = check_municipality(municipality)
        checked += sum(counts.values())
    return {"municipalities": len(municipality_ids), "links": checked}
