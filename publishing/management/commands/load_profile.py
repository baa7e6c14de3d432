"""``manage.py load_profile site/alvdal [site/avesta ...]``

Creates or updates each municipality from its profile folder, with a new Wagtail Site of its own
the first time.

``manage.py load_profile site/alvdal --site www.alvdal.kommune.no`` adopts a Site that already
exists instead (give its host name, ``host:port`` or its id; the id when the host name is served
on several ports): the municipality is bound to it, and only what is missing is created (the
municipality, its groups, collections and audiences, the staff-only intranet, the extension's
workflows). The site's host name, port, name, root page and pages stay as they are, and so does a
workflow the site's pages are in, unless ``--replace-workflows`` is given. Run it again with the
same ``--site`` to load a changed profile; a second run with nothing changed changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from publishing.profiles.loader import ProfileError, load_profile


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Create or update municipalities from their profile folders (site/<municipality>). "
            "With --site, bind one municipality to a Wagtail site that already exists instead of "
            "making a new one."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "folders", nargs="+", help=_("Municipality folders or profile.toml files.")
        )
        parser.add_argument(
            "--site",
            help=_(
                "Adopt this existing site (its host name, host:port, or its id) for the one "
                "profile given: its host name, port, name, root page and pages stay as they are."
            ),
        )
        parser.add_argument(
            "--replace-workflows",
            action="store_true",
            help=_(
                "With --site: assign the extension's workflow to the site's root page even if "
                "its pages are in another workflow now (that workflow itself is not changed)."
            ),
        )

    def handle(self, *args, folders, site=None, replace_workflows=False, **options):
        if site is not None and len(folders) != 1:
            raise CommandError(_("--site adopts one site: give one profile folder with it"))
        if replace_workflows and site is None:
            raise CommandError(_("--replace-workflows is only for adopting a site with --site"))
        for folder in folders:
            try:
                report = load_profile(folder, site=site, replace_workflows=replace_workflows)
            except ProfileError as error:
                raise CommandError(str(error)) from None
            name = report.municipality.name
            if report.changes:
                self.stdout.write(self.style.SUCCESS(_("%(name)s: loaded") % {"name": name}))
                for change in report.changes:
                    self.stdout.write(f"  + {change}")
            else:
                self.stdout.write(_("%(name)s: already up to date") % {"name": name})
            for kept in report.kept:
                self.stdout.write(f"  = {kept}")
