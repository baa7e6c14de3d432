"""The nightly check of the external links on a municipality's live public pages.

``check_municipality`` finds the external addresses (http and https, to hosts that are not one
of the installation's own sites) in the text fields of every live governed page that citizens
may read, keeps one ``ExternalLink`` per address with the pages that link it, checks each
address once (``link_checking``: robots.txt, bounded parallel, SSRF guard, a retry within the
run) and keeps what it found. A link is reported broken only when it failed on
``LINK_CHECK_FAILURES_TO_REPORT`` nightly runs in a row, so a site that is down for a night is
not. It runs in the task worker (``check_external_links``), queued nightly by
``manage.py check_external_links``; the log says how many, never which, pages or addresses.

A run has a budget (``LINK_CHECK_RUN_BUDGET``, for all the municipalities of a queued run
together): no check starts after it, the links not checked by then stay as they were and are
checked first the next night (those checked longest ago go first), and the run's lock outlives
it, so two runs of a municipality never overlap.

Rows are created and updated in bulk, without model signals: the publish rules read none of
them, so a run should not count as a change for the kept findings (``live_findings``). Deleting
the links no page has any more does send signals.
"""

import datetime
import html
import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from wagtail.fields import StreamField
from wagtail.models import Site

from publishing.conf import setting
from publishing.models import ExternalLink, LinkStatus, Municipality, OrganisationUnit
from publishing.models.external_links import MAX_URL_LENGTH, url_hash
from publishing.models.municipality import every_municipality
from publishing.models.pages import governed_page_models
from publishing.people import labels_by_id
from publishing.reports import link_checking
from publishing.rules.text_extraction import content_fields, stored_strings

logger = logging.getLogger(__name__)

#: Pages read from the database at a time.
CHUNK = 500
#: How long a municipality's run may hold its lock at least (a run that died leaves it this
#: long); longer when the budget is (``lock_seconds``).
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
            link_checking.PORT: LinkStatus.NOT_CHECKED,  # a port the checker does not ask
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


# --- what the runs found ------------------------------------------------------------------


@dataclass
class BrokenLinkRow:
    """One broken link on one page that links it, as the report and the dashboard show it."""

    link_id: int
    page_id: int
    page: str
    url: str
    final_url: str
    error: str
    problem: str
    http_status: int | None
    since: datetime.datetime | None
    failures: int
    last_checked: datetime.datetime | None
    unit_id: int | None
    unit: str
    leader: str

    @property
    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.page_id])


def broken_links(municipalities, units=None, error=""):
    """``[BrokenLinkRow]``: each broken link of ``municipalities`` (of the kind ``error``
    only, when given) on each page that links it and that citizens may read now (live, public,
    outside the intranet: ``Municipality.citizen_pages``), not in any order. ``units``: only
    the pages these units own (ids), when given.

    The pages are those of today, not those of the night: a page unpublished or put behind a
    restriction since is left out. A fixed number of queries, whatever the number of links.
    """
    wanted = {getattr(m, "pk", m) for m in municipalities}
    municipalities = [m for m in every_municipality() if m.pk in wanted and m.site_id]
    if not municipalities or units is not None and not units:
        return []
    broken = ExternalLink.objects.filter(municipality__in=municipalities, status=LinkStatus.BROKEN)
    if error:
        broken = broken.filter(error=error)
    links = broken.in_bulk()
    if not links:
        return []
    pairs = list(
        ExternalLink.pages.through.objects.filter(externallink_id__in=links).values_list(
            "externallink_id", "page_id"
        )
    )
    readable = municipalities[0].citizen_pages()
    for municipality in municipalities[1:]:
        readable = readable | municipality.citizen_pages()
    pages = {}
    for model in governed_page_models():  # a query per page type, of the linking pages only
        queryset = model.objects.filter(pk__in={page_id for _link, page_id in pairs}).filter(
            pk__in=readable.values("pk")
        )
        if units is not None:
            queryset = queryset.filter(owning_unit_id__in=units)
        pages.update(queryset.only("title", "owning_unit_id", "responsible_leader_id").in_bulk())
    if not pages:
        return []
    leaders = labels_by_id([page.responsible_leader_id for page in pages.values()])
    unit_names = dict(
        OrganisationUnit.objects.filter(
            pk__in={page.owning_unit_id for page in pages.values()}
        ).values_list("pk", "name")
    )
    rows = []
    for link_id, page_id in pairs:
        page, link = pages.get(page_id), links[link_id]
        if page is None:
            continue
        rows.append(
            BrokenLinkRow(
                link_id=link.pk,
                page_id=page.pk,
                page=page.title,
                url=link.url,
                final_url=link.final_url,
                error=link.error,
                problem=str(link.problem),
                http_status=link.http_status,
                since=link.first_failed_at,
                failures=link.consecutive_failures,
                last_checked=link.last_checked_at,
                unit_id=page.owning_unit_id,
                unit=unit_names.get(page.owning_unit_id, ""),
                leader=leaders.get(page.responsible_leader_id, ""),
            )
        )
    return rows


# --- the run -------------------------------------------------------------------------------


def run_budget():
    """Seconds a run may check for (``LINK_CHECK_RUN_BUDGET``)."""
    return max(0.0, float(setting("LINK_CHECK_RUN_BUDGET")))


def lock_seconds(options):
    """How long a run holds its lock: past its budget, and past the checks still running when
    the budget ends (each request within its total timeout: robots.txt, HEAD, GET and a retry
    of both), with an hour to keep what was found."""
    tail = 5 * options.total_timeout + float(setting("LINK_CHECK_RETRY_DELAY"))
    return int(max(RUN_LOCK_SECONDS, run_budget() + tail + 3600))


def check_order(links):
    """The addresses of ``links`` (``{url: ExternalLink}``) in the order they are checked: never
    checked first, then those checked longest ago, so that a run out of time leaves the ones
    checked most recently."""
    return sorted(
        links,
        key=lambda url: (links[url].last_checked_at is not None, links[url].last_checked_at or 0),
    )


def check_municipality(municipality, now=None, sleep=time.sleep, stop_at=None):
    """Find, check and keep the external links of ``municipality``'s live public pages.

    ``{status: how many links}`` after the run (empty when another run of the municipality
    holds its lock, or it has no site). ``now``: when the run counts as made (tests make
    tomorrow's run with it). ``stop_at`` (a ``time.monotonic()`` time): when the run is out of
    time, by default ``LINK_CHECK_RUN_BUDGET`` from now; links not checked by then stay as they
    were.
    """
    if municipality.site is None:
        return {}
    started = time.monotonic()
    stop_at = started + run_budget() if stop_at is None else stop_at
    options = link_checking.Options.from_settings(municipality.site.root_url)
    lock = f"publishing:link-check:{municipality.pk}"
    if not cache.add(lock, True, lock_seconds(options)):
        logger.info("External links of %s are being checked already", municipality.slug)
        return {}
    try:
        links = keep_links(municipality, linked_addresses(municipality))
        results = link_checking.check_with_retry(
            check_order(links),
            options,
            retry_delay=setting("LINK_CHECK_RETRY_DELAY"),
            sleep=sleep,
            stop_at=stop_at,
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
            "Checked %s of %s external links of %s in %.1f s: %s",
            len(results),
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
    stop_at = time.monotonic() + run_budget()  # one budget for the whole run
    for municipality in municipalities.select_related("site"):
        counts = check_municipality(municipality, stop_at=stop_at)
        checked += sum(counts.values())
    return {"municipalities": len(municipality_ids), "links": checked}
