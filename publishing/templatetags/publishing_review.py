"""Template tags for the page editor: why a page was sent back, what was confirmed, and why the
signed-in user cannot approve it."""

from django import template
from wagtail.models import TaskState

from publishing.models import InternalNoticeTask
from publishing.models.review import WarningAcknowledgement
from publishing.rules.approval import may_decide_now
from publishing.workflow.review import SentBack, checklist_confirmation

register = template.Library()


@register.inclusion_tag("publishing/workflow/_editor_review.html", takes_context=True)
def workflow_review(context, page):
    """Above the editor's form: the report of a rejection the page waits on, the checklist
    confirmation and acknowledged warnings of its latest version, and, while it waits in a
    workflow, what that version changes against the live one (open for whoever decides)."""
    if not page.pk:
        return {}
    revision = page.get_latest_revision()
    acknowledgements = (
        list(WarningAcknowledgement.objects.filter(revision=revision).select_related("user"))
        if revision is not None
        else []
    )
    in_workflow = page.current_workflow_state is not None
    # The confirmation is shown only beside a workflow or acknowledged warnings.
    confirmation = (
        checklist_confirmation(page, revision) if (in_workflow or acknowledgements) else None
    )
    request = context.get("request")
    return {
        "page": page,
        "request": request,
        "in_workflow": in_workflow,
        "may_decide": bool(request and in_workflow and may_decide_now(request.user, page)),
        "sent_back": SentBack.of(page),
        "revision": revision,
        "confirmation": confirmation,
        "acknowledgements": acknowledgements,
    }


@register.inclusion_tag("publishing/pages/_approval_obstacles.html", takes_context=True)
def approval_obstacles(context, page):
    """Next to the editor's actions: why the signed-in user cannot approve ``page`` at the
    workflow step it waits in, as that step's task decides it (``why_not``): four eyes, not in
    the page's line, a blocking finding with its fix, the internal notice not live yet."""

    request = context.get("request")
    task_state = page.current_workflow_task_state if page.pk else None
    if request is None or task_state is None or task_state.status != TaskState.STATUS_IN_PROGRESS:
        return {}
    task = task_state.task.specific
    why_not = getattr(task, "why_not", None)
    if why_not is None:
        return {}
    return {
        "obstacles": why_not(page, request.user),
        "not_yet": isinstance(task, InternalNoticeTask),
    }
