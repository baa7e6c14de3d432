"""The site name typed to confirm deleting many pages, refused in the person's language; written
against Wagtail 8.0.

Wagtail asks for the site's name before deleting ten pages or more at once, and says "Please type
'…' to confirm." in English whatever the admin's language (an f-string its catalogues cannot
translate). ``install()`` gives the page delete view and the bulk delete action a check with a
translated message instead; after a Wagtail upgrade, see whether it translates its own.
"""

from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail.admin.views.pages import delete
from wagtail.admin.views.pages.bulk_actions import delete as bulk_delete


def type_to_delete_confirmation(request, context=None):
    """Whether the site name was typed as asked (or not asked for); says so when it was not."""
    site_name = getattr(settings, "WAGTAIL_SITE_NAME", "wagtail")
    typed = request.POST.get("confirm_site_name")
    if typed and typed != site_name:
        messages.error(
            request,
            _("Type the site name “%(site_name)s” exactly to confirm.") % {"site_name": site_name},
        )
        return False
    return True


def install():
    """Use the translated check where Wagtail's views call theirs."""
    for module in (delete, bulk_delete):
        module.type_to_delete_confirmation = type_to_delete_confirmation
