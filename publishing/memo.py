"""What one request, or one publish, reads once: the municipalities and their organisation.

While a request is answered, governance asks the same questions many times: "whose page is
this" (the form, the side panel, each rule, the approval), "which units are above this one" and
"who leads them" (the responsibility rule, the approvers, the page's public credit). Each asked
the database again. ``remember(key, compute)`` keeps the first answer for the rest of the
request.

A scope opens when Django starts a request (``request_started``) and closes when the response
is finished (``request_finished``); the publish veto opens one of its own when it runs outside a
request (``revision.publish()`` in code, the scheduler, the task worker), and ``scope()`` opens
one anywhere else. Without an open scope nothing is kept: every call reads afresh.

What ends a scope's answers: the end of the request or publish, and any save or delete of a
municipality, site, organisation unit, role assignment, deputyship, audience, publisher
certificate, user, collection, group permission on a collection or collection view restriction,
and a change of a user's groups (``forget``, connected in ``publishing.signal_handlers``), so a
request that changes the organisation reads it anew after the change. Scopes hold ids, names and
roles, never page text.
"""

import contextlib
import contextvars

_answers = contextvars.ContextVar("publishing_memo", default=None)


@contextlib.contextmanager
def scope():
    """Keep answers inside the block; inside an open scope, the open one goes on."""
    if _answers.get() is not None:
        yield
        return
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def remember(key, compute):
    """``compute()``, computed once per scope under ``key`` (every time without a scope)."""
    answers = _answers.get()
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = compute()
    return answers[key]


def first_time(key):
    """True the first time ``key`` is seen in the open scope (always True without one): for
    work a request need do only once, such as dropping a page's kept results."""
    answers = _answers.get()
    if answers is None:
        return True
    if key in answers:
        return False
    answers[key] = True
    return True


def drop(kinds):
    """Drop the open scope's answers whose key starts with one of ``kinds``."""
    answers = _answers.get()
    if answers is not None:
        for key in [key for key in answers if key[0] in kinds]:
            del answers[key]


def forget(*args, **kwargs):
    """Drop every answer of the open scope (a signal receiver: the organisation changed)."""
    answers = _answers.get()
    if answers is not None:
        answers.clear()


def open_for_request(*args, **kwargs):
    """``request_started``: a fresh scope for the request."""
    _answers.set({})


def close_after_request(*args, **kwargs):
    """``request_finished``: nothing kept beyond the request."""
    _answers.set(None)
