"""E-mail to the people governance concerns, through Django's e-mail backends.

Every mail sent from here

- goes only to active users with an e-mail address who may view the page: the page's view
  restrictions (the intranet's staff group) apply to mail as they do to the page
  (CVE-2022-21683: Wagtail once mailed comment notifications to people without access);
- is written in the recipient's language: the admin language they chose in their Wagtail
  account, else their municipality's language, else ``LANGUAGE_CODE``, never the language of
  whoever triggered it;
- carries the page title, codes, counts and links, never text from the page body or a
  finding's excerpt (excerpts quote the words around a finding);
- is queued after the surrounding transaction commits, so a rolled-back publish or approval mails
  nobody, and sent by the task worker (``tasks.py``), so a mail server that is down never fails
  or slows the publish. A mail that cannot be sent is logged without addresses, undoes nothing
  and is tried again later by the worker.

The workflow mails build on Wagtail's notifiers (``wagtail.admin.mail``), so each user's
notification preferences in their account apply. ``connect()`` puts them in place of Wagtail's
own rejection, approval and group-task notifiers.

Each person chooses in their account (Notifications tab, ``notifications.preferences``) whether
they get workflow mail one event at a time, the default, or in one summary a day
(``notifications.digest``). ``by_preference`` decides it for every mail, in one place: the
workflow's ordinary traffic (``DIGESTED``: approval requested, group review requested, changes
requested, approved, and the reminders and escalations of approvals that wait) goes to those who
chose the summary in their next summary instead. Everything else stays immediate because it
cannot wait for tomorrow's summary:

- a new notice to staff (``notice live``): news for all staff, not workflow traffic, and about
  today;
- the review of a crisis fast-track publish (``fast track review``): a page went live without a
  leader's approval, and the leader must confirm or correct it now;
- a page submitted by the crisis group (``crisis approval requested``): it goes to every leader
  who may approve it at once, and none of them should wait for a summary;
- a scheduled publish that was stopped (``scheduled publish blocked``): citizens expect the page
  at the planned time, so the leader must act before then;
- the monthly review reminder: already one mail a month per leader, a summary in itself.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from wagtail.admin.mail import (
    EmailNotificationMixin,
    GroupApprovalTaskStateSubmissionEmailNotifier,
    Notifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
)
from wagtail.models import Page, PageViewRestriction, TaskState, WorkflowState
from wagtail.signals import page_published, task_submitted, workflow_approved, workflow_rejected
from wagtail.users.models import UserProfile

from publishing.after_commit import after_commit
from publishing.models import (
    AutomaticChecksTask,
    BaseInternalNoticePage,
    DigestEvent,
    GovernedPage,
    LeaderApprovalTask,
    MailPreference,
    Municipality,
)
from publishing.models.organisation import person_name
from publishing.notifications.delivery import enqueue_mail
from publishing.rules.approval import (
    AS_DEPUTY,
    AS_LEADER,
    AS_LINE,
    able_approvers,
    crisis_submission,
)

logger = logging.getLogger(__name__)

#: Staff mails go out as blind copies in batches of this size: nobody sees the recipient list,
#: a large staff group is a few messages rather than thousands, and mail servers' limits on
#: recipients per message are respected.
BCC_BATCH = 50


# --- where, who and in which language -------------------------------------------------------


def admin_url(path):
    """An absolute admin URL for a mail, from ``WAGTAILADMIN_BASE_URL``."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def edit_url(page):
    return admin_url(reverse("wagtailadmin_pages:edit", args=[page.pk]))


def viewers(users, page):
    """The users in queryset ``users`` who may be mailed about ``page``.

    Active, with an address, and let through every view restriction on the page and its
    ancestors, as Wagtail's ``accept_request`` would let them through (superusers pass group
    restrictions). Nobody is mailed about a page behind a shared password.
    """

    users = users.filter(is_active=True).exclude(email="")
    for restriction in page.get_view_restrictions():
        if restriction.restriction_type == PageViewRestriction.PASSWORD:
            return users.none()
        if restriction.restriction_type == PageViewRestriction.GROUPS:
            members = get_user_model().objects.filter(groups__in=restriction.groups.all())
            users = users.filter(Q(is_superuser=True) | Q(pk__in=members.values("pk")))
    return users


