"""A reason when a page citizens may have relied on is unpublished or deleted.

Which pages need one is the rule engine's question (``rules.withdrawal.needs_reason``). Here:

- **Unpublish**: Wagtail's confirmation page gets a required "Why" field
  (``wagtailadmin/pages/confirm_unpublish.html``); ``before_unpublish_page`` refuses a POST
  without a reason and sends the person back to the form, ``after_unpublish_page`` logs it.
- **Delete**: Wagtail's confirmation page has no place for a field, so the reason is asked
  first on a page of its own (``reason_for_deleting``), kept in the session for that page, and
  logged as the page is deleted. That page also offers withdrawing the page instead.
- **Bulk** unpublishing or deleting leaves such pages out, naming them: each is done on its
  own, where the reason can be given.

The reason is written in the page's history (Wagtail's log), in the person's own words.
"""

import contextvars
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import log
from wagtail.models import Page

from publishing import audit
from publishing.models import Municipality
from publishing.rules.withdrawal import needs_reason
from publishing.visible_text import INVISIBLE_ONLY, has_visible_text

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


def _session_key(page_id):
    return f"publishing_reason_for_deleting_{page_id}"


def _record(page, action, reason, user, municipality=None):
    data = {"reason": reason}
    if municipality is not None:
        # A deleted page's entries are shown to its municipality's people only (admin_scope).
        data["municipality"] = municipality.slug
    log(instance=page, action=action, user=user, data=data, content_changed=False)


# --- unpublish ---------------------------------------------------------------------------------


@hooks.register("before_unpublish_page")
def require_reason_to_unpublish(request, page):
    if not needs_reason(page):
        return None
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect(request.get_full_path())
    request.publishing_reason = form.cleaned_data["reason"]
    return None


@hooks.register("after_unpublish_page")
def record_reason_for_unpublishing(request, page):
    reason = getattr(request, "publishing_reason", None)
    if reason:
        _record(page, audit.UNPUBLISHED_BECAUSE, reason, request.user)


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


#: The pages being deleted in this request with their reason: ``{page id: (page, reason,
#: user)}``, logged by ``record_reason_for_deleting`` while the page is still there.
_deleting = contextvars.ContextVar("publishing_deleting", default=None)


@hooks.register("before_delete_page")
def ask_reason_before_deleting(request, page):
    if not needs_reason(page):
        return None
    reason = request.session.get(_session_key(page.pk))
    if not reason:
        url = reverse("publishing:reason_for_deleting", args=[page.pk])
        return redirect(_with_next(url, _next_url(request)))
    if request.method == "POST":
        _deleting.set({**(_deleting.get() or {}), page.pk: (page, reason, request.user)})
    return None


def record_reason_for_deleting(sender, instance, **kwargs):
    """``pre_delete`` of a page: log the reason given for deleting it, in the same transaction
    as the delete (a delete that fails logs nothing) and while the page still exists."""
    pending = _deleting.get()
    if not pending or instance.pk not in pending:
        return
    page, reason, user = pending.pop(instance.pk)
    _record(page, audit.DELETED_BECAUSE, reason, user, Municipality.objects.for_page(page))


pre_delete.connect(record_reason_for_deleting, sender=Page, dispatch_uid="publishing_delete_reason")


@hooks.register("after_delete_page")
def forget_reason_for_deleting(request, page):
    request.session.pop(_session_key(page.pk), None)


def reason_for_deleting(request, page_id):
    """Ask why a page citizens may have relied on is deleted, then go on to Wagtail's
    confirmation. Suggests withdrawing the page instead, which keeps it at its address."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_delete():
        raise PermissionDenied
    next_url = _next_url(request)
    delete_url = _with_next(reverse("wagtailadmin_pages:delete", args=[page.pk]), next_url)
    if not needs_reason(page):
        return redirect(delete_url)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[_session_key(page.pk)] = form.cleaned_data["reason"]
        return redirect(delete_url)
    return TemplateResponse(
        request,
        "publishing/editor/reason_for_deleting.html",
        {
            "page": page,
            "form": form,
            "next": next_url,
            "cancel_url": next_url or reverse("wagtailadmin_explore", args=[page.get_parent().pk]),
            "may_withdraw": page.permissions_for_user(request.user).can_edit()
            and hasattr(page, "withdrawn")
            and not page.withdrawn,
        },
    )


# --- bulk ------------------------------------------------------------------------------------


@hooks.register("before_bulk_action")
def leave_pages_needing_a_reason_out_of_bulk_removal(request, action_type, objects, action_view):
    """Bulk unpublish and delete leave out the pages that need a reason, and say so."""
    if action_type not in ("unpublish", "delete") or action_view.model is not Page:
        return None
    for page in list(objects):
        if not needs_reason(page):
            continue
        objects.remove(page)
        if action_type == "unpublish":
            message = _("Unpublish it on its own, so that you can say why.")
        else:
            message = _("Delete it on its own, so that you can say why.")
        messages.error(request, format_html("{}: {}", page.get_admin_display_title(), message))
    if not objects:
        return redirect(action_view.next_url)
    return None
