"""The legal archive's cost: ``python -m bench.archive_capture`` (``--rounds``, ``--publishes``).

Builds a throwaway test database (in memory with SQLite, or beside ``DATABASE_URL``) with both
demo municipalities (``load_demo``) and a typical news page: Alvdal's demo news page about
homework help, given a photo (a photo-like 2400x1600 JPEG of about 0.7 MB, which the page shows
as Wagtail's ``width-800`` rendition of about 70 kB) and a link to a four-page PDF leaflet of
about 250 kB (real bokmål prose and a photo). Media and the archive are kept in temporary
directories on disk (``FileSystemStorage``, the archive's files read-only as production writes
them), so every size is of real files. Three parts:

1. **A capture, as the worker does it.** Each round publishes a new revision of the typical
   page with the archive off, then runs ``capture_page.call(...)`` for it (what ``db_worker``
   runs for the queued task): wall-clock and CPU milliseconds per capture (median, p95), the
   queries of one, the WARC file's bytes and what it holds (payloads before the WARC's gzip),
   and how much of each capture repeats the page's capture before it byte for byte.
2. **The archive's size per 1,000 publishes.** *Extrapolated*: one capture of each of the 28
   pages citizens may read on the demo sites (the typical page among them); the mean size times
   1,000, for the demo's mix (one page in 28 with a photo and a PDF) and for the typical page
   alone (every publish with a photo and a PDF). *Measured*: ``--publishes`` (200) publishes of
   those pages in turn with the archive on and production's queue in the database; then
   ``manage.py db_worker --batch`` runs the queued captures (the other queued tasks are dropped:
   they are not the archive's); the new files on disk and rows are counted and scaled to 1,000,
   and the digest chain is verified (``chain.verify``). The rows' size is that of the JSON the
   digest covers, about what the database keeps.
3. **The editor's publish.** ``revision.publish()`` of a new revision of Alvdal's live news
   pages (the typical page among them) with the archive off (``PUBLISHING_ARCHIVE_CAPTURE``
   False), on, and off again, in a rotating order, as the communications editor. First with
   production's queue (``django_tasks_db.DatabaseBackend`` as ``config/settings/production.py``
   has it), where the publish only queues the capture once it has committed; the target is
   on/off at most 1.05. Then the archive's own part of those publishes timed from inside (its
   ``page_published`` receiver, in the publish's transaction, and the queueing after commit).
   Last, with the immediate backend (development, ``make run``), where the capture runs in the
   publish, for information.

How to read it: part 1 is what the worker pays for each publish of a public page and part 2
what the archive grows by; neither is the editor's wait. Part 3's on/off ratio is the editor's
share. "off again"/off is the A/A control, the ratio two identical runs give on this machine: an
on/off ratio within its distance of 1.00 is noise. The "paired" ratios compare each page's
publishes of one round, which cancels drift over the run. CPU milliseconds are steadier than
wall-clock ones on a busy machine (the header gives the load average): everything runs in this
process, so what the CPU time leaves out is mostly waiting for other processes. The queries the
archive adds to a publish are listed with where they run, in the transaction or after commit.
The 1.05 target is checked and reported, not enforced: nothing here is a test.

What it showed when written (SQLite, 2 CPUs): a capture of the typical page takes the worker
35 to 40 ms of CPU and 42 queries and writes about 330 kB, 97 % of it the photo's rendition and
the PDF unchanged since the page's last capture. The demo's mix grows the archive by about 17 MB
per 1,000 publishes (measured and extrapolated agree), news pages with a photo and a PDF by
about 330 MB. A publish costs about 27 ms and the archive adds about 1.2 ms (4 to 5 %) to it,
0.9 ms of which is its receiver's view-restriction check (``page.get_view_restrictions()``, two
queries) inside the publish's transaction: the on/off ratio sits at the target, 1.03 to 1.05 on
an idle machine, 1.00 to 1.08 on a busy one. With the immediate backend the capture makes a
publish about 1.7 times as long.
"""

