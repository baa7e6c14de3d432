"""``manage.py check_external_links``: the nightly check of external links on live pages.

Run it nightly (a cron job or a systemd timer beside ``publishing-daily.service``). It queues
the check for the task worker (``publishing.reports.nightly_links.check_external_links``);
``--now`` checks in this process instead and says how many links it found in each state. It
changes no page. A link is reported broken (the "Broken links to other sites" report, the
dashboard) only after it failed on ``LINK_CHECK_FAILURES_TO_REPORT`` nights in a row.
"""

import time

from django.core.management.base import BaseCommand

from publishing.management.municipality_option import (
    add_municipality_option,
    chosen_municipalities,
)
from publishing.models import Municipality
from publishing.reports import nightly_links


class Command(BaseCommand):
    help = "Check the external links of live pages (queued for the worker unless --now)."

    def add_arguments(self, parser):
        add_municipality_option(parser)
        parser.add_argument(
            "--now", action="store_true", help="check in this process instead of queueing"
        )

    def handle(self, *args, **options):
        municipalities = chosen_municipalities(
            Municipality.objects.select_related("site").order_by("pk"),
            options["municipality"],
        )
        municipalities = list(municipalities)
        if not options["now"]:
            nightly_links.check_external_links.enqueue([m.pk for m in municipalities])
            self.stdout.write(f"External links of {len(municipalities)} municipality(ies) queued")
            return
        started = time.monotonic()
        total = 0
        for municipality in municipalities:
            counts = nightly_links.check_municipality(municipality)
            total += sum(counts.values())
            summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
            self.stdout.write(f"{municipality.slug}: {sum(counts.values())} link(s) ({summary})")
        self.stdout.write(f"{total} link(s) checked in {time.monotonic() - started:.1f} s")
