"""``manage.py governance_audit [--output FILE] [--municipality SLUG]``

Runs every governance and text check over all live governed pages and writes a CSV report, one
row per finding, with a progress bar on the terminal. Excerpts in the report are masked.
"""

import contextlib
import csv
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from wagtail.models import Page

from publishing.models import GovernedPage, Municipality
from publishing.models.organisation import person_name
from publishing.reports.views import csv_safe
from publishing.rules import EDIT, RuleContext, evaluate

COLUMNS = [
    "page_id",
    "title",
    "url",
    "municipality",
    "unit",
    "responsible_leader",
    "severity",
    "code",
    "message",
    "fix",
]


class Command(BaseCommand):
    help = "Check all live governed pages and write the findings as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="CSV file to write (default: standard output).")
        parser.add_argument("--municipality", help="Only this municipality (its slug).")
        parser.add_argument("--language", default=None, help="Language of the messages.")

    def handle(self, *args, output=None, municipality=None, language=None, **options):
        pages = Page.objects.live().specific().order_by("path")
        scope = None
        if municipality:
            scope = Municipality.objects.filter(slug=municipality).first()
            if scope is None or scope.site is None:
                raise CommandError(f"No municipality with the slug “{municipality}”.")
            pages = pages.descendant_of(scope.site.root_page, inclusive=True)
        pages = [page for page in pages if isinstance(page, GovernedPage)]
        target = (
            open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115 (closed by with)
            if output
            else contextlib.nullcontext(self.stdout)
        )
        with target as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            rows = 0
            for index, page in enumerate(pages, 1):
                owner = scope or Municipality.objects.for_page(page)
                with translation.override(language or (owner.language if owner else None)):
                    for finding in evaluate(RuleContext(page=page, purpose=EDIT)):
                        writer.writerow(row(page, owner, finding))
                        rows += 1
                self.progress(index, len(pages))
        self.stderr.write(f"{len(pages)} pages checked, {rows} findings")

    def progress(self, done, total):
        stream = sys.stderr
        if not stream.isatty():
            return
        width = 30
        filled = int(width * done / total) if total else width
        stream.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()


def row(page, municipality, finding):
    """One CSV row: what and where only (no quoted page text), every cell safe to open in a
    spreadsheet."""
    leader = page.responsible_leader
    cells = [
        page.pk,
        page.title,
        page.full_url or "",
        municipality.name if municipality else "",
        page.owning_unit.name if page.owning_unit_id else "",
        person_name(leader),
        finding.severity,
        finding.code,
        finding.summary,
        finding.fix,
    ]
    return [csv_safe(cell) for cell in cells]
