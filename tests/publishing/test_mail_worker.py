"""E-mail goes through the task worker: a mail server that is down fails no publish (nor any other
request), and the worker sends the mail once the server is back.

Production's setup, on whichever database the suite runs on: tasks stored in the database
(``django_tasks_db``), ``manage.py db_worker`` running them, Django's SMTP backend talking to a
mail server on a loopback port that first refuses connections and then answers
(``tests/smtp_sink.py``).
"""

import socket

from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from publishing.notifications.delivery import MAIL_RETRY_DELAYS, send_mail_task
from tests.factories import UserFactory
from tests.governance import build_governed, publish_notice, reload
from tests.smtp_sink import SMTPSink

MAIL_TASK = "publishing.notifications.delivery.send_mail_task"


def closed_port():
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_worker():
    """What the worker service does, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def mail_tasks(**filters):
    return DBTaskResult.objects.filter(task_path=MAIL_TASK, **filters).order_by("enqueued_at")


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_USE_TLS=False,
    EMAIL_TIMEOUT=5,
)
class MailWorkerTests(TransactionTestCase):
    def setUp(self):
        self.g = build_governed()
        self.port = closed_port()
        self.enterContext(override_settings(EMAIL_PORT=self.port))
        self.staff = sorted(
            self.g.municipality.staff_group.user_set.exclude(email="").values_list(
                "email", flat=True
            )
        )

    def test_a_mail_server_that_is_down_fails_no_publish_and_the_worker_retries(self):
        # The notice goes live while the mail server is down: nothing is sent in the request.
        publish_notice(self.g)
        self.assertTrue(reload(self.g.notice).live)
        (queued,) = mail_tasks()
        self.assertEqual(queued.status, TaskResultStatus.READY)

        with self.assertLogs("publishing", "WARNING") as logs:
            run_worker()
        for line in logs.output:
            self.assertNotIn("@", line, "no address in the log")
        first, retry = mail_tasks()
        self.assertEqual(first.status, TaskResultStatus.SUCCESSFUL)
        self.assertEqual(
            first.return_value, {"sent": 0, "retrying": len(first.args_kwargs["args"][0])}
        )
        self.assertEqual(retry.status, TaskResultStatus.READY)
        self.assertEqual(retry.args_kwargs["args"][3], 2, "the second attempt")
        wait = retry.run_after - first.finished_at
        self.assertAlmostEqual(wait.total_seconds(), MAIL_RETRY_DELAYS[0], delta=5)

        # Not before its time: a worker passing by now leaves it waiting.
        run_worker()
        self.assertEqual(mail_tasks(status=TaskResultStatus.READY).count(), 1)

        # The mail server is back, and the pause is over.
        with SMTPSink(self.port) as sink:
            mail_tasks(status=TaskResultStatus.READY).update(run_after=timezone.now())
            run_worker()
        retry.refresh_from_db()
        self.assertEqual(retry.status, TaskResultStatus.SUCCESSFUL)
        delivered = sorted(
            address for recipients, _message in sink.received for address in recipients
        )
        self.assertEqual(delivered, self.staff)
        for _recipients, message in sink.received:
            self.assertIn("Nye turnuser i hjemmetjenesten", message["Subject"])
            self.assertEqual(message["Auto-Submitted"], "auto-generated")

    def test_a_mail_that_the_server_takes_is_sent_by_the_worker_once(self):
        with SMTPSink(self.port) as sink:
            publish_notice(self.g)
            self.assertEqual(sink.received, [], "nothing is sent in the publisher's request")
            run_worker()
            run_worker()
        self.assertEqual(
            sorted(address for recipients, _message in sink.received for address in recipients),
            self.staff,
        )
        (task,) = mail_tasks()
        self.assertEqual(task.status, TaskResultStatus.SUCCESSFUL)

    def test_after_the_last_attempt_the_task_fails_and_says_so_without_addresses(self):
        publish_notice(self.g)
        (queued,) = mail_tasks()
        messages, kind, page_id = queued.args_kwargs["args"]
        queued.delete()
        last = len(MAIL_RETRY_DELAYS) + 1
        send_mail_task.enqueue(messages, kind, page_id, last)
        with self.assertLogs("publishing.notifications", "ERROR") as logs:
            run_worker()
        self.assertNotIn("@", "".join(logs.output))
        (failed,) = mail_tasks()
        self.assertEqual(failed.status, TaskResultStatus.FAILED)
        self.assertTrue(failed.exception_class_path.endswith("MailNotDelivered"))
        self.assertIn(f"after {last} attempt(s)", failed.traceback)
        self.assertNotIn("@", failed.traceback)
        self.assertEqual(mail_tasks(status=TaskResultStatus.READY).count(), 0, "no more tries")


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    EMAIL_BACKEND="publishing.notifications.delivery.QueuedEmailBackend",
    PUBLISHING_MAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_USE_TLS=False,
    EMAIL_TIMEOUT=5,
)
class QueuedEmailBackendTests(TransactionTestCase):
    """Production's ``EMAIL_BACKEND``: Wagtail's own mails take the same queue."""

    def test_a_password_reset_while_the_mail_server_is_down_arrives_later(self):
        port = closed_port()
        user = UserFactory(username="marit", email="marit@alvdal.kommune.no", is_staff=True)
        with override_settings(EMAIL_PORT=port):
            response = self.client.post(
                "/admin/password_reset/", {"email": user.email}, HTTP_ACCEPT_LANGUAGE="nb"
            )
            self.assertEqual(response.status_code, 302, "the request does not wait on mail")
            (queued,) = mail_tasks()
            with SMTPSink(port) as sink:
                run_worker()
        self.assertEqual([recipients for recipients, _message in sink.received], [[user.email]])
        self.assertIn("/admin/password_reset/", sink.received[0][1].get_content())
