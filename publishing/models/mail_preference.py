"""How each person gets workflow mail: each event as it happens, or one summary a day.

``MailPreference`` is the person's choice (account settings, Notifications tab); without one they
get each event, as before. For those who chose the summary, the events the summary cannot read
from the workflow as it stands later (a page sent back, a page approved) are held as
``DigestEvent`` rows when they happen, in the transaction of the workflow action, so a rolled
back action holds nothing and no event falls between two summaries. ``MailDigest`` records each
summary sent: one per person per day, which the unique constraint keeps true even when two runs
of ``send_mail_digest`` start at once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailPreference(models.Model):
    """One person's choice of how they get workflow mail."""

    EACH, DIGEST = "each", "digest"
    MODES = [
        (EACH, _("One mail for each event, as it happens")),
        (DIGEST, _("One summary a day")),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="publishing_mail_preference",
    )
    mode = models.CharField(_("workflow mail"), max_length=10, choices=MODES, default=EACH)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("mail preference")
        verbose_name_plural = _("mail preferences")

    def __str__(self):
        return f"{self.user_id} {self.mode}"

    @classmethod
    def digest_user_ids(cls, users):
        """The ids among ``users`` (users or ids) of those who chose the daily summary."""
        ids = [getattr(user, "pk", user) for user in users]
        if not ids:
            return set()
        return set(
            cls.objects.filter(user_id__in=ids, mode=cls.DIGEST).values_list("user_id", flat=True)
        )


class MailDigest(models.Model):
    """A daily summary sent to one person, with how many pages each section listed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    waiting = models.PositiveIntegerField(_("waiting for a decision"), default=0)
    submitted = models.PositiveIntegerField(_("submitted, in the workflow"), default=0)
    came_back = models.PositiveIntegerField(_("came back"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily mail summary")
        verbose_name_plural = _("daily mail summaries")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="publishing_mail_digest_day")
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.day}"


class DigestEvent(models.Model):
    """A workflow event held for a person's next daily summary instead of mailed at once.

    ``task_state`` is the step that sent the page back, or the last step of an approved
    workflow; what the summary says is read from it when the summary is written. ``digest`` is
    the summary that carried the event, empty until then.
    """

    CHANGES_REQUESTED, APPROVED = "changes_requested", "approved"
    KINDS = [(CHANGES_REQUESTED, _("changes requested")), (APPROVED, _("approved"))]

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    task_state = models.ForeignKey(
        "wagtailcore.TaskState",
        verbose_name=_("workflow step"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    digest = models.ForeignKey(
        MailDigest,
        verbose_name=_("summary"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("held workflow event")
        verbose_name_plural = _("held workflow events")
        indexes = [
            models.Index(fields=["recipient", "digest"], name="publishing_digest_event_open")
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.kind} {self.task_state_id}"
