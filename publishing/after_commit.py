"""Work that must wait until the current transaction commits."""

from django.db import connection, transaction


def in_transaction():
    """True inside an atomic block that may still roll back.

    The atomic block Django's ``TestCase`` wraps each test in never commits and is not counted,
    so that tests see what production does outside a transaction.
    """
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def after_commit(function):
    """Call ``function`` once the current transaction commits, or now outside one."""
    if in_transaction():
        transaction.on_commit(function, robust=True)
    else:
        function()
