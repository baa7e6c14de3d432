"""Each municipality's default workflows, created when its profile is loaded."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from publishing.models.workflow import AutomaticChecksTask, InternalNoticeTask, LeaderApprovalTask


def _task(model, name, **fields):
    task = model.objects.create(name=name, **fields)
    return task


@transaction.atomic
def ensure_default_workflows(municipality, report=None, *, assign=True):
    """Create the municipality's external and intranet workflows if it has none yet.

    External: automatic checks, internal notice, leader approval, editorial review by the
    communications group, on the public tree. Intranet: automatic checks and leader approval.
    Existing workflows are left as administrators may have changed them.

    A new workflow is assigned to the home page (the intranet's to the intranet page) unless
    ``assign`` is false: a site adopted by ``load_profile --site`` keeps the workflows it has, and
    the loader assigns the new ones itself where that changes none of them.
    """

    home = municipality.site.root_page
    prefix = municipality.name.split()[0]
    # Names are the municipality's, in its language; the report speaks to whoever loads it.
    operator = translation.get_language()
    with translation.override(municipality.language):
        if municipality.external_workflow_id is None:
            workflow = Workflow.objects.create(name=f"{prefix}: " + _("external publishing"))
            tasks = [
                _task(AutomaticChecksTask, f"{prefix}: " + _("Automatic checks")),
                _task(InternalNoticeTask, f"{prefix}: " + _("Internal notice to staff")),
                _task(LeaderApprovalTask, f"{prefix}: " + _("Approval by the responsible leader")),
            ]
            review = GroupApprovalTask.objects.create(name=f"{prefix}: " + _("Editorial review"))
            review.groups.set([municipality.communications_group])
            tasks.append(review)
            for order, task in enumerate(tasks):
                WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
            if assign:
                WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
            municipality.external_workflow = workflow
            if report:
                with translation.override(operator):
                    report.note(_("workflow %(name)s") % {"name": workflow.name})
        if municipality.intranet_workflow_id is None and municipality.intranet_page_id:
            workflow = Workflow.objects.create(name=f"{prefix}: " + _("intranet publishing"))
            tasks = [
                _task(
                    AutomaticChecksTask,
                    f"{prefix}: " + _("Automatic checks") + " (" + _("intranet") + ")",
                ),
                _task(
                    LeaderApprovalTask,
                    f"{prefix}: "
                    + _("Approval by the responsible leader")
                    + " ("
                    + _("intranet")
                    + ")",
                ),
            ]
            for order, task in enumerate(tasks):
                WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
            if assign:
                WorkflowPage.objects.update_or_create(
                    page=municipality.intranet_page, defaults={"workflow": workflow}
                )
            municipality.intranet_workflow = workflow
            if report:
                with translation.override(operator):
                    report.note(_("workflow %(name)s") % {"name": workflow.name})
    municipality.save(update_fields=["external_workflow", "intranet_workflow"])
