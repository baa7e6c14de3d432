"""The record never lies: every record of the last days that says a page was published, read
again against the page as it is now.

People trust three records of a publication: Wagtail's audit log (*Published*), the workflow
(approved and finished, which publishes the page: ``publishing.workflow.setup``) and the mail staff
get from both. A page that is not live while they say it is misleads everyone who reads them, and
nothing else would notice. ``lying_records()`` finds such records; ``manage.py
check_published_records`` runs it daily and fails when it finds one, and tests call it (or
``assert_records_hold``) after exercising the publish paths.

What counts as saying "published" (a *claim*):

- the audit log's ``wagtail.publish`` and ``wagtail.publish.scheduled``. Wagtail writes them only
  when the page went live at that moment (``wagtail/actions/publish_revision.py``): publishing a
  revision whose go-live time lies ahead writes ``wagtail.publish.schedule`` instead, which
  promises nothing yet and is not a claim. So these entries get no allowance for a schedule;
- ``publishing.fast_track`` (*Published by crisis fast track*) and approved workflows. These are
  written whether the publish went live or was scheduled for later, so they hold while the page
  waits for a scheduled publish that is still to come.

A claim is read against what happened to the page after it, not against the page alone: the
newest event decides. A later publish overtakes an earlier claim (a workflow's finish is followed
by the publish entry it writes; that entry is then the one that must hold). An unpublish (by hand
or by expiry) or a deletion afterwards takes the page off legitimately, and a cancelled or
refused scheduled publish calls off the approval that was waiting for it. A page is therefore
reported at most once, by its newest claim.

The check makes at most four queries whatever the number of records (and two to find the
municipality's site when one is given), so that it runs over a 50,000-page installation as it
does over a test site.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import Page, PageLogEntry, Revision, WorkflowState

from publishing import audit

#: Audit-log actions Wagtail writes when a page has just gone live.
PUBLISHED = ("wagtail.publish", "wagtail.publish.scheduled")
#: Records that say "published" but are also written when the publish was scheduled for later.
APPROVED = (audit.FAST_TRACK,)
#: Stands for an approved, finished workflow in a ``LyingRecord`` (it is no audit-log action).
WORKFLOW_APPROVED = "workflow.approved"
#: After these the page is legitimately not live, whatever was claimed before.
TAKEN_OFF = ("wagtail.unpublish", "wagtail.unpublish.scheduled", "wagtail.delete")
#: These call off a scheduled publish (``publishing.workflow.veto`` refuses one at go-live and also
#: clears the schedule, which Wagtail logs as a cancel): an approval that waited for it is settled.
CALLED_OFF = ("wagtail.schedule.cancel", audit.SCHEDULED_BLOCKED)

#: ``publish_scheduled`` runs every minute (``publishing-scheduled.timer``); a go-live time passed
#: by less than this may simply not have had its run yet, so the approval still waits for it.
SCHEDULE_GRACE = datetime.timedelta(minutes=30)

NOT_LIVE = "not_live"
OTHER_REVISION = "other_revision"

# What a page is expected to be after its newest event (see ``_expectation``), and what an
# audit-log entry does to that expectation.
_LIVE, _LIVE_OR_WAITING, _OFF, _CALLED_OFF = "live", "live_or_waiting", "off", "called_off"
_KINDS = {
    **dict.fromkeys(PUBLISHED, _LIVE),
    **dict.fromkeys(APPROVED, _LIVE_OR_WAITING),
    **dict.fromkeys(TAKEN_OFF, _OFF),
    **dict.fromkeys(CALLED_OFF, _CALLED_OFF),
}


@dataclass(frozen=True)
class LyingRecord:
    """A record that says a page was published, and the page that says otherwise.

    ``action`` is the audit-log action (``wagtail.publish``, ``wagtail.publish.scheduled``,
    ``publishing.fast_track``) or ``WORKFLOW_APPROVED``; ``record_id`` the ``PageLogEntry`` or
    ``WorkflowState`` id. ``revision_id`` is the revision the record names, ``live`` and
    ``live_revision_id`` are the page now. ``scheduled_for`` is set when the approval's scheduled
    publish should have happened by now and did not. Only the page's title is carried, never its
    text.
    """

    page_id: int
    title: str
    action: str
    record_id: int
    at: datetime.datetime
    revision_id: int | None
    live: bool
    live_revision_id: int | None
    scheduled_for: datetime.datetime | None = None

    @property
    def problem(self):
        """``NOT_LIVE``, or ``OTHER_REVISION``: live, but not with the revision the record names."""
        return OTHER_REVISION if self.live else NOT_LIVE


@dataclass(frozen=True)
class RecordCheck:
    """What ``check_records`` read: how many claims since ``since`` and which of them lie."""

    since: datetime.datetime
    records: int
    lies: list


@dataclass
class _Record:
    action: str
    record_id: int
    at: datetime.datetime
    revision_id: int | None


def lying_records(days=7, municipality=None):
    """The records of the last ``days`` days that say a page was published while it is not
    (see the module's docstring), newest first; ``municipality`` limits them to its site."""
    return check_records(days, municipality).lies


def assert_records_hold(testcase=None, *, days=7, municipality=None):
    """Fail a test when a record says a page was published that is not live.

    ``testcase.fail`` is used when a test case is given, else ``AssertionError`` is raised; the
    message has one line per lying record (``describe``).
    """
    lies = lying_records(days=days, municipality=municipality)
    if not lies:
        return
    message = "Records say published, pages say otherwise:\n" + "\n".join(
        describe(lie) for lie in lies
    )
    if testcase is not None:
        testcase.fail(message)
    raise AssertionError(message)


def check_records(days=7, municipality=None, *, now=None):
    """Read every claim of the last ``days`` days against its page; a ``RecordCheck``.

    Four queries at most, however many records: the audit-log entries that claim or settle a
    publication, the approved workflows, the pages, and (only if an approval is left waiting)
    the scheduled revisions.
    """
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    root_path = None
    if municipality is not None:
        if not municipality.site_id:
            return RecordCheck(since=since, records=0, lies=[])  # no site, no pages
        root_path = municipality.site.root_page.path

    entries = PageLogEntry.objects.filter(timestamp__gte=since, action__in=list(_KINDS))
    if root_path is not None:
        # Pages deleted since have no place in a tree any more; unscoped, their records are read.
        entries = entries.filter(page__path__startswith=root_path)
    events = {}  # page id -> [(when, order, record id, kind, claim)], sorted on the first three
    for entry in entries.order_by().values("id", "page_id", "action", "timestamp", "revision_id"):
        claim = _Record(entry["action"], entry["id"], entry["timestamp"], entry["revision_id"])
        # At the same moment an audit-log entry comes after a workflow's approval (order 1 > 0):
        # the finish approves first and then writes the publish.
        events.setdefault(entry["page_id"], []).append(
            (entry["timestamp"], 1, entry["id"], _KINDS[entry["action"]], claim)
        )

    # An approved workflow has no time of its own: it finished when its last task was approved.
    states = (
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_APPROVED,
            base_content_type__app_label=Page._meta.app_label,
            base_content_type__model=Page._meta.model_name,
        )
        .annotate(finished=Coalesce(F("current_task_state__finished_at"), F("created_at")))
        .filter(finished__gte=since)
        .order_by()
        .values("id", "object_id", "finished", "current_task_state__revision_id")
    )
    for state in states:
        claim = _Record(
            WORKFLOW_APPROVED,
            state["id"],
            state["finished"],
            state["current_task_state__revision_id"],
        )
        events.setdefault(int(state["object_id"]), []).append(
            (state["finished"], 0, state["id"], _LIVE_OR_WAITING, claim)
        )

    pages = Page.objects.filter(pk__in=list(events))
    if root_path is not None:
        pages = pages.filter(path__startswith=root_path)
    pages = {page["id"]: page for page in pages.values("id", "title", "live", "live_revision_id")}
    if root_path is not None:
        # Approved workflows were read for every site; keep those of this municipality's pages.
        events = {page_id: rows for page_id, rows in events.items() if page_id in pages}

    records = 0
    suspects = []  # (page, claim, expectation)
    for page_id, rows in events.items():
        records += sum(1 for row in rows if row[3] in (_LIVE, _LIVE_OR_WAITING))
        expectation, claim = _expectation(sorted(rows, key=lambda row: row[:3]))
        page = pages.get(page_id)
        if page is None or expectation == _OFF:
            continue  # deleted, or taken off (or never claimed) after the last claim
        if page["live"] and (
            expectation == _LIVE_OR_WAITING
            or claim.revision_id is None
            or page["live_revision_id"] == claim.revision_id
        ):
            continue
        suspects.append((page, claim, expectation))

    scheduled = _scheduled_publishes(
        [page["id"] for page, _claim, expectation in suspects if expectation == _LIVE_OR_WAITING]
    )
    lies = []
    for page, claim, expectation in suspects:
        scheduled_for = scheduled.get(page["id"]) if expectation == _LIVE_OR_WAITING else None
        if scheduled_for is not None and scheduled_for > now - SCHEDULE_GRACE:
            continue  # an approval waiting for its scheduled publish
        lies.append(
            LyingRecord(
                page_id=page["id"],
                title=page["title"],
                action=claim.action,
                record_id=claim.record_id,
                at=claim.at,
                revision_id=claim.revision_id,
                live=page["live"],
                live_revision_id=page["live_revision_id"],
                scheduled_for=scheduled_for,
            )
        )
    lies.sort(key=lambda lie: (lie.at, lie.page_id), reverse=True)
    return RecordCheck(since=since, records=records, lies=lies)


