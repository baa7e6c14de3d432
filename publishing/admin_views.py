"""The page editor's views for governed page types: governance reasons, not "permission denied".

The publish veto raises ``GovernancePublishBlocked`` deep inside Wagtail; these views catch it
where it surfaces and show the reasons with a link to the fix, and the editor footer lists the
findings next to the Publish button when the form refuses to publish.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.revisions import RevisionsRevertView
from wagtail.admin.views.pages.workflow import (
    CollectWorkflowActionDataView,
    WorkflowActionView,
)
from wagtail.admin.viewsets.pages import PageViewSet

from .review import ConfirmChecklistOnSubmitMixin, NoEmptyAutosaveMixin
from .side_panels import GovernanceSidePanelMixin
from .veto import GovernancePublishBlocked

FOOTER_TEMPLATES = {
    "edit": "publishing/pages/edit.html",
    "create": "publishing/pages/create.html",
}


def finding_html(finding):
    """A finding as HTML with its fix and, where there is one, a link to it."""
    if finding.url:
        return format_html(
            '{} {} <a href="{}">{}</a>', finding.message, finding.fix, finding.url, _("Fix it")
        )
    return format_html("{} {}", finding.message, finding.fix)


class ExplainBlockedPublishMixin:
    """Turns a vetoed publish into the reasons and a way back to the page, not an error page.

    In the create view the veto has already taken the new page off the public site, so it
    stays as a draft to fix.
    """

    def publish_action(self):
        try:
            return super().publish_action()
        except GovernancePublishBlocked as blocked:
            for finding in blocked.findings:
                messages.error(self.request, finding_html(finding))
            return redirect("wagtailadmin_pages:edit", self.page.pk)


class GovernedEditView(
    GovernanceSidePanelMixin,
    NoEmptyAutosaveMixin,
    ConfirmChecklistOnSubmitMixin,
    ExplainBlockedPublishMixin,
    EditView,
):
    def perform_workflow_action(self):
        """Follow the notice task's actions, and explain a refused approval."""
        try:
            response = super().perform_workflow_action()
        except PermissionDenied as refused:
            if not str(refused):
                raise
            messages.error(self.request, str(refused))
            return redirect("wagtailadmin_pages:edit", self.page.pk)
        if self.workflow_action == "create_notice":
            return redirect("publishing:create_notice", self.page.pk)
        if self.workflow_action == "recheck":
            state = self.page.current_workflow_task_state
            if (
                state is not None
                and state.status == state.STATUS_IN_PROGRESS
                and (state.task.specific_class.__name__ == "InternalNoticeTask")
            ):
                messages.warning(
                    self.request,
                    _("The internal notice is not live yet; the page keeps waiting for it."),
                )
        return response

    def get_template_names(self):
        names = super().get_template_names()
        return [FOOTER_TEMPLATES["edit"]] if names == ["wagtailadmin/pages/edit.html"] else names


class GovernedRevertView(
    ConfirmChecklistOnSubmitMixin, ExplainBlockedPublishMixin, RevisionsRevertView
):
    """Reverting to an earlier version may submit it; the checklist is stored as on edit."""


class GovernedCreateView(
    GovernanceSidePanelMixin, ConfirmChecklistOnSubmitMixin, ExplainBlockedPublishMixin, CreateView
):
    template_name = FOOTER_TEMPLATES["create"]


class ReviewFormMixin:
    """Workflow modals whose form knows the page: the leader's warnings with a reason field
    each, and the checklist the publisher confirmed (``LeaderApprovalTask.get_form_for_object``).
    """

    def get_form_class(self):
        for_object = getattr(self.task, "get_form_for_object", None)
        if for_object is not None:
            return for_object(self.action_name, self.object)
        return super().get_form_class()


class GovernedCollectWorkflowActionDataView(ReviewFormMixin, CollectWorkflowActionDataView):
    """The modal opened from the editor's workflow menu, with the review in it."""


class GovernedWorkflowActionView(ReviewFormMixin, WorkflowActionView):
    """Shows why an approval was refused instead of Wagtail's generic permission message."""

    def post(self, request, *args, **kwargs):
        is_modal = request.headers.get("x-requested-with") == "XMLHttpRequest"
        if self.form_class and not is_modal:
            # Wagtail would quietly redirect on an invalid form posted outside the modal.
            form = self.form_class(request.POST)
            if not form.is_valid():
                errors = form.non_field_errors() or [
                    error for field_errors in form.errors.values() for error in field_errors
                ]
                for error in errors:
                    messages.error(request, error)
                return redirect("wagtailadmin_pages:edit", self.object.pk)
        try:
            return super().post(request, *args, **kwargs)
        except PermissionDenied as refused:
            if not str(refused):
                raise
            messages.error(request, str(refused))
            return redirect("wagtailadmin_pages:edit", self.object.pk)


class GovernedPageViewSet(PageViewSet):
    """The admin views of one governed page type."""

    add_view_class = GovernedCreateView
    edit_view_class = GovernedEditView
    revisions_revert_view_class = GovernedRevertView
    workflow_action_view_class = GovernedWorkflowActionView
    collect_workflow_action_data_view_class = GovernedCollectWorkflowActionDataView
