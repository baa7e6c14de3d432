"""How the public site is served: cache headers, and a content security policy per area.

Two middlewares, both in ``MIDDLEWARE`` (config/settings/base.py):

``CacheHeadersMiddleware`` gives the public site's responses a ``Cache-Control`` header. Wagtail
sends none for public pages, so without this a shared cache guesses. What it does, per response:

- a page under a view restriction (the intranet), its login redirect and Wagtail's password and
  login forms: never stored anywhere (``private, no-store``; Wagtail already sends this for
  restricted pages and their login redirect, and nothing here weakens a header a view has set);
- anything for a signed-in user (their pages carry Wagtail's userbar), and anything that sets a
  cookie (a CSRF token, a session): ``private``, so no shared cache hands it to someone else;
- search results: ``private`` (what a citizen types into the search box can be personal data,
  and a shared cache should not keep it);
- an anonymous ``GET`` of a live, public page, a news feed or the sitemap: ``public`` for
  ``PUBLIC_CACHE_MAX_AGE`` seconds, with ``Vary: Cookie`` (the same URL looks different to a
  signed-in editor).

It sits before (outside) the session and CSRF middlewares, so it sees the cookies they set.

``ContentSecurityPolicyMiddleware`` is django-csp's middleware with a second, looser policy for the
Wagtail admin (``CONTENT_SECURITY_POLICY_ADMIN``), which still needs inline scripts and styles.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

#: Wagtail's page serving (pages, and their sub-routes such as the news feed).
SERVE_VIEW = "wagtail_serve"
#: Views whose anonymous GETs are the same for everyone, and may be kept by shared caches.
PUBLIC_VIEWS = {SERVE_VIEW, "wagtail.contrib.sitemaps.views.sitemap"}
#: Views whose answers are for the asker only.
PRIVATE_VIEWS = {"search"}
#: Forms that lead into restricted pages: never stored anywhere.
NEVER_CACHED_VIEWS = {"wagtailcore_authenticate_with_password", "wagtailcore_login"}

SAFE_METHODS = {"GET", "HEAD"}


def view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def is_signed_in(request):
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def sets_cookie(request, response):
    return bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def apply_cache_policy(request, response):
    """Set ``Cache-Control`` (and ``Vary``) on a response of the public site; see the module."""
    name = view_name(request)
    if name in NEVER_CACHED_VIEWS:
        add_never_cache_headers(response)
        return response
    if name not in PUBLIC_VIEWS and name not in PRIVATE_VIEWS:
        return response
    patch_vary_headers(response, ("Cookie",))
    existing = response.get("Cache-Control", "")
    if "no-store" in existing or "private" in existing:
        # Wagtail's header for restricted pages and their login redirect: keep it as it is.
        return response
    if name in PRIVATE_VIEWS or is_signed_in(request) or sets_cookie(request, response):
        patch_cache_control(response, private=True, max_age=0)
        return response
    if request.method in SAFE_METHODS and response.status_code == 200 and not existing:
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
    return response


class CacheHeadersMiddleware:
    """``Cache-Control`` for the public site's pages, feeds, sitemap and search (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return apply_cache_policy(request, self.get_response(request))


def in_admin(request):
    return request.path_info.startswith(tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with the admin's own policy under ``CONTENT_SECURITY_POLICY_ADMIN_PREFIXES``.

    A view's own ``@csp_override``/``@csp_update`` still wins, as in django-csp.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and in_admin(request):
            admin = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
            return PolicyParts(default_config(admin), parts.update, parts.replace, parts.nonce)
        return parts
