"""One change to a page at a time."""

from django.db import connection, transaction
from wagtail.models import Page

from publishing import memo


def wait_for_page(page_id):
    """Wait until no other transaction is changing the page, then hold it until this one ends.

    Wagtail's page views read the page and its workflow when the request starts and write the
    whole page row back when they save; two requests on one page at once (a double click, the
    editor's autosave, a second tab, the worker moving the workflow on) could each act on what
    the other had already changed, and the later one write the page back as it was before the
    other published it. A row lock on the page (PostgreSQL; SQLite lets one writer in at a time
    anyway) makes them take turns, each reading the page as the one before left it. Call it
    inside a transaction. Whether the page is still there; asked again in the same transaction
    and request (the editor's save, then the publish), it is not asked of the database again.
    """
    if not connection.in_atomic_block:
        return _lock(page_id)
    held = memo.remember(("page_locked",), dict)
    if page_id in held and _still_open(held[page_id][0]):
        return held[page_id][1]
    found = _lock(page_id)

    def release():
        held.pop(page_id, None)

    # The callback is this transaction's: Django forgets it when the transaction, or the
    # savepoint the lock was taken in, is rolled back, as the database forgets the lock.
    transaction.on_commit(release, robust=True)
    held[page_id] = (release, found)
    return found


def _lock(page_id):
    rows = Page.objects.select_for_update().filter(pk=page_id).values_list("pk", flat=True)
    return bool(list(rows))


def _still_open(callback):
    """Whether the transaction that registered ``callback`` with ``on_commit`` is still open
    and has not been rolled back to before it (Django's list of callbacks to run on commit)."""
    return any(entry[1] is callback for entry in connection.run_on_commit)
