"""Four admin actions in a real browser, click to usable: ``python -m bench.admin_browser``.

Builds a throwaway test database (a SQLite file in a temporary folder, or a test database
beside ``DATABASE_URL``'s), loads both demo municipalities as ``manage.py load_demo`` does, and
serves it from a live-server thread (Django's ``LiveServerThread``, static files from the
finders) on Alvdal's host name. Headless Chromium (Playwright, as ``tests/e2e`` drives it) then
times, in milliseconds, four actions of Alvdal's people in the bokmål admin:

1. **login**: a leader fills in the user name and password on ``/admin/login/`` (signed out,
   a new session each time) and clicks the sign-in button; the clock stops when the dashboard
   is usable. The dashboard lists the drafts the publisher has submitted to the leader.
2. **open the editor**: the publisher clicks the title of a live governed news page (the one
   that affects staff, with its internal notice) in the news index's page listing; the clock
   stops when the editor is usable. The governance side panel's report is not waited for.
3. **submit**: the publisher, in the editor of a fresh draft with every box of the profile's
   checklist (``submit_checklist``) ticked before the clock starts, clicks "Send inn til ..."
   in the footer's menu; the clock stops when the page the admin redirects to (the news index's
   listing) is usable.
4. **approve**: the draft's responsible leader opens its editor and chooses "Godkjenn" in the
   footer's menu (not timed); in Wagtail's modal every warning gets a written reason, if it
   asks for any; the clock runs from the click on the modal's confirming button to the page
   the admin redirects to being usable.

They run in the order submit, open the editor, login, approve, each with a browser context of
its own for the publisher and the leader, in bokmål, the language of both people's admin.

"Usable" is checked in the page, polled on every animation frame, after the click has led to a
new document (Playwright's ``expect_navigation``):

- every page: ``document.readyState`` is ``"complete"``; ``<body>`` has Wagtail's ``ready`` class
  (its ``w-init`` controller adds it once Stimulus has connected the page's controllers);
  ``#main`` is visible; the React sidebar has drawn its menu;
- login: besides, the address is the dashboard's, ``/admin/``;
- open the editor: besides, ``#page-edit-form`` is visible with its ``w-unsaved`` controller
  connected, every StreamField has drawn its blocks (they are drawn in the browser) and the
  footer's "Lagre kladd" button is visible;
- submit and approve: besides, the admin's message (".messages") is visible.

Each action runs ``--warmup`` times (2) unmeasured, then ``--runs`` times (15); submit and
approve each take a fresh draft: copies of the demo's draft news page, made with the ORM as the
publisher's before the browser starts, are submitted one by one and then approved one by one.
The click is a mouse click at the middle of the element, after Playwright has found it
clickable, so its actionability checks stay out of the clock; the clock is
``time.perf_counter()`` in this process, and includes the few milliseconds Playwright needs to
hear from the browser. The browser's cache is warm after the warm-up runs, as for someone who
uses the admin every day.

The server runs with production's password hasher (PBKDF2, from Django's defaults; the test
settings' fast MD5 would flatter the login), django-axes switched on and production's task
queue in the database (no worker runs: mails and index updates wait in it). Each line gives
the median and 95th percentile (``statistics.quantiles``, inclusive), the median number of HTTP
requests the server got from the acting browser from the click to usable (those the browser's
cache answered are not among them), and the median of their server time, summed (requests
that overlap count twice); then the target, at most 700 ms at the median, and whether it is
met. Last come the slowest requests of each action's median run. Nothing here is a test: the
numbers are for people to read.

What the profiles showed (December 2026): login and approve both end on the admin home, which
took 100–130 ms of server time for a leader or an editor on the demo (68–73 queries): the panel
of pages past their review date asked two queries per page type, and who the viewer is (their
roles, deputyships, municipalities, the registers' and reports' scopes, the units of their line)
was read from the database on every page. The overdue pages are now one ``UNION ALL`` over the
page types (two queries) and who the viewer is comes from the organisation kept across requests
(``publishing.memo``): 38–46 queries and 60–75 ms. Login went from 725–777 ms to about 610 ms
at the median, approve from 609–777 ms to about 550 ms. Left in the login: one password check
(about 230 ms of PBKDF2, as in production).
"""

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Playwright's sync API runs an event loop in this thread; the ORM calls between the browser's
# steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from bench import harness  # noqa: E402
from bench.harness import load_demo, say  # noqa: E402

