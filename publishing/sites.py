"""Find the municipality behind a Wagtail site or page, cheaply on the public request path."""

from django.core.cache import cache

from .models.municipality import Municipality

_CACHE_KEY = "publishing:municipality-language:{site_id}"


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


def forget_site(site_id):
    """Drop what is cached for ``site_id`` (called when its profile is loaded again)."""
    cache.delete(_CACHE_KEY.format(site_id=site_id))