import argparse
import difflib
import gc
import hashlib
import io
import itertools
import os
import re
import shutil
import statistics
import tempfile
import time
from collections import Counter
from contextlib import contextmanager

from bench import harness
from bench.harness import say

harness.setup()


from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

#: The target of part 3: a publish with the archive on, against off, production's queue.
TARGET_RATIO = 1.05
#: The typical news page: one of Alvdal's demo news pages, given a photo and a linked PDF.
TYPICAL_SLUG = "gratis-leksehjelp-alvdal-barneskole"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# --- The files a news page carries --------------------------------------------------------------


def photo_jpeg(width=2400, height=1600):
    """A photo-like JPEG (quality 85): smooth shapes and fine detail from layered noise, which
    compresses about as a camera photo does (2400x1600: about 0.7 MB; Wagtail's rendition 800
    pixels wide: about 70 kB)."""
    from PIL import Image

    channels = []
    for _channel in range(3):
        picture = None
        for cells, sigma, weight in ((6, 70, 1), (40, 60, 0.5), (200, 50, 0.4), (800, 50, 0.3)):
            small = Image.effect_noise((cells, max(2, cells * height // width)), sigma)
            layer = small.resize((width, height), Image.Resampling.BICUBIC)
            picture = (
                layer if picture is None else Image.blend(picture, layer, weight / (1 + weight))
            )
        channels.append(picture)
    buffer = io.BytesIO()
    Image.merge("RGB", channels).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def leaflet_pdf(photo, pages=4):
    """A PDF leaflet of ``pages`` A4 pages: ``photo`` (JPEG bytes, embedded as they are) on the
    first and real bokmål prose, in an embedded font."""
    from bench.pdf_libraries import MunicipalPdf, texts

    pdf = MunicipalPdf("Alvdal kommune · Leksehjelp på Alvdal barneskole")
    pdf.add_page()
    pdf.image(io.BytesIO(photo), w=pdf.epw)
    pdf.ln(4)
    prose = itertools.cycle(texts("nb"))
    while pdf.page_no() < pages:
        title, body = next(prose)
        pdf.set_font_size(12)
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(10)
        for paragraph in body:
            if pdf.page_no() >= pages:
                break
            pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


# --- The data ------------------------------------------------------------------------------------


class World:
    """The demo, the typical page and who publishes on each site."""

    def __init__(self):
        from django.core.files.base import ContentFile
        from django.core.files.images import ImageFile
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model

        from home.models import NewsPage
        from publishing.models import Municipality

        harness.load_demo()
        self.publishers = {
            municipality.pk: certified(municipality)
            for municipality in Municipality.objects.exclude(site=None)
        }
        self.alvdal = Municipality.objects.get(slug="alvdal")
        photo = photo_jpeg()
        pdf = leaflet_pdf(photo_jpeg(1200, 800))
        self.image = get_image_model().objects.create(
            title="Elever på leksehjelpen",
            file=ImageFile(io.BytesIO(photo), name="leksehjelp.jpg"),
        )
        # The upload's personal-data check runs here (immediate tasks), as the worker would.
        self.document = get_document_model().objects.create(
            title="Påmelding til leksehjelp", file=ContentFile(pdf, "leksehjelp.pdf")
        )
        self.sizes = {"photo": len(photo), "pdf": len(pdf)}
        page = NewsPage.objects.get(slug=TYPICAL_SLUG)
        body = list(page.body.raw_data)
        body.insert(
            1,
            {
                "type": "image",
                "value": {
                    "image": self.image.pk,
                    "alt_text": "Elever gjør lekser sammen med en lærer i klasserommet",
                    "decorative": False,
                },
            },
        )
        body.append(
            {
                "type": "document",
                "value": {"document": self.document.pk, "title": "Påmeldingsskjema (PDF)"},
            }
        )
        page.body = body
        page.save_revision(user=self.publisher_of(page)).publish(user=self.publisher_of(page))
        self.typical = NewsPage.objects.get(pk=page.pk)
        self.counter = iter(range(10**9))

    def publisher_of(self, page):
        from publishing.models import Municipality

        return self.publishers[Municipality.objects.for_page(page).pk]

    def citizen_pages(self):
        """Every page citizens may read on the demo sites, as specific pages."""
        from publishing.models import Municipality

        pages = []
        for municipality in Municipality.objects.exclude(site=None).order_by("slug"):
            pages += list(municipality.citizen_pages().order_by("path").specific())
        return pages

    def news_pages(self):
        """The typical page and Alvdal's other live news pages."""
        from home.models import NewsPage

        others = (
            NewsPage.objects.live()
            .descendant_of(self.alvdal.site.root_page)
            .exclude(pk=self.typical.pk)
            .order_by("pk")
        )
        return [self.typical, *others]

    def new_revision(self, page):
        """A new revision of ``page`` that changes a word, as an editor's save does."""
        page = type(page).objects.get(pk=page.pk)
        marker = f" #{next(self.counter)}"
        field = "intro" if hasattr(page, "intro") else "title"
        setattr(page, field, f"{getattr(page, field).split(' #')[0]}{marker}")
        return page.save_revision(user=self.publisher_of(page))


def certified(municipality):
    """A communications editor of ``municipality`` with a valid publisher certificate."""
    import datetime

    user = (
        municipality.communications_group.user_set.filter(
            publisher_certificates__municipality=municipality,
            publisher_certificates__expires_on__gte=datetime.date.today(),
        )
        .order_by("username")
        .first()
    )
    if user is None:
        raise SystemExit(f"{municipality}: no certified communications editor to publish with")
    return user


@contextmanager
def storages_on_disk():
    """Media and the archive in temporary directories; yields the archive's directory."""
    root = tempfile.mkdtemp(prefix="bench-archive-")
    archive = os.path.join(root, "archive")
    media = os.path.join(root, "media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": settings.MEDIA_URL},
        },
        "publishing_archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": archive, "file_permissions_mode": 0o444},
        },
    }
    try:
        with override_settings(STORAGES=storages, MEDIA_ROOT=media):
            yield archive
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def archive_settings(capture, tasks=IMMEDIATE_TASKS):
    """The archive on or off, with ``tasks`` as the queue."""
    from django_tasks import task_backends

    with override_settings(PUBLISHING_ARCHIVE_CAPTURE=capture, TASKS=tasks):
        task_backends["default"]  # made now (a change of TASKS drops it), not in a timed call
        yield


