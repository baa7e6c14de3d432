"""``manage.py check_published_records [--days N] [--municipality SLUG]``: does every record of a
publication still hold?

Reads every audit-log entry and approved workflow of the last ``--days`` days (default 7) that
says a page was published against what the page is now and what happened to it since
(``publishing.workflow.published_records``). Prints a line for each record that does not hold
(page id, title, record, when, what the page is now; never the page's text) and exits with
status 1, so that the daily job (``publishing-daily.service``) shows as failed in systemd;
otherwise one line saying that all records hold. It changes nothing.
"""

import argparse
import contextlib

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from publishing.models import Municipality
from publishing.workflow.published_records import check_records, describe, summary


def days_argument(value):
    """A whole number of days, at least one."""
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(
            _("takes a whole number of days, 1 or more, not “%(value)s”") % {"value": value}
        )
    return days


class Command(BaseCommand):
    help = (
        "Check that every page a record of the last days says was published is live (or was "
        "taken off since); exit with status 1 if one is not."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=days_argument,
            default=7,
            metavar="N",
            help="Read the records of the last N days (default: 7).",
        )
        parser.add_argument("--municipality", metavar="SLUG", help="Only this municipality.")

    def handle(self, *args, days=7, municipality=None, **options):
        scope = None
        if municipality:
            scope = (
                Municipality.objects.select_related("site__root_page")
                .filter(slug=municipality)
                .first()
            )
            if scope is None:
                raise CommandError(
                    _("No municipality with the slug “%(slug)s”.") % {"slug": municipality}
                )
        # One municipality's report is in its language; all of them in the site's default.
        language = translation.override(scope.language) if scope else contextlib.nullcontext()
        with language:
            check = check_records(days, scope)
            for lie in check.lies:
                self.stdout.write(describe(lie))
            if check.lies:
                raise CommandError(summary(check))  # exit status 1
            self.stdout.write(summary(check))
