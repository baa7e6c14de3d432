"""The daily summary of workflow mail, for those who chose it (``MailPreference.DIGEST``).

One mail a day per person, in their language (``mail.recipient_languages``), queued for the worker
(``mail.send_after_commit``), with three sections, each only when it lists something:

- what waits for their decision: leader approval steps they may decide as the responsible
  leader or an active deputy (as a leader above in the line once the step is escalated, a
  crisis submission from the start, or when nobody nearer may decide: the people the per-event
  mails would have asked; ``workflow.waiting`` and ``mail.first_approvers`` decide), and the
  editorial review steps of a group they belong to, each with the working days it has waited
  (``workflow.waiting``);
- what they submitted that is still in the workflow, and at which step;
- what came back to them since their last summary: pages sent back, with the leader's comment
  (a leader's own words, as in the per-event mail; the automatic checks' report quotes the page
  and stays in the admin), and pages approved. These are held as ``DigestEvent`` when they
  happen (``mail.by_preference``), so nothing falls between two summaries.

Titles, steps, dates, counts, names and admin links only, never text from a page's body; only
pages in the person's own municipalities that they may view (``mail.viewers_among``). Nothing is
sent when all three sections are empty.

At most one summary per person per day: its ``MailDigest`` row (unique per person and day) is
inserted first, in the transaction that claims the held events and queues the mail. A second run
the same day fails on the constraint and sends nothing; one running at the same moment on
PostgreSQL waits on the first run's uncommitted row and then fails the same way. An event held
while a summary is being written is not claimed by it and goes into the next one.
"""

import datetime
import logging
import textwrap
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Page,
    TaskState,
    WorkflowState,
    get_default_page_content_type,
)

from publishing.dashboard.panels import Viewer
from publishing.models import (
    AutomaticChecksTask,
    DigestEvent,
    MailDigest,
    MailPreference,
    Municipality,
)
from publishing.models.municipality import groups_of, holding
from publishing.models.organisation import person_name
from publishing.notifications.mail import (
    admin_url,
    edit_url,
    first_approvers,
    message,
    notification_preferences_url,
    recipient_languages,
    render,
    send_after_commit,
    viewers_among,
)
from publishing.rules.approval import AS_LINE, crisis_submission, load_objects
from publishing.workflow.waiting import waited, waiting_steps

logger = logging.getLogger(__name__)

#: What a run did for a person.
SENT, EMPTY, ALREADY, FAILED = "sent", "empty", "already", "failed"
#: Days a sent summary (and the events it carried) is kept; held events older than this that
#: were never sent (the person could not view the page) are dropped with them.
KEEP_DAYS = 90


@dataclass
class Entry:
    """One page in a summary, as the mail names it: never text from its body."""

    page: Page
    title: str
    edit_url: str
    step: str = ""
    since: datetime.datetime | None = None
    waited: int = 0
    requested_by: str = ""
    changes_url: str = ""
    # What came back: sent back (with who, at which step, their comment) or approved.
    approved: bool = False
    published: bool = False
    automatic: bool = False
    person: str = ""
    comment: str = ""


@dataclass
class Digest:
    """A person's summary: what waits for them, what they submitted, what came back."""

    user: object
    waiting: list = field(default_factory=list)
    submitted: list = field(default_factory=list)
    came_back: list = field(default_factory=list)
    #: The held events read for ``came_back``, claimed by the summary when it is sent.
    events: list = field(default_factory=list)
    scope: object = None

    def __bool__(self):
        return bool(self.waiting or self.submitted or self.came_back)

    def pages(self):
        return [entry.page for entry in self.waiting + self.submitted + self.came_back]


class Scope:
    """The pages a person's summary may name: in their own municipalities and viewable by them."""

    def __init__(self, user):
        self.user = user
        self.municipalities = list(
            Municipality.objects.for_user(user).select_related("site__root_page")
        )
        self._viewable = {}

    def municipality_of(self, page):
        return holding(page.path, self.municipalities)

    def allows(self, page):
        if page is None or self.municipality_of(page) is None:
            return False
        if page.pk not in self._viewable:
            self._viewable[page.pk] = bool(viewers_among([self.user], page))
        return self._viewable[page.pk]


def _page_ids(states):
    return [int(state.workflow_state.object_id) for state in states]


