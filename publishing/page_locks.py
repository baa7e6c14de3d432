"""One change to a page at a time."""

from wagtail.models import Page


def wait_for_page(page_id):
    """Wait until no other transaction is changing the page, then hold it until this one ends.

    Wagtail's page views read the page and its workflow when the request starts and write the
    whole page row back when they save; two requests on one page at once (a double click, the
    editor's autosave, a second tab, the worker moving the workflow on) could each act on what
    the other had already changed, and the later one write the page back as it was before the
    other published it. A row lock on the page (PostgreSQL; SQLite lets one writer in at a time
    anyway) makes them take turns, each reading the page as the one before left it. Call it
    inside a transaction.
    """
    list(Page.objects.select_for_update().filter(pk=page_id).values_list("pk", flat=True))
