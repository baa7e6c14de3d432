"""What people confirm on the way to publishing, and the reports they read there.

- The automatic checks' report: each blocking finding with what, where and how to fix, as the
  comment that sends a page back to its author (``findings_report``, ``SentBack``).
- The leader's review: every ``warn`` finding of the revision under review, each of which the
  leader acknowledges with a written reason before approving (``LeaderReview``,
  ``acknowledge_warnings``, ``LeaderApprovalForm``).
- The "vær varsom" checklist the publisher confirms on submit (``confirm_checklist``,
  ``ConfirmChecklistOnSubmitMixin``); the form field itself lives on ``GovernedPageForm``.

Acknowledgements and confirmations are stored with the revision and written to the audit log
with rule codes and the leader's own words, never the page's text.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.forms import TaskStateCommentForm
from wagtail.models import TaskState, WorkflowState

from publishing import audit
from publishing.models.pages import changes_what_citizens_read
from publishing.models.review import (
    ChecklistConfirmation,
    SubmissionNote,
    WarningAcknowledgement,
)
from publishing.rules import PUBLISH, Finding, RuleContext, blocking, check_submit, evaluate, keyed
from publishing.rules.categories import kind_label
from publishing.visible_text import (
    INVISIBLE_ONLY,
    has_visible_text,
    invisible_only,
    visible_or_empty,
)
from publishing.wording import field_label, quoted

#: Longest reason a leader may write for one warning.
MAX_REASON = 2000


# --- the report -------------------------------------------------------------------------------


def where(page, finding):
    """Where on the page ``finding`` is, when its message does not say so already.

    Text findings name their place in the message ("A phone number in Intro"); governance
    findings name a field, shown here by its label.
    """
    label = field_label(page, finding.field)
    return "" if label.lower() in finding.message.lower() else label


def findings_report(page, findings, heading=""):
    """Plain text that lists each finding: what was found, where, and how to fix it.

    Used as the comment of a rejection (Wagtail shows it in the workflow history and the e-mail
    to the author) and as the message of a refused approval.
    """
    lines = [heading] if heading else []
    for number, finding in enumerate(findings, 1):
        lines.append(f"{number}. {finding.message}")
        place = where(page, finding)
        if place:
            lines.append("   " + _("Where: %(place)s") % {"place": place})
        if finding.fix:
            lines.append("   " + _("How to fix: %(fix)s") % {"fix": finding.fix})
    return "\n".join(lines)


def sent_back_heading():
    return _("The automatic checks sent the page back. Fix the following, then submit it again:")


@dataclass
class ReportLine:
    """One finding as the editor shows it."""

    finding: Finding
    where: str


@dataclass
class SentBack:
    """A page whose workflow waits for changes: who asked for them, why, and what is still wrong.

    ``automatic`` is true when the automatic checks sent it back; ``remaining`` then lists what
    still blocks the latest draft (checked again now, so fixed findings drop off).
    """

    task_state: object
    automatic: bool
    remaining: list

    @property
    def comment(self):
        return self.task_state.get_comment()

    @classmethod
    def of(cls, page):
        """The rejection ``page`` waits on, or ``None`` if it is not waiting for changes."""

        workflow_state = page.current_workflow_state if page.pk else None
        if workflow_state is None or workflow_state.status != WorkflowState.STATUS_NEEDS_CHANGES:
            return None
        task_state = workflow_state.current_task_state
        if task_state is None or task_state.status != TaskState.STATUS_REJECTED:
            return None
        automatic = task_state.task.specific_class.__name__ == "AutomaticChecksTask"
        remaining = []
        if automatic:
            draft = page.specific.get_latest_revision_as_object()
            findings = blocking(check_submit(draft, user=workflow_state.requested_by))
            remaining = [ReportLine(finding, where(draft, finding)) for finding in findings]
        return cls(task_state=task_state, automatic=automatic, remaining=remaining)


# --- the leader's review ----------------------------------------------------------------------


@dataclass
class WarningRow:
    """One warning of the revision under review, with its acknowledgement if there is one."""

    key: str
    finding: Finding
    where: str
    acknowledgement: WarningAcknowledgement | None = None

    @property
    def kind(self):
        """What kind of warning it is, in words ("Personal data", "Plain language")."""
        return kind_label(self.finding.code)


@dataclass
class LeaderReview:
    """What a leader decides on: the revision under review (``draft`` is its page), its
    warnings, what still blocks it, and the checklist its submitter confirmed."""

    page: object
    revision: object
    draft: object
    warnings: list
    blocking: list
    confirmation: ChecklistConfirmation | None

    @classmethod
    def of(cls, page):
        page = page.specific
        revision = page.get_latest_revision()
        draft = revision.as_object() if revision else page
        every = evaluate(RuleContext(page=draft, purpose=PUBLISH))
        findings = [f for f in every if not f.blocks]
        stored = {}
        if revision is not None:
            stored = {
                ack.finding_key: ack
                for ack in WarningAcknowledgement.objects.filter(revision=revision).select_related(
                    "user"
                )
            }
        rows = [
            WarningRow(key, finding, where(draft, finding), stored.get(key))
            for key, finding in keyed(findings)
        ]
        return cls(
            page=page,
            revision=revision,
            draft=draft,
            warnings=rows,
            blocking=[f for f in every if f.blocks],
            confirmation=checklist_confirmation(page, revision),
        )

    @property
    def unacknowledged(self):
        return [row for row in self.warnings if row.acknowledgement is None]


def missing_reasons_message(rows):
    """The refusal that names each warning still without a reason."""
    return _(
        "Acknowledge each warning with a written reason before you approve. Still without a "
        "reason: %(warnings)s"
    ) % {"warnings": " ".join(quoted(row.finding.message) for row in rows)}


def changed_since_seen(review, revision_id):
    """Whether the revision under review differs, in what citizens read, from the revision
    ``revision_id`` the leader saw when she opened the approval. A save in between that changed
    nothing citizens read (the same form saved again in another tab, a linked notice) is no
    change: she approves what she saw."""

    seen = str(revision_id or "")
    if not seen or review.revision is None or seen == str(review.revision.pk):
        return False
    before = review.page.revisions.filter(pk=seen).values_list("content", flat=True).first()
    return before is None or changes_what_citizens_read(before, review.revision.content)


def acknowledge_warnings(review, user, acknowledgements=None, revision_id=None):
    """Store the leader's reason for each warning of ``review``'s revision, or refuse.

    ``acknowledgements`` maps finding keys to reasons. Every warning needs a reason, given now
    or stored earlier for the same revision; otherwise ``PermissionDenied`` says which are
    missing. Runs inside the approval's transaction, so a refused approval stores nothing.
    """
    page = review.page
    if changed_since_seen(review, revision_id):
        raise PermissionDenied(
            _(
                "The page has changed since you opened the approval. Open it again to see the "
                "warnings of the current version."
            )
        )
    if not isinstance(acknowledgements, dict):
        acknowledgements = {}  # a hand-made request; every warning then counts as missing
    # A reason of spaces or invisible characters only is no reason.
    reasons = {
        str(key): visible_or_empty(str(reason))[:MAX_REASON]
        for key, reason in acknowledgements.items()
        if has_visible_text(reason)
    }
    missing = [row for row in review.unacknowledged if row.key not in reasons]
    if missing:
        raise PermissionDenied(missing_reasons_message(missing))
    stored = []
    for row in review.warnings:
        reason = reasons.get(row.key)
        if reason is None:
            continue
        acknowledgement, _created = WarningAcknowledgement.objects.update_or_create(
            revision=review.revision,
            finding_key=row.key,
            defaults={
                "page": page,
                "user": user,
                "code": row.finding.code,
                # Stored for the record and shown to others: what and where, no page text.
                "summary": row.finding.summary,
                "reason": reason,
                "acknowledged_at": timezone.now(),
            },
        )
        audit.record(
            page,
            audit.WARNING_ACKNOWLEDGED,
            user=user,
            findings=[row.finding],
            data={"key": row.key, "reason": reason},
            revision=review.revision,
        )
        stored.append(acknowledgement)
    return stored


class LeaderDecisionForm(TaskStateCommentForm):
    """The leader's modal: a comment, and the review the template shows (checklist, warnings).

    ``review`` is given by the page editor's views, which know the page; Wagtail's own views
    build the form without it, and the task then checks everything against the page itself.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *args, review=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.review = review
        if review is not None and review.revision is not None:
            self.fields["revision"].initial = review.revision.pk

    def clean(self):
        # What the task's on_action receives; it must survive a JSON round trip through the
        # editor's "collect data" modal.
        data = super().clean()
        return {"comment": data.get("comment", ""), "revision": data.get("revision")}


