"""``manage.py load_profile site/alvdal [site/avesta ...]``"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from publishing.profiles.loader import ProfileError, load_profile


class Command(BaseCommand):
    help = "Create or update municipalities from their profile folders (site/<municipality>)."

    def add_arguments(self, parser):
        parser.add_argument(
            "folders", nargs="+", help="Municipality folders or profile.toml files."
        )

    def handle(self, *args, folders, **options):
        for folder in folders:
            try:
                report = load_profile(folder)
            except ProfileError as error:
                raise CommandError(str(error)) from None
            name = report.municipality.name
            if report.changes:
                self.stdout.write(self.style.SUCCESS(_("%(name)s: loaded") % {"name": name}))
                for change in report.changes:
                    self.stdout.write(f"  + {change}")
            else:
                self.stdout.write(_("%(name)s: already up to date") % {"name": name})