class Timing:
    """Wall-clock and CPU milliseconds of one call, its queries and what it returned."""

    def __init__(self, wall, cpu, queries, result):
        self.wall, self.cpu, self.queries, self.result = wall, cpu, queries, result


def timed(action):
    """The ``Timing`` of one call of ``action``."""
    connection.queries_log.clear()  # a full log (9,000 queries) would capture none
    gc.disable()  # a collection of garbage left by the untimed preparation lands in neither
    try:
        with CaptureQueriesContext(connection) as queries:
            start, cpu = time.perf_counter(), time.process_time()
            result = action()
            cpu = (time.process_time() - cpu) * 1000
            wall = (time.perf_counter() - start) * 1000
    finally:
        gc.enable()
    return Timing(wall, cpu, queries.captured_queries, result)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def human(size):
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def capture_now(page, revision_id):
    """Run the capture of ``page``'s publish of ``revision_id`` as the worker does; its row."""
    from django.utils import timezone

    from publishing.archive.capture import capture_page
    from publishing.models.archive import ArchiveCapture, ArchiveEvent

    page = type(page).objects.get(pk=page.pk)
    pk = capture_page.call(
        page_id=page.pk,
        event=ArchiveEvent.PUBLISHED,
        happened_at=(page.last_published_at or timezone.now()).isoformat(),
        revision_id=revision_id,
    )
    if pk is None:
        raise SystemExit(f"page {page.pk} ({page.title}) was not captured")
    return ArchiveCapture.objects.get(pk=pk)


