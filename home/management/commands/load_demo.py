"""``manage.py load_demo``: both municipalities' profiles and demo content, then the logins."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from home.demo import DEMO_PASSWORD, DemoError, demo_folders, load_demo
from publishing.models import Deputyship, RoleAssignment
from publishing.models.municipality import GROUP_KEYS, LANGUAGE_CHOICES
from publishing.profiles.loader import ProfileError

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load the demo municipalities (site/*/demo.toml). Idempotent; dev settings only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )
        parser.add_argument(
            "--port",
            type=int,
            help="Port the sites are served on: their links (feeds, sitemap, mails) carry it.",
        )

        parser.add_argument(
            "--language",
            action="append",
            default=[],
            metavar="SLUG=LANGUAGE",
            help="Show a municipality in another language, e.g. alvdal=nn for nynorsk.",
        )

    def handle(self, *args, quiet_logins=False, port=None, language=(), **options):
        languages = {}
        for choice in language:
            slug, _sep, code = choice.partition("=")
            if code not in dict(LANGUAGE_CHOICES):
                raise CommandError(f"--language {choice}: give SLUG=nb, nn, sv or en")
            languages[slug] = code
        folders = demo_folders()
        if not folders:
            raise CommandError("No site/*/demo.toml found.")
        municipalities = []
        for folder in folders:
            try:
                municipality, created = load_demo(
                    folder, port=port, language=languages.get(folder.name)
                )
            except (DemoError, ProfileError) as error:
                raise CommandError(str(error)) from None
            municipalities.append(municipality)
            summary = f"{len(created)} new objects" if created else "already loaded"
            self.stdout.write(self.style.SUCCESS(f"{municipality.name}: {summary}"))
        self._ensure_admin()
        if not quiet_logins:
            self._print_logins(municipalities, port or 80)

    def _ensure_admin(self):
        User = get_user_model()
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            User.objects.create_superuser(ADMIN_USERNAME, "admin@example.org", DEMO_PASSWORD)

    def _print_logins(self, municipalities, port):
        out = self.stdout.write
        out("")
        out(
            f"Demo logins (password for all: {DEMO_PASSWORD}), admin at http://localhost:{port}/admin/:"
        )
        out(f"  {ADMIN_USERNAME:<22} superuser")
        for municipality in municipalities:
            out(f"  {municipality.name}: http://{municipality.site.hostname}:{port}/")
            people = {}
            for assignment in RoleAssignment.objects.filter(
                unit__municipality=municipality
            ).select_related("user", "unit"):
                people.setdefault(assignment.user, []).append(
                    f"{municipality.role_label(assignment.role)}, {assignment.unit.name}"
                )
            groups = [municipality.group(key) for key in GROUP_KEYS]
            for user, roles in sorted(people.items(), key=lambda p: p[0].username):
                names = ", ".join(g.name for g in groups if g in user.groups.all())
                notes = [f"{'; '.join(roles)} [{names}]"]
                for deputyship in Deputyship.objects.active().filter(deputy=user):
                    leader = deputyship.assignment.user.username
                    notes.append(f"deputy for {leader} until {deputyship.ends_on}")
                certificate = user.publisher_certificates.filter(municipality=municipality).first()
                if certificate is not None:
                    notes.append(
                        "certified publisher"
                        if certificate.is_valid()
                        else "publisher certificate EXPIRED"
                    )
                out(f"    {user.username:<20} {' – '.join(notes)}")
