"""What a form refused for its CSRF token answers: the person's work, not Django's diagnosis.

A token goes stale when its page was opened before the person signed in again (Django gives a
new one at every sign-in), in another person's name, or in a browser that blocks the cookie.
Django's own page explains CSRF to a developer. Here:

- a citizen's feedback gets its form back with the text kept (``citizens.feedback``);
- an admin form (a page being edited, a register, an export) gets a page in the person's admin
  language that says nothing was saved and how to get back what they typed;
- anything else gets Django's page.

Set ``CSRF_FAILURE_VIEW = "publishing.csrf.csrf_failure"``.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.csrf import csrf_failure as django_csrf_failure

from publishing.citizens.feedback import feedback_csrf_failure


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: the answer for the door the refused form came through."""
    response = feedback_csrf_failure(request)
    if response is not None:
        return response
    if request.path.startswith(reverse("wagtailadmin_home")):
        return admin_csrf_failure(request)
    return django_csrf_failure(request, reason)


def admin_csrf_failure(request):
    """The admin's answer: nothing was saved, and the way back to the form."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    response = render(
        request,
        "publishing/admin_csrf_failure.html",
        {"back_url": back, "home_url": reverse("wagtailadmin_home")},
        status=403,
    )
    add_never_cache_headers(response)
    return response