def kind_of(record):
    content_type = record["content_type"] or ""
    if record["type"] != "response":
        return "WARC's own records"
    if content_type.startswith("text/html"):
        return "page (HTML)"
    if content_type.startswith("image/svg"):
        return "icon (SVG)"
    if content_type.startswith("image/"):
        return "image"
    if content_type.startswith("application/pdf"):
        return "document (PDF)"
    return content_type.split(";")[0] or "other"


# --- Part 1: one capture -------------------------------------------------------------------------


def payloads(capture):
    """``{address: (SHA-256 of the payload, its bytes)}`` of the answers in ``capture``'s file."""
    from publishing.archive import warc
    from publishing.archive.storage import archive_storage

    with archive_storage().open(capture.warc_name, "rb") as handle:
        return {
            record["uri"]: (hashlib.sha256(record["body"]).hexdigest(), len(record["body"]))
            for record in warc.records(handle)
            if record["type"] == "response"
        }


def capture_cost(world, rounds):
    times, cpu, sizes = [], [], []
    queries = last = None
    repeated = total = 0
    for number in range(rounds + 1):
        with archive_settings(capture=False):
            revision = world.new_revision(world.typical)
            revision.publish(user=world.publisher_of(world.typical))
        timing = timed(lambda revision=revision: capture_now(world.typical, revision.pk))
        if number == 0:
            continue  # warm-up: the rendition, templates, the handler's middleware
        times.append(timing.wall)
        cpu.append(timing.cpu)
        sizes.append(timing.result.warc_size)
        previous, last = last, timing.result
        queries = len(timing.queries)
        if previous is not None:
            before, now = payloads(previous), payloads(last)
            total += sum(length for _digest, length in now.values())
            repeated += sum(
                length
                for uri, (digest, length) in now.items()
                if before.get(uri, ("",))[0] == digest
            )
    say(
        f"1. One capture of the typical news page, as the worker runs it ({rounds} captures, "
        f"{connection.vendor})"
    )
    say(
        f"   worker time   median {statistics.median(times):6.1f} ms   p95 {p95(times):6.1f} ms"
        f"   max {max(times):6.1f} ms   (CPU: median {statistics.median(cpu):.1f} ms, p95 "
        f"{p95(cpu):.1f} ms)   queries {queries}"
    )
    records = last.records
    say(
        f"   WARC file     median {human(statistics.median(sizes))}   "
        f"min {human(min(sizes))}   max {human(max(sizes))}   ({len(records)} records)"
    )
    parts = Counter()
    for record in records:
        parts[kind_of(record)] += record["length"]
    say(
        "   holds         "
        + ", ".join(f"{kind} {human(length)}" for kind, length in parts.most_common())
        + " (before gzip)"
    )
    if not {"image", "document (PDF)"} <= set(parts):
        say("   !! the capture lacks the page's image or its PDF")
    say(
        f"   repeated      {repeated / total:.0%} of the answers' bytes in each capture are the "
        "same as in the page's capture before (only the page's text changed)"
    )
    left_out = last.details.get("not_captured") or []
    say(
        f"   (uploads: photo {human(world.sizes['photo'])}, captured as its rendition; PDF "
        f"{human(world.sizes['pdf'])} with a photo; left out of the capture: {len(left_out)})"
    )
    return statistics.median(sizes)


# --- Part 2: the archive's size ------------------------------------------------------------------


def directory_bytes(path):
    """(bytes of the files, bytes of disk they use, files) under ``path``."""
    size = used = files = 0
    for folder, _dirs, names in os.walk(path):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            size += stat.st_size
            used += stat.st_blocks * 512
            files += 1
    return size, used, files


