"""The archive's captures replay in a standard WARC replay tool: pywb, on loopback.

A public news page with text and an image is published, published again changed, and
unpublished (with capture on, as in production). Its WARC files are copied into a pywb
collection, pywb serves them on 127.0.0.1, and each moment replays as citizens saw it: the first
version at the first publish's time, the second at the second's, the image and the icon from the
archive, and, after the unpublish, the address answers 404 as it did. Chromium shows the replay
and keeps a screenshot in ``test-artifacts/archive-replay/``.

pywb lives in a virtualenv of its own, ``var/pywb`` (``make pywb``; ``make test`` makes it): its
pins conflict with the project's. Without it the tests are skipped, except in CI.
"""

import datetime
import email.utils
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import TestCase, override_settings, tag
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from publishing.archive.storage import archive_storage
from publishing.models.archive import ArchiveCapture, ArchiveEvent
from publishing.workflow import removal
from tests.e2e import CHROMIUM, CHROMIUM_ARGS, keep_screenshot, require_chromium
from tests.governance import news_page, reload
from tests.worlds import GovernedWorld

PYWB_BIN = Path(settings.BASE_DIR) / "var" / "pywb" / "bin"
COLLECTION = "archive"
TITLE = "Nattbussen kommer tilbake"
FIRST_TEXT = "Nattbussen går hver time fra 1. mars."
SECOND_TEXT = "Nattbussen går hver halvtime fra 1. april."
REASON = "Ordningen ble avlyst av fylket."


def require_pywb():
    """Skip where pywb is not installed in var/pywb, but never in CI: there it fails."""
    if (PYWB_BIN / "wayback").exists() and (PYWB_BIN / "wb-manager").exists():
        return
    message = f"pywb is not installed in {PYWB_BIN.parent}: run `make pywb` (`make test` does)"
    if os.environ.get("CI"):
        raise RuntimeError(message)
    raise unittest.SkipTest(message)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timestamp(moment):
    """The 14-digit timestamp (UTC) a replay tool gives a capture made at ``moment``."""
    return moment.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S")


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def get(url, timeout=10):
    """``url`` (on loopback only) as status, headers and body, whatever the status."""
    assert urlsplit(url).hostname == "127.0.0.1", url
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())


