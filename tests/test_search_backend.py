"""Site search runs on the database's own full-text search: PostgreSQL's in production."""

import unittest

from django.db import connection
from django.test import SimpleTestCase
from wagtail.search.backends import get_search_backend


class SearchBackendTests(SimpleTestCase):
    @unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
    def test_postgresql_full_text_search_is_used(self):
        # Wagtail's database backend picks the PostgreSQL full-text implementation by itself.
        module = type(get_search_backend()).__module__
        self.assertTrue(module.endswith(".database.postgres.postgres"), module)
