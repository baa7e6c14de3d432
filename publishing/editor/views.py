"""The page editor's views for governed page types: governance reasons, not "permission denied".

The publish veto raises ``GovernancePublishBlocked`` deep inside Wagtail; these views catch it
where it surfaces and show the reasons with a link to the fix, and the editor footer lists the
findings next to the Publish button when the form refuses to publish.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.admin.modal_workflow import render_modal_workflow
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.revisions import RevisionsRevertView
from wagtail.admin.views.pages.workflow import (
    CollectWorkflowActionDataView,
    WorkflowActionView,
)
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page, TaskState
from wagtail.permission_policies.pages import PagePermissionPolicy

from publishing.editor.removal import ReasonedDeleteView, ReasonedUnpublishView
from publishing.editor.side_panels import GovernanceSidePanelMixin
from publishing.page_locks import wait_for_page
from publishing.workflow.review import ConfirmChecklistOnSubmitMixin, NoEmptyAutosaveMixin
from publishing.workflow.veto import GovernancePublishBlocked

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


class OneAtATimeMixin:
    """Page views whose requests take turns per page, each in one transaction.

    Everything a POST does (form, revision, workflow step, publish, audit entries) commits
    together or not at all, and mails and follow-on steps leave only after the commit. A GET
    takes its turn too and is drawn before it lets go: Wagtail reads the page's workflow at
    several moments while it draws the editor, and a decision committed in between left it
    half before, half after (a server error in its action menu).
    """

    page_id_kwarg = "page_id"
    taking_turns = frozenset({"GET", "POST"})

    def dispatch(self, request, *args, **kwargs):
        if request.method not in self.taking_turns:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            wait_for_page(kwargs[self.page_id_kwarg])
            response = self.read_after_waiting(request, *args, **kwargs)
            if response is None:
                response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                # Drawn while the page is held: once let go, a request that waited may move the
                # workflow on.
                response.render()
            return response

    def read_after_waiting(self, request, *args, **kwargs):
        """Load again what the view read before it waited (the edit view reads in dispatch);
        a response here refuses the request."""
        return None


def last_decision(page):
    """The most recently decided workflow step of ``page``, or ``None``."""
    return (
        TaskState.objects.for_instance(page)
        .exclude(status=TaskState.STATUS_IN_PROGRESS)
        .exclude(finished_at=None)
        .select_related("finished_by", "task")
        .order_by("-finished_at")
        .first()
    )


def refusal_message(page, user):
    """Why a workflow action sent for ``page`` was not taken; nothing was saved."""
    decided = last_decision(page)
    if decided is not None and decided.finished_by_id == user.pk:
        return _(
            "You had already decided the step “%(task)s”; it was not decided again and nothing "
            "was saved."
        ) % {"task": decided.task.name}
    return _(
        "This workflow action cannot be taken on the page now: the step was decided by someone "
        "else, or it is not yours to decide. Nothing was saved."
    )


class TrueWorkflowActionsMixin:
    """The editor's workflow actions: decided once, by someone who may, or not at all.

    - The editor's autosave never takes a workflow action. Wagtail adds the action's hidden
      inputs to the form when its button is clicked, and an autosave that fires just after
      sends them along, as JSON; it is saved as an autosave (which writes nothing unchanged).
    - An action that is no longer available (decided already by this POST's twin, or not the
      sender's to take) is refused with the reason, and does not fall back to saving the form
      in the sender's name.
    - An action the task refuses while it runs (four eyes, missing reasons, blocking findings)
      rolls back the form and revision saved with it.
    """

    def sends_workflow_action(self):
        return bool(self.request.POST.get("action-workflow-action"))

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            # The step moved on to people the sender is not among, and with it her access to
            # the editor: say so rather than "you do not have permission".
            if request.method != "POST" or not self.sends_workflow_action():
                raise
            page = Page.objects.get(pk=kwargs["page_id"])
            messages.error(request, refusal_message(page, request.user))
            return redirect("wagtailadmin_home")

    def post(self, request, *args, **kwargs):
        if self.action_name == "refused_workflow_action":
            # Before the form is read: a refused action saves nothing and reports no lock.
            return self.refuse_workflow_action()
        return super().post(request, *args, **kwargs)

    @cached_property
    def action_name_and_method(self):
        name, method = super().action_name_and_method
        if self.sends_workflow_action() and name in {"save", "cancel_workflow"}:
            if self.expects_json_response:
                return ("save", self.save_action)
            return ("refused_workflow_action", self.refuse_workflow_action)
        if name == "perform_workflow_action" and self.expects_json_response:
            return ("save", self.save_action)
        return name, method

    def refuse_workflow_action(self):
        messages.error(self.request, refusal_message(self.page, self.request.user))
        return redirect("wagtailadmin_pages:edit", self.page.pk)

    def add_save_confirmation_message(self):
        """After a workflow action, say what it did: published, or moved on to the next step
        (Wagtail says "updated" either way)."""
        if self.action_name != "perform_workflow_action":
            return super().add_save_confirmation_message()
        title = self.page.get_admin_display_title()
        page = Page.objects.get(pk=self.page.pk)
        if (
            page.live_revision_id
            and page.live_revision_id != self.real_page_record.live_revision_id
        ):
            message = _("Page '%(page_title)s' has been published.") % {"page_title": title}
        elif (state := page.current_workflow_task_state) is not None and (
            state.pk != getattr(self.page_task_state_before, "pk", None)
        ):
            message = _("“%(page_title)s” moves on to the step “%(task)s”.") % {
                "page_title": title,
                "task": state.task.name,
            }
        else:
            return super().add_save_confirmation_message()
        messages.success(self.request, message)
        return None

    def redirect_away(self):
        """After a step decided in the editor, back to where the person works: the listing of
        the page's section if she may browse it, else her dashboard, which lists what waits for
        her next (a leader approves pages she does not edit, and Wagtail's listing would send
        her to the one part of the site she edits, the intranet)."""
        if self.action_name == "perform_workflow_action" and not self.next_url:
            parent = self.page.get_parent()
            root = PagePermissionPolicy().explorable_root_instance(self.request.user)
            if root is None or not (parent.pk == root.pk or parent.is_descendant_of(root)):
                return redirect("wagtailadmin_home")
        return super().redirect_away()

    def perform_workflow_action(self):
        self.page_task_state_before = self.page.current_workflow_task_state
        try:
            with transaction.atomic():
                return super().perform_workflow_action()
        except PermissionDenied as refused:
            if not str(refused):
                raise
            messages.error(self.request, str(refused))
            return redirect("wagtailadmin_pages:edit", self.page.pk)


class WorkflowReadOnceMixin:
    """While a GET draws the editor, the page's workflow is read once.

    Wagtail asks the edited page for its current workflow state about twenty times while it
    draws the editor of a page with a draft (the action menu's items, the status panel, the
    form), a query each time: the draft is another object than the page it read the states
    with (``prefetch_workflow_states``). A GET
    holds the page's turn until it is drawn (``OneAtATimeMixin``), so nothing moves the workflow
    meanwhile: the states read with the page answer every question. A POST changes the workflow
    as it goes and reads it afresh each time.
    """

    def _with_states_read(self, page):
        if self.request.method == "GET" and hasattr(
            self.real_page_record, "_current_workflow_states"
        ):
            page._current_workflow_states = self.real_page_record._current_workflow_states
        return page

    def get_object(self):
        return self._with_states_read(super().get_object())

    def get_page_for_status(self):
        return self._with_states_read(super().get_page_for_status())


class PageEditView(OneAtATimeMixin, TrueWorkflowActionsMixin, WorkflowReadOnceMixin, EditView):
    """Wagtail's page editor, one request at a time per page, with true workflow actions."""


class PageRevertView(OneAtATimeMixin, TrueWorkflowActionsMixin, RevisionsRevertView):
    """Reverting to an earlier version, one request at a time like the editor."""


class GovernedEditView(
    GovernanceSidePanelMixin,
    NoEmptyAutosaveMixin,
    ConfirmChecklistOnSubmitMixin,
    ExplainBlockedPublishMixin,
    PageEditView,
):
    def perform_workflow_action(self):
        """Follow the notice task's actions."""
        response = super().perform_workflow_action()
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


class GovernedRevertView(ConfirmChecklistOnSubmitMixin, ExplainBlockedPublishMixin, PageRevertView):
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
    """The modal opened from the editor's workflow menu, with the review in it; for a step
    decided since the editor was opened (by a colleague, in another tab), the modal says so
    instead of offering a form that can only be refused."""

    def get(self, request, *args, **kwargs):
        state = self.task_state
        if state.status != TaskState.STATUS_IN_PROGRESS or (
            state.workflow_state.object_id != str(self.object.pk)
        ):
            return render_modal_workflow(
                request,
                "publishing/editor/workflow_step_decided.html",
                None,
                {
                    "message": refusal_message(self.object, request.user),
                    # A leader may edit the page only while it waits for her.
                    "edit_url": reverse("wagtailadmin_pages:edit", args=[self.object.pk])
                    if self.object.permissions_for_user(request.user).can_edit()
                    else None,
                    "home_url": reverse("wagtailadmin_home"),
                },
                json_data={"step": "action"},
            )
        return super().get(request, *args, **kwargs)


class PageWorkflowActionView(OneAtATimeMixin, WorkflowActionView):
    """A workflow action from the dashboard or a modal: taken once, on the step it names."""

    def read_after_waiting(self, request, *args, **kwargs):
        # Wagtail's setup() read the page and the task state before this request waited.
        self.setup(request, *args, **kwargs)
        state = self.task_state
        if request.method == "POST" and (
            state.status != TaskState.STATUS_IN_PROGRESS
            or state.workflow_state.object_id != str(self.object.pk)
        ):
            # Decided already (a double click, a stale dashboard) or another page's step:
            # Wagtail would decide it (again) in this page's name.
            messages.error(request, refusal_message(self.object, request.user))
            return redirect("wagtailadmin_pages:edit", self.object.pk)
        return None


class GovernedWorkflowActionView(ReviewFormMixin, PageWorkflowActionView):
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


class OneAtATimePageViewSet(PageViewSet):
    """The admin views of a page type that is not governed, with the same care for races."""

    edit_view_class = PageEditView
    revisions_revert_view_class = PageRevertView
    workflow_action_view_class = PageWorkflowActionView
    unpublish_view_class = ReasonedUnpublishView
    delete_view_class = ReasonedDeleteView


class GovernedPageViewSet(PageViewSet):
    """The admin views of one governed page type."""

    add_view_class = GovernedCreateView
    edit_view_class = GovernedEditView
    unpublish_view_class = ReasonedUnpublishView
    delete_view_class = ReasonedDeleteView
    revisions_revert_view_class = GovernedRevertView
    workflow_action_view_class = GovernedWorkflowActionView
    collect_workflow_action_data_view_class = GovernedCollectWorkflowActionDataView
