"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright.

Chromium runs headless with the background networking flags off, since this machine has no
network beyond loopback. Screenshots of each step are kept in ``test-artifacts/``.
"""

import os
import shutil
import time
import unittest
from pathlib import Path

from django.conf import settings
from django.db import OperationalError
from wagtail.admin.models import EditingSession
from wagtail.users.models import UserProfile

PASSWORD = "pw"  # the test factories' password

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


DOCS_SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def keep_screenshot(page, folder, name, docs=True):
    """Save a screenshot of ``page`` in ``test-artifacts/<folder>/<name>``; with
    ``UPDATE_DOCS_SCREENSHOTS=1`` also replace the README's copy in ``docs/screenshots/``
    (unless ``docs`` is false: the README shows a few pictures, not every step)."""
    target = ARTIFACTS / folder
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / name))
    if docs and os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / name, DOCS_SCREENSHOTS / name)


def set_admin_language(user, language):
    """Make ``language`` ``user``'s admin language (Wagtail's account setting)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def sign_in(page, base, user, password=PASSWORD):
    """Sign ``user`` in to the admin at ``base`` in the browser ``page``."""
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def require_chromium():
    """Skip where Chromium is not installed, but never in CI: there a missing browser fails."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium not found at {CHROMIUM}; .ci/run must install it")
    raise unittest.SkipTest(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


class ChromiumMixin:
    """Chromium driven by Playwright for a live-server test case, and a clean way out.

    An editor page keeps talking to the server (editing-session pings, and a beacon that
    releases the session when the page is left); the test waits for that before the database is
    flushed, so no late request meets a flushing database.
    """

    @classmethod
    def setUpClass(cls):
        require_chromium()
        # Playwright's sync API runs an event loop in this thread; the ORM calls between browser
        # steps are ordinary synchronous calls.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def signed_in(self, user, host=None, password=PASSWORD, language="en", width=1440):
        """A browser page signed in as ``user`` (on ``host``, if given) and the base URL, with
        ``language`` as the admin language and the browser's."""
        set_admin_language(user, language)
        base = f"http://{host}:{self.server_thread.port}" if host else self.live_server_url
        context = self.browser.new_context(
            viewport={"width": width, "height": 1000}, locale=language
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        self.addCleanup(self.leave, context, page, user)
        sign_in(page, base, user, password)
        return page, base

    def leave(self, context, page, user):
        page.goto("about:blank")
        wait_for_editors_to_leave(user)
        context.close()


def wait_for_editors_to_leave(user=None, seconds=5):
    """Wait (up to ``seconds``) until the editors left in the browser have released their editing
    sessions (``user``'s, or everyone's), so that no late request meets a flushing database."""
    sessions = EditingSession.objects.all()
    if user is not None:
        sessions = sessions.filter(user=user)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if not sessions.exists():
                return
        except OperationalError:
            # SQLite's shared in-memory test database locks whole tables while the server
            # thread writes; ask again.
            pass
        time.sleep(0.05)
