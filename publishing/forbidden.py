"""What a request refused for lack of permission answers in the admin: a page in the person's
admin language, not Django's bare English "403 Forbidden".

Wagtail's admin views turn most refusals into a message on the dashboard; a refusal raised
elsewhere (a request the admin's own scripts send, a view of another app) reaches Django's
``handler403``. Set it to ``publishing.forbidden.permission_denied``, or call
``admin_permission_denied`` from your own handler for the admin's paths.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.defaults import permission_denied as django_permission_denied


def permission_denied(request, exception=None):
    """``handler403``: the admin's page for the admin's paths, Django's (``403.html``) else."""
    if request.path.startswith(reverse("wagtailadmin_home")):
        return admin_permission_denied(request)
    return django_permission_denied(request, exception)


def admin_permission_denied(request):
    """Nothing was done, and the way back to the dashboard."""
    return render(
        request,
        "publishing/admin_permission_denied.html",
        {"home_url": reverse("wagtailadmin_home")},
        status=403,
    )
