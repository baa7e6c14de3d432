"""``manage.py export_archive --municipality SLUG (--month YYYY-MM | --from DATE --to DATE)
--output PATH.zip [--force]``: the archive of a period as a package for the municipality's
records system (``publishing.archive.export``).

The days are calendar days in the municipality's time zone; ``--to`` is included. The
package is written to a temporary file beside ``--output`` and renamed only when it is whole, so
a refused or failed export leaves nothing half-written; an existing file is replaced only with
``--force``.
"""

import argparse
import datetime
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from publishing.archive.export import (
    ExportRefused,
    PeriodError,
    parse_month,
    period_days,
    period_of,
    time_zone_of,
    write_package,
)
from publishing.management.municipality_option import unknown_municipality
from publishing.models import Municipality
from publishing.models.archive import ArchiveCapture


def day_argument(value):
    """A calendar day, YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("takes a day as YYYY-MM-DD, not “%(value)s”") % {"value": value}
        ) from None


def month_argument(value):
    """A month, YYYY-MM, as its first day."""
    try:
        return parse_month(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("takes a month as YYYY-MM, not “%(value)s”") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Export a municipality's archive of published pages for a period as a ZIP package for "
        "its records system: the WARC files, a manifest (XML and CSV) and their SHA-256 sums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality", required=True, metavar="SLUG", help="The municipality."
        )
        parser.add_argument(
            "--from",
            dest="first_day",
            type=day_argument,
            metavar="YYYY-MM-DD",
            help="The first day of the period (in the site's time zone).",
        )
        parser.add_argument(
            "--to",
            dest="last_day",
            type=day_argument,
            metavar="YYYY-MM-DD",
            help="The last day of the period, included.",
        )
        parser.add_argument(
            "--month",
            type=month_argument,
            metavar="YYYY-MM",
            help="The period is this month (instead of --from and --to).",
        )
        parser.add_argument(
            "--output", required=True, metavar="PATH", help="The package to write (a .zip file)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace the output file if it exists."
        )

    def handle(self, *args, **options):
        slug = options["municipality"]
        if not Municipality.objects.filter(slug=slug).exists():
            known = set(Municipality.objects.values_list("slug", flat=True))
            archived = ArchiveCapture.objects.values_list("municipality", flat=True).distinct()
            known |= set(archived)
            if slug not in known:
                raise unknown_municipality({slug}, known)
        first_day, last_day, start, end = self.period(options, time_zone_of(slug))
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(_("%(path)s is a folder, not a file.") % {"path": output})
        if output.exists() and not options["force"]:
            raise CommandError(
                _("%(path)s exists already. Give --force to replace it.") % {"path": output}
            )
        folder = output.parent if str(output.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(_("There is no folder %(path)s.") % {"path": folder})
        package = self.write(output, folder, slug, start, end)
        self.stdout.write(
            ngettext(
                "Wrote %(path)s: %(count)s capture of %(municipality)s from %(first)s to "
                "%(last)s, %(bytes)s bytes of WARC files, %(size)s bytes in all.",
                "Wrote %(path)s: %(count)s captures of %(municipality)s from %(first)s to "
                "%(last)s, %(bytes)s bytes of WARC files, %(size)s bytes in all.",
                package.captures,
            )
            % {
                "path": output,
                "count": package.captures,
                "municipality": slug,
                "first": first_day.isoformat(),
                "last": last_day.isoformat(),
                "bytes": package.warc_bytes,
                "size": output.stat().st_size,
            }
        )
        if package.captures:
            self.stdout.write(
                _("Numbers %(first)s to %(last)s in the archive.")
                % {"first": package.first_sequence, "last": package.last_sequence}
            )
        self.stdout.write(
            _("Digest before the period: %(digest)s") % {"digest": package.previous_digest}
        )
        self.stdout.write(_("Chain head: %(digest)s") % {"digest": package.head_digest})

    def period(self, options, zone):
        """The first and last day asked for, and the period ``[start, end)`` they make in the
        time zone named ``zone`` (``publishing.archive.export.period_of``), or the refusal in
        the command's words."""
        first_day, last_day, month = options["first_day"], options["last_day"], options["month"]
        try:
            first_day, last_day = period_days(month, first_day, last_day)
            start, end = period_of(first=first_day, last=last_day, zone=zone)
        except PeriodError as problem:
            if problem.code == "both":
                raise CommandError(_("Give either --month or --from and --to, not both.")) from None
            if problem.code == "missing":
                raise CommandError(
                    _("Give the period: --month YYYY-MM, or --from and --to.")
                ) from None
            if problem.code == "reversed":
                raise CommandError(
                    _("The period ends (--to %(last)s) before it starts (--from %(first)s).")
                    % {"first": first_day.isoformat(), "last": last_day.isoformat()}
                ) from None
            raise CommandError(problem.message) from None
        return first_day, last_day, start, end

    def write(self, output, folder, slug, start, end):
        """Write the package to a temporary file in ``folder`` and rename it to ``output``
        when it is whole."""
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, renamed or removed)
            dir=folder, prefix=f".{output.name}.", suffix=".part", delete=False
        )
        temporary = Path(handle.name)
        try:
            with handle:
                package = write_package(handle, slug, start, end)
                handle.flush()
                os.fsync(handle.fileno())
            umask = os.umask(0)
            os.umask(umask)
            temporary.chmod(0o666 & ~umask)
            os.replace(temporary, output)
        except ExportRefused as refusal:
            temporary.unlink(missing_ok=True)
            raise CommandError(str(refusal)) from refusal
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return package
