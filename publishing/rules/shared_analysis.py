"""One analysis of a text, shared by every door that asks about it.

The same version of a page is judged several times: the editor's form when the publisher saves
or publishes, the side panel a second after each pause in typing, the workflow step, the
publish veto, the kept check of the live version. Each used to scan the text for personal data
and measure its language again. The analysis depends only on the text (with the map of where
each part came from), on the municipality's settings that judge it (``analysis_settings``) and
on the checks' own code, word lists and libraries; ``key`` digests the three, and an analysis
is kept under it:

- in this process, for the last ``LOCAL_SIZE`` texts (the form check, the veto and the kept
  live check of one publish run in one process);
- in Django's default cache for ``SHARED_SECONDS`` (the side panel's calls and the form's
  POST reach any of the server's processes; the task worker is another process).

Nothing needs to be invalidated: a changed text, setting or check gives another key. What is
kept is what the text rules word their findings from: kinds, fields, offsets, reading scores
and the masked excerpts the writer sees, never an unmasked value. Kept analyses are shared and
must not be changed by the caller.
"""

import collections
import functools
import hashlib
import json
import logging
import threading

from django.core.cache import cache

from publishing.fingerprint import fingerprint

#: The code an analysis depends on, below the package, and the libraries it uses.
SOURCES = ("content_checks", "rules/content.py", "rules/text_extraction.py")
LIBRARIES = ("phonenumbers", "python-stdnum", "wagtail")

#: Analyses kept in this process (a few hundred kilobytes at most).
LOCAL_SIZE = 256
#: How long the shared cache keeps an analysis: long enough for an editing session.
SHARED_SECONDS = 3600

logger = logging.getLogger(__name__)

_local = collections.OrderedDict()
_lock = threading.Lock()


@functools.cache
def checks_fingerprint():
    """A digest of the text checks' code, word lists and library versions."""
    return fingerprint(SOURCES, LIBRARIES)


def key(page_text, settings):
    """The key of the analysis of ``page_text`` (a ``PageText``) under ``settings``."""
    data = {
        "checks": checks_fingerprint(),
        "settings": settings,
        "text": page_text.text,
        "segments": [(s.field, s.kind, s.start, s.end) for s in page_text.segments],
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    return f"publishing:analysis:{digest.hexdigest()}"


def analysed(page_text, settings, analyse):
    """The kept analysis of ``page_text`` under ``settings``, or ``analyse()`` kept now."""
    name = key(page_text, settings)
    with _lock:
        if name in _local:
            _local.move_to_end(name)
            return _local[name]
    found = _shared(cache.get, name)
    if found is None:
        found = analyse()
        _shared(cache.set, name, found, SHARED_SECONDS)
    with _lock:
        _local[name] = found
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)
    return found


def _shared(operation, *args):
    """``operation`` of the shared cache; a cache that is down costs an analysis, not a
    refused publish."""
    try:
        return operation(*args)
    except Exception as error:  # any backend's connection error
        logger.warning("Shared analysis cache unavailable (%s)", type(error).__name__)
        return None


def forget_all():
    """Drop this process's kept analyses (tests; the shared cache expires by itself)."""
    with _lock:
        _local.clear()