def viewers_among(users, page):
    """``viewers`` for a list of users; keeps the given user objects."""
    users = list(users)
    allowed = set(
        viewers(
            get_user_model().objects.filter(pk__in=[user.pk for user in users]), page
        ).values_list("pk", flat=True)
    )
    return [user for user in users if user.pk in allowed]


def recipient_languages(users, municipality=None):
    """Map each user's pk to the language their mail is written in.

    The admin language the user chose in their account comes first; without one, the
    municipality's language; without a municipality, ``LANGUAGE_CODE``. Wagtail's own
    ``get_preferred_language`` falls back to the active language, which is the language of
    whoever triggered the mail, so it is not used here.
    """

    known = {code for code, _name in settings.LANGUAGES}
    fallback = municipality.language if municipality else settings.LANGUAGE_CODE
    chosen = dict(
        UserProfile.objects.filter(user__in=[user.pk for user in users])
        .exclude(preferred_language="")
        .values_list("user_id", "preferred_language")
    )
    return {
        user.pk: chosen[user.pk] if chosen.get(user.pk) in known else fallback for user in users
    }


# --- each event, or the daily summary -------------------------------------------------------

#: The kinds of mail that go into the daily summary of those who chose it, and the event held
#: for the summary (``None``: the summary reads it from the workflow as it stands then: what
#: waits for the person's decision, with the working days it waited).
DIGESTED = {
    "approval requested": None,
    "group task submitted": None,
    "approval remind": None,
    "approval escalate": None,
    "changes requested": DigestEvent.CHANGES_REQUESTED,
    "approved": DigestEvent.APPROVED,
}


def by_preference(users, kind, task_state=None):
    """The users among ``users`` who get mail of ``kind`` now.

    Everyone, unless ``kind`` is one the daily summary gathers (``DIGESTED``); then only those
    who chose one mail for each event (the default). For the others an event the summary cannot
    read later from the workflow (a page sent back, a page approved: ``task_state``) is held for
    their next summary, in the current transaction, so a rolled-back action holds nothing.
    """
    users = list(users)
    if kind not in DIGESTED or not users:
        return users
    summary = MailPreference.digest_user_ids(users)
    if not summary:
        return users
    held = DIGESTED[kind]
    if held and task_state is not None:
        DigestEvent.objects.bulk_create(
            DigestEvent(recipient=user, kind=held, task_state=task_state)
            for user in users
            if user.pk in summary
        )
    return [user for user in users if user.pk not in summary]


# --- composing and sending ------------------------------------------------------------------


def render(template, context, language):
    """Subject and body of ``publishing/mail/<template>``, rendered in ``language``."""
    with translation.override(language):
        subject = render_to_string(f"publishing/mail/{template}_subject.txt", context)
        body = render_to_string(f"publishing/mail/{template}.txt", context)
    return subject, body


def tidy(body):
    """The body without the blank lines and trailing spaces left by template tags."""
    # "-- " keeps its space: it is the signature separator mail programs recognise.
    lines = [line if line == "-- " else line.rstrip() for line in body.strip().splitlines()]
    tidied = []
    for line in lines:
        if line or (tidied and tidied[-1]):
            tidied.append(line)
    return "\n".join(tidied) + "\n"


def message(subject, body, language, *, to=(), bcc=()):
    """An e-mail marked as automatic and in ``language``.

    ``Auto-Submitted`` keeps out-of-office replies away (RFC 3834), as Wagtail's own mails do;
    ``Content-Language`` tells mail programs and screen readers the language (RFC 3282).
    """
    return EmailMessage(
        " ".join(subject.split()),  # a header: one line
        tidy(body),
        getattr(settings, "WAGTAILADMIN_NOTIFICATION_FROM_EMAIL", None),
        to=list(to),
        bcc=list(bcc),
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )


def send_after_commit(messages, kind, page=None):
    """Queue ``messages`` for sending once the current transaction commits, or now outside one.

    The task worker sends them (``tasks.send_mail_task``) and retries what the mail server did
    not take, so the publish or approval that caused them never waits on the mail server.
    """
    if not messages:
        return
    page_id = getattr(page, "pk", None)

    def send():
        enqueue_mail(messages, kind, page_id)

    after_commit(send)


