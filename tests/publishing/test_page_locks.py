"""A page's lock is taken once per transaction, and taken again after a rollback: the database
lets go of a lock taken in a transaction, or savepoint, that is rolled back."""

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from publishing import memo
from publishing.page_locks import wait_for_page
from tests.worlds import GovernedWorld


class Refused(Exception):
    pass


@transaction.atomic
def publish(page_id, refuse=False):
    """A publish as the admin's views and Wagtail's actions run it: one atomic decorator,
    reused for each call, that locks the page and may be refused after."""
    wait_for_page(page_id)
    if refuse:
        raise Refused


class PageLockTests(GovernedWorld, TestCase):
    def setUp(self):
        super().setUp()
        self.page_id = self.world_objects().page.pk

    def locks(self, action):
        """How many times ``action`` asked the database for the page's lock."""
        with CaptureQueriesContext(connection) as queries:
            action()
        return sum('FROM "wagtailcore_page"' in query["sql"] for query in queries)

    def test_asked_again_in_the_same_transaction_the_lock_is_not_taken_again(self):
        with memo.scope(), transaction.atomic():
            self.assertEqual(self.locks(lambda: wait_for_page(self.page_id)), 1)
            self.assertEqual(self.locks(lambda: wait_for_page(self.page_id)), 0)
            self.assertTrue(wait_for_page(self.page_id))

    def test_after_a_rollback_the_next_transaction_takes_it_again(self):
        def refused():
            with self.assertRaises(Refused):
                publish(self.page_id, refuse=True)

        with memo.scope():
            self.assertEqual(self.locks(refused), 1)
            # The same decorator's next transaction, in the same request.
            self.assertEqual(self.locks(lambda: publish(self.page_id)), 1)

    def test_after_a_savepoint_rolled_back_it_is_taken_again(self):
        with memo.scope(), transaction.atomic():
            with self.assertRaises(Refused), transaction.atomic():
                wait_for_page(self.page_id)
                raise Refused
            self.assertEqual(self.locks(lambda: wait_for_page(self.page_id)), 1)

    def test_a_page_gone_is_said_to_be_gone_each_time(self):
        with memo.scope(), transaction.atomic():
            self.assertFalse(wait_for_page(10**9))
            self.assertFalse(wait_for_page(10**9))
