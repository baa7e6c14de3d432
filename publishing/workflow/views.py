"""Admin views: create the internal notice for a page, the crisis fast track, and what a page's
latest version changes against its live version."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from publishing import audit
from publishing.conf import page_model
from publishing.models import FastTrackReview, GovernedPage, Municipality
from publishing.notifications.mail import notify_fast_track
from publishing.page_locks import wait_for_page
from publishing.rules import FAST_TRACK, RuleContext, publish_route
from publishing.rules.approval import (
    may_decide_now,
    may_fast_track,
    may_review_fast_track,
    may_see_changes,
)
from publishing.rules.governance import notice_standing
from publishing.visible_text import (
    INVISIBLE_ONLY,
    has_visible_text,
    require_visible,
    visible_or_empty,
)
from publishing.workflow.veto import GovernancePublishBlocked


def _governed_page(page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, GovernedPage):
        raise PermissionDenied
    return page


class NoticeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title of the notice"), max_length=255)
    intro = forms.CharField(
        label=gettext_lazy("What staff need to know"), widget=forms.Textarea, required=False
    )


def create_notice(request, page_id):
    """Create a draft internal notice on the intranet, prefilled from the page, and link it."""
    page = _governed_page(page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    municipality = Municipality.objects.for_page(page)
    if municipality is None or municipality.intranet_page is None:
        messages.error(request, _("This site has no intranet to put the notice on."))
        return redirect("wagtailadmin_pages:edit", page.pk)
    intranet = municipality.intranet_page
    if not intranet.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    lock = page.get_lock()
    if lock is not None and lock.for_user(request.user):
        messages.error(request, _("The page is locked; it cannot be changed now."))
        return redirect("wagtailadmin_pages:edit", page.pk)
    draft = page.get_latest_revision_as_object()
    if draft.internal_notice_id:
        messages.info(request, _("The page already has an internal notice."))
        return redirect("wagtailadmin_pages:edit", draft.internal_notice_id)
    if not (draft.owning_unit_id and draft.responsible_leader_id):
        messages.error(
            request,
            _("Choose the owning unit and the responsible leader first; the notice needs them."),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            notice = _create_linked_notice(request.user, page, intranet, municipality, form)
            if notice is None:  # a twin of this POST (a double click) linked one first
                messages.info(request, _("The page already has an internal notice."))
                return redirect("wagtailadmin_pages:edit", page.pk)
            messages.success(
                request,
                _(
                    "The internal notice was created and linked. Publish it to tell staff; "
                    "the page then moves on to its leader."
                ),
            )
            return redirect("wagtailadmin_pages:edit", notice.pk)
    else:
        with_lang = municipality.language

        with translation.override(with_lang):
            title = _("To staff: %(title)s") % {"title": draft.title}
        form = NoticeForm(initial={"title": title[:255], "intro": getattr(draft, "intro", "")})
    return TemplateResponse(
        request,
        "publishing/create_notice.html",
        {"page": page, "form": form, "intranet": intranet},
    )


@transaction.atomic
def _create_linked_notice(user, page, intranet, municipality, form):
    """Create the notice and link it from the page's latest version; ``None`` if the page got a
    notice meanwhile. The page is held while this runs, so its latest version is current."""
    wait_for_page(page.pk)
    draft = Page.objects.get(pk=page.pk).specific.get_latest_revision_as_object()
    if draft.internal_notice_id:
        return None
    model = page_model("INTERNAL_NOTICE_MODEL")
    notice = model(
        title=form.cleaned_data["title"],
        intro=form.cleaned_data["intro"],
        owning_unit=draft.owning_unit,
        responsible_leader=draft.responsible_leader,
        live=False,
    )
    notice.audiences.set(municipality.audiences.filter(is_internal=True))
    notice.about_pages.set([Page.objects.get(pk=page.pk)])  # created for it: linked both ways
    intranet.add_child(instance=notice)
    notice.save_revision(user=user)
    draft.affects_staff = True
    draft.internal_notice = notice
    draft.save_revision(user=user)
    return notice


class FastTrackForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why this cannot wait for the normal workflow"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if not has_visible_text(reason):
            raise forms.ValidationError(INVISIBLE_ONLY, code="invisible")
        return visible_or_empty(reason)


def fast_track(request, page_id):
    """Crisis fast track: publish the internal notice, then the page, in one transaction."""
    page = _governed_page(page_id)
    if not may_fast_track(request.user, page):
        raise PermissionDenied
    draft = page.get_latest_revision_as_object()
    standing = notice_standing(RuleContext(page=draft))
    notice = standing.notice.specific if standing.notice is not None else None
    if not standing.on_own_intranet:
        messages.error(
            request,
            _("The linked notice is not an internal notice on this municipality's intranet."),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    if request.method == "POST":
        form = FastTrackForm(request.POST)
        if form.is_valid():
            try:
                review = fast_track_publish(page, notice, request.user, form.cleaned_data["reason"])
            except GovernancePublishBlocked as blocked:
                for finding in blocked.findings:
                    messages.error(request, f"{finding.message} {finding.fix}")
                return redirect("wagtailadmin_pages:edit", page.pk)
            if review is None:  # a twin of this POST (a double click) published it first
                messages.info(request, _("The latest version of the page is live already."))
                return redirect("wagtailadmin_pages:edit", page.pk)
            messages.success(
                request,
                _("Published by crisis fast track. The leader will review it afterwards."),
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    else:
        form = FastTrackForm()
    return TemplateResponse(
        request, "publishing/fast_track.html", {"page": page, "notice": notice, "form": form}
    )


def fast_track_publish(page, notice, user, reason):
    """Publish ``notice`` (if any) and then ``page``; all or nothing, logged, flagged for review.

    ``None`` when the page's latest version is live already: the same fast track sent twice
    publishes once.
    """
    require_visible(reason)  # checked before anything is published
    with transaction.atomic(), publish_route(FAST_TRACK):
        wait_for_page(page.pk)
        page = Page.objects.get(pk=page.pk).specific
        if page.live and not page.has_unpublished_changes:
            return None
        if notice is not None and (not notice.live or notice.has_unpublished_changes):
            notice.get_latest_revision().publish(user=user, skip_permission_checks=True)
        page.get_latest_revision().publish(user=user, skip_permission_checks=True)
        review = FastTrackReview.objects.create(
            page=page, notice=notice, published_by=user, reason=reason
        )
        audit.record(page, audit.FAST_TRACK, user=user, data={"review": review.pk})
        if notice is not None:
            audit.record(notice, audit.FAST_TRACK, user=user, data={"review": review.pk})
        transaction.on_commit(lambda: notify_fast_track(page, review))
    return review


def review_fast_track(request, review_id):
    """The responsible leader (or a deputy or a leader above) confirms a fast-tracked page."""
    review = get_object_or_404(FastTrackReview, pk=review_id)
    page = review.page.specific
    allowed = may_review_fast_track(request.user, review)
    if not allowed.allowed:
        if not allowed.reason:
            raise PermissionDenied
        messages.error(request, allowed.reason)
        return redirect("wagtailadmin_home")
    if request.method != "POST":
        return TemplateResponse(
            request, "publishing/fast_track_review.html", {"review": review, "page": page}
        )
    # Conditional update: of two leaders confirming at once, one records the review.
    if FastTrackReview.objects.filter(pk=review.pk, reviewed_at__isnull=True).update(
        reviewed_by=request.user, reviewed_at=timezone.now()
    ):
        audit.record(page, audit.REVIEW_DONE, user=request.user, data={"review": review.pk})
        messages.success(request, _("Thank you: the fast-tracked page is marked as reviewed."))
    return redirect("wagtailadmin_home")


def changes(request, page_id):
    """What ``page``'s latest version changes against the live version, on a page of its own:
    the approval mail links here, and it reads on a phone. Deciding stays in the editor."""
    page = _governed_page(page_id)
    if not may_see_changes(request.user, page):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "publishing/workflow/changes.html",
        {
            "page": page,
            "task_state": page.current_workflow_task_state,
            "may_decide": may_decide_now(request.user, page),
        },
    )