def archive_size(world, archive_dir, publishes, typical_size):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from publishing.archive import chain
    from publishing.models.archive import ArchiveCapture

    pages = world.citizen_pages()
    by_type = {}
    for page in pages:
        capture = capture_now(page, page.live_revision_id)
        by_type.setdefault(page.specific_class.__name__, []).append(capture.warc_size)
    every = [size for sizes in by_type.values() for size in sizes]
    mean = statistics.mean(every)
    say()
    say(f"2. The archive's size per 1,000 publishes of public pages ({len(pages)} demo pages)")
    say(
        f"   extrapolated  demo mix: {human(mean)} a capture, {human(mean * 1000)} per 1,000"
        f"   typical news page: {human(typical_size)}, {human(typical_size * 1000)} per 1,000"
    )
    for kind, sizes in sorted(by_type.items()):
        say(
            f"     {kind:32} {len(sizes):3} pages   mean {human(statistics.mean(sizes)):>8}"
            f"   max {human(max(sizes)):>8}"
        )

    # Measured: publishes queued in the database, then the worker.
    cycle = pages
    rows_before = ArchiveCapture.objects.count()
    size_before, used_before, files_before = directory_bytes(archive_dir)
    DBTaskResult.objects.all().delete()
    start = time.perf_counter()
    with archive_settings(capture=True, tasks=harness.DATABASE_TASKS):
        for number in range(publishes):
            page = cycle[number % len(cycle)]
            world.new_revision(page).publish(user=world.publisher_of(page))
        publishing_seconds = time.perf_counter() - start
        queued = DBTaskResult.objects.filter(task_path__endswith="capture_page").count()
        # The worker's other work (search index, references, text checks, cache purges) is
        # not the archive's: only the captures are left in the queue.
        DBTaskResult.objects.exclude(task_path__endswith="capture_page").delete()
        start = time.perf_counter()
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
        worker_seconds = time.perf_counter() - start
        failed = DBTaskResult.objects.exclude(status="SUCCESSFUL").count()
    rows = ArchiveCapture.objects.order_by("pk")[rows_before:]
    made = len(rows)
    size, used, files = (
        after - before
        for after, before in zip(
            directory_bytes(archive_dir), (size_before, used_before, files_before), strict=True
        )
    )
    row_bytes = sum(len(chain.canonical(row)) for row in rows)
    scale = 1000 / made if made else 0
    say(
        f"   measured      {publishes} publishes ({len(cycle)} pages in turn, the database "
        f"queue): {queued} captures queued, {made} made by db_worker"
    )
    say(
        f"                 WARC files {human(size)} in {files} files ({human(used)} of disk), "
        f"rows about {human(row_bytes)}"
    )
    say(
        f"                 per 1,000: {human(size * scale)} of files ({human(used * scale)} of "
        f"disk), about {human(row_bytes * scale)} in the database"
    )
    say(
        f"                 the publishes took {publishing_seconds:.1f} s; db_worker "
        f"{worker_seconds:.1f} s for the {queued} captures "
        f"({worker_seconds / max(made, 1) * 1000:.0f} ms each, claiming and recording included; "
        f"{failed} not successful)"
    )
    verified, problems = chain.verify()
    say(
        f"                 chain.verify() of the whole archive so far: "
        f"{sum(c.captures for c in verified)} captures in {len(verified)} chains, "
        f"{len(problems)} problems"
    )
    if made != publishes or queued != publishes or failed or problems:
        say("   !! not every publish was captured, or the chain does not verify")


# --- Part 3: the editor's publish ---------------------------------------------------------------


