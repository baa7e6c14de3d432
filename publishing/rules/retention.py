"""Deleting a page that has been public: what was published is an official record.

In Norway published web content is part of the municipality's records; in Sweden it is an
official document (allmän handling), and deleting it is disposal (gallring), which needs a
decision with legal authority. So a page that has ever been public cannot be deleted unless a
retention rule in the municipality's profile allows it: ``[[archive_retention]]`` names page
types (model names) and the years after which they may go, counted from when the page was last
public. Unpublishing and withdrawing stay possible, and the archive keeps every capture of the
page whether or not it is deleted. Every door that deletes a page asks ``deletion_refusal``
(``DeletePageAction``, which the admin, bulk actions, the APIs and ``page.delete()`` use).
"""

import bisect
import os

from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Page, PageLogEntry

from publishing.models import ArchiveCapture, Municipality
from publishing.rules.withdrawal import relied_upon, relied_upon_among

#: Audit-log actions after which a page was no longer public.
_TAKEN_OFF = ("wagtail.unpublish", "wagtail.unpublish.scheduled")


def ever_public(page):
    """The pages at and below ``page`` that have ever been public: those citizens may have
    relied on (``relied_upon``) and those the archive has captured (also when they have been
    made private since)."""
    pages = {found.pk: found for found in relied_upon(page, descendants=True)}
    subtree = Page.objects.filter(path__startswith=page.path, depth__gte=page.depth)
    archived = ArchiveCapture.objects.filter(page_id__in=subtree.values("pk")).exclude(
        page_id__in=list(pages)
    )
    for found in subtree.filter(pk__in=archived.values("page_id")):
        pages[found.pk] = found
    return sorted(pages.values(), key=lambda found: found.path)


def removal_may_be_refused(pages, *, deleting):
    """The ids of those of ``pages`` whose removal ``deletion_refusal`` or ``removal_refusal``
    may refuse: a page at or below it has ever been public (``ever_public``), or, for an
    unpublish, is relied upon and live. The others may go without a word. Two queries for any
    number of pages (a bulk action over a whole listing), instead of several a page."""
    pages = list(pages)
    if not pages:
        return set()
    prefix = os.path.commonprefix([page.path for page in pages])
    prefix = prefix[: len(prefix) - len(prefix) % Page.steplen]
    below = Page.objects.filter(path__startswith=prefix)
    found = set(relied_upon_among(below, live_only=not deleting).values_list("path", flat=True))
    if deleting:
        archived = below.filter(pk__in=ArchiveCapture.objects.values("page_id"))
        found.update(archived.values_list("path", flat=True))
    found = sorted(found)
    refused = set()
    for page in pages:
        # The first path at or after the page's own is in its subtree when any is.
        at = bisect.bisect_left(found, page.path)
        if at < len(found) and found[at].startswith(page.path):
            refused.add(page.pk)
    return refused


def _last_public(pages):
    """When each of ``pages`` was last public (None: it is live now)."""
    taken_off = dict(
        PageLogEntry.objects.filter(page_id__in=[page.pk for page in pages], action__in=_TAKEN_OFF)
        .values("page_id")
        .annotate(last=Max("timestamp"))
        .values_list("page_id", "last")
    )
    return {
        page.pk: None if page.live else (taken_off.get(page.pk) or page.last_published_at)
        for page in pages
    }


def _add_years(moment, years):
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def deletion_refusal(page, now=None):
    """Why deleting ``page`` (with the pages below it) is refused, or None when every page in it
    that has been public may go under the municipality's retention rules."""
    pages = ever_public(page)
    if not pages:
        return None
    now = now or timezone.now()
    municipality = Municipality.objects.for_page(page)
    rules = municipality.profile.get("archive_retention", []) if municipality else []
    last_public = _last_public(pages)
    for candidate in pages:
        model = candidate.specific_class._meta.model_name if candidate.specific_class else ""
        years = [rule["after_years"] for rule in rules if model in rule["page_types"]]
        values = {"title": candidate.get_admin_display_title()}
        if not years:
            return (
                _(
                    "“%(title)s” has been public, and the municipality's archive rules keep pages "
                    "of this type: it cannot be deleted. What was published stays in the archive "
                    "either way."
                )
                % values
            )
        values["years"] = min(years)
        since = last_public[candidate.pk]
        if since is None and values["years"]:
            return (
                ngettext(
                    "“%(title)s” is public. The municipality's archive rules let pages of this "
                    "type be deleted %(years)s year after they were last public.",
                    "“%(title)s” is public. The municipality's archive rules let pages of this "
                    "type be deleted %(years)s years after they were last public.",
                    values["years"],
                )
                % values
            )
        allowed_from = _add_years(since or now, values["years"])
        if allowed_from > now:
            values["date"] = date_format(timezone.localtime(allowed_from), "DATE_FORMAT")
            return (
                ngettext(
                    "“%(title)s” has been public. The municipality's archive rules let it be "
                    "deleted %(years)s year after it was last public: from %(date)s.",
                    "“%(title)s” has been public. The municipality's archive rules let it be "
                    "deleted %(years)s years after it was last public: from %(date)s.",
                    values["years"],
                )
                % values
            )
    return None