harness.setup(database_tasks=True)

from django.conf import global_settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

#: The median, in milliseconds, each action should stay within.
TARGET_MS = 700
#: Alvdal's people in the demo (site/alvdal/demo.toml): a certified publisher; the leader is the
#: draft's responsible leader.
PUBLISHER = "alvdal.lars"
#: The demo's draft news page (Servicetorget's), copied for each submit and approval.
DRAFT_SLUG = "hjelp-med-digitale-tjenester"
#: A live news page that affects staff and has its internal notice: the editor opened.
NEWS_SLUG = "hjemmetjenesten-far-lengre-apningstid"
#: Any reason a warning may ask for in the approval modal.
REASON = "Avklart med ansvarlig enhet."
TIMEOUT_MS = 20_000
#: A number in a path: page and task ids, grouped in the report.
NUMBER = re.compile(r"/\d+")

#: Whether the page in the browser is usable (see the module): ``want`` adds ``path`` (the
#: address it must be at), ``editor`` and ``message``.
USABLE_JS = """(want) => {
  const visible = (selector) => {
    const element = document.querySelector(selector);
    return !!element && element.checkVisibility();
  };
  if (document.readyState !== "complete" || !document.body.classList.contains("ready")) {
    return false;
  }
  if (!visible("#main") || !document.querySelector("#wagtail-sidebar .sidebar-main-menu")) {
    return false;
  }
  if (want.path && location.pathname !== want.path) return false;
  if (want.message && !visible(".messages li")) return false;
  if (want.editor) {
    const form = document.getElementById("page-edit-form");
    if (!form || !form.checkVisibility()) return false;
    const app = window.wagtail && window.wagtail.app;
    if (!app || !app.getControllerForElementAndIdentifier(form, "w-unsaved")) return false;
    for (const block of document.querySelectorAll('[data-controller~="w-block"]')) {
      if (!block.querySelector("[data-streamfield-stream-container]")) return false;
    }
    if (!visible("footer .action-save")) return false;
  }
  return true;
}"""


# --- The server and its requests ---------------------------------------------------------------


#: The header each browser page sends with its role, so that a request is counted for the page
#: that sent it and not for another one's pings in the background.
ROLE_HEADER = "X-Bench-Role"


@dataclass
class Request:
    """One request the live server got: from which page (its role), when it started and ended
    (``time.perf_counter()``)."""

    role: str
    method: str
    path: str
    start: float
    end: float | None = None

    @property
    def ms(self):
        """Its milliseconds on the server, so far if it has not ended."""
        return ((self.end or time.perf_counter()) - self.start) * 1000

    @property
    def label(self):
        """Method and path, with the numbers in it (page and task ids) as ``<id>``."""
        return f"{self.method} {NUMBER.sub('/<id>', self.path)}"


class RequestLog:
    """Every request the live server gets, as WSGI middleware around its handler."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()

    def wrap(self, app):
        """``app`` (a WSGI application) with its requests logged here."""

        def logged(environ, start_response):
            request = Request(
                environ.get(f"HTTP_{ROLE_HEADER.upper().replace('-', '_')}", ""),
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                time.perf_counter(),
            )
            with self.lock:
                self.requests.append(request)
            try:
                return app(environ, start_response)
            finally:
                request.end = time.perf_counter()

        return logged

    def between(self, role, start, end):
        """The requests of ``role``'s page that started from ``start`` to ``end``."""
        with self.lock:
            return [
                request
                for request in self.requests
                if request.role == role and start <= request.start <= end
            ]


