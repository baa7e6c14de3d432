"""The reason given for unpublishing or deleting pages citizens may have relied on, and its
record.

Whether a removal needs a reason is the rule engine's (``rules.withdrawal``). The reason travels
from the door that asked for it (the admin's confirmation, ``editor.removal``) to Wagtail's
unpublish and delete actions in this request's context (``given``); code outside a request
gives one with ``because(reason)``. ``wagtail_internals.actions`` refuses a removal without
one and writes the reason in the history of every page it takes away (``record``).
"""

import contextlib
import contextvars

from django.core.signals import request_started
from wagtail.log_actions import log

from publishing import audit
from publishing.models import Municipality

_reason = contextvars.ContextVar("publishing_removal_reason", default=None)


def give(reason):
    """The reason for the removals this request makes (set by the door that asked for it)."""
    _reason.set(reason)


def given():
    """The reason given for removals now, or None."""
    return _reason.get()


@contextlib.contextmanager
def because(reason):
    """Removals inside the block are made for ``reason`` (for code: a command, a migration)."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def forget(**kwargs):
    """``request_started``: a reason is given for one request only (a thread serves many)."""
    _reason.set(None)


request_started.connect(forget, dispatch_uid="publishing_removal_reason_forget")


def record(pages, action, reason, user):
    """Write ``reason`` in the history of each of ``pages`` (``audit.UNPUBLISHED_BECAUSE`` or
    ``audit.DELETED_BECAUSE``), with the municipality of a page about to be deleted: its
    entries are then shown to that municipality's people only (``access.admin_scope``)."""
    for page in pages:
        data = {"reason": reason}
        if action == audit.DELETED_BECAUSE:
            municipality = Municipality.objects.for_page(page)
            if municipality is not None:
                data["municipality"] = municipality.slug
        log(
            instance=page.specific_deferred,
            action=action,
            user=user,
            data=data,
            content_changed=False,
        )
