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
    if connection.in_atomic_block:
        # The outermost block stands for the transaction (kept in the key, so not reused).
        held = ("page_locked", connection.atomic_blocks[0], page_id)
        if not memo.first_time(held):
            return True
        # An atomic decorator reuses its block for each call: the next transaction locks anew.
        transaction.on_commit(lambda: memo.drop({"page_locked"}), robust=True)
    rows = Page.objects.select_for_update().filter(pk=page_id).values_list("pk", flat=True)
    return bool(list(rows))
