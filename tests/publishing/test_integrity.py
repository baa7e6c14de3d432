"""Integrity under faults and races, on PostgreSQL (what production and CI run).

SQLite serialises writers and cannot kill one connection from another, so these tests need the
PostgreSQL run of the suite (``.ci/run`` does both).
"""

import threading
import unittest

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, connections
from django.test import TransactionTestCase
from wagtail.models import PageLogEntry, TaskState, Workflow, WorkflowTask

from publishing.models import LeaderApprovalTask
from tests.governance import build_governed, publish_notice, reload

needs_postgresql = unittest.skipUnless(
    connection.vendor == "postgresql", "needs PostgreSQL: run with DATABASE_URL (see .ci/run)"
)


@needs_postgresql
class KilledConnectionTests(TransactionTestCase):
    def setUp(self):
        self.g = build_governed()
        publish_notice(self.g)

    def test_connection_killed_mid_publish_leaves_the_page_as_it_was(self):
        page = reload(self.g.page)
        revision = page.get_latest_revision()
        pid = connection.cursor().connection.info.backend_pid
        killer = connections.create_connection("default")
        killed = []

        def kill_before_audit_row(execute, sql, params, many, context):
            if sql.startswith('INSERT INTO "wagtailcore_pagelogentry"') and not killed:
                killed.append(True)
                with killer.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            return execute(sql, params, many, context)

        with self.assertRaises(DatabaseError), connection.execute_wrapper(kill_before_audit_row):
            revision.publish(user=None)
        self.assertTrue(killed)
        connection.close()
        killer.close()
        page = reload(page)
        self.assertFalse(page.live, "no half-published page")
        self.assertIsNone(page.live_revision_id)
        self.assertFalse(PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists())


@needs_postgresql
class ConcurrentApprovalTests(TransactionTestCase):
    def setUp(self):
        self.g = build_governed()
        publish_notice(self.g)
        workflow = Workflow.objects.create(name="Leder")
        WorkflowTask.objects.create(
            workflow=workflow, task=LeaderApprovalTask.objects.create(name="Leder"), sort_order=0
        )
        self.state = workflow.start(reload(self.g.page), self.g.publisher)

    def test_two_leaders_at_once_give_one_approval_and_one_publish(self):
        task_state_pk = self.state.current_task_state.pk
        barrier = threading.Barrier(2)
        outcomes = []

        def approve(user):
            try:
                task_state = TaskState.objects.get(pk=task_state_pk)
                task = task_state.task.specific
                barrier.wait(timeout=10)
                task.on_action(task_state, user, "approve")
                outcomes.append("approved")
            except PermissionDenied:
                outcomes.append("refused")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=approve, args=(u,)) for u in (self.g.leader, self.g.deputy)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(sorted(outcomes), ["approved", "refused"])
        page = reload(self.g.page)
        self.assertTrue(page.live)
        self.assertEqual(
            PageLogEntry.objects.filter(page=page, action="wagtail.publish").count(), 1
        )
        self.assertEqual(
            PageLogEntry.objects.filter(page=page, action="publishing.leader_approved").count(), 1
        )
        self.assertEqual(
            PageLogEntry.objects.filter(page=page, action="wagtail.workflow.approve").count(), 1
        )
