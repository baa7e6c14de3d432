"""Frontend-cache purges for pages that leave public view, or change what public listings show.

``wagtail.contrib.frontend_cache`` purges a page when it is published or unpublished, but not
when it is made private: adding a view restriction (a ``PageViewRestriction``) leaves the public
copy in the CDN until it expires. Here, a restriction that is created, changed or removed purges
the page, every live page below it (they inherit the restriction) and the live pages above it,
which list it (a news index, the home page), together with each site's listing paths from
``PUBLISHING["FRONTEND_CACHE_SITE_PATHS"]`` (the sitemap). Publishing and unpublishing purge
those listings as well; Wagtail purges the page itself.

Purges are sent when the transaction commits, so that no request in between caches the old
state again; with no ``WAGTAILFRONTENDCACHE`` configured nothing is computed or sent.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.frontend_cache.utils import PurgeBatch, get_backends
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from publishing.conf import setting


def site_listing_urls(pages):
    """The ``FRONTEND_CACHE_SITE_PATHS`` of each site that ``pages`` belong to."""
    paths = setting("FRONTEND_CACHE_SITE_PATHS")
    roots = set()
    for page in pages:
        # The root URL from Wagtail's cached site paths, as the page URLs themselves are made.
        parts = page.get_url_parts()
        if parts is not None:
            roots.add(parts[1])
    return [f"{root}/{path.lstrip('/')}" for root in roots for path in paths]


def purge_batch(page, *, subtree):
    """The URLs to purge for ``page``: its live ancestors (they list it) and site listings, and
    with ``subtree`` the page and its live descendants."""
    batch = PurgeBatch()
    pages = list(page.get_ancestors().live().filter(depth__gt=1))
    if subtree:
        pages += list(Page.objects.live().descendant_of(page, inclusive=True))
    batch.add_pages(pages)
    batch.add_urls(site_listing_urls(pages or [page]))
    return batch


def purge_on_commit(batch):
    if batch.urls:
        transaction.on_commit(batch.purge)


def purge_restricted_subtree(sender, instance, raw=False, **kwargs):
    """A page made private (or public again): purge it, its subtree and what lists it."""
    if raw or not get_backends():
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        purge_on_commit(purge_batch(page, subtree=True))


def purge_listings_of_page(sender, instance, **kwargs):
    """A page published or unpublished: purge the pages and site paths that list it."""
    if get_backends():
        purge_on_commit(purge_batch(instance, subtree=False))


def connect():
    post_save.connect(
        purge_restricted_subtree, sender=PageViewRestriction, dispatch_uid="pub_purge_private"
    )
    post_delete.connect(
        purge_restricted_subtree, sender=PageViewRestriction, dispatch_uid="pub_purge_public"
    )
    page_published.connect(purge_listings_of_page, dispatch_uid="pub_purge_listings_published")
    page_unpublished.connect(purge_listings_of_page, dispatch_uid="pub_purge_listings_unpublished")
