"""``manage.py send_review_reminders [--dry-run] [--month YYYY-MM]``: overdue-review e-mails.

Each responsible leader gets one e-mail a calendar month listing their live pages whose review
date has passed. ``ReviewReminder`` records who was reminded for which month, so the command can
run every day (cron, systemd timer): a leader is reminded on the first run of the month that
finds an overdue page of theirs, and never twice in a month. A reminder is recorded only when
its mail went out, so a run after a mail failure tries again.
"""

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from publishing.models import ReviewReminder
from publishing.models.pages import governed_page_models
from publishing.notifications.delivery import deliver
from publishing.notifications.mail import review_reminder, viewers_among


class MailNotSent(Exception):
    """The reminder could not be sent; its record is rolled back."""


def month_argument(value):
    """``YYYY-MM`` to the first day of that month."""
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"--month takes a month as YYYY-MM, not {value!r}") from error


def overdue_pages_by_leader(today):
    """Live governed pages whose review date is before ``today``, by active responsible leader
    with an e-mail address, earliest review date first."""
    pages = {}
    for model in governed_page_models():
        for page in model.objects.live().filter(
            review_by__lt=today, responsible_leader__isnull=False
        ):
            pages.setdefault(page.pk, page)  # a page type inheriting another is listed once
    leaders = (
        get_user_model()
        .objects.filter(
            pk__in={page.responsible_leader_id for page in pages.values()}, is_active=True
        )
        .exclude(email="")
    )
    leaders = {leader.pk: leader for leader in leaders}
    by_leader = defaultdict(list)
    for page in sorted(pages.values(), key=lambda page: (page.review_by, page.title)):
        if page.responsible_leader_id in leaders:
            by_leader[leaders[page.responsible_leader_id]].append(page)
    return by_leader


class Command(BaseCommand):
    help = (
        "E-mail each responsible leader the live pages whose review date has passed, at most "
        "once a calendar month."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List who would be reminded and of how many pages; send and record nothing.",
        )
        parser.add_argument(
            "--month",
            type=month_argument,
            help="The month to remind for, as YYYY-MM (default: this month).",
        )

    def handle(self, *args, dry_run=False, month=None, **options):
        today = timezone.localdate()
        month = month or today.replace(day=1)
        sent = already = failed = 0
        for leader, pages in overdue_pages_by_leader(today).items():
            # Mail never lists a page its recipient may not view.
            pages = [page for page in pages if viewers_among([leader], page)]
            if not pages:
                continue
            if ReviewReminder.objects.filter(recipient=leader, month=month).exists():
                already += 1
            elif dry_run:
                self.stdout.write(f"{leader.get_username()}: {len(pages)}")
                sent += 1
            else:
                outcome = self.remind(leader, pages, month)
                sent += outcome == "sent"
                already += outcome == "already"
                failed += outcome == "failed"
        verb = "would be reminded" if dry_run else "reminded"
        self.stdout.write(
            f"{month:%Y-%m}: {sent} {verb}, {already} already reminded this month, {failed} failed."
        )
        if failed:
            raise CommandError(f"{failed} reminder(s) could not be sent; run again to retry.")

    def remind(self, leader, pages, month):
        """Record and send one leader's reminder; the record stays only if the mail went out."""
        reminder = review_reminder(leader, pages, month)
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(recipient=leader, month=month, page_count=len(pages))
                if not deliver([reminder], "review reminder"):
                    raise MailNotSent
        except IntegrityError:
            return "already"  # a run at the same time got there first
        except MailNotSent:
            return "failed"
        return "sent"
