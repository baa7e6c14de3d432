"""Template tags for the page editor: why a page was sent back, and what was confirmed."""

from django import template

from ..models.review import WarningAcknowledgement
from ..review import SentBack, checklist_confirmation

register = template.Library()


@register.inclusion_tag("publishing/workflow/_editor_review.html")
def workflow_review(page):
    """Above the editor's form: the report of a rejection the page waits on, and the checklist
    confirmation and acknowledged warnings of its latest version."""
    if not page.pk:
        return {}
    revision = page.get_latest_revision()
    acknowledgements = (
        list(WarningAcknowledgement.objects.filter(revision=revision).select_related("user"))
        if revision is not None
        else []
    )
    confirmation = checklist_confirmation(page, revision)
    in_workflow = page.current_workflow_state is not None
    return {
        "page": page,
        "sent_back": SentBack.of(page),
        "revision": revision,
        "confirmation": confirmation if (in_workflow or acknowledgements) else None,
        "acknowledgements": acknowledgements,
    }
