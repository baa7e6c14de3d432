"""``manage.py check_live_pages``: check the text of live pages whose kept results are stale.

The task worker checks each page when it goes live; this checks what that missed: pages made
live before the results were kept or written past Wagtail (imports, the benchmarks' generated data),
and every page of a municipality whose profile changed or after an upgrade of the checks. Run it
once after upgrading and daily (``publishing-daily.service``). Then it judges each municipality's
live pages by the publish rules and keeps the findings for the findings report (a new day ends
review dates and consents). It publishes nothing and changes no page. ``--all`` checks every live
page again.
"""

import time

from django.core.management.base import BaseCommand

from publishing.management.municipality_option import (
    add_municipality_option,
    chosen_municipalities,
)
from publishing.models import LiveTextCheck, Municipality
from publishing.reports import live_findings, live_text


class Command(BaseCommand):
    help = "Check the text of live pages whose kept check results are missing or stale."

    def add_arguments(self, parser):
        add_municipality_option(parser)
        parser.add_argument(
            "--all", action="store_true", help="check every live page again, stale or not"
        )

    def handle(self, *args, **options):
        municipalities = chosen_municipalities(
            Municipality.objects.select_related("site__root_page").order_by("pk"),
            options["municipality"],
        )
        started = time.monotonic()
        total = 0
        for municipality in municipalities:
            if options["all"]:
                LiveTextCheck.objects.filter(page__in=live_text.live_pages(municipality)).delete()
            stale = live_text.stale_pages(municipality).count()
            checked = live_text.refresh([municipality], progress=self.progress(stale))
            total += checked
            self.stdout.write(f"{municipality.slug}: {checked} of {stale} stale page(s) checked")
            judgement = live_findings.judge(municipality)
            self.stdout.write(f"{municipality.slug}: {judgement.pages} live page(s) judged")
        self.stdout.write(f"{total} page(s) checked in {time.monotonic() - started:.1f} s")

    def progress(self, stale):
        def report(municipality, checked):
            if stale > live_text.BATCH_SIZE:
                self.stdout.write(f"  {municipality.slug}: {checked} / {stale}")

        return report
