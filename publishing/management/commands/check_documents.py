"""``manage.py check_documents``: check every document whose current file has no check yet.

The task worker checks each document when it is uploaded or replaced; this checks what that
missed: documents uploaded before the extension was installed or written past Wagtail, and every
document again after its municipality's profile or the checks changed (``--stale``, or ``--all``
for every document). It is resumable: a stopped run leaves what it finished checked, and the next
run starts with what is left. It changes no document.
"""

import time

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from wagtail.documents import get_document_model

from publishing.documents import checking
from publishing.models import DocumentCheck


class Command(BaseCommand):
    help = "Check uploaded documents for personal data: those never checked, or all of them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            action="store_true",
            help="also check again documents checked with another profile or version",
        )
        parser.add_argument(
            "--all", action="store_true", help="check every document again, whatever it had"
        )

    def handle(self, *args, **options):
        documents = get_document_model().objects.select_related("collection").order_by("pk")
        if not options["all"]:
            done = DocumentCheck.objects.filter(
                document_id=OuterRef("pk"), file_hash=OuterRef("file_hash")
            ).exclude(status=DocumentCheck.PENDING)
            candidates = documents if options["stale"] else documents.exclude(Exists(done))
        else:
            candidates = documents
        ids = list(candidates.values_list("pk", flat=True))
        started = time.monotonic()
        checked = 0
        counts = {}
        for index, pk in enumerate(ids, start=1):
            document = documents.filter(pk=pk).first()
            if document is None:
                continue  # deleted meanwhile
            check, _created = checking.pending_check(document)
            current = check.done and check.inputs == checking.inputs_key(document)
            if options["stale"] and not options["all"] and current:
                continue
            check = checking.check_now(document)
            checked += 1
            counts[check.status] = counts.get(check.status, 0) + 1
            self.progress(index, len(ids), started)
        if ids:
            self.stdout.write("")
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        self.stdout.write(
            f"{checked} document(s) checked in {time.monotonic() - started:.1f} s"
            + (f" ({summary})" if summary else "")
        )

    def progress(self, done, total, started):
        width = 30
        filled = width * done // total
        elapsed = time.monotonic() - started
        left = elapsed / done * (total - done)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}, about {left:.0f} s left",
            ending="",
        )
        self.stdout.flush()