class LeaderApprovalForm(LeaderDecisionForm):
    """Approval: one required reason for each warning that has none yet."""

    PREFIX = "reason__"

    def __init__(self, data=None, *args, review=None, **kwargs):
        super().__init__(data, *args, review=review, **kwargs)
        self.warning_rows = []
        for row in review.warnings if review is not None else []:
            name = self.PREFIX + row.key
            # Checked in clean(), which names every warning still without a reason.
            self.fields[name] = forms.CharField(
                label=gettext_lazy("Why may the page be published with this?"),
                required=False,
                max_length=MAX_REASON,
                widget=forms.Textarea({"rows": 2}),
                initial=row.acknowledgement.reason if row.acknowledgement else "",
            )
            self.warning_rows.append((row, self[name]))

    @property
    def other_fields(self):
        """The fields that are not reasons, for the template."""
        return [field for field in self if not field.name.startswith(self.PREFIX)]

    def clean(self):
        data = self.cleaned_data
        if self.review is not None:
            values = {name: data.get(name) for name in self.fields}
        else:
            # Without the page the form cannot know the warnings: pass on what was sent, and
            # the task checks it against the page.
            values = dict(self.data.items())
        reasons = {
            name[len(self.PREFIX) :]: visible_or_empty(value)
            for name, value in values.items()
            if name.startswith(self.PREFIX) and isinstance(value, str) and has_visible_text(value)
        }
        missing = [
            row
            for row, _field in self.warning_rows
            if row.acknowledgement is None and row.key not in reasons
        ]
        for row in missing:
            name = self.PREFIX + row.key
            self.add_error(
                name,
                INVISIBLE_ONLY
                if invisible_only(values.get(name))
                else _("Write why the page may be published with this."),
            )
        if missing:
            self.add_error(None, missing_reasons_message(missing))
        cleaned = super().clean()
        return {**cleaned, "acknowledgements": reasons}


