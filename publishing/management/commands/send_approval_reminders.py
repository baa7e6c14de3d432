"""``manage.py send_approval_reminders``: remind and escalate leader approvals that wait.

A step that has waited the profile's ``workflow.remind_after_working_days`` reminds its
responsible leader and active deputy; one that has waited ``escalate_after_working_days`` asks
the deputy and the leaders above in the line to decide (``publishing.workflow.waiting``). Each
step is reminded and escalated once, so the command can run every day, or every hour
(``publishing-daily.service`` runs it with the other daily checks).
"""

from django.core.management.base import BaseCommand

from publishing.workflow.waiting import remind_and_escalate


class Command(BaseCommand):
    help = "Remind the approvers of leader approvals that wait, and escalate those that wait long."

    def handle(self, *args, **options):
        done = remind_and_escalate()
        self.stdout.write(
            f"{done['remind']} approval step(s) reminded, {done['escalate']} escalated"
        )