@contextmanager
def serving(log):
    """Serve the site from a live-server thread on 127.0.0.1; yield its port."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", lambda app: log.wrap(StaticFilesHandler(app)), port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield server.port
    finally:
        server.terminate()


# --- The database and the demo -----------------------------------------------------------------


@contextmanager
def throwaway_database(folder):
    """A migrated test database, dropped afterwards. SQLite's is a file in ``folder``: the live
    server's threads then each open their own connection, as production's processes do, instead
    of sharing the one connection of an in-memory database."""
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(folder) / "db.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


@dataclass
class Demo:
    """What the actions work on: Alvdal's host, its people and pages."""

    host: str
    publisher: object
    leader: object
    news: object  # the live page whose editor is opened
    drafts: list = field(default_factory=list)  # fresh drafts to submit, then approve


def prepare_demo(count):
    """The demo's people with passwords hashed by the hasher now in force, and ``count`` copies
    of its draft news page, each with one revision by the publisher (so its leader may approve
    it: a leader may not approve what they edited themselves)."""
    from django.contrib.auth import get_user_model

    from home.demo import DEMO_PASSWORD
    from home.models import NewsPage

    source = NewsPage.objects.get(slug=DRAFT_SLUG)
    publisher = get_user_model().objects.get(username=PUBLISHER)
    leader = source.responsible_leader
    for person in (publisher, leader):
        person.set_password(DEMO_PASSWORD)
        person.save(update_fields=["password"])
    drafts = [
        source.copy(
            recursive=False,
            update_attrs={"title": f"{source.title} ({number})", "slug": f"{DRAFT_SLUG}-{number}"},
            copy_revisions=False,
            keep_live=False,
            user=publisher,
        )
        for number in range(1, count + 1)
    ]
    return Demo(
        host=source.get_site().hostname,
        publisher=publisher,
        leader=leader,
        news=NewsPage.objects.get(slug=NEWS_SLUG),
        drafts=drafts,
    )


def password_check():
    """Milliseconds of one check of a password with the hasher now in force, and its name."""
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    encoded = make_password("bench")
    start = time.perf_counter()
    check_password("bench", encoded)
    elapsed = (time.perf_counter() - start) * 1000
    hasher = get_hasher()
    return elapsed, f"{hasher.algorithm}, {hasher.iterations:,} iterations"


# --- The browser --------------------------------------------------------------------------------


@dataclass
class Sample:
    """One measured action: its milliseconds and the requests the server got meanwhile."""

    ms: float
    requests: list


