"""Signal receivers, connected in ``PublishingConfig.ready``."""

from django.core.signals import request_finished
from wagtail.models import TaskState
from wagtail.signals import page_published

from . import audit


def release_pages_waiting_for_notice(sender, instance, **kwargs):
    """When an internal notice goes live, pages held for it move on to their leader."""
    from .models import BaseInternalNoticePage, InternalNoticeTask

    if not isinstance(instance, BaseInternalNoticePage):
        return
    waiting = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        task__in=InternalNoticeTask.objects.values("pk"),
    ).select_related("workflow_state")
    for state in waiting:
        page = state.workflow_state.content_object.specific.get_latest_revision_as_object()
        if getattr(page, "internal_notice_id", None) != instance.pk:
            continue
        task = state.task.specific
        from .models.workflow import notice_findings

        if not notice_findings(page):
            task.pass_gate(state)


def connect():
    page_published.connect(release_pages_waiting_for_notice, dispatch_uid="publishing_notice_live")
    request_finished.connect(audit.flush_pending, dispatch_uid="publishing_flush_audit")
