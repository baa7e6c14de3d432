"""Background tasks, run by the task worker (``manage.py db_worker``) in production.

E-mail leaves the request: a publish or an approval puts its mails in the task queue when its
transaction commits, and the worker sends them. A mail server that is down or refuses a
message therefore never slows or fails a publish; the worker tries the unsent messages again
after a growing pause (``MAIL_RETRY_DELAYS``) and records the task as failed only when the
last attempt fails too.

Which queue is used is a setting (``TASKS``): production stores tasks in the database
(``django_tasks_db``); development and the tests run them at once, in the process
(``ImmediateBackend``), which cannot wait, so there a failed mail is logged and not retried.
"""

import datetime
import logging

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

#: Seconds to wait before the second, third, ... attempt at sending a mail: about a day in all,
#: long enough to ride out a mail server's maintenance window.
MAIL_RETRY_DELAYS = (60, 300, 1800, 7200, 21600, 57600)


class MailNotDelivered(Exception):
    """The last attempt at sending some mails failed. Says how many, never to whom."""


def message_to_json(item):
    """The parts of an ``EmailMessage`` that ``notifications.message`` sets, as JSON data."""
    return {
        "subject": item.subject,
        "body": item.body,
        "from_email": item.from_email,
        "to": list(item.to),
        "bcc": list(item.bcc),
        "headers": dict(item.extra_headers),
    }


def message_from_json(data):
    """The ``EmailMessage`` that ``message_to_json`` described."""
    return EmailMessage(
        data["subject"],
        data["body"],
        data["from_email"],
        to=data["to"],
        bcc=data["bcc"],
        headers=data["headers"],
    )


def enqueue_mail(messages, kind, page_id=None):
    """Put ``messages`` in the task queue for the worker to send."""
    send_mail_task.enqueue([message_to_json(item) for item in messages], kind, page_id)


@task()
def send_mail_task(messages, kind, page_id=None, attempt=1):
    """Send ``messages`` (``message_to_json`` data); queue the unsent ones again for later.

    Returns how many were sent and how many wait for another attempt, for the task's result.
    """
    from .notifications import deliver_each

    unsent = deliver_each([message_from_json(data) for data in messages], kind, page_id)
    if not unsent:
        return {"sent": len(messages), "retrying": 0}
    backend = send_mail_task.get_backend()
    if attempt > len(MAIL_RETRY_DELAYS) or not backend.supports_defer:
        raise MailNotDelivered(
            f"{len(unsent)} {kind} e-mail(s) about page {page_id} not sent "
            f"after {attempt} attempt(s)"
        )
    delay = MAIL_RETRY_DELAYS[attempt - 1]
    send_mail_task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
        [message_to_json(item) for item in unsent], kind, page_id, attempt + 1
    )
    logger.warning(
        "%s of %s %s e-mail(s) about page %s not sent; attempt %s in %s s",
        len(unsent),
        len(messages),
        kind,
        page_id,
        attempt + 1,
        delay,
    )
    return {"sent": len(messages) - len(unsent), "retrying": len(unsent)}