def wait_until_usable(page, want):
    """Wait until ``page`` is usable (``USABLE_JS``); stop the bench if it does not become so."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(USABLE_JS, arg=want, polling="raf")
    except PlaywrightTimeout:
        messages = page.locator(".messages li").all_inner_texts()
        raise SystemExit(
            f"not usable ({want}) within {TIMEOUT_MS} ms at {page.url}; messages: {messages}"
        ) from None


class Admin:
    """The demo's admin in Chromium: a browser page for the publisher and one for the leader."""

    def __init__(self, browser, base, log):
        self.base = base
        self.log = log
        self.pages = {}
        self.roles = {}
        for role in ("publisher", "leader"):
            context = browser.new_context(
                viewport={"width": 1280, "height": 900},
                locale="nb-NO",
                extra_http_headers={ROLE_HEADER: role},
            )
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            self.pages[role] = page
            self.roles[page] = role

    def goto(self, page, path, **want):
        """Open ``path`` (not timed) and wait until it is usable."""
        page.goto(f"{self.base}{path}")
        wait_until_usable(page, want)

    def timed_click(self, page, target, **want):
        """Click ``target`` and wait for the document it leads to to be usable: a ``Sample``.

        The mouse clicks the middle of ``target`` once Playwright has found it clickable, so
        that its checks (visible, stable, not covered) are not timed.
        """
        target.scroll_into_view_if_needed()
        target.click(trial=True)
        box = target.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        start = time.perf_counter()
        with page.expect_navigation(wait_until="commit", timeout=TIMEOUT_MS):
            page.mouse.click(x, y)
        wait_until_usable(page, want)
        end = time.perf_counter()
        return Sample((end - start) * 1000, self.log.between(self.roles[page], start, end))

    def sign_in(self, role, user, password):
        """Sign ``user`` in on ``role``'s page, from the login form."""
        page = self.pages[role]
        page.context.clear_cookies()  # signed out: a new session, as after a logout
        page.goto(f"{self.base}/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        button = page.locator("form:has(#id_password) button[type=submit]")
        return self.timed_click(page, button, path="/admin/")

    def open_editor(self, news):
        """From the news index's page listing, open ``news``'s editor."""
        page = self.pages["publisher"]
        self.goto(page, f"/admin/pages/{news.get_parent().pk}/")
        edit = f"/admin/pages/{news.pk}/edit/"
        link = page.locator(f'td.title a[href="{edit}"]').first
        return self.timed_click(page, link, path=edit, editor=True)

    def footer_action(self, page, selector):
        """An action of the editor's footer, from its menu if it is not shown."""
        button = page.locator(f"footer {selector}").first
        if not button.is_visible():
            page.locator("footer [data-w-dropdown-target='toggle']").first.click()
        button.wait_for()
        return button

    def submit(self, draft):
        """Tick the checklist in ``draft``'s editor (not timed), then submit it for approval."""
        page = self.pages["publisher"]
        self.goto(page, f"/admin/pages/{draft.pk}/edit/", editor=True)
        boxes = page.locator('input[name="submit_checklist"]')
        if boxes.count():
            panel = page.locator('[role=tabpanel]:has(input[name="submit_checklist"])').first
            page.locator(f'[role=tab][aria-controls="{panel.get_attribute("id")}"]').click()
            for index in range(boxes.count()):
                boxes.nth(index).check()
        button = self.footer_action(page, 'button[name="action-submit"]')
        # Not while the editor's autosave is on its way: the submit would wait for it.
        page.wait_for_function(
            "() => document.getElementById('w-autosave-indicator')"
            "?.getAttribute('data-w-autosave-state-value') !== 'saving'"
        )
        return self.timed_click(page, button, message=True)

    def approve(self, draft):
        """Open ``draft``'s editor and the approval modal (not timed), give each warning a
        reason, then confirm the approval."""
        page = self.pages["leader"]
        self.goto(page, f"/admin/pages/{draft.pk}/edit/", editor=True)
        self.footer_action(page, 'button[data-workflow-action-name="approve"]').click()
        modal = page.locator("form[action*='/workflow/']").last
        modal.wait_for()
        reasons = modal.locator("textarea[name^='reason__']")
        for index in range(reasons.count()):
            reasons.nth(index).fill(REASON)
        return self.timed_click(page, modal.locator("button[type=submit]").first, message=True)

    def leave(self):
        """Leave every page, so that the editors release their editing sessions."""
        from tests.e2e import wait_for_editors_to_leave

        for page in self.pages.values():
            page.goto("about:blank")
        wait_for_editors_to_leave()


@contextmanager
def chromium():
    """Headless Chromium, as ``tests/e2e`` starts it, with the demo's ``*.localhost`` host
    names on 127.0.0.1 (where the live server listens)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.localhost 127.0.0.1"],
        )
        try:
            yield browser
        finally:
            browser.close()


# --- The measurements ---------------------------------------------------------------------------


def verified(sample, check, what):
    """``sample``, once ``check()`` confirms the action took effect in the database."""
    if not check():
        raise SystemExit(f"{what}: the admin answered, but it did not happen")
    return sample


def measure(admin, demo, warmup, runs):
    """``{action: [Sample, ...]}``, ``runs`` of each after ``warmup`` unmeasured ones."""
    from wagtail.models import TaskState

    from home.demo import DEMO_PASSWORD

    rounds = range(warmup + runs)
    results = {}

    def submit(draft):
        def in_workflow():
            state = type(draft).objects.get(pk=draft.pk).current_workflow_state
            return state is not None and state.status == state.STATUS_IN_PROGRESS

        return verified(admin.submit(draft), in_workflow, "submit")

    def approve(draft):
        task_state = type(draft).objects.get(pk=draft.pk).current_workflow_task_state
        sample = admin.approve(draft)

        def approved():
            return TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_APPROVED

        return verified(sample, approved, "approve")

    # The publisher's drafts are all submitted first: the leader then logs in to a dashboard
    # with pages waiting for them, as on a working day.
    admin.sign_in("publisher", demo.publisher, DEMO_PASSWORD)
    results["submit"] = [submit(demo.drafts[n]) for n in rounds]
    results["open the editor"] = [admin.open_editor(demo.news) for _n in rounds]
    # The publisher's editor pings the server now and then: not while the leader is timed.
    admin.leave()
    results["login"] = [admin.sign_in("leader", demo.leader, DEMO_PASSWORD) for _n in rounds]
    results["approve"] = [approve(demo.drafts[n]) for n in rounds]
    admin.leave()
    return {action: samples[warmup:] for action, samples in results.items()}


def p95(values):
    """The 95th percentile of ``values``, interpolated between the two nearest."""
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def report(results, hashing_ms, hasher):
    """The table of the actions, and the slowest requests of each action's median run."""
    say(
        f"  {'action':16} {'p50 ms':>7} {'p95 ms':>7} {'requests':>9} {'server ms':>10}  "
        f"target (p50 <= {TARGET_MS} ms)"
    )
    order = ("login", "open the editor", "submit", "approve")
    for action in order:
        samples = results[action]
        times = [sample.ms for sample in samples]
        median = statistics.median(times)
        requests = statistics.median(len(sample.requests) for sample in samples)
        server = statistics.median(sum(r.ms for r in sample.requests) for sample in samples)
        verdict = "ok" if median <= TARGET_MS else "OVER TARGET"
        say(
            f"  {action:16} {median:7.0f} {p95(times):7.0f} {requests:9.0f} {server:10.0f}  "
            f"{verdict}"
        )
    say(f"  (login includes one password check: {hashing_ms:.0f} ms with {hasher})")
    say("Server time of the slowest requests in each action's median run (ms):")
    for action in order:
        samples = sorted(results[action], key=lambda sample: sample.ms)
        median_run = samples[math.ceil(len(samples) / 2) - 1]
        slowest = sorted(median_run.requests, key=lambda request: -request.ms)[:4]
        say(
            f"  {action:16} "
            + ", ".join(f"{request.label} {request.ms:.0f}" for request in slowest)
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs of each action")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured runs before them")
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    log = RequestLog()
    # Production's password hasher and login throttling, which the test settings switch off:
    # the demo is loaded before, with the fast hasher, and the people who log in get their
    # passwords hashed again.
    production = override_settings(
        PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS, AXES_ENABLED=True
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-admin-browser-") as folder,
        throwaway_database(folder),
    ):
        load_demo()
        with production:
            demo = prepare_demo(args.warmup + args.runs)
            hashing_ms, hasher = password_check()
            with serving(log) as port, chromium() as browser:
                say(
                    f"Admin actions in headless Chromium {browser.version}, click to usable "
                    f"(Alvdal's demo in bokmål, {connection.vendor}, live-server thread, "
                    f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
                    f"{args.runs} runs each after {args.warmup} warm-ups)"
                )
                admin = Admin(browser, f"http://{demo.host}:{port}", log)
                results = measure(admin, demo, args.warmup, args.runs)
    report(results, hashing_ms, hasher)


if __name__ == "__main__":
    main()
