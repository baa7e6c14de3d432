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

What is the same for every request until the organisation changes (the municipalities, units,
leader roles, certificates, users' groups, collections, view restrictions:
``remember(..., across_requests=True)``) is also kept in the process from one request to the
next, for one version of the organisation (``OrganisationVersion``): each scope reads the
version's token once (one small query in place of five to eight), and a process that finds
another token than the one its answers were kept for reads them again. The saves and deletes
that end a scope's answers give the token a new value in their own transaction: a change is seen
by every process once it commits, and a rolled-back change, which leaves the old token, is never
taken for the state it would have made. A scope that changed the organisation reads afresh until
it ends. Kept answers are shared between requests and must not be changed by the caller.
"""

import contextlib
import contextvars
import threading
import uuid

from django.apps import apps

_answers = contextvars.ContextVar("publishing_memo", default=None)

#: The answers kept across requests, for one token of ``OrganisationVersion``.
_kept = {"token": None, "answers": {}}
_kept_lock = threading.Lock()
#: At most this many kept answers (some are per person: their groups, their certificates).
KEPT_SIZE = 20_000
#: A scope's own keys: the token it read, and whether it changed the organisation itself.
_TOKEN = ("organisation_version",)
_CHANGED = ("organisation_changed",)


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


def remember(key, compute, *, across_requests=False):
    """``compute()``, computed once per scope under ``key`` (every time without a scope); with
    ``across_requests``, kept in the process until the organisation changes."""
    answers = _answers.get()
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = _kept_answer(answers, key, compute) if across_requests else compute()
    return answers[key]


def _kept_answer(answers, key, compute):
    """The answer kept in the process for the scope's version of the organisation, or
    ``compute()`` (kept for the next request when the scope has not changed the organisation)."""
    if _CHANGED in answers:
        return compute()
    if _TOKEN not in answers:
        answers[_TOKEN] = _read_token()
    token = answers[_TOKEN]
    if token is None:  # no version row (a database emptied by tests): nothing is kept
        return compute()
    with _kept_lock:
        if _kept["token"] == token and key in _kept["answers"]:
            return _kept["answers"][key]
    found = compute()
    with _kept_lock:
        if _kept["token"] != token:
            _kept["token"], _kept["answers"] = token, {}
        if len(_kept["answers"]) < KEPT_SIZE:
            _kept["answers"][key] = found
    return found


def kept_store(name):
    """A dict that callers fill with facts that hold for as long as the organisation's version
    does (as ``remember(..., across_requests=True)`` keeps one answer): kept in the process
    for the scope's version, and a new, empty one once the version changes, so that
    ``new_version()`` empties it for every process. Without an open scope, or in a scope that
    changed the organisation, it is a dict for the caller alone. Read it with ``get``: another
    thread may empty it at any time."""
    return remember(("store", name), dict, across_requests=True)


def kept_lookup(name, keys, read, limit):
    """``{id: value}`` for ``keys`` (``{id: its key in the store}``) from the kept store
    ``name`` (``kept_store``). The ids it lacks are read with ``read(ids)``, which gives
    ``{id: (key, value)}`` (a key of its own: a revision read anew is kept under the time read
    with it), and kept; a store that would pass ``limit`` entries is emptied first."""
    kept = kept_store(name)
    found, missing = {}, []
    for item_id, key in keys.items():
        value = kept.get(key)
        if value is None:
            missing.append(item_id)
        else:
            found[item_id] = value
    if missing:
        fresh = read(missing)
        if len(kept) + len(fresh) > limit:
            kept.clear()
        for item_id, (key, value) in fresh.items():
            kept[key] = value
            found[item_id] = value
    return found


def _version_model():
    # Looked up, not imported: the models use this module.
    return apps.get_model("publishing", "OrganisationVersion")


def _read_token():
    tokens = list(_version_model().objects.filter(pk=1).values_list("token", flat=True))
    return tokens[0] if tokens else None


def new_version():
    """Give the organisation's version a new token, in the current transaction."""
    model = _version_model()
    token = uuid.uuid4().hex
    if not model.objects.filter(pk=1).update(token=token):
        model.objects.get_or_create(pk=1, defaults={"token": token})


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


def forget(*args, update_fields=None, action=None, **kwargs):
    """The organisation changed (a signal receiver): drop every answer of the open scope, read
    afresh for the rest of it, and give the organisation a new version for every process."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login: nothing kept depends on when someone last logged in
    if action is not None and not action.startswith("post_"):
        return  # a change of a user's groups: once, when it is made
    answers = _answers.get()
    if answers is not None:
        answers.clear()
        answers[_CHANGED] = True
    new_version()


def forget_kept():
    """Drop this process's answers kept across requests (tests)."""
    with _kept_lock:
        _kept["token"], _kept["answers"] = None, {}


def open_for_request(*args, **kwargs):
    """``request_started``: a fresh scope for the request."""
    _answers.set({})


def close_after_request(*args, **kwargs):
    """``request_finished``: nothing kept beyond the request."""
    _answers.set(None)
