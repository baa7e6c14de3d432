"""``manage.py refresh_public_credits``: store again who answers for every governed page.

The public footer's unit and leader role are stored on each page when it is saved, and
refreshed when a unit or a role assignment changes. A role that starts or ends on a date changes
nothing in the database that day, so run this daily (with ``send_review_reminders``); it is also
the way to fill the credit of pages that existed before it was stored. It publishes nothing.
"""

from django.core.management.base import BaseCommand

from publishing.models.pages import refresh_public_credits


class Command(BaseCommand):
    help = "Store the responsible unit and leader role again on every governed page."

    def handle(self, *args, **options):
        changed = refresh_public_credits()
        self.stdout.write(f"{changed} page(s) updated")
