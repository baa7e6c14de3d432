"""Uploading a document with and without its personal-data check queued.

``python -m bench.document_upload``.

The check itself runs in the task worker; what an upload costs the person who uploads is
queueing it. This builds a throwaway test database with Alvdal's profile and production's task
queue in the database, and uploads the same PDFs through Wagtail's own "Add a document" view as a
communications editor, interleaved: one upload with the extension's check connected, one with
its receiver disconnected (Wagtail's own upload), and so on. It prints the median and 90th
percentile of each in milliseconds, their ratio and the queries of one upload. Nothing here is a
test: the numbers are for people to read.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import harness
from bench.harness import say

harness.setup(database_tasks=True)


from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from wagtail.documents import get_document_model  # noqa: E402
from wagtail.models import Collection  # noqa: E402

from publishing.documents.checking import document_saved  # noqa: E402


def sample_pdf(pages):
    from tests.content_checks.document_files import pdf_with_text

    text = "Kommunestyret vedtok budsjettet for 2027. Eiendomsskatten holdes uendret.\n" * 30
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "budsjett.pdf"
        pdf_with_text(path, [text] * pages, title="Budsjett 2027", lang="nb-NO")
        return path.read_bytes()


def upload(client, collection, data, number):
    """POST Wagtail's add-document form once; milliseconds and queries."""
    file = SimpleUploadedFile(f"budsjett-{number}.pdf", data, "application/pdf")
    fields = {"title": f"Budsjett {number}", "collection": collection.pk, "file": file}
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(reverse("wagtaildocs:add"), fields)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 302:
        raise RuntimeError(f"the upload answered {response.status_code}")
    return elapsed, len(queries)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args(argv)
    document = get_document_model()
    times = {"checked": [], "plain": []}
    queries = {}
    with harness.test_database():
        from tests.governance import build_governed

        g = build_governed()
        collection = Collection.objects.get(name=g.municipality.name)
        client = Client(HTTP_ACCEPT_LANGUAGE="nb")
        client.force_login(g.editor)
        data = sample_pdf(args.pages)
        upload(client, collection, data, "warm-up")
        for number in range(args.rounds):
            for kind in ("checked", "plain") if number % 2 else ("plain", "checked"):
                if kind == "plain":
                    post_save.disconnect(sender=document, dispatch_uid="pub_doc_check")
                try:
                    elapsed, count = upload(client, collection, data, f"{kind}-{number}")
                finally:
                    post_save.connect(document_saved, sender=document, dispatch_uid="pub_doc_check")
                times[kind].append(elapsed)
                queries[kind] = count
    say(
        f"Uploading a {len(data) // 1024} KB PDF through Wagtail's add-document view "
        f"({connection.vendor}, {args.rounds} rounds each, interleaved, ms):"
    )
    medians = {}
    for kind, label in (("plain", "Wagtail's own upload"), ("checked", "with the check queued")):
        values = sorted(times[kind])
        medians[kind] = statistics.median(values)
        p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
        say(f"  {label:28} p50 {medians[kind]:6.1f}  p90 {p90:6.1f}  queries {queries[kind]}")
    say(f"  ratio (checked / Wagtail's own, p50): {medians['checked'] / medians['plain']:.2f}")


if __name__ == "__main__":
    main()
