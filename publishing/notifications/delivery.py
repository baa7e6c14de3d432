"""Sending e-mail: through the task worker (``manage.py db_worker``) in production.

E-mail leaves the request: a publish or an approval puts its mails in the task queue when its
transaction commits, and the worker sends them. A mail server that is down or refuses a
message therefore never slows or fails a publish; the worker tries the unsent messages again
after a growing pause (``MAIL_RETRY_DELAYS``) and records the task as failed only when the
last attempt fails too.

Which queue is used is a setting (``TASKS``): production stores tasks in the database
(``django_tasks_db``); development and the tests run them at once, in the process
(``ImmediateBackend``), which cannot wait, so there a failed mail is logged and not retried.

``QueuedEmailBackend`` puts every other mail of the site (Wagtail's comment notifications, password
resets) on the same queue when it is the ``EMAIL_BACKEND``, as in production.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks import task

from publishing.conf import setting

logger = logging.getLogger(__name__)

#: Seconds to wait before the second, third, ... attempt at sending a mail: about a day in all,
#: long enough to ride out a mail server's maintenance window.
MAIL_RETRY_DELAYS = (60, 300, 1800, 7200, 21600, 57600)


class MailNotDelivered(Exception):
    """The last attempt at sending some mails failed. Says how many, never to whom."""


def message_to_json(item):
    """An ``EmailMessage`` (or one with HTML alternatives) as JSON data for the task queue."""
    return {
        "subject": item.subject,
        "body": item.body,
        "from_email": item.from_email,
        "to": list(item.to),
        "cc": list(item.cc),
        "bcc": list(item.bcc),
        "reply_to": list(item.reply_to),
        "headers": dict(item.extra_headers),
        "alternatives": [list(part) for part in getattr(item, "alternatives", [])],
    }


def message_from_json(data):
    """The message that ``message_to_json`` described."""
    item = EmailMultiAlternatives(
        data["subject"],
        data["body"],
        data["from_email"],
        to=data["to"],
        cc=data.get("cc", []),
        bcc=data["bcc"],
        reply_to=data.get("reply_to", []),
        headers=data["headers"],
    )
    for content, mimetype in data.get("alternatives", []):
        item.attach_alternative(content, mimetype)
    return item


def enqueue_mail(messages, kind, page_id=None):
    """Put ``messages`` in the task queue for the worker to send."""
    send_mail_task.enqueue([message_to_json(item) for item in messages], kind, page_id)


QUEUE_BACKEND = f"{__name__}.QueuedEmailBackend"


def sending_backend():
    """The e-mail backend that really sends: ``PUBLISHING_MAIL_BACKEND`` when the site's
    ``EMAIL_BACKEND`` is the queue below, else ``EMAIL_BACKEND`` itself."""
    backend = setting("MAIL_BACKEND") or settings.EMAIL_BACKEND
    if backend == QUEUE_BACKEND:
        raise ImproperlyConfigured(
            "EMAIL_BACKEND queues mail for the worker; set PUBLISHING_MAIL_BACKEND to the backend "
            "that sends it (django.core.mail.backends.smtp.EmailBackend)."
        )
    return backend


class QueuedEmailBackend(BaseEmailBackend):
    """An ``EMAIL_BACKEND`` that hands every message to the task worker.

    Production uses it so that no request talks to the mail server: Wagtail's own mails
    (comment notifications, password resets) are queued and retried like ours. The worker sends
    them through ``PUBLISHING_MAIL_BACKEND``. Messages with attachments are not queued (none of
    the site's mails have any; their files would not fit the queue's JSON): they go straight
    to the sending backend.
    """

    def send_messages(self, email_messages):
        queued = [item for item in email_messages if not item.attachments]
        direct = [item for item in email_messages if item.attachments]
        if queued:
            enqueue_mail(queued, "site")
        sent = len(queued)
        if direct:
            sent += (
                get_connection(sending_backend(), fail_silently=self.fail_silently).send_messages(
                    direct
                )
                or 0
            )
        return sent


def deliver_each(messages, kind, page_id=None):
    """Send ``messages`` over one connection now; return the ones that could not be sent.

    A failure is logged with the kind of mail and the page id only: exception texts from mail
    servers often quote the recipient's address.
    """
    sent = set()
    try:
        with get_connection(sending_backend()) as mail_connection:
            for index, item in enumerate(messages):
                item.connection = mail_connection
                try:
                    if item.send():
                        sent.add(index)
                except Exception as error:
                    logger.error(
                        "Could not send a %s e-mail about page %s (%s)",
                        kind,
                        page_id,
                        type(error).__name__,
                    )
    except Exception as error:
        # No connection, or closing it failed: what was not sent by then is unsent.
        logger.error(
            "No mail connection for %s e-mail about page %s (%s)",
            kind,
            page_id,
            type(error).__name__,
        )
    for item in messages:
        item.connection = None  # a message may be queued again, its connection may not
    return [item for index, item in enumerate(messages) if index not in sent]


def deliver(messages, kind, page_id=None):
    """Send ``messages`` over one connection now and return how many went out."""
    return len(messages) - len(deliver_each(messages, kind, page_id))


@task()
def send_mail_task(messages, kind, page_id=None, attempt=1):
    """Send ``messages`` (``message_to_json`` data); queue the unsent ones again for later.

    Returns how many were sent and how many wait for another attempt, for the task's result.
    """
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
