"""Custom workflow tasks: automatic checks, the internal-notice gate and leader approval.

Wagtail asks a task model itself for its actions, who may open the editor, its forms and what an
action does. Those decisions belong to the rule engine (``publishing.rules``) and the review
layer (``publishing.workflow.review``), which sit above the models and import them; so the
methods here import them when they run (each such import is marked ``# late``), and decide
nothing themselves.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState

from publishing import audit
from publishing.models.pages import GovernedPage
from publishing.page_locks import wait_for_page


def _latest(page):
    """The page as its latest revision would publish it."""
    return page.specific.get_latest_revision_as_object()


def _report(page, findings, heading=""):
    from publishing.workflow.review import findings_report  # late: see docstring

    return findings_report(page, findings, heading)


class AutomaticChecksTask(Task):
    """Runs every governance check when a page is submitted.

    Blocking findings send the page straight back to its author with a report that says, for
    each, what was found, where and how to fix it (the editor shows it above the form, with what
    is still wrong); warnings go on with the page to the leader, who acknowledges each one.
    Later content checks register rules with the same engine and are run here without changing
    this task.
    """

    def start(self, workflow_state, user=None):
        from publishing.rules import blocking, check_submit  # late: see docstring
        from publishing.workflow.review import sent_back_heading  # late: see docstring

        task_state = super().start(workflow_state, user=user)
        page = _latest(workflow_state.content_object)
        # The person who submitted, not whoever moved the workflow on: after a new version the
        # checks run again when a leader approves, and her lack of a publisher certificate is
        # not the page's fault.
        submitter = workflow_state.requested_by or user
        blocked = blocking(check_submit(page, user=submitter))
        if blocked:
            task_state.reject(update=False, comment=_report(page, blocked, sent_back_heading()))
            audit.record(
                workflow_state.content_object,
                audit.CHECKS_SENT_BACK,
                user=None,
                findings=blocked,
                revision=task_state.revision,
            )
        else:
            task_state.approve(update=False)
        return task_state

    def user_can_access_editor(self, obj, user):
        return False

    def locked_for_user(self, obj, user):
        return False

    def get_actions(self, obj, user):
        return []

    @classmethod
    def get_description(cls):
        return _(
            "Runs every check on submit: personal data, plain language, responsibility, openness "
            "and a trained publisher"
        )

    class Meta:
        verbose_name = _("automatic checks task")
        verbose_name_plural = _("automatic checks tasks")


def notice_findings(page):
    """What still stops ``page`` at the internal-notice gate (see ``rules.governance``)."""
    from publishing.rules.governance import notice_gate_findings  # late: see docstring

    return notice_gate_findings(page)


class InternalNoticeTask(Task):
    """Holds a page that affects staff until its internal notice is live on the intranet.

    Passes by itself when the page does not affect staff or its notice is live; otherwise it
    waits, and moves on by itself the moment the notice is published.
    """

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        if not notice_findings(_latest(workflow_state.content_object)):
            task_state.approve(update=False)
            audit.record(workflow_state.content_object, audit.NOTICE_PASSED, user=None)
        return task_state

    def get_actions(self, obj, user):
        if not obj.permissions_for_user(user).can_edit():
            return []
        page = _latest(obj)
        actions = []
        if page.internal_notice_id is None:
            actions.append(("create_notice", _("Create internal notice"), False))
        actions.append(("recheck", _("Check the notice again"), False))
        return actions

    def why_not(self, obj, user):
        """Why ``user``, one of the leaders who will approve ``obj``, cannot approve it yet: what
        holds it here (the notice findings, each with its fix). Empty for everyone else."""
        from publishing.rules.approval import Obstacle, approver_ids  # late: see docstring

        page = _latest(obj)
        if user.pk not in approver_ids(page):
            return []
        return [Obstacle.of(finding) for finding in notice_findings(page)]

    def on_action(self, task_state, user, action_name, **kwargs):
        page = task_state.workflow_state.content_object
        if action_name == "create_notice":
            return reverse("publishing:create_notice", args=[page.pk])
        if action_name == "recheck":
            if notice_findings(_latest(page)):
                return reverse("wagtailadmin_pages:edit", args=[page.pk])
            self.pass_gate(task_state)
            return None
        return super().on_action(task_state, user, action_name, **kwargs)

    @transaction.atomic
    def pass_gate(self, task_state, user=None):
        """Approve the gate (once) and let the workflow move on to the leader."""
        wait_for_page(task_state.workflow_state.object_id)
        locked = TaskState.objects.select_for_update().get(pk=task_state.pk)
        if locked.status != TaskState.STATUS_IN_PROGRESS:
            return False
        locked.specific.approve(user=user)
        audit.record(locked.workflow_state.content_object, audit.NOTICE_PASSED, user=user)
        return True

    def user_can_access_editor(self, obj, user):
        # The leaders who will approve the page can follow it while it waits for the notice.
        from publishing.rules.approval import approver_ids  # late: see docstring

        return user.pk in approver_ids(_latest(obj))

    def locked_for_user(self, obj, user):
        # Authors must be able to link the notice while the page waits.
        return False

    @classmethod
    def get_description(cls):
        return _("Waits until the internal notice to staff is live (internal before external)")

    class Meta:
        verbose_name = _("internal notice task")
        verbose_name_plural = _("internal notice tasks")


def release_pages_held_by(notice_id):
    """Pass the notice gate of every page waiting for the notice ``notice_id``, if it is live
    now; the number of pages released."""
    waiting = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        task__in=InternalNoticeTask.objects.values("pk"),
    ).select_related("workflow_state")
    released = 0
    for state in waiting:
        page = _latest(state.workflow_state.content_object)
        if getattr(page, "internal_notice_id", None) != notice_id or notice_findings(page):
            continue
        released += bool(state.task.specific.pass_gate(state))
    return released


class LeaderApprovalTask(Task):
    """Approval by the leader who owns the service: the responsible leader, an active deputy or
    a leader above them in the line, never someone who edited the page (four eyes)."""

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        if not isinstance(workflow_state.content_object.specific, GovernedPage):
            # Pages without a line owner (home page, indexes) have no leader to approve them;
            # the editorial review that follows decides.
            task_state.approve(update=False)
        return task_state

    def _since(self, page):
        live = page.live_revision
        return live.created_at if live else None

    def approval(self, obj, user):
        from publishing.rules.approval import can_approve  # late: see docstring

        page = _latest(obj)
        return can_approve(user, page, since=self._since(obj))

    def user_can_access_editor(self, obj, user):
        from publishing.rules.approval import approver_ids  # late: see docstring

        return user.pk in approver_ids(_latest(obj))

    def locked_for_user(self, obj, user):
        from publishing.rules.approval import approver_ids  # late: see docstring

        return not user.is_superuser and user.pk not in approver_ids(_latest(obj))

    def _blocking(self, obj):
        """The findings that stop ``obj``'s latest draft from being approved."""
        from publishing.rules import PUBLISH, RuleContext, blocking, evaluate  # late: see docstring

        return blocking(evaluate(RuleContext(page=_latest(obj), purpose=PUBLISH)))

    def get_actions(self, obj, user):
        if not self.approval(obj, user).allowed:
            return []
        actions = [("reject", _("Request changes"), True)]
        if not self._blocking(obj):
            # Wagtail adds "and Publish" when this is the last task of the workflow.
            actions.append(("approve", _("Approve"), True))
        return actions

    def why_not(self, obj, user):
        """Why ``user`` cannot approve ``obj`` here, in the rule engine's words: the line
        approval's refusal (four eyes, not in the page's line) and each finding that blocks
        the draft, with its fix. Empty when ``get_actions`` offers the approval."""
        from publishing.rules.approval import Obstacle  # late: see docstring

        approval = self.approval(obj, user)
        obstacles = [] if approval.allowed else [Obstacle(approval.reason)]
        return obstacles + [Obstacle.of(finding) for finding in self._blocking(obj)]

    def get_template_for_action(self, action):
        return "publishing/workflow/leader_action_modal.html"

    def get_form_for_action(self, action):
        """The modal's form without the page (Wagtail's own views): reasons are taken as sent
        and checked against the page in ``on_action``."""
        # late: see docstring
        from publishing.workflow.review import LeaderApprovalForm, LeaderDecisionForm

        return LeaderApprovalForm if action == "approve" else LeaderDecisionForm

    def get_form_for_object(self, action, obj):
        """The modal's form for ``obj``: its warnings, each with a reason field, and its
        checklist confirmation. Used by the page editor's workflow views."""
        from publishing.workflow.review import LeaderReview  # late: see docstring

        return functools.partial(self.get_form_for_action(action), review=LeaderReview.of(obj))

    def get_task_states_user_can_moderate(self, user, **kwargs):
        # In bulk: asking approver_ids page by page cost ~20 queries per waiting page.
        from publishing.rules.approval import approvable_task_states  # late: see docstring

        candidates = TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS, task=self.task_ptr
        )
        wanted = [waiting.task_state_id for waiting in approvable_task_states(user, candidates)]
        return TaskState.objects.filter(pk__in=wanted)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        # Lock the task state so that two leaders approving at once give one approval.
        locked = TaskState.objects.select_for_update().get(pk=task_state.pk)
        if locked.status != TaskState.STATUS_IN_PROGRESS:
            raise PermissionDenied(_("This task has already been decided."))
        page = task_state.workflow_state.content_object
        approval = self.approval(page, user)
        if not approval.allowed:
            raise PermissionDenied(approval.reason)
        # The modal's extras: the reasons for each warning and the revision the leader saw.
        acknowledgements = kwargs.pop("acknowledgements", None)
        revision_id = kwargs.pop("revision", None)
        if action_name == "approve":
            # late: see docstring
            from publishing.workflow.review import LeaderReview, acknowledge_warnings

            review = LeaderReview.of(page)
            if review.blocking:
                raise PermissionDenied(_report(review.draft, review.blocking))
            # Every approve path (modal, editor, a bare POST) ends here: no reason, no approval.
            acknowledge_warnings(review, user, acknowledgements, revision_id)
            audit.record(page, audit.LEADER_APPROVED, user=user, data={"as": approval.capacity})
        return super().on_action(locked.specific, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("The responsible leader, a deputy or a leader above in the line approves")

    class Meta:
        verbose_name = _("leader approval task")
        verbose_name_plural = _("leader approval tasks")
