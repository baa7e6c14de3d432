"""``manage.py governance_audit [--output FILE] [--municipality SLUG]``

Judges every live governed page by the publish rules, as the findings report in the admin does
(the kept text checks of pages not checked since they changed are brought up to date first), and
writes a CSV report, one row per finding, in each municipality's language unless ``--language``
says otherwise. Findings say what and where; they never quote the page.
"""

import contextlib
import csv
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from wagtail.models import Page

from publishing.models import GovernedPage, Municipality
from publishing.models.municipality import holding
from publishing.models.organisation import person_name
from publishing.reports import live_text
from publishing.reports.live_findings import judge_live_pages
from publishing.reports.views import csv_safe

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
        municipalities = (
            [scope] if scope else list(Municipality.objects.select_related("site__root_page"))
        )
        live_text.refresh(municipalities)  # text checks of pages changed since their last check
        target = (
            open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115 (closed by with)
            if output
            else contextlib.nullcontext(self.stdout)
        )
        with target as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            rows = done = 0
            for owner, own_pages in _by_municipality(pages, municipalities):
                with translation.override(language or (owner.language if owner else None)):
                    evaluated, _facts = judge_live_pages(own_pages, municipalities)
                    for page, findings in zip(own_pages, evaluated, strict=True):
                        for finding in findings:
                            writer.writerow(row(page, owner, finding))
                            rows += 1
                done += len(own_pages)
                self.progress(done, len(pages))
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


def _by_municipality(pages, municipalities):
    """``(municipality or None, its pages)`` pairs, each municipality's pages in their order."""
    groups = {}
    for page in pages:
        groups.setdefault(holding(page.path, municipalities), []).append(page)
    return list(groups.items())


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
