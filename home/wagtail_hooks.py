"""Public-site integration: serve each municipality's pages in its own language."""

from wagtail import hooks
from wagtail.models import Site

from publishing.citizens.sites import activate_site_language


@hooks.register("before_serve_page")
def activate_municipality_language(page, request, serve_args, serve_kwargs):
    """Render public pages in the content language of the municipality that owns the site."""
    activate_site_language(request, Site.find_for_request(request))
    return None
