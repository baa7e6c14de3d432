"""Withdrawn pages out of the public (anonymous) page list of Wagtail's v3 API, written
against Wagtail 8.0.

The v3 API has no hook for its page queryset: every page endpoint reads
``wagtail.api.v3.routers.pages.get_pages_queryset``. ``install()`` (called once from
``PublishingConfig.ready``) wraps it there so that what citizens' apps and aggregators list
(the ``list_pages`` endpoint, search included) matches the site's own lists, search, feeds and
sitemap. A withdrawn page's own endpoints still answer, as the page still answers at its
address; signed-in API users (the admin tier) see every page they may edit.
``tests/publishing/test_withdrawal.py`` fails when the router stops reading this name or the
list endpoint is renamed.
"""

from publishing.models.pages import without_withdrawn

#: The name of the v3 API's endpoint that lists pages.
LIST_ENDPOINT = "list_pages"


def _without_withdrawn_for_the_public(original):
    def get_pages_queryset(request, *args, **kwargs):
        queryset = original(request, *args, **kwargs)
        match = getattr(request, "resolver_match", None)
        if request.user.is_authenticated or getattr(match, "url_name", "") != LIST_ENDPOINT:
            return queryset
        return without_withdrawn(queryset)

    get_pages_queryset.__wrapped__ = original
    get_pages_queryset._publishing_guard = True
    return get_pages_queryset


def install():
    """Wrap the v3 page router's queryset once (a site without the v3 API has nothing to
    wrap)."""
    try:
        # late: optional, for a site that does not install the v3 API (django-ninja)
        from wagtail.api.v3.routers import pages as page_routes
    except ImportError:
        return
    current = page_routes.get_pages_queryset
    if not getattr(current, "_publishing_guard", False):
        page_routes.get_pages_queryset = _without_withdrawn_for_the_public(current)
