"""Governance entries in Wagtail's audit log: registered actions, never the page's text."""

import contextvars

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter, log
from wagtail.models import Page, PageLogEntry, Revision

from publishing.after_commit import in_transaction
from publishing.wording import quoted

BLOCKED = "publishing.publish_blocked"
SCHEDULED_BLOCKED = "publishing.scheduled_publish_blocked"
ACTION_BLOCKED = "publishing.action_blocked"
LEADER_APPROVED = "publishing.leader_approved"
NOTICE_PASSED = "publishing.notice_passed"
FAST_TRACK = "publishing.fast_track"
REVIEW_DONE = "publishing.fast_track_reviewed"
CHECKS_SENT_BACK = "publishing.checks_sent_back"
CHECKLIST_CONFIRMED = "publishing.checklist_confirmed"
WARNING_ACKNOWLEDGED = "publishing.warning_acknowledged"
WITHDRAWN = "publishing.withdrawn"
REINSTATED = "publishing.reinstated"
UNPUBLISHED_BECAUSE = "publishing.unpublished_because"
DELETED_BECAUSE = "publishing.deleted_because"
#: Entries about refused attempts: they stay on record even when the transaction around them
#: is rolled back.
ATTEMPTS = frozenset({BLOCKED, SCHEDULED_BLOCKED, ACTION_BLOCKED})


class FindingsFormatter(LogFormatter):
    """Shows the rule codes an entry is about, e.g. “Publishing blocked: notice.not_live”."""

    label = ""

    def format_message(self, log_entry):
        codes = [item.get("code", "") for item in (log_entry.data or {}).get("findings", [])]
        if codes:
            return f"{self.label}: {', '.join(codes)}"
        return str(self.label)


class ChecklistFormatter(LogFormatter):
    """“Checklist confirmed: personvern, linjeansvar, …” – the codes of the confirmed items."""

    label = _("Checklist confirmed")

    def format_message(self, log_entry):
        codes = (log_entry.data or {}).get("items", [])
        return f"{self.label}: {', '.join(codes)}" if codes else str(self.label)


class AcknowledgementFormatter(LogFormatter):
    """“Warning acknowledged: plain_language.lix_over_target – “the leader's reason””.

    The reason is the leader's own words, written for the record; the page's text is not logged.
    """

    label = _("Warning acknowledged")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        codes = [item.get("code", "") for item in data.get("findings", [])]
        message = f"{self.label}: {', '.join(codes)}" if codes else str(self.label)
        reason = data.get("reason")
        return f"{message} – {quoted(reason)}" if reason else message


class ReasonFormatter(LogFormatter):
    """“Withdrawn – “the reason given””: the reason is written for the record (and, for a
    withdrawal, shown to citizens on the page), not taken from the page's text."""

    label = ""

    def format_message(self, log_entry):
        reason = (log_entry.data or {}).get("reason")
        return f"{self.label} – {quoted(reason)}" if reason else str(self.label)


def register_actions(actions):
    """Called from the ``register_log_actions`` hook."""

    def formatter(code, label):
        cls = type(f"Formatter_{code}", (FindingsFormatter,), {"label": label})
        actions.register_action(code)(cls)

    formatter(BLOCKED, _("Publishing blocked"))
    formatter(SCHEDULED_BLOCKED, _("Scheduled publishing blocked"))
    formatter(ACTION_BLOCKED, _("Copy, alias or move blocked"))
    formatter(CHECKS_SENT_BACK, _("Sent back by the automatic checks"))
    for code, label in (
        (WITHDRAWN, _("Withdrawn")),
        (UNPUBLISHED_BECAUSE, _("Reason for unpublishing")),
        (DELETED_BECAUSE, _("Reason for deleting")),
    ):
        actions.register_action(code)(
            type(f"Formatter_{code}", (ReasonFormatter,), {"label": label})
        )
    actions.register_action(
        REINSTATED, _("Reinstated"), _("Withdrawal lifted: the page is current")
    )
    actions.register_action(CHECKLIST_CONFIRMED)(ChecklistFormatter)
    actions.register_action(WARNING_ACKNOWLEDGED)(AcknowledgementFormatter)
    actions.register_action(LEADER_APPROVED, _("Approved by leader"), _("Approved by leader"))
    actions.register_action(
        NOTICE_PASSED, _("Internal notice live"), _("Internal notice live: staff informed first")
    )
    actions.register_action(FAST_TRACK, _("Crisis fast track"), _("Published by crisis fast track"))
    actions.register_action(
        REVIEW_DONE, _("Fast track reviewed"), _("Crisis fast track reviewed afterwards")
    )


_pending = contextvars.ContextVar("publishing_pending_log_entries", default=None)


def record(page, action, *, user=None, findings=(), data=None, revision=None):
    """Write a governance log entry for ``page`` that survives a rollback around it.

    Inside a transaction the entry is written with it and also kept aside; if the transaction is
    rolled back (a refused bulk publish or approval) the entry is gone, and ``flush_pending``
    writes it again when the request ends, so the attempt stays on record even though nothing
    else does.
    """
    payload = {"findings": [finding.as_log_data() for finding in findings], **(data or {})}
    entry = {
        "page_id": page.pk,
        "action": action,
        "user_id": getattr(user, "pk", None),
        "data": payload,
        "revision_id": getattr(revision, "pk", None),
    }
    written = _write(entry)
    # Only attempts are kept: an approval that was rolled back did not happen.
    if action in ATTEMPTS and in_transaction() and written is not None:
        pending = _pending.get()
        if pending is None:
            pending = []
            _pending.set(pending)
        pending.append((written.pk, entry))


def flush_pending(**kwargs):
    """Write kept-aside entries; connected to ``request_finished`` and called by commands."""
    pending = _pending.get()
    if not pending:
        return
    _pending.set([])

    kept = set(
        PageLogEntry.objects.filter(pk__in=[pk for pk, _entry in pending]).values_list(
            "pk", flat=True
        )
    )
    for pk, entry in pending:
        if pk not in kept:  # rolled back with the transaction it was written in
            _write(entry)


def _write(entry):

    page = Page.objects.filter(pk=entry["page_id"]).first()
    if page is None:
        return
    user = (
        get_user_model().objects.filter(pk=entry["user_id"]).first() if entry["user_id"] else None
    )
    revision = (
        Revision.objects.filter(pk=entry["revision_id"]).first() if entry["revision_id"] else None
    )
    with transaction.atomic():
        return log(
            instance=page.specific_deferred,
            action=entry["action"],
            user=user,
            data=entry["data"],
            revision=revision,
            content_changed=False,
        )