# --- the checklist ----------------------------------------------------------------------------


def checklist_confirmation(page, revision):
    """The checklist confirmation for ``revision`` (the version under review), else the page's
    latest one before it (or ``None``).

    The confirmation's ``for_this_version`` says whether it holds for ``revision``: confirmed
    for it, or for an earlier revision with the same content for citizens, when the saves
    since changed only bookkeeping such as the link to the internal notice
    (``models.pages.changes_what_citizens_read``). Otherwise the template says that it belongs
    to an earlier version.
    """

    confirmations = ChecklistConfirmation.objects.filter(page_id=page.pk).select_related("user")
    if revision is None:
        confirmation = confirmations.first()
        if confirmation is not None:
            confirmation.for_this_version = True
        return confirmation
    confirmation = confirmations.filter(revision=revision).first()
    if confirmation is not None:
        confirmation.for_this_version = True
        return confirmation
    confirmation = (
        confirmations.filter(revision__created_at__lte=revision.created_at)
        .select_related("revision")
        .first()
    )
    if confirmation is not None:
        confirmation.for_this_version = not changes_what_citizens_read(
            confirmation.revision.content, revision.content
        )
    return confirmation


def submission_note(page):
    """What the submitter wrote to the approvers of the workflow ``page`` waits in (the note of
    its latest submission), or None."""
    state = page.current_workflow_state
    if state is None:
        return None
    return (
        SubmissionNote.objects.filter(page_id=page.pk, written_at__gte=state.created_at)
        .select_related("user")
        .first()
    )


def confirm_checklist(page, revision, user, items):
    """Store that ``user`` confirmed ``items`` (the profile's wording) for ``revision``."""
    confirmation = ChecklistConfirmation.objects.create(
        page_id=page.pk, revision=revision, user=user, items=list(items)
    )
    audit.record(
        page,
        audit.CHECKLIST_CONFIRMED,
        user=user,
        data={"items": [item.get("code", "") for item in items]},
        revision=revision,
    )
    return confirmation


class ConfirmChecklistOnSubmitMixin:
    """Page editor views: after a submission, store the checklist the publisher ticked and their
    note to the approver with the revision that was submitted. The form has already refused a
    submission without them (where the profile requires the note)."""

    def submit_action(self):
        response = super().submit_action()
        self.store_checklist_confirmation()
        return response

    def restart_workflow_action(self):
        response = super().restart_workflow_action()
        self.store_checklist_confirmation()
        return response

    def store_checklist_confirmation(self):
        revision = self.page.get_latest_revision()
        items = getattr(self.form, "confirmed_checklist", None)
        if items:
            confirm_checklist(self.page, revision, self.request.user, items)
        note = getattr(self.form, "submission_note", "")
        if note:
            SubmissionNote.objects.create(
                page_id=self.page.pk, revision=revision, user=self.request.user, text=note
            )


class NoEmptyAutosaveMixin:
    """The page editor's autosave writes nothing when nothing changed.

    Wagtail's autosave also fires just after a workflow action is sent from the editor: the
    action's hidden inputs count as a change. Saving then wrote a revision by the approver,
    which re-approval on edit restarts the workflow for (wagtail#13563). An autosave without
    content changes now answers as a save would, with the latest revision, and writes nothing.
    (That it never takes the workflow action, and never writes over an approval that runs at
    the same time, is ``admin_views.TrueWorkflowActionsMixin``'s and ``OneAtATimeMixin``'s.)
    """

    def save_action(self):
        if not (self.expects_json_response and not self.has_content_changes):
            return super().save_action()
        revision = self.page.get_latest_revision()
        return JsonResponse(
            {
                "success": True,
                "pk": self.page.pk,
                "revision_id": revision.pk if revision else None,
                "revision_created_at": revision.created_at.isoformat() if revision else None,
                "field_updates": dict(self.form.get_field_updates_for_resave()),
                "comments": self.form.serialize_comments(self.request.user),
                "html": self.render_partials(),
            }
        )
