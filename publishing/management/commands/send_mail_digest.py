"""``manage.py send_mail_digest``: the daily summary of workflow mail, for those who chose it.

Each person who chose one summary a day (their account's Notifications tab) gets what waits for
their decision, what they submitted that is still in the workflow and what came back to them
since their last summary (``publishing.notifications.digest``). Nobody gets more than one a day,
so the command may run again, or twice at once; run it once every morning
(``publishing-daily.service`` runs the daily commands).
"""

from django.core.management.base import BaseCommand, CommandError

from publishing.notifications.digest import ALREADY, EMPTY, FAILED, SENT, send_digests


class Command(BaseCommand):
    help = "Send the daily summary of workflow mail to those who chose it."

    def handle(self, *args, **options):
        done = send_digests()
        self.stdout.write(
            f"{done[SENT]} summary(ies) sent, {done[EMPTY]} with nothing to tell, "
            f"{done[ALREADY]} already sent today, {done[FAILED]} failed"
        )
        if done[FAILED]:
            raise CommandError(f"{done[FAILED]} summary(ies) could not be written; see the log")
