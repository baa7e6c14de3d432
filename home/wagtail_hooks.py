"""Public-site integration: serve each municipality's pages in its own language."""

from django.conf import settings
from django.utils import translation
from wagtail import hooks
from wagtail.models import Site

from publishing.sites import municipality_language


@hooks.register("before_serve_page")
def activate_municipality_language(page, request, serve_args, serve_kwargs):
    """Render public pages in the content language of the municipality that owns the site."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    language = municipality_language(site.pk, settings.LANGUAGE_CODE)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return None