def mail_users(users, page, template, context, kind):
    """Mail each of ``users`` who may view ``page``, one message each, in their own language;
    those who chose the daily summary get mail of its kinds there instead (``by_preference``)."""
    municipality = Municipality.objects.for_page(page)
    recipients = viewers_among({user.pk: user for user in users if user}.values(), page)
    recipients = by_preference(recipients, kind)
    languages = recipient_languages(recipients, municipality)
    messages = []
    for user in recipients:
        language = languages[user.pk]
        subject, body = render(template, {**context, "user": user}, language)
        messages.append(message(subject, body, language, to=[user.email]))
    send_after_commit(messages, kind, page)


# --- workflow mails (Wagtail's notifiers, with the rules above) -----------------------------


def notification_preferences_url():
    """Where a person changes which mails they get (the footer of the workflow mails)."""
    return admin_url(reverse("wagtailadmin_account")) + "#tab-notifications"


def first_approvers(page, task, crisis=False):
    """Who is asked first to approve ``page`` at ``task``: its responsible leader and active
    deputy; the leaders above in the line only when neither may (``able_approvers``), or at
    once for a ``crisis`` submission (``rules.approval.crisis_submission``)."""
    able = able_approvers(page, task)
    if crisis:
        return list(able)
    first = [user for user, capacity in able.items() if capacity in (AS_LEADER, AS_DEPUTY)]
    return first or list(able)


def _page_of(instance):
    """The specific page a workflow or task state is about, or None for snippets."""

    state = instance.workflow_state if isinstance(instance, TaskState) else instance
    obj = state.content_object
    return obj.specific if isinstance(obj, Page) else None


class GovernedEmailMixin:
    """Wagtail's e-mail notifiers with this module's rules: viewers only, the recipient's
    language, each event or the daily summary as the recipient chose (``by_preference``),
    sending after commit, failures logged without addresses.

    ``template_name`` selects ``publishing/mail/<name>.txt`` and ``<name>_subject.txt``; left
    empty, Wagtail's own templates are used (they are translated by Wagtail).
    """

    template_name = ""
    kind = "workflow"

    def get_valid_recipients(self, instance, **kwargs):
        recipients = super().get_valid_recipients(instance, **kwargs)
        page = _page_of(instance)
        if page is None or not recipients:
            return recipients
        # The step the event is about: the one that sent the page back, or the last one
        # approved; a summary reads the comment and the person who decided from it.
        step = instance if isinstance(instance, TaskState) else instance.current_task_state
        kind = self.kind_of(instance)
        return set(by_preference(viewers_among(recipients, page), kind, step))

    def kind_of(self, instance):
        """The kind of this mail about ``instance`` (``by_preference`` decides by it)."""
        return self.kind

    def get_template_set(self, instance, **kwargs):
        if not self.template_name:
            return super().get_template_set(instance, **kwargs)
        return {
            "subject": f"publishing/mail/{self.template_name}_subject.txt",
            "text": f"publishing/mail/{self.template_name}.txt",
        }

    def send_notifications(self, template_set, context, recipients, **kwargs):
        page = context.get("page")
        municipality = Municipality.objects.for_page(page) if page is not None else None
        languages = recipient_languages(recipients, municipality)
        preferences_url = notification_preferences_url()
        messages = []
        for recipient in recipients:
            language = languages[recipient.pk]
            item_context = {**context, "user": recipient, "preferences_url": preferences_url}
            with translation.override(language):
                subject = render_to_string(template_set["subject"], item_context)
                body = render_to_string(template_set["text"], item_context)
            messages.append(message(subject, body, language, to=[recipient.email]))
        send_after_commit(messages, self.kind, page)
        return True


