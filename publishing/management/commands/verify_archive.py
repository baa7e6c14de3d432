"""``manage.py verify_archive [--municipality SLUG ...] [--expect-head DIGEST] [--rows-only]``:
does the archive of published pages still hold what it archived?

Reads every capture in each municipality's chain (``publishing.archive.chain.verify``): each
row's digest against its fields and the digest before it, the numbers for gaps and each WARC
file against its SHA-256 (not with ``--rows-only``). Prints each municipality's number of captures
and the digest of its last capture, the chain's head, which operators note outside the system:
captures deleted from the end of a chain leave no gap, and show only against such a noted head.
``--expect-head`` (with one ``--municipality``) fails unless the noted head is still in the
chain: as its head, or as a capture that others have followed since (it says how many; those
can only be checked against a head noted later). Prints each problem and exits with status 1
when there is one. It changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from publishing.archive import chain
from publishing.management.municipality_option import add_municipality_option, unknown_municipality
from publishing.models import Municipality
from publishing.models.archive import ArchiveCapture


class Command(BaseCommand):
    help = (
        "Verify the archive of published pages: every capture's record, its place in the "
        "digest chain and its WARC file. Exit with status 1 on any problem."
    )

    def add_arguments(self, parser):
        add_municipality_option(parser)
        parser.add_argument(
            "--expect-head",
            metavar="DIGEST",
            help=(
                "A chain head noted earlier (with one --municipality): fail unless it is still "
                "in the chain (as its head, or followed by captures added since)."
            ),
        )
        parser.add_argument(
            "--rows-only",
            action="store_true",
            help="Check the records and the chain, not the WARC files (faster).",
        )

    def handle(self, *args, **options):
        slugs = options["municipality"]
        expected_head = (options["expect_head"] or "").strip().lower()
        if expected_head and len(slugs) != 1:
            raise CommandError(_("--expect-head needs exactly one --municipality."))
        archived = set(ArchiveCapture.objects.values_list("municipality", flat=True).distinct())
        if slugs:
            known = set(Municipality.objects.values_list("slug", flat=True)) | archived
            unknown = set(slugs) - known
            if unknown:
                raise unknown_municipality(unknown, known)
        chains, problems = chain.verify(slugs or None, files=not options["rows_only"])
        found = {verified.municipality: verified for verified in chains}
        for slug in sorted(set(slugs) or archived):
            verified = found.get(slug, chain.Verified(slug))
            self.stdout.write(
                ngettext(
                    "%(municipality)s: %(count)s capture, head %(head)s",
                    "%(municipality)s: %(count)s captures, head %(head)s",
                    verified.captures,
                )
                % {"municipality": slug, "count": verified.captures, "head": verified.head}
            )
            if expected_head:
                problems.extend(self.check_head(verified, expected_head))
        for problem in problems:
            self.stdout.write(
                _("%(municipality)s, capture %(sequence)s: %(message)s")
                % {
                    "municipality": problem.municipality,
                    "sequence": problem.sequence,
                    "message": problem.message,
                }
            )
        if not found and not slugs and not problems:
            self.stdout.write(_("The archive holds no captures yet."))
            return
        if problems:
            raise CommandError(  # exit status 1
                ngettext(
                    "The archive does not hold: %(count)s problem found.",
                    "The archive does not hold: %(count)s problems found.",
                    len(problems),
                )
                % {"count": len(problems)}
            )
        self.stdout.write(_("The archive holds: every capture is as it was archived."))

    def check_head(self, verified, expected):
        """Whether the chain still holds the head noted earlier: as its head, or as an earlier
        capture when captures were added since. The problem when it does not."""
        if verified.head == expected:
            self.stdout.write(_("The chain still ends with the head noted earlier."))
            return []
        captures = ArchiveCapture.objects.filter(municipality=verified.municipality)
        noted = captures.filter(digest=expected).values_list("sequence", flat=True).first()
        if noted is not None:
            added = captures.filter(sequence__gt=noted).count()
            self.stdout.write(
                ngettext(
                    "The head noted earlier is capture %(sequence)s; %(count)s capture was "
                    "added since. Note the new head.",
                    "The head noted earlier is capture %(sequence)s; %(count)s captures were "
                    "added since. Note the new head.",
                    added,
                )
                % {"sequence": noted, "count": added}
            )
            return []
        last = captures.order_by("-sequence").values_list("sequence", flat=True).first()
        return [
            chain.Problem(
                verified.municipality,
                last or 0,
                _(
                    "The head noted earlier (%(expected)s) is not in the chain, which ends with "
                    "%(head)s: captures were removed from its end, or the noted head is not this "
                    "municipality's."
                )
                % {"head": verified.head, "expected": expected},
            )
        ]
