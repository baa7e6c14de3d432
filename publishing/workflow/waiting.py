"""Leader approvals that wait: how many working days, and who is reminded when.

A leader's approval step waits in working days of the municipality's country (weekends and
public holidays not counted, ``working_days``). After the profile's
``workflow.remind_after_working_days`` (default 2) its first approvers (the responsible leader
and an active deputy) are reminded; after ``escalate_after_working_days`` (default 5) the
deputy and the leaders above in the line are asked to decide, which they may in their own
capacity (the approval records it). Each step is reminded and escalated once
(``ApprovalReminder``); ``manage.py send_approval_reminders`` does it, daily on working days.
The communications group sees every step that waits past the reminder on its dashboard. A page
submitted by the crisis group skips the wait: every leader who may approve it is asked at once
(``rules.approval.crisis_submission``), and it counts as waiting too long from the start.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.models import Page, TaskState, get_default_page_content_type

from publishing.models import ApprovalReminder, LeaderApprovalTask, Municipality
from publishing.models.counting import first_rows_and_count
from publishing.models.municipality import holding
from publishing.notifications.mail import approval_reminder
from publishing.rules.approval import crisis_submissions
from publishing.workflow.working_days import working_days_between

REMIND_AFTER = 2
ESCALATE_AFTER = 5


def limits(municipality):
    """``(remind after, escalate after)`` working days for ``municipality``."""
    settings = municipality.workflow_settings if municipality else {}
    remind = int(settings.get("remind_after_working_days") or REMIND_AFTER)
    escalate = int(settings.get("escalate_after_working_days") or ESCALATE_AFTER)
    return remind, max(escalate, remind)


@dataclass
class WaitingStep:
    """A leader's approval step in progress, with the working days it has waited."""

    task_state: TaskState
    page: Page
    municipality: Municipality
    waited: int
    remind_after: int
    escalate_after: int

    @property
    def overdue(self):
        return self.waited >= self.remind_after

    @property
    def escalated(self):
        return self.waited >= self.escalate_after


def waited(started_at, municipality, today=None):
    """Working days a step started at ``started_at`` has waited by ``today``."""
    return _waited_since(timezone.localdate(started_at), municipality, today)


def _waited_since(day, municipality, today=None):
    today = today or timezone.localdate()
    country = municipality.country if municipality else ""
    return working_days_between(day, today, country)


def waiting_steps(municipalities=None, today=None, task_states=None):
    """Every leader's approval step in progress (of ``municipalities``, default all), oldest
    first, as ``WaitingStep``. ``task_states`` narrows the steps looked at."""
    municipalities = list(
        municipalities
        if municipalities is not None
        else Municipality.objects.select_related("site__root_page")
    )
    states = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        task__content_type=ContentType.objects.get_for_model(LeaderApprovalTask),
    )
    if task_states is not None:
        states = states.filter(pk__in=[state.pk for state in task_states])
    states = states.select_related("workflow_state")
    states = list(states.order_by("started_at", "pk"))
    pages = Page.objects.in_bulk([int(state.workflow_state.object_id) for state in states])
    placed = []
    for state in states:
        page = pages.get(int(state.workflow_state.object_id))
        municipality = holding(page.path, municipalities) if page else None
        if municipality is not None:
            placed.append((state, page, municipality))
    # A crisis submission asked every leader at once; it waits too long from the start.
    crisis = crisis_submissions([(state.workflow_state, m) for state, _page, m in placed])
    steps = []
    for state, page, municipality in placed:
        in_crisis = state.workflow_state.pk in crisis
        remind, escalate = (0, 0) if in_crisis else limits(municipality)
        steps.append(
            WaitingStep(
                task_state=state,
                page=page,
                municipality=municipality,
                waited=waited(state.started_at, municipality, today),
                remind_after=remind,
                escalate_after=escalate,
            )
        )
    return steps


def waiting_too_long(municipalities, today=None, limit=10):
    """``(steps, total)``: the leader approval steps of ``municipalities`` that wait past the
    reminder (``WaitingStep.overdue``), the ``limit`` oldest as ``WaitingStep``, and how many
    there are.

    Two queries and the rows shown, whatever the number of steps waiting: a step waits past the
    reminder when it started on or before the last day that is the profile's working days ago
    (working days only grow the earlier a step started), or when the crisis group submitted it.
    """
    today = today or timezone.localdate()
    wanted = Q(pk__in=[])
    for municipality in municipalities:
        if not (municipality.site_id and municipality.site.root_page_id):
            continue
        in_municipality = Exists(
            Page.objects.filter(
                pk=Cast(OuterRef("workflow_state__object_id"), IntegerField()),
                path__startswith=municipality.site.root_page.path,
            )
        )
        late = Q(started_at__lt=_first_moment_after(_last_late_start(municipality, today)))
        if municipality.crisis_group_id:
            late |= Q(
                Exists(
                    get_user_model().groups.through.objects.filter(
                        user_id=OuterRef("workflow_state__requested_by_id"),
                        group_id=municipality.crisis_group_id,
                    )
                )
            )
        wanted |= in_municipality & late
    states = TaskState.objects.filter(
        wanted,
        status=TaskState.STATUS_IN_PROGRESS,
        task__content_type=ContentType.objects.get_for_model(LeaderApprovalTask),
        workflow_state__base_content_type=get_default_page_content_type(),
    )
    shown, total = first_rows_and_count(states.order_by("started_at", "pk"), limit)
    steps = waiting_steps(municipalities, today, task_states=shown) if shown else []
    return steps, total


def _last_late_start(municipality, today):
    """The last day a step may have started on and wait past the reminder by ``today``."""
    remind, _escalate = limits(municipality)
    day = today
    # A year back at most: no profile waits that long before it reminds.
    for _day in range(366):
        if _waited_since(day, municipality, today) >= remind:
            break
        day -= datetime.timedelta(days=1)
    return day


def _first_moment_after(day):
    """Midnight at the end of ``day``, in the time zone days are counted in."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def remind_and_escalate(today=None, send=None):
    """Remind and escalate every step that is due and was not yet, one kind a step a run;
    ``{kind: steps}``.

    ``send(step, kind)`` mails and returns the people mailed (default
    ``notifications.mail.approval_reminder``). A reminder is recorded with its mail in one
    transaction, so two runs at once send it once, and a step with nobody to mail is left for
    the next run.
    """
    send = send or approval_reminder
    done = {ApprovalReminder.REMIND: 0, ApprovalReminder.ESCALATE: 0}
    sent = set(ApprovalReminder.objects.values_list("task_state_id", "kind"))
    for step in waiting_steps(today=today):
        for kind, due in (
            (ApprovalReminder.REMIND, step.overdue),
            (ApprovalReminder.ESCALATE, step.escalated),
        ):
            if not due or (step.task_state.pk, kind) in sent:
                continue
            if record(step, kind, send):
                done[kind] += 1
            # One mail a step a run: a step due for both is escalated on the next run, so the
            # leader is not told the deputy will be asked while the deputy is being asked.
            break
    return done


def record(step, kind, send):
    """Send ``kind`` about ``step`` and record it; False when another run did, or nobody was
    there to mail."""
    try:
        with transaction.atomic():
            reminder = ApprovalReminder.objects.create(
                task_state=step.task_state, kind=kind, working_days=step.waited
            )
            users = send(step, kind)
            if not users:
                transaction.set_rollback(True)
                return False
            reminder.recipients = len(users)
            reminder.save(update_fields=["recipients"])
    except IntegrityError:
        return False  # another run recorded it first
    return True