def _notifier_classes():
    """The notifier classes, built on first use: ``wagtail.admin.mail`` imports models."""

    class ApprovalRequestedNotifier(GovernedEmailMixin, EmailNotificationMixin, Notifier):
        """A page reached the leader approval task: tell the leaders who can act on it.

        The responsible leader and active deputies who may approve this revision (not one who
        edited it); if none of them may, the leaders above in the line who may. A page held by
        the internal-notice gate reaches this task, and so this mail, when its notice is live.
        """

        notification = "submitted"  # the user's "submitted" preference applies
        template_name = "approval_requested"
        kind = "approval requested"

        def __init__(self):
            super().__init__((TaskState,))

        def can_handle(self, instance, **kwargs):
            return (
                super().can_handle(instance, **kwargs)
                and isinstance(instance.task.specific, LeaderApprovalTask)
                and isinstance(_page_of(instance), GovernedPage)
            )

        def kind_of(self, task_state):
            # A crisis submission cannot wait for tomorrow's summary.
            if crisis_submission(task_state.workflow_state):
                return "crisis approval requested"
            return self.kind

        def get_recipient_users(self, task_state, **kwargs):
            crisis = crisis_submission(task_state.workflow_state)
            return set(first_approvers(_page_of(task_state), task_state.task.specific, crisis))

        def get_context(self, task_state, **kwargs):
            page = _page_of(task_state)
            return {
                "page": page,
                "title": page.get_admin_display_title(),
                "requested_by": person_name(task_state.workflow_state.requested_by),
                "crisis": crisis_submission(task_state.workflow_state),
                "edit_url": edit_url(page),
                "changes_url": admin_url(reverse("publishing:changes", args=[page.pk])),
            }

    class ChangesRequestedNotifier(GovernedEmailMixin, WorkflowStateRejectionEmailNotifier):
        """The page was sent back: tell its author (unless they did it themselves).

        A leader's comment is their own words and goes with the mail. The automatic checks'
        report quotes the words around each finding, so it stays in the admin.
        """

        template_name = "changes_requested"
        kind = "changes requested"

        def get_context(self, workflow_state, **kwargs):
            context = super().get_context(workflow_state, **kwargs)
            task_state = context["task_state"]
            automatic = isinstance(task_state.task.specific, AutomaticChecksTask)
            context.update(
                automatic=automatic,
                comment="" if automatic else (context["comment"] or "").strip(),
                title=context["page"].get_admin_display_title(),
                rejected_by=person_name(task_state.finished_by),
                task_name=task_state.task.name,
                edit_url=edit_url(context["page"]),
            )
            return context

    class ApprovedNotifier(GovernedEmailMixin, WorkflowStateApprovalEmailNotifier):
        """Wagtail's "approved" mail to the author, with the rules above."""

        kind = "approved"

    class GroupTaskSubmittedNotifier(
        GovernedEmailMixin, GroupApprovalTaskStateSubmissionEmailNotifier
    ):
        """Wagtail's mail to a group approval task's group (editorial review), with the rules
        above."""

        kind = "group task submitted"

    return {
        "approval_requested": ApprovalRequestedNotifier,
        "changes_requested": ChangesRequestedNotifier,
        "approved": ApprovedNotifier,
        "group_task_submitted": GroupTaskSubmittedNotifier,
    }


# --- other mails ----------------------------------------------------------------------------


def notify_notice_live(sender, instance, revision=None, alias=False, **kwargs):
    """``page_published``: when an internal notice goes live for the first time, tell staff.

    The municipality's staff group is mailed (those who may view the notice), in blind-copy
    batches by language. Later edits of a live notice mail nobody again.
    """

    if alias or not isinstance(instance, BaseInternalNoticePage) or not instance.live:
        return
    if instance.first_published_at != instance.last_published_at:
        return  # published before: staff have been told
    municipality = Municipality.objects.for_page(instance)
    if municipality is None or municipality.staff_group_id is None:
        return
    staff = list(viewers(municipality.staff_group.user_set.all(), instance).order_by("pk"))
    languages = recipient_languages(staff, municipality)
    by_language = defaultdict(list)
    for user in staff:
        if user.email not in by_language[languages[user.pk]]:
            by_language[languages[user.pk]].append(user.email)
    context = {"page": instance, "title": instance.title, "url": instance.full_url}
    messages = []
    for language, addresses in sorted(by_language.items()):
        subject, body = render("notice_live", context, language)
        for start in range(0, len(addresses), BCC_BATCH):
            batch = addresses[start : start + BCC_BATCH]
            messages.append(message(subject, body, language, bcc=batch))
    send_after_commit(messages, "notice live", instance)


