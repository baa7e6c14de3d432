"""``manage.py capture_missed [--municipality SLUG ...] [--since YYYY-MM-DD]``: queue a capture
of every publish the archive of published pages has none of.

A capture is made by the task worker after each publish; a worker that was stopped or a storage
that failed leaves a publish without one. This finds the publishes logged since the
municipality's first capture (or ``--since``) whose version has no capture, and queues one each:
the version is served as the site served it, dated when it was published. Run daily before
``verify_archive``; it does nothing when nothing was missed.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from publishing.archive.capture import capture_missed
from publishing.conf import setting
from publishing.management.municipality_option import add_municipality_option, chosen_municipalities
from publishing.models import Municipality


class Command(BaseCommand):
    help = "Queue a capture of every publish of a public page that the archive has none of."

    def add_arguments(self, parser):
        add_municipality_option(parser)
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help=(
                "Look at publishes from this day (default: since the municipality's first capture)."
            ),
        )

    def handle(self, *args, **options):
        if not setting("ARCHIVE_CAPTURE"):
            self.stdout.write(_("The archive is switched off (PUBLISHING_ARCHIVE_CAPTURE)."))
            return
        since = None
        if options["since"]:
            try:
                day = datetime.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    _("--since takes a day as YYYY-MM-DD, not “%(value)s”.")
                    % {"value": options["since"]}
                ) from None
            since = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        municipalities = chosen_municipalities(Municipality.objects.all(), options["municipality"])
        for municipality in municipalities:
            count = capture_missed(municipality, since)
            self.stdout.write(
                ngettext(
                    "%(municipality)s: %(count)s publish without a capture, queued.",
                    "%(municipality)s: %(count)s publishes without a capture, queued.",
                    count,
                )
                % {"municipality": municipality.slug, "count": count}
            )
