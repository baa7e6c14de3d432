"""Asking why, when a page citizens may have relied on is unpublished or deleted.

Which removals need a reason is the rule engine's question (``rules.withdrawal.relied_upon``:
the page, and with its descendants the pages below it); Wagtail's actions refuse one without it
whichever door it comes through (``wagtail_internals.actions``) and write it in each page's
history (``workflow.removal``). The admin's doors ask for it:

- **Unpublish**: Wagtail's confirmation page gets a "Why" field
  (``wagtailadmin/pages/confirm_unpublish.html``); ``before_unpublish_page`` sends a POST
  without a reason back to the form with the error, and hands a reason to the action.
- **Delete**: Wagtail's confirmation page has no place for a field, so the reason is asked
  first on a page of its own (``reason_for_deleting``), kept in the session for that page for a
  short while, and handed to the action when the deletion is confirmed. That page also offers
  withdrawing the page instead.
- **Bulk** unpublishing or deleting leaves such pages out, naming them: each is done on its
  own, where the reason can be given.
"""

import time
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.models import Page

from publishing.rules.withdrawal import may_withdraw_instead, relied_upon
from publishing.visible_text import INVISIBLE_ONLY, has_visible_text
from publishing.workflow import removal

#: Long enough for a sentence or two of why; the history is no place for essays.
MAX_REASON = 600


class ReasonForm(forms.Form):
    """Why a page citizens may have relied on is taken down."""

    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Citizens may have read, linked to or acted on this page. Say why it goes; the "
            "reason is kept in the page's history."
        ),
        error_messages={"required": gettext_lazy("Say why the page goes.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not has_visible_text(reason):
            raise forms.ValidationError(INVISIBLE_ONLY)
        return reason


#: How long a reason given for deleting a page waits for the deletion to be confirmed: one
#: given and left (the person cancelled) is asked again later, not reused.
REASON_KEPT_SECONDS = 15 * 60


def _session_key(page_id):
    return f"publishing_reason_for_deleting_{page_id}"


def _kept_reason(request, page):
    kept = request.session.get(_session_key(page.pk))
    if isinstance(kept, dict) and time.time() - kept.get("at", 0) < REASON_KEPT_SECONDS:
        return kept.get("reason")
    return None


# --- unpublish ---------------------------------------------------------------------------------


def _include_descendants(request):
    return bool(request.POST.get("include_descendants"))


@hooks.register("before_unpublish_page")
def require_reason_to_unpublish(request, page):
    pages = relied_upon(page, descendants=_include_descendants(request), live_only=True)
    if not pages:
        return None
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect(request.get_full_path())
    removal.give(form.cleaned_data["reason"])
    return None


# --- delete ------------------------------------------------------------------------------------


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@hooks.register("before_delete_page")
def ask_reason_before_deleting(request, page):
    if not relied_upon(page, descendants=True):
        return None
    reason = _kept_reason(request, page)
    if not reason:
        url = reverse("publishing:reason_for_deleting", args=[page.pk])
        return redirect(_with_next(url, _next_url(request)))
    if request.method == "POST":
        removal.give(reason)
    return None


@hooks.register("after_delete_page")
def forget_reason_for_deleting(request, page):
    request.session.pop(_session_key(page.pk), None)


def reason_for_deleting(request, page_id):
    """Ask why a page citizens may have relied on (or one with such pages below it) is deleted,
    then go on to Wagtail's confirmation. Suggests withdrawing the page instead, which keeps it
    at its address."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_delete():
        raise PermissionDenied
    next_url = _next_url(request)
    delete_url = _with_next(reverse("wagtailadmin_pages:delete", args=[page.pk]), next_url)
    pages = relied_upon(page, descendants=True)
    if not pages:
        return redirect(delete_url)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[_session_key(page.pk)] = {
            "reason": form.cleaned_data["reason"],
            "at": time.time(),
        }
        return redirect(delete_url)
    return TemplateResponse(
        request,
        "publishing/editor/reason_for_deleting.html",
        {
            "page": page,
            "form": form,
            "next": next_url,
            "below": len([item for item in pages if item.pk != page.pk]),
            "cancel_url": next_url or reverse("wagtailadmin_explore", args=[page.get_parent().pk]),
            "may_withdraw": may_withdraw_instead(request.user, page),
        },
    )


# --- bulk ------------------------------------------------------------------------------------


@hooks.register("before_bulk_action")
def leave_pages_needing_a_reason_out_of_bulk_removal(request, action_type, objects, action_view):
    """Bulk unpublish and delete leave out the pages that need a reason (with the pages below
    them, where those go too), and say so."""
    if action_type not in ("unpublish", "delete") or action_view.model is not Page:
        return None
    if action_type == "unpublish":
        form = getattr(action_view, "cleaned_form", None)
        below = bool(form and form.cleaned_data.get("include_descendants"))
        message = _("Unpublish it on its own, so that you can say why.")
    else:
        below = True
        message = _("Delete it on its own, so that you can say why.")
    for page in list(objects):
        if relied_upon(page, descendants=below, live_only=action_type == "unpublish"):
            objects.remove(page)
            messages.error(request, format_html("{}: {}", page.get_admin_display_title(), message))
    if not objects:
        return redirect(action_view.next_url)
    return None
