"""Public views besides page serving: site search, and the pages for "not found" and "not
allowed"."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.urls import reverse
from wagtail.models import Page, Site

from publishing.citizens.sites import activate_site_language
from publishing.citizens.withdrawal import listed_for_citizens
from publishing.forbidden import permission_denied as admin_or_default_permission_denied

from .search import search_pages

RESULTS_PER_PAGE = 10
#: Longer queries are cut: nobody types more, and the search backend should not get more.
MAX_QUERY_LENGTH = 200


def search(request):
    """Search the requesting site's live, public pages in the site's language (stems and
    compounds: home/search.py); the intranet and withdrawn pages never answer."""
    site = Site.find_for_request(request)
    language = activate_site_language(request, site)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query and site is not None:
        pages = listed_for_citizens(Page.objects.in_site(site)).specific()
        paginator = Paginator(search_pages(pages, query, language), RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            results = paginator.page(1)
        except EmptyPage:
            results = paginator.page(paginator.num_pages)
    return render(request, "home/search.html", {"query": query, "results": results})


def page_not_found(request, exception=None):
    """The site's own "not found" page, in the municipality's language, with a way on."""
    site = Site.find_for_request(request)
    activate_site_language(request, site)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    """The answer to a refused request: the admin's page in the person's language on the
    admin's paths, else the site's own "not allowed" page in the municipality's language."""
    if request.path.startswith(reverse("wagtailadmin_home")):
        return admin_or_default_permission_denied(request, exception)
    activate_site_language(request, Site.find_for_request(request))
    return render(request, "403.html", status=403)
