"""What the public templates need to know about a site's municipality, cheaply.

The public request path must cost no more queries than a plain Wagtail page, so the language,
the contact points and the crisis banners of a site are read once and kept in the cache until
something they depend on changes (a profile is loaded again, a banner is saved).
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from publishing.conf import page_model
from publishing.models.crisis import LEVEL_ORDER
from publishing.models.municipality import Municipality
from publishing.models.pages import without_withdrawn

_CACHE_KEY = "publishing:municipality-language:{site_id}"
_CHROME_KEY = "publishing:site-chrome:{site_id}"

#: Seconds a site's chrome stays cached; changes clear it at once, this is only a safety net.
CHROME_TIMEOUT = 600


def municipality_language(site_id, default):
    """The content language of the municipality bound to ``site_id``, cached per site."""
    key = _CACHE_KEY.format(site_id=site_id)
    language = cache.get(key)
    if language is None:
        language = (
            Municipality.objects.filter(site_id=site_id).values_list("language", flat=True).first()
            or default
        )
        cache.set(key, language, 3600)
    return language


def activate_site_language(request, site):
    """Serve ``request`` in the content language of ``site``'s municipality (if any)."""

    if site is None:
        return None
    language = municipality_language(site.pk, settings.LANGUAGE_CODE)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def site_chrome(site_id):
    """The municipality's name, public contact points and crisis banners for ``site_id``.

    Banners whose end has passed since they were cached are left out here, so an expired
    banner disappears on time without a query.
    """
    key = _CHROME_KEY.format(site_id=site_id)
    chrome = cache.get(key)
    if chrome is None:
        chrome = _read_chrome(site_id)
        cache.set(key, chrome, CHROME_TIMEOUT)
    now = timezone.now()
    return {
        **chrome,
        "banners": [b for b in chrome["banners"] if b["ends_at"] is None or b["ends_at"] > now],
    }


def _read_chrome(site_id):

    municipality = Municipality.objects.filter(site_id=site_id).first()
    if municipality is None:
        return {"municipality": None, "contact_points": [], "banners": [], "statement": None}
    banners = sorted(
        municipality.crisis_banners.showing().select_related("link_page"),
        key=lambda b: (LEVEL_ORDER.get(b.level, 9), -b.updated_at.timestamp()),
    )
    # A linked page may have been unpublished, restricted or moved since the banner was saved:
    # link it (and show its title) only while citizens may read it.
    linked = {b.link_page_id for b in banners if b.link_page_id}
    readable = set()
    if linked:
        pages = without_withdrawn(municipality.citizen_pages()).filter(pk__in=linked)
        readable = set(pages.values_list("pk", flat=True))
    return {
        "municipality": municipality.name,
        "contact_points": municipality.contact_points,
        "statement": _accessibility_statement(municipality),
        "banners": [
            {
                "id": banner.pk,
                "level": banner.level,
                "headline": banner.headline,
                "message": banner.message,
                "link": banner.link_page.url if banner.link_page_id in readable else "",
                "link_title": banner.link_page.title if banner.link_page_id in readable else "",
                "updated_at": banner.updated_at,
                "ends_at": banner.ends_at,
            }
            for banner in banners
        ],
    }


def _accessibility_statement(municipality):
    """Title and address of the site's live accessibility statement, or None."""

    model = page_model("ACCESSIBILITY_STATEMENT_MODEL")
    if model is None or municipality.site is None:
        return None
    pages = model.objects.live().public().descendant_of(municipality.site.root_page)
    page = without_withdrawn(pages).first()
    return {"title": page.title, "url": page.url} if page else None


def forget_site(site_id):
    """Drop what is cached for ``site_id`` (its profile was loaded again, a banner changed)."""
    cache.delete_many([_CACHE_KEY.format(site_id=site_id), _CHROME_KEY.format(site_id=site_id)])
