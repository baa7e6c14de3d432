"""Template tags for the admin: the governance summary approvers decide on."""

from django import template
from wagtail.models import Page

from publishing.editor.side_panels import notice_facts
from publishing.models import FastTrackReview, GovernedPage, InternalNoticeTask, Municipality
from publishing.rules import PUBLISH, RuleContext, evaluate
from publishing.rules.approval import approvers, may_review_fast_track
from publishing.rules.governance import notice_standing
from publishing.workflow.changes import changes_against_live as live_changes
from publishing.workflow.review import submission_note

register = template.Library()


@register.inclusion_tag("publishing/includes/governance_summary.html")
def governance_summary(page):
    """Audiences, sensitivity, notice status, findings and approvers of ``page``'s latest draft."""
    draft = page.specific.get_latest_revision_as_object()
    municipality = Municipality.objects.for_page(page)
    notice = draft.internal_notice.specific if getattr(draft, "internal_notice_id", None) else None
    context = RuleContext(page=draft, purpose=PUBLISH)
    return {
        "draft": draft,
        "audiences": list(draft.audiences.all()) if hasattr(draft, "audiences") else [],
        "sensitivity": (
            draft.sensitivity_label(municipality) if isinstance(draft, GovernedPage) else None
        ),
        "notice": notice,
        "findings": evaluate(context),
        "notice_facts": notice_facts(notice_standing(context))
        if getattr(draft, "affects_staff", False)
        else [],
        "approvers": list(approvers(draft)) if hasattr(draft, "owning_unit_id") else [],
    }


@register.inclusion_tag("publishing/includes/workflow_hold.html")
def workflow_hold(page):
    """A banner when ``page`` is held in the workflow until its internal notice is live."""

    task_state = page.current_workflow_task_state if page.pk else None
    if task_state is None or task_state.task.specific_class is not InternalNoticeTask:
        return {"held": False}
    draft = page.specific.get_latest_revision_as_object()
    notice = draft.internal_notice.specific if draft.internal_notice_id else None
    return {"held": True, "page": page, "notice": notice, "task": task_state.task}


@register.inclusion_tag("publishing/includes/fast_track_review.html", takes_context=True)
def fast_track_review(context, page):
    """A banner on a page published by the crisis fast track until its leader has reviewed it."""

    review = (
        FastTrackReview.objects.filter(page_id=page.pk, reviewed_at__isnull=True)
        .select_related("published_by")
        .first()
        if page.pk
        else None
    )
    if review is None:
        return {"review": None}
    may_review = may_review_fast_track(context["request"].user, review).allowed
    return {"review": review, "may_review": may_review, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("publishing/workflow/_changes.html", takes_context=True)
def changes_against_live(context, page, id_suffix="", titled=True):
    """What the latest version of ``page`` changes against its live version, field by field,
    governance fields first, under the submitter's note to the approvers: for whoever decides
    on it. Nothing for other objects (a snippet
    in a workflow, a page type without governance)."""
    if not isinstance(page, Page) or not isinstance(page.specific, GovernedPage):
        return {}
    return {
        "changes": live_changes(page, request=context.get("request")),
        "note": submission_note(page),
        "id_suffix": id_suffix,
        "titled": titled,
    }