class PywbServer:
    """pywb's ``wayback`` on loopback, serving collection ``COLLECTION`` from a temporary folder."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="archive-replay-"))
        self.process = None
        self.log = self.root / "wayback.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def add(self, files):
        """Make the collection and index ``files`` into it (pywb's ``wb-manager``)."""
        self.wb_manager("init", COLLECTION)
        self.wb_manager("add", COLLECTION, *map(str, files))

    def wb_manager(self, *args):
        done = subprocess.run(
            [PYWB_BIN / "wb-manager", *args], cwd=self.root, capture_output=True, timeout=60
        )
        if done.returncode:
            raise RuntimeError(
                f"wb-manager {' '.join(args)} failed:\n{done.stdout.decode()}{done.stderr.decode()}"
            )

    def start(self, seconds=20):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [PYWB_BIN / "wayback", "--bind", "127.0.0.1", "--port", str(self.port)],
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pywb stopped at start:\n{self.log.read_text()}")
            try:
                if get(f"{self.base}/", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"pywb did not answer in {seconds} s:\n{self.log.read_text()}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def replay(self, moment, url, mode=""):
        """The replay address of ``url`` at ``moment`` (a 14-digit timestamp or a datetime):
        ``id_`` the bytes as captured, ``mp_`` the page rewritten for replay, "" in pywb's frame."""
        if not isinstance(moment, str):
            moment = timestamp(moment)
        return f"{self.base}/{COLLECTION}/{moment}{mode}/{url}"


@override_settings(PUBLISHING_ARCHIVE_CAPTURE=True)
class ArchiveReplayTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        image = get_image_model().objects.create(
            # Coloured, so that the screenshots show it.
            title="Nattbussen ved torget",
            file=get_test_image_file(colour="#2e7d32", size=(320, 180)),
        )
        body = [
            ("image", {"image": image, "alt_text": "Nattbussen ved torget", "decorative": False})
        ]
        # Minutes apart (pywb tells captures apart by the second), ahead of the run's clock.
        start = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=1)
        # Wagtail publishes in a transaction of its own: the capture waits for its commit, which
        # the test's transaction never makes (captureOnCommitCallbacks stands in for it).
        with time_machine.travel(start, tick=True), cls.captureOnCommitCallbacks(execute=True):
            page = news_page(
                g,
                TITLE,
                "nattbussen",
                affects_staff=False,
                notice=False,
                intro=FIRST_TEXT,
                body=body,
            )
            page.get_latest_revision().publish(user=g.editor)
        with (
            time_machine.travel(start + datetime.timedelta(minutes=5), tick=True),
            cls.captureOnCommitCallbacks(execute=True),
        ):
            draft = reload(page).get_latest_revision_as_object()
            draft.intro = SECOND_TEXT
            draft.save_revision(user=g.editor).publish(user=g.editor)
        with (
            time_machine.travel(start + datetime.timedelta(minutes=10), tick=True),
            cls.captureOnCommitCallbacks(execute=True),
            removal.because(REASON),
        ):
            reload(page).unpublish(user=g.editor)
        cls.page = reload(page)
        cls.url = cls.page.get_full_url()
        cls.site_root = cls.page.get_site().root_url
        rendition = image.get_rendition("width-800")
        cls.image_url = cls.site_root + rendition.url
        with rendition.file.open("rb") as handle:
            cls.image_bytes = handle.read()
        cls.captures = list(
            ArchiveCapture.objects.filter(page_id=page.pk).order_by("captured_at", "pk")
        )

    @classmethod
    def setUpClass(cls):
        require_pywb()
        super().setUpClass()
        try:
            folder = Path(tempfile.mkdtemp(prefix="archive-warcs-"))
            cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
            storage = archive_storage()
            files = []
            for capture in cls.captures:
                path = folder / capture.warc_name.rsplit("/", 1)[-1]
                with storage.open(capture.warc_name) as source:
                    path.write_bytes(source.read())
                files.append(path)
            cls.pywb = PywbServer()
            cls.addClassCleanup(cls.pywb.stop)
            cls.pywb.add(files)
            cls.pywb.start()
        except Exception:
            cls.tearDownClass()
            raise

    def capture_time(self, capture):
        """The capture's time as pywb's Memento-Datetime gives it."""
        return email.utils.format_datetime(
            capture.captured_at.astimezone(datetime.UTC).replace(microsecond=0), usegmt=True
        )

    def test_the_replay_tool_indexes_each_capture_of_the_address_as_the_page(self):
        self.assertEqual(
            [capture.event for capture in self.captures],
            [ArchiveEvent.PUBLISHED, ArchiveEvent.PUBLISHED, ArchiveEvent.UNPUBLISHED],
        )
        # Only the page's answers are captures of its address: no other record (the capture's
        # JSON metadata) competes with them at the same second.
        answer = get(f"{self.pywb.base}/{COLLECTION}/cdx?url={self.url}&output=json")
        self.assertEqual(answer.status, 200)
        lines = [json.loads(line) for line in answer.text.splitlines() if line.strip()]
        self.assertEqual(
            [(line["timestamp"], line.get("status", "-"), line["mime"]) for line in lines],
            [
                (timestamp(capture.captured_at), status, "text/html")
                for capture, status in zip(self.captures, ("200", "200", "404"), strict=True)
            ],
            "every record pywb lists for the page's address:\n" + answer.text,
        )

    def test_each_publish_replays_as_it_was(self):
        first, second, _gone = self.captures
        for capture, shown, not_shown in (
            (first, FIRST_TEXT, SECOND_TEXT),
            (second, SECOND_TEXT, FIRST_TEXT),
        ):
            with self.subTest(published=capture.captured_at):
                original = get(self.pywb.replay(capture.captured_at, self.url, "id_"))
                self.assertEqual(original.status, 200)
                self.assertEqual(original.headers["Memento-Datetime"], self.capture_time(capture))
                self.assertRegex(original.headers["Content-Type"], r"^text/html")
                self.assertIn(f"<h1>{TITLE}</h1>", original.text)
                self.assertIn(shown, original.text)
                self.assertNotIn(not_shown, original.text)
                rewritten = get(self.pywb.replay(capture.captured_at, self.url, "mp_"))
                self.assertEqual(rewritten.status, 200)
                self.assertIn(shown, rewritten.text)
                # The image is asked of the archive, at the capture's time, not of the site.
                self.assertIn(
                    f"{timestamp(capture.captured_at)}im_/{self.image_url}", rewritten.text
                )
                framed = get(self.pywb.replay(capture.captured_at, self.url))
                self.assertEqual(framed.status, 200)
                self.assertIn('id="replay_iframe"', framed.text)

    def test_the_image_and_the_icon_are_served_from_the_archive(self):
        icon_url = self.site_root + settings.STATIC_URL + "home/favicon.svg"
        with open(finders.find("home/favicon.svg"), "rb") as icon:
            icon_bytes = icon.read()
        for capture in self.captures[:2]:
            for url, content_type, body in (
                (self.image_url, "image/png", self.image_bytes),
                (icon_url, "image/svg+xml", icon_bytes),
            ):
                with self.subTest(url=url, published=capture.captured_at):
                    answer = get(self.pywb.replay(capture.captured_at, url, "id_"))
                    self.assertEqual(answer.status, 200)
                    self.assertEqual(answer.headers["Content-Type"], content_type)
                    self.assertEqual(answer.headers["Memento-Datetime"], self.capture_time(capture))
                    self.assertEqual(answer.body, body)

    def test_after_the_unpublish_the_address_replays_as_gone(self):
        gone = self.captures[-1]
        for moment in (gone.captured_at, gone.captured_at + datetime.timedelta(days=30)):
            with self.subTest(moment=moment):
                answer = get(self.pywb.replay(moment, self.url, "id_"))
                self.assertEqual(answer.status, 404)
                # The site's own answer, recorded; not the replay tool's "not in the archive".
                self.assertEqual(answer.headers["Memento-Datetime"], self.capture_time(gone))
                self.assertIn('<html lang="nb">', answer.text)
                self.assertNotIn(TITLE, answer.text)
                self.assertNotIn(SECOND_TEXT, answer.text)

    @tag("browser")
    def test_chromium_shows_the_replayed_page(self):
        require_chromium()
        self.enterContext(mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}))
        from playwright.sync_api import expect, sync_playwright

        playwright = sync_playwright().start()
        self.addCleanup(playwright.stop)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.addCleanup(browser.close)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.addCleanup(context.close)
        asked = []
        context.on("request", lambda request: asked.append(request.url))
        page = context.new_page()
        page.set_default_timeout(15_000)
        first, second, gone = self.captures
        for capture, text, name in (
            (first, FIRST_TEXT, "first-publish.png"),
            (second, SECOND_TEXT, "second-publish.png"),
        ):
            # pywb's own page: its banner with the capture's date above the page in a frame.
            page.goto(self.pywb.replay(capture.captured_at, self.url))
            frame = page.frame_locator("#replay_iframe")
            expect(frame.get_by_role("heading", level=1)).to_have_text(TITLE)
            expect(frame.get_by_text(text)).to_be_visible()
            image = frame.locator("figure img")
            expect(image).to_be_visible()
            image.evaluate("img => img.decode()")
            self.assertGreater(image.evaluate("img => img.naturalWidth"), 0)
            # The page's own styles (inline in the page) apply.
            self.assertEqual(
                frame.locator(".site-header").evaluate(
                    "e => getComputedStyle(e).borderBottomColor"
                ),
                "rgb(31, 59, 87)",
            )
            keep_screenshot(page, "archive-replay", name, docs=False)
        page.goto(self.pywb.replay(gone.captured_at + datetime.timedelta(days=1), self.url))
        # The site's own "not found" page, as the address answered after the unpublish.
        frame = page.frame_locator("#replay_iframe")
        expect(frame.locator("html")).to_have_attribute("lang", "nb")
        expect(frame.get_by_role("heading", level=1)).to_be_visible()
        expect(frame.get_by_role("heading", level=1)).not_to_have_text(TITLE)
        expect(frame.get_by_text(SECOND_TEXT)).to_have_count(0)
        keep_screenshot(page, "archive-replay", "after-unpublish.png", docs=False)
        elsewhere = [
            url
            for url in asked
            if urlsplit(url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(url).netloc != f"127.0.0.1:{self.pywb.port}"
        ]
        self.assertEqual(elsewhere, [], "the replay asked only the replay tool")