def publish_ratio(world, rounds, tasks, label, target=None):
    """Publishes of the news pages with the archive off, on and off again, interleaved; prints
    a block of the report and returns the queries of one publish of each."""
    from publishing.models.archive import ArchiveCapture

    pages = world.news_pages()
    modes = (("off", False), ("on", True), ("off again", False))
    times = {name: {"wall": [], "cpu": []} for name, _capture in modes}
    paired = {name: {"wall": [], "cpu": []} for name in ("on", "off again")}
    queries = {}

    def publish(page, capture):
        revision = world.new_revision(page)
        user = world.publisher_of(page)
        with archive_settings(capture=capture, tasks=tasks):
            return timed(lambda: revision.publish(user=user))

    for page in pages:  # warm-up
        for _name, capture in modes:
            publish(page, capture)
    captures_before = ArchiveCapture.objects.count()
    queued_before = queued_captures()
    for number in range(rounds):
        for index, page in enumerate(pages):
            shift = (number + index) % len(modes)
            this_round = {}
            for name, capture in modes[shift:] + modes[:shift]:
                timing = this_round[name] = publish(page, capture)
                times[name]["wall"].append(timing.wall)
                times[name]["cpu"].append(timing.cpu)
                queries[name] = timing.queries
            for name, ratios in paired.items():
                for clock in ratios:
                    ratios[clock].append(
                        getattr(this_round[name], clock) / getattr(this_round["off"], clock)
                    )
    expected = rounds * len(pages)
    made = ArchiveCapture.objects.count() - captures_before
    queued = queued_captures() - queued_before
    off = {clock: statistics.median(times["off"][clock]) for clock in ("wall", "cpu")}
    say(f"   {label}")
    header = f"{'wall: median':>12} {'p95':>6} {'ratio':>6}   {'CPU: median':>11} {'ratio':>6}"
    say(f"     {'':17} {header}   queries")
    for name, _capture in modes:
        wall, cpu = times[name]["wall"], times[name]["cpu"]
        say(
            f"     archive {name:9} {statistics.median(wall):9.1f} ms {p95(wall):6.1f} "
            f"{statistics.median(wall) / off['wall']:6.2f}   {statistics.median(cpu):8.1f} ms "
            f"{statistics.median(cpu) / off['cpu']:6.2f}   {len(queries[name]):7}"
        )
    say(
        "     paired (a page's three publishes of one round; median of the ratios): on/off "
        f"wall {statistics.median(paired['on']['wall']):.2f}, CPU "
        f"{statistics.median(paired['on']['cpu']):.2f}; off again/off wall "
        f"{statistics.median(paired['off again']['wall']):.2f}, CPU "
        f"{statistics.median(paired['off again']['cpu']):.2f}"
    )
    if target is not None:
        for clock, name in (("wall", "wall-clock"), ("cpu", "CPU")):
            ratio = statistics.median(times["on"][clock]) / off[clock]
            verdict = "meets" if ratio <= target else "MISSES"
            say(f"     on/off {ratio:.3f} ({name}): {verdict} the target of at most {target:.2f}")
    say(f"     captures during the timed publishes: {queued} queued, {made} made in the publish")
    if queued + made != expected:
        say(f"     !! expected {expected} captures, one per publish with the archive on")
    return off, queries


def queued_captures():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith="capture_page").count()


def added_queries(on, off):
    """The statements of ``on`` that ``off`` does not make (aligned with their values left out),
    shortened, each with where it ran: in the publish's transaction or after its commit (told
    apart where the backend's BEGIN and COMMIT are in the log, as on SQLite)."""

    def shape(query):
        sql = " ".join(query["sql"].split())
        sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
        sql = re.sub(r'"s\d+_x\d+"', "?", sql)
        return re.sub(r"\b\d+\b", "?", sql)

    on_shapes, off_shapes = [shape(query) for query in on], [shape(query) for query in off]
    begin = next((i for i, sql in enumerate(on_shapes) if sql.upper().startswith("BEGIN")), None)
    commit = next((i for i, sql in enumerate(on_shapes) if sql.upper() == "COMMIT"), None)
    lines = []
    matcher = difflib.SequenceMatcher(None, off_shapes, on_shapes, autojunk=False)
    for operation, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if operation not in ("insert", "replace"):
            continue
        for index in range(j1, j2):
            if begin is None or commit is None:
                where = ""
            elif index > commit:
                where = "after commit"
            elif index > begin:
                where = "in the transaction"
            else:
                where = "before it"
            lines.append(f"{where:20}{on_shapes[index][:100]}")
    return lines