def _expectation(rows):
    """What the page should be after its events (oldest first), and the claim that says so.

    ``_LIVE``: live, with the revision the claim names; ``_LIVE_OR_WAITING``: live, or waiting
    for a scheduled publish; ``_OFF``: nothing to hold (taken off, or no claim in the window).
    """
    expectation, claim = _OFF, None
    for _when, _order, _pk, kind, event in rows:
        if kind == _LIVE:
            expectation, claim = _LIVE, event
        elif kind == _LIVE_OR_WAITING:
            # An approval of a page already published (in the window) adds nothing: either the
            # approval's own publish entry follows and overtakes it, or the approval scheduled a
            # later version while the published one stays live, as it must.
            if expectation != _LIVE:
                expectation, claim = _LIVE_OR_WAITING, event
        elif kind == _OFF or expectation == _LIVE_OR_WAITING:
            # Taken off; or a schedule called off while an approval waited for it. A published
            # page keeps its live version when a later version's schedule is called off.
            expectation, claim = _OFF, None
    return expectation, claim


def _scheduled_publishes(page_ids):
    """Page id -> the go-live time of its revision scheduled for publishing (Wagtail keeps at
    most one a page), for the pages among ``page_ids`` that have one; one query, or none."""
    if not page_ids:
        return {}
    revisions = Revision.objects.filter(
        base_content_type__app_label=Page._meta.app_label,
        base_content_type__model=Page._meta.model_name,
        object_id__in=[str(page_id) for page_id in page_ids],
        approved_go_live_at__isnull=False,
    ).order_by("approved_go_live_at")
    return {
        int(object_id): go_live_at
        for object_id, go_live_at in revisions.values_list("object_id", "approved_go_live_at")
    }


