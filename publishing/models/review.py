"""What people confirm and acknowledge on the way to publishing, stored with the revision."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publishing.visible_text import require_visible


class OfRevision(models.Model):
    """Something stored with one revision of a page: what its submitter or approver said of it.
    Subclasses add the person (with their own word for what the person did) and the record."""

    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        abstract = True


def person_field(verbose_name):
    """The person a record of a revision is by; kept as None if their account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class SubmissionNote(OfRevision):
    """What the person who submitted a revision wrote to its approvers: what changed and why.

    Kept with the revision; the approval dialog, the editorial review and the editor of the
    waiting page show it.
    """

    user = person_field(_("written by"))
    text = models.TextField(_("note to the approver"))
    written_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-pk"]
        verbose_name = _("note to the approver")
        verbose_name_plural = _("notes to the approver")

    def __str__(self):
        return f"{self.page_id}@{self.revision_id}"


class ChecklistConfirmation(OfRevision):
    """The municipality's "vær varsom" checklist as confirmed by the person who submitted a
    revision.

    ``items`` keeps the wording of each item at the time of confirmation, so a later change
    of the profile does not rewrite what someone confirmed.
    """

    user = person_field(_("confirmed by"))
    items = models.JSONField(_("confirmed items"), default=list)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at"]
        verbose_name = _("checklist confirmation")
        verbose_name_plural = _("checklist confirmations")

    def __str__(self):
        return f"{self.page} ({self.confirmed_at:%Y-%m-%d %H:%M})"


class WarningAcknowledgement(OfRevision):
    """A leader's written reason for letting a page go live despite a ``warn`` finding.

    ``finding_key`` identifies the finding independently of the language it was shown in;
    ``summary`` is the finding's message as the leader saw it (rule messages say where on the
    page a finding is, never the matched value).
    """

    user = person_field(_("acknowledged by"))
    code = models.CharField(_("finding"), max_length=80)
    finding_key = models.CharField(_("finding key"), max_length=255)
    summary = models.TextField(_("what was found"), blank=True)
    reason = models.TextField(_("reason"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("acknowledged warning")
        verbose_name_plural = _("acknowledged warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "finding_key"],
                name="publishing_ack_revision_finding_unique",
            )
        ]

    def __str__(self):
        return f"{self.code}: {self.page}"

    def clean(self):
        super().clean()
        require_visible(self.reason, "reason")

    def save(self, *args, **kwargs):
        # Stored by the approval's own code, not through a form: no reason, no acknowledgement.
        require_visible(self.reason, "reason")
        return super().save(*args, **kwargs)


class ApprovalReminder(models.Model):
    """A reminder sent about a leader's approval step that has waited too long: to its approvers
    (``remind``), or to the deputy and the leaders above (``escalate``). One of each per step."""

    REMIND, ESCALATE = "remind", "escalate"
    KINDS = [(REMIND, _("reminder")), (ESCALATE, _("escalation"))]

    task_state = models.ForeignKey(
        "wagtailcore.TaskState",
        verbose_name=_("workflow step"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    working_days = models.PositiveIntegerField(_("working days waited"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("approval reminder")
        verbose_name_plural = _("approval reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["task_state", "kind"], name="publishing_approval_reminder_unique"
            )
        ]

    def __str__(self):
        return f"{self.task_state_id} {self.kind}"


class ReviewReminder(models.Model):
    """One monthly reminder of overdue reviews sent to one leader, so no month sends twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reminded."))
    page_count = models.PositiveIntegerField(_("overdue pages"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "month"], name="publishing_review_reminder_unique"
            )
        ]

    def __str__(self):
        return f"{self.recipient} {self.month:%Y-%m}"