def asked_first(user, step):
    """Whether the per-event mail asked ``user`` about ``step`` (a ``waiting.WaitingStep``)
    when it began: ``user`` is among its first approvers (``mail.first_approvers``), as every
    leader who may approve is for a crisis submission (``rules.approval.crisis_submission``)."""
    crisis = crisis_submission(step.task_state.workflow_state, step.municipality)
    return user in first_approvers(step.page.specific, step.task_state.task.specific, crisis=crisis)


def leader_steps(user, scope):
    """Leader approval steps waiting for ``user``'s decision (see the module docstring).

    Who is asked when is not decided here: a step waits as the reminders count it
    (``waiting.waiting_steps``: escalated after the profile's working days, a crisis submission
    from the start), and a leader above in the line is asked once it is escalated, or at once
    when the per-event mail asked them (``asked_first``).
    """
    # The dashboard's query: every leader step the user may approve, oldest first.
    rows = [row for row in Viewer.load(user).approvable if not row.edited_by_user]
    load_objects(rows)
    rows = [row for row in rows if row.page is not None and row.task_state is not None]
    steps = {
        step.task_state.pk: step
        for step in waiting_steps(
            scope.municipalities, task_states=[row.task_state for row in rows]
        )
    }
    entries = []
    for row in rows:
        step = steps.get(row.task_state.pk)
        if step is None or not scope.allows(row.page):
            continue
        if row.capacity == AS_LINE and not step.escalated and not asked_first(user, step):
            continue  # nearer leaders decide it for now
        entries.append(_waiting_entry(row.page, row.task_state, step.waited))
    return entries


def review_steps(user, scope):
    """Editorial review steps (Wagtail's group approval) of the groups ``user`` belongs to.

    Membership decides, as for the per-event mail: a superuser outside the group is not asked.
    """
    tasks = GroupApprovalTask.objects.filter(active=True, groups__in=groups_of(user)).distinct()
    states = TaskState.objects.none()
    for task in tasks:
        states = states | task.get_task_states_user_can_moderate(user=user)
    states = list(
        states.filter(workflow_state__base_content_type=get_default_page_content_type())
        .select_related("task", "workflow_state__requested_by")
        .order_by("started_at", "pk")
    )
    pages = Page.objects.in_bulk(_page_ids(states))
    entries = []
    for state in states:
        page = pages.get(int(state.workflow_state.object_id))
        if scope.allows(page):
            days = waited(state.started_at, scope.municipality_of(page))
            entries.append(_waiting_entry(page, state, days))
    return entries


def _waiting_entry(page, task_state, days):
    return Entry(
        page=page,
        title=page.get_admin_display_title(),
        edit_url=edit_url(page),
        changes_url=admin_url(reverse("publishing:changes", args=[page.pk])),
        step=task_state.task.name,
        since=task_state.started_at,
        waited=days,
        requested_by=person_name(task_state.workflow_state.requested_by),
    )


def waiting_for(user, scope):
    """What waits for ``user``'s decision, oldest first."""
    entries = leader_steps(user, scope) + review_steps(user, scope)
    return sorted(entries, key=lambda entry: entry.since)


def submitted_by(user, scope):
    """The pages ``user`` submitted that are still in the workflow, with their step."""
    states = list(
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            requested_by=user,
            base_content_type=get_default_page_content_type(),
        )
        .exclude(current_task_state=None)
        .select_related("current_task_state__task")
        .order_by("current_task_state__started_at", "pk")
    )
    pages = Page.objects.in_bulk([int(state.object_id) for state in states])
    entries = []
    for state in states:
        page = pages.get(int(state.object_id))
        if scope.allows(page):
            entries.append(
                Entry(
                    page=page,
                    title=page.get_admin_display_title(),
                    edit_url=edit_url(page),
                    step=state.current_task_state.task.name,
                    since=state.current_task_state.started_at,
                )
            )
    return entries


def held_events(user):
    """The events held for ``user``'s next summary, oldest first."""
    return list(
        DigestEvent.objects.filter(recipient=user, digest=None).select_related(
            "task_state__task", "task_state__workflow_state", "task_state__finished_by"
        )
    )