def action_label(action):
    """The record in words: the audit log's own message for its action (as the page history
    shows it), or "Workflow approved"."""
    if action == WORKFLOW_APPROVED:
        return _("Workflow approved")
    formatter = log_action_registry.get_formatter(SimpleNamespace(action=action))
    return str(formatter.message) if formatter is not None and formatter.message else action


def describe(lie):
    """One line about a lying record for people: the page's id and title, the record, when, and
    what the page is now. Never the page's text."""
    if lie.problem == OTHER_REVISION:
        if lie.live_revision_id is None:
            now = _(
                "the page is live without a live revision (the record names revision %(named)s)"
            )
        else:
            now = _("the page is live with revision %(live)s, not revision %(named)s")
    elif lie.scheduled_for is not None:
        now = _("the page is not live; its publishing was scheduled for %(scheduled)s")
    else:
        now = _("the page is not live")
    now = now % {
        "live": lie.live_revision_id,
        "named": lie.revision_id,
        "scheduled": _when(lie.scheduled_for),
    }
    line = _("Page %(page)s “%(title)s”: %(record)s on %(when)s (%(action)s #%(id)s), but %(now)s.")
    return line % {
        "page": lie.page_id,
        "title": lie.title,
        "record": action_label(lie.action),
        "when": _when(lie.at),
        "action": lie.action,
        "id": lie.record_id,
        "now": now,
    }


def summary(check):
    """The closing line: all records hold, or how many do not."""
    values = {
        "count": check.records,
        "lies": len(check.lies),
        "since": _when(check.since),
    }
    if not check.lies:
        return (
            ngettext(
                "All %(count)d record of a publication since %(since)s holds.",
                "All %(count)d records of a publication since %(since)s hold.",
                check.records,
            )
            % values
        )
    return (
        ngettext(
            "%(lies)d of %(count)d records of a publication since %(since)s does not hold.",
            "%(lies)d of %(count)d records of a publication since %(since)s do not hold.",
            len(check.lies),
        )
        % values
    )


def _when(moment):
    # The check speaks to operators in the service's journal, where ISO times sort and search.
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