@contextmanager
def archive_stopwatch():
    """Time the archive's own work in each publish from inside: its ``page_published`` receiver
    (in the publish's transaction) and what the receiver leaves for after the commit (queueing
    the capture, or running it with the immediate backend). Yields the lists of milliseconds."""
    from wagtail.signals import page_published

    from publishing.archive import capture

    spent = {"receiver": [], "after commit": []}
    uid = "publishing_archive_published"
    original_after_commit = capture.after_commit

    def clocks():
        return time.perf_counter(), time.process_time()

    def since(started):
        wall, cpu = started
        return ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)

    def receiver(sender, **kwargs):
        started = clocks()
        capture.queue_published(sender, **kwargs)
        spent["receiver"].append(since(started))

    def after_commit(function):
        def timed_function():
            started = clocks()
            function()
            spent["after commit"].append(since(started))

        original_after_commit(timed_function)

    page_published.disconnect(dispatch_uid=uid)
    page_published.connect(receiver, weak=False, dispatch_uid=uid)
    capture.after_commit = after_commit
    try:
        yield spent
    finally:
        capture.after_commit = original_after_commit
        page_published.disconnect(dispatch_uid=uid)
        page_published.connect(capture.queue_published, dispatch_uid=uid)


def archive_share(world, rounds, off):
    """The archive's own milliseconds in publishes with production's queue, timed from inside."""
    pages = world.news_pages()
    with archive_stopwatch() as spent:
        for _number in range(rounds):
            for page in pages:
                revision = world.new_revision(page)
                with archive_settings(capture=True, tasks=harness.DATABASE_TASKS):
                    revision.publish(user=world.publisher_of(page))
    medians = {
        part: [statistics.median(clock) for clock in zip(*spent[part], strict=True)]
        for part in spent
    }
    receiver, after = medians["receiver"], medians["after commit"]
    say(
        f"     the archive's own work in a publish, timed from inside ({len(spent['receiver'])} "
        "publishes, medians, wall / CPU):"
    )
    say(
        f"       in the transaction (the receiver: is the page public?) "
        f"{receiver[0]:5.2f} / {receiver[1]:5.2f} ms"
    )
    say(f"       after commit (queueing the capture){'':19}{after[0]:5.2f} / {after[1]:5.2f} ms")
    say(
        f"       together {(receiver[0] + after[0]) / off['wall']:.1%} / "
        f"{(receiver[1] + after[1]) / off['cpu']:.1%} of the median publish with the archive off"
    )


def editor_publish(world, rounds):
    pages = len(world.news_pages())
    say()
    say(
        f"3. The editor's revision.publish(), archive off / on / off again ({rounds} rounds x "
        f"{pages} pages, interleaved in a rotating order)"
    )
    off, database = publish_ratio(
        world,
        rounds,
        harness.DATABASE_TASKS,
        "production's queue (django_tasks_db.DatabaseBackend): the capture is queued after commit",
        target=TARGET_RATIO,
    )
    say("     the queries the archive adds to one publish:")
    for line in added_queries(database["on"], database["off"]) or ["(none)"]:
        say(f"       {line}")
    archive_share(world, max(3, rounds // 2), off)
    publish_ratio(
        world,
        max(2, rounds // 3),
        IMMEDIATE_TASKS,
        "the immediate backend (development): the capture runs in the publish, for information",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="captures, and publish rounds")
    parser.add_argument(
        "--publishes", type=int, default=200, help="publishes of the measured archive size"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    seconds = {}

    def lap(name):
        seconds[name] = time.perf_counter() - started - sum(seconds.values())

    with storages_on_disk() as archive_dir, harness.test_database():
        world = World()
        lap("data")
        say(
            "The legal archive: the worker's cost of a capture, the archive's size and the "
            f"editor's publish (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )
        say()
        typical_size = capture_cost(world, args.rounds)
        lap("1.")
        archive_size(world, archive_dir, args.publishes, typical_size)
        lap("2.")
        editor_publish(world, args.rounds)
        lap("3.")
    say()
    say(
        f"({sum(seconds.values()):.0f} s in all: "
        + ", ".join(f"{name} {value:.0f} s" for name, value in seconds.items())
        + ")"
    )


if __name__ == "__main__":
    main()
