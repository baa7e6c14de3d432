"""Template tags for the public site: the crisis banners and contact points of the site, and
where a withdrawn page sends citizens.

Both come from a per-site cache (``publishing.citizens.sites.site_chrome``), so a page served to a
citizen costs no query for them once the cache is warm.
"""

from django import template
from wagtail.models import Site

from publishing.citizens.sites import site_chrome as cached_chrome
from publishing.citizens.withdrawal import instead_of
from publishing.models.crisis import CrisisLevel

register = template.Library()

_EMPTY = {"municipality": None, "contact_points": [], "banners": [], "statement": None}


@register.simple_tag(takes_context=True)
def site_chrome(context):
    """The site's municipality name, contact points and crisis banners now showing."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return _EMPTY
    chrome = cached_chrome(site.pk)
    levels = dict(CrisisLevel.choices)
    chrome["banners"] = [
        {**banner, "level_label": levels.get(banner["level"], banner["level"])}
        for banner in chrome["banners"]
    ]
    # Phone and e-mail: the ways to reach someone that fit on one line under a page.
    chrome["reach"] = [p for p in chrome["contact_points"] if p["kind"] in ("phone", "email")]
    return chrome


@register.simple_tag
def withdrawn_instead(page):
    """The page a withdrawn ``page`` sends citizens to, while they may read it; else None."""
    return instead_of(page)