def notify_scheduled_block(page, findings):
    """Tell the responsible leader that a scheduled publish was stopped, and by which rules.

    The mail names the rules' codes and counts; what was found, where, is in the admin.
    """
    codes = sorted({finding.code for finding in findings})
    mail_users(
        [page.responsible_leader],
        page,
        "scheduled_blocked",
        {"page": page, "title": page.title, "codes": codes, "edit_url": edit_url(page)},
        "scheduled publish blocked",
    )


def notify_fast_track(page, review):
    """Ask the responsible leader to review a page published by the crisis fast track."""
    mail_users(
        [page.responsible_leader],
        page,
        "fast_track_review",
        {
            "page": page,
            "title": page.title,
            "review_url": admin_url(reverse("publishing:review_fast_track", args=[review.pk])),
        },
        "fast track review",
    )


def approval_reminder(step, kind):
    """Mail about a leader's approval step that has waited too long (a ``waiting.WaitingStep``):
    ``remind`` its first approvers, or ``escalate`` to its active deputy and the leaders above
    in the line, who may approve in their own capacity. The people told, or an empty list
    when there is nobody to tell. Those who chose the daily summary are told there: it lists
    the step with the working days it has waited (``mail_users``)."""
    able = able_approvers(step.page, step.task_state.task.specific)
    if kind == "remind":
        users = first_approvers(step.page, step.task_state.task.specific)
    else:
        users = [user for user, capacity in able.items() if capacity in (AS_DEPUTY, AS_LINE)]
    users = viewers_among(users, step.page)
    if not users:
        return []
    context = {
        "title": step.page.get_admin_display_title(),
        "requested_by": person_name(step.task_state.workflow_state.requested_by),
        "since": step.task_state.started_at,
        "working_days": step.waited,
        "edit_url": edit_url(step.page),
        "changes_url": admin_url(reverse("publishing:changes", args=[step.page.pk])),
        "preferences_url": notification_preferences_url(),
    }
    template = "approval_reminder" if kind == "remind" else "approval_escalated"
    mail_users(users, step.page, template, context, f"approval {kind}")
    return users


def review_reminder(leader, pages, month):
    """The monthly reminder to ``leader`` of ``pages`` past their review date.

    The caller passes only pages the leader may view (``viewers_among``).
    """
    municipality = Municipality.objects.for_page(pages[0])
    language = recipient_languages([leader], municipality)[leader.pk]
    items = [
        {"title": page.title, "review_by": page.review_by, "edit_url": edit_url(page)}
        for page in pages
    ]
    context = {"user": leader, "pages": items, "count": len(items), "month": month}
    subject, body = render("review_reminder", context, language)
    return message(subject, body, language, to=[leader.email])


def connect():
    """Connect the mails to Wagtail's signals; called from ``signal_handlers.connect``.

    The rejection, approval and group-task notifiers take Wagtail's own dispatch uids, so
    whichever app is ready first, Wagtail's versions of these mails are never connected too.
    Wagtail's "submitted" mail goes to superusers only, and ``base.py`` turns superusers off
    (``WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS``); the leader's mail takes its place.
    """

    classes = _notifier_classes()
    replaced = (
        (task_submitted, TaskState, "group_task_submitted", "group_approval_task_submitted"),
        (workflow_rejected, WorkflowState, "changes_requested", "workflow_state_rejected"),
        (workflow_approved, WorkflowState, "approved", "workflow_state_approved"),
    )
    for signal, sender, key, wagtail_name in replaced:
        uid = f"{wagtail_name}_email_notification"
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(classes[key](), sender=sender, dispatch_uid=uid, weak=False)
    task_submitted.connect(
        classes["approval_requested"](),
        sender=TaskState,
        dispatch_uid="publishing_approval_requested_email",
        weak=False,
    )
    page_published.connect(notify_notice_live, dispatch_uid="publishing_notice_live_email")
