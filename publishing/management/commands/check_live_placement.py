"""``manage.py check_live_placement [--municipality SLUG] [--no-mail]``: would every live page be
allowed to go live where it stands today?

Judges every live governed page and alias with the publish rules at its place (site, intranet,
municipality, notice, sensitivity) and checks that each intranet is restricted to its staff
(``publishing.workflow.live_placement``). Prints a line for each page that would not be allowed (id,
title, reasons; never the page's text), mails each municipality's communications group its own
list, and exits with status 1, so that the daily job (``publishing-daily.service``) shows as
failed; otherwise one line saying that all live pages hold. It changes nothing.
"""

import contextlib

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from publishing.models import Municipality
from publishing.notifications import mail as notifications
from publishing.workflow.live_placement import judge


class Command(BaseCommand):
    help = "Check that every live page would be allowed to go live where it stands today."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="SLUG", help="Only this municipality.")
        parser.add_argument(
            "--no-mail", action="store_true", help="Print only; mail no communications group."
        )

    def handle(self, *args, municipality=None, no_mail=False, **options):
        scope = None
        if municipality:
            scope = list(Municipality.objects.filter(slug=municipality))
            if not scope:
                raise CommandError(
                    _("No municipality with the slug “%(slug)s”.") % {"slug": municipality}
                )
        language = translation.override(scope[0].language) if scope else contextlib.nullcontext()
        with language:
            problems = judge(scope)
            for problem in problems:
                self.stdout.write(
                    f"{problem.page.pk} {problem.page.title}: {' '.join(problem.reasons)}"
                )
            if not no_mail:
                mail_communications(problems)
            if problems:
                raise CommandError(  # exit status 1
                    ngettext(
                        "%(count)d live page would not be allowed to go live today.",
                        "%(count)d live pages would not be allowed to go live today.",
                        len(problems),
                    )
                    % {"count": len(problems)}
                )
            self.stdout.write(_("Every live page would be allowed to go live where it stands."))


def mail_communications(problems):
    """Mail each municipality's communications group the problems on its own sites."""
    by_municipality = {}
    for problem in problems:
        if problem.municipality is not None:
            by_municipality.setdefault(problem.municipality, []).append(problem)
    for municipality, found in by_municipality.items():
        group = municipality.communications_group
        if group is None:
            continue
        users = [user for user in group.user_set.filter(is_active=True) if user.email]
        languages = notifications.recipient_languages(users, municipality)
        for problem in found:
            problem.url = notifications.edit_url(problem.page)
        messages = []
        for user in users:
            language = languages[user.pk]
            subject, body = notifications.render(
                "live_placement",
                {"user": user, "municipality": municipality, "problems": found},
                language,
            )
            messages.append(notifications.message(subject, body, language, to=[user.email]))
        notifications.send_after_commit(messages, "live placement")
