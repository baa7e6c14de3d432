"""The indexes the extension's migrations add to Wagtail's own tables are there, and the
database uses them for the questions they were made for."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.models import TaskState

from publishing.dashboard.panels import recently_edited
from tests.factories import UserFactory

#: Each index the migrations add to a table of Wagtail's: (table, index name, columns).
INDEXES = [
    (
        "wagtailcore_pagelogentry",
        "publishing_pagelog_user_edits",
        ["user_id", "action", "timestamp"],
    ),
    ("wagtailcore_taskstate", "publishing_taskstate_waiting", ["task_id", "started_at"]),
]


def plan(sql, params):
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


class WagtailTableIndexTests(TestCase):
    def test_each_index_is_on_its_table(self):
        # A later Wagtail migration that rebuilds one of these tables (SQLite copies a table to
        # alter it) would drop an index Django's migration state does not know of.
        with connection.cursor() as cursor:
            for table, name, columns in INDEXES:
                constraints = connection.introspection.get_constraints(cursor, table)
                self.assertIn(name, constraints, table)
                self.assertEqual(constraints[name]["columns"], columns, name)

    def test_the_waiting_steps_are_read_through_the_index(self):
        waiting = TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS, task_id=1)
        sql, params = waiting.order_by("started_at").values("pk").query.sql_with_params()
        if connection.vendor != "sqlite":
            # PostgreSQL reads a table this small whole; its planner is asked not to.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        self.assertIn("publishing_taskstate_waiting", plan(sql, params))

    def test_the_newest_edits_are_read_through_the_index(self):
        user = UserFactory()
        with CaptureQueriesContext(connection) as queries:
            recently_edited(user, 5)
        first = queries.captured_queries[0]["sql"]  # the newest edits, the panel's own query
        if connection.vendor != "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        self.assertIn("publishing_pagelog_user_edits", plan(first, []))
