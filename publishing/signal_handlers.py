"""Signal receivers, connected in ``PublishingConfig.ready``."""

from django.core.signals import request_finished
from django.db.models.signals import pre_delete, pre_save
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


def keep_intranet_private(sender, instance, **kwargs):
    """The intranet root's staff restriction may be changed only to another group restriction.

    Wagtail lets anyone with publish permission change page privacy; removing it from the
    intranet would make every staff page public at once.
    """
    from django.core.exceptions import PermissionDenied
    from wagtail.models import PageViewRestriction

    from .models import Municipality

    if not Municipality.objects.filter(intranet_page_id=instance.page_id).exists():
        return
    deleting = kwargs.get("signal") is pre_delete
    if instance.restriction_type == PageViewRestriction.GROUPS and (
        deleting or instance.pk is None
    ):
        if deleting:
            raise PermissionDenied(_intranet_message())
        return
    if not deleting and instance.restriction_type != PageViewRestriction.GROUPS:
        raise PermissionDenied(_intranet_message())


def _intranet_message():
    from django.utils.translation import gettext as _

    return _("The intranet stays restricted to staff; its privacy cannot be removed.")


def connect():
    from wagtail.models import PageViewRestriction

    pre_save.connect(
        keep_intranet_private,
        sender=PageViewRestriction,
        dispatch_uid="publishing_intranet_private_save",
    )
    pre_delete.connect(
        keep_intranet_private,
        sender=PageViewRestriction,
        dispatch_uid="publishing_intranet_private_delete",
    )
    page_published.connect(release_pages_waiting_for_notice, dispatch_uid="publishing_notice_live")
    request_finished.connect(audit.flush_pending, dispatch_uid="publishing_flush_audit")
    # E-mail: the leader when a page reaches approval, the author when changes are requested,
    # staff when an internal notice goes live (in place of Wagtail's own workflow mails).
    from . import notifications

    notifications.connect()