def came_back(events, scope):
    """What the held ``events`` say came back: sent back (with the leader's comment) or
    approved."""
    pages = Page.objects.in_bulk(
        [int(event.task_state.workflow_state.object_id) for event in events]
    )
    entries = []
    for event in events:
        state = event.task_state
        page = pages.get(int(state.workflow_state.object_id))
        if not scope.allows(page):
            continue
        entry = Entry(
            page=page,
            title=page.get_admin_display_title(),
            edit_url=edit_url(page),
            step=state.task.name,
            since=state.finished_at,
        )
        if event.kind == DigestEvent.APPROVED:
            entry.approved = True
            entry.published = page.live and page.live_revision_id == state.revision_id
        else:
            entry.automatic = issubclass(state.task.specific_class or object, AutomaticChecksTask)
            entry.person = "" if entry.automatic else person_name(state.finished_by)
            # The leader's own words; the automatic checks' report quotes the page.
            comment = "" if entry.automatic else (state.get_comment() or "").strip()
            entry.comment = textwrap.indent(comment, "    ")
        entries.append(entry)
    return entries


def compose(user):
    """``user``'s summary as it stands now (empty when nothing concerns them)."""
    scope = Scope(user)
    events = held_events(user)
    return Digest(
        user=user,
        waiting=waiting_for(user, scope),
        submitted=submitted_by(user, scope),
        came_back=came_back(events, scope),
        events=events,
        scope=scope,
    )


def digest_message(digest):
    """The summary as an e-mail in its recipient's language: the one they chose, else that of
    the municipality of the pages it names."""
    pages = digest.pages()
    municipality = digest.scope.municipality_of(pages[0]) if pages else None
    language = recipient_languages([digest.user], municipality)[digest.user.pk]
    context = {
        "user": digest.user,
        "waiting": digest.waiting,
        "submitted": digest.submitted,
        "came_back": digest.came_back,
        "preferences_url": notification_preferences_url(),
    }
    subject, body = render("digest", context, language)
    return message(subject, body, language, to=[digest.user.email])


def send_digest(user, today=None):
    """Send ``user`` today's summary, unless it was sent already or has nothing to tell;
    ``SENT``, ``EMPTY`` or ``ALREADY``."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            # First: a second run (even one at the same moment) stops here.
            record = MailDigest.objects.create(recipient=user, day=today)
            digest = compose(user)
            if not digest:
                # Nothing to tell: no record either, so a run later today may still send.
                transaction.set_rollback(True)
                return EMPTY
            record.waiting = len(digest.waiting)
            record.submitted = len(digest.submitted)
            record.came_back = len(digest.came_back)
            record.save(update_fields=["waiting", "submitted", "came_back"])
            # Every event read is claimed, also one about a page the person may no longer view:
            # it would never be told.
            DigestEvent.objects.filter(pk__in=[event.pk for event in digest.events]).update(
                digest=record
            )
            send_after_commit([digest_message(digest)], "daily summary")
    except IntegrityError:
        return ALREADY
    return SENT


def recipients():
    """Active people with an address who chose the summary, or have events held for one
    (someone who went back to each event gets what was held in a last summary)."""
    chosen = MailPreference.objects.filter(mode=MailPreference.DIGEST).values("user_id")
    held = DigestEvent.objects.filter(digest=None).values("recipient_id")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(pk__in=chosen) | Q(pk__in=held))
        .order_by("pk")
    )


def prune(today):
    """Forget summaries older than ``KEEP_DAYS``, and events never sent by then."""
    cutoff = today - datetime.timedelta(days=KEEP_DAYS)
    MailDigest.objects.filter(day__lt=cutoff).delete()
    DigestEvent.objects.filter(
        digest=None, created_at__lt=timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    ).delete()


def send_digests(today=None):
    """Send today's summary to everyone who has one coming; ``Counter`` of what was done.

    A person whose summary fails is logged by account id only and left for the next run; the
    others still get theirs.
    """
    today = today or timezone.localdate()
    prune(today)
    done = Counter({SENT: 0, EMPTY: 0, ALREADY: 0, FAILED: 0})
    for user in recipients():
        try:
            done[send_digest(user, today)] += 1
        except Exception as error:
            logger.error(
                "Could not write the daily summary of user %s (%s)", user.pk, type(error).__name__
            )
            done[FAILED] += 1
    return done
