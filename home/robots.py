"""The files crawlers and browsers ask every site for: ``/robots.txt`` and ``/favicon.ico``.

``robots.txt`` lets crawlers read the public site and points them at the requesting site's
sitemap (with the host and port the request came to, so each municipality's name answers with
its own). The admin, the API, search results and the feedback forms are left out: they are not
content, and search results repeat what citizens typed.

``favicon.ico`` is the icon of ``home/static/home/favicon.svg`` (which the pages link with
``<link rel="icon">``) for the browsers and tools that ask for the old name only; it is read
from this app, so it does not depend on how static files are served.
"""

from pathlib import Path

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps.views import sitemap

#: Paths no crawler needs: not content, or answers for one visitor only.
DISALLOWED = ["/admin/", "/django-admin/", "/api/", "/search/", "/feedback/"]
FAVICON = Path(__file__).resolve().parent / "static" / "home" / "favicon.ico"
#: The icon changes seldom; a day in any cache is fine.
FAVICON_MAX_AGE = 86_400


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse(sitemap))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={FAVICON_MAX_AGE}"
    return response
