"""How the public site is served: cache headers, security headers per area, and "not found".

Two middlewares in ``MIDDLEWARE`` (config/settings/base.py), and one for development:

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
Outside the admin it also sends ``Permissions-Policy``: the public site uses no camera,
microphone, location, payment, USB or other device, and takes part in no interest-based
advertising, so no page (and nothing a page might one day embed) may ask for them.

``SiteNotFoundMiddleware`` (config/settings/dev.py) shows the site's own "not found" page, in the
municipality's language, when a page is missing under ``DEBUG``, where Django would show its
technical 404 page instead. The admin keeps Django's page, and every other error its debug page.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import Http404
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

#: Wagtail's page serving (pages, and their sub-routes such as the news feed).
SERVE_VIEW = "wagtail_serve"
#: Views whose anonymous GETs are the same for everyone, and may be kept by shared caches.
PUBLIC_VIEWS = {SERVE_VIEW, "wagtail.contrib.sitemaps.views.sitemap", "robots_txt"}
#: Views whose answers are for the asker only.
PRIVATE_VIEWS = {"search"}
#: Forms that lead into restricted pages: never stored anywhere.
NEVER_CACHED_VIEWS = {"wagtailcore_authenticate_with_password", "wagtailcore_login"}

SAFE_METHODS = {"GET", "HEAD"}

#: Powerful features no public page uses (Chromium knows each name: an unknown one is logged as an
#: error in the console). Fullscreen, picture-in-picture and the like are left to their defaults
#: (the page's own origin), since a video may need them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "compute-pressure",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
)


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

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if not in_admin(request) and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response


class SiteNotFoundMiddleware:
    """Under ``DEBUG``, a missing page of a site gets the site's own 404 page (see the module).

    Only ``Http404`` raised by a view is caught, outside the admin: a real error still shows
    Django's debug page, and a URL that matches no pattern (there is none: Wagtail's page serving
    takes every path) would still show the technical 404 page with the URL patterns tried.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404) or in_admin(request):
            return None
        from home.views import page_not_found

        return page_not_found(request, exception)
