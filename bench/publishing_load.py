"""Publishing under public load, on PostgreSQL: ``python -m bench.publishing_load``.

Public visitors read both demo sites at a steady rate while publishers edit, save, publish and
submit pages in the Wagtail admin at the same time; afterwards the database must hold every
revision a publisher was told was saved, and every page must be in the state its last action
left it in: zero errors, no lost revision, latencies reported.

What it does, in a little over two minutes with the defaults:

1. **A throwaway database beside ``DATABASE_URL``** (PostgreSQL only): migrated, both demo
   municipalities loaded (``load_demo``), and dropped again at the end. Per municipality it adds
   one account per publisher thread, cloned from the demo's people so that the project's own
   groups, roles and certificates decide what each may do: *publish* threads are like
   ``alvdal.silje`` (communications group: may publish directly), *draft* and *workflow* threads
   like ``alvdal.lars`` (publishers group: saves drafts and submits to the workflow, may not
   publish). Each thread has two live pages of its own (news, press releases, services,
   standard pages; none that affects staff, whose publish waits for its internal notice), so
   the last write to each is known; the publish threads of a site also share one more page,
   where their publishes race.
2. **gunicorn** with ``site/deploy/gunicorn.conf.py`` (sync workers, as production runs them) and
   ``config.settings.production`` on a free 127.0.0.1 port.
3. **Public load with wrk**: a Lua script rotates Host headers and paths across both sites' home
   pages, news indexes, live news and press pages and service pages. wrk has no rate control
   and Debian has no wrk2, so the script paces wrk itself: each request waits for its slot of a
   fixed schedule (``--rate`` per second, the clock read through LuaJIT's FFI) over
   ``--connections`` connections. While the server keeps up this is a steady, open-loop rate;
   when every connection is still waiting at a slot, that request goes out late, and the report
   counts those (wrk2 would add the wait to the latency; here it shows as the late count and a
   lower achieved rate). A fixed rate, not as fast as possible, because the question is what
   visitors see while publishers work (``bench.public_render`` measures saturation). The same
   schedule runs ``--baseline`` seconds alone first, so the publishers' cost is the difference.
4. **Publishers over HTTP, in parallel** for ``--duration`` seconds: each thread logs in through
   the admin's login form (CSRF token and all; django-axes sees real logins), then loops: GET
   the page's edit view, build the POST body as the browser would and send it, follow the
   redirect, pause ``--think`` seconds (first turns spread over one pause). The body is the
   edit form's own fields read from the HTML (hidden fields, the CSRF token,
   ``loaded_revision_id``, selects, rich text as Draftail contentstate) plus the StreamField
   ``body``, which the browser's JavaScript builds; ``wagtail.test.utils.form_data``
   (``streamfield``, ``rich_text``, ``nested_form_data``) builds it here from the page's
   current content. Title and introduction change on every save. *publish* threads press
   Publish; *draft* threads Save draft; *workflow* threads cycle Save draft, Submit (ticking
   the municipality's checklist) and Cancel workflow. Every answer is checked: a redirect to
   the right place is success; the form shown again is a validation error, reported with its
   message; a publish that lands back in the editor was refused by the governance veto.
5. **Checks** after the run: for each page, the revisions created during the run are exactly
   the saves its threads were told succeeded (count, title, author); ``latest_revision`` is the
   newest revision; a published page is live with the newest revision, which is a thread's
   last publish, has no unpublished changes and the public site shows its title; a drafted page
   keeps its old live revision and title and has unpublished changes; a submitted page is in
   its workflow, a cancelled one is not, and the automatic checks sent none back; no page is
   locked; gunicorn's log has no 5xx answer and no worker timeout.

Any non-2xx public answer, socket error, publisher error or failed check makes it exit 1.
The numbers are for people to read: on a 2-core machine PostgreSQL, gunicorn, wrk and the
publishers' client share the same cores.
"""

import argparse
import html
import http.client
import http.cookies
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import load_demo  # noqa: E402
from bench.serving import (  # noqa: E402
    Gunicorn,
    check_targets,
    fetch,
    find_wrk,
    free_port,
    parse_wrk,
    production_env,
    run_wrk,
    say,
    tail,
    wrk_command,
)

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")
PASSWORD_BYTES = 18
#: What each publisher thread of a municipality does, in order; more threads repeat the cycle.
ROLE_CYCLE = ("publish", "draft", "publish", "workflow")
PAGES_PER_THREAD = 2
#: A workflow thread's actions on one page, in turn.
WORKFLOW_CYCLE = ("save", "submit", "cancel")
#: Actions that write a revision when they succeed (cancel does not: the page is locked for its
#: submitter while it waits for the leader, and Wagtail then cancels without saving).
REVISION_ACTIONS = {"save", "publish", "submit"}
#: The editor's button for each action (Save draft is the form's plain submission).
ACTION_BUTTONS = {
    "publish": "action-publish",
    "submit": "action-submit",
    "cancel": "action-cancel-workflow",
}
HTTP_TIMEOUT = 30


def require_postgresql():
    """Stop with a clear message unless ``DATABASE_URL`` names a PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in POSTGRES_SCHEMES:
        raise SystemExit(
            "bench.publishing_load needs PostgreSQL: set DATABASE_URL to a server it may create "
            "and drop a database on, e.g. postgres://postgres@%2Ftmp%2Fsock:5432/app "
            f"(got {url or 'nothing'!r}). A throwaway database is created beside the one named "
            "and dropped at the end; the named one is not touched."
        )
    return url


def with_database_name(url, name):
    """``url`` with its database (the path) replaced by ``name``."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


# --- Setting up: database, demo, publishers ----------------------------------------------------


@contextmanager
def throwaway_database(url):
    """Create and migrate a database beside ``url``'s; yield its URL; drop it afterwards."""
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}_load_{secrets.token_hex(4)}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield with_database_name(url, name)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def block_form_data(block, value):
    """A StreamField block's value as the editor's form posts it (for ``streamfield``)."""
    from wagtail import blocks
    from wagtail.test.utils.form_data import rich_text

    if isinstance(block, blocks.RichTextBlock):
        return rich_text(value.source, features=block.features)
    if isinstance(block, blocks.StructBlock):
        return {
            name: block_form_data(child, value.get(name))
            for name, child in block.child_blocks.items()
        }
    if isinstance(block, blocks.ChooserBlock):
        return "" if value is None else str(value.pk)
    if isinstance(block, blocks.FieldBlock):
        state = block.get_form_state(value)
        return "" if state is None else str(state)
    # The demo's bodies hold headings and paragraphs; anything else would need its own case.
    raise TypeError(f"no form data for a {type(block).__name__}")


def stream_form_data(page):
    """The POST fields of every StreamField of ``page`` (its latest revision), as the browser's
    JavaScript would send them."""
    from wagtail.fields import StreamField
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    latest = page.get_latest_revision_as_object()
    data = {}
    for field in type(latest)._meta.get_fields():
        if isinstance(field, StreamField):
            value = getattr(latest, field.name)
            items = [(c.block_type, block_form_data(c.block, c.value)) for c in value]
            data.update(nested_form_data({field.name: streamfield(items)}))
            # Each block's id, as the editor sends it: without, every block counts as new.
            data.update({f"{field.name}-{i}-id": c.id for i, c in enumerate(value) if c.id})
    return data


def clone_user(template, username, password):
    """A new user with ``template``'s groups, roles and publisher certificates; English admin."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
    from wagtail.users.models import UserProfile

    from publishing.models import PublisherCertificate, RoleAssignment

    user = get_user_model().objects.create(
        username=username,
        first_name="Bench",
        last_name=username.rsplit(".", 1)[-1],
        email=f"{username}@example.org",
        # Production's hasher: the test settings hash with MD5, which production refuses.
        password=make_password(password, hasher=PBKDF2PasswordHasher()),
    )
    user.groups.set(template.groups.all())
    for model, fields in (
        (RoleAssignment, ("unit", "role", "starts_on", "ends_on")),
        (PublisherCertificate, ("municipality", "course", "passed_on", "expires_on")),
    ):
        for row in model.objects.filter(user=template):
            model.objects.create(user=user, **{name: getattr(row, name) for name in fields})
    # Messages in English, so that the report can quote them; the sites stay in their language.
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def certified(group, municipality, exclude=None):
    """A member of ``group`` with a valid publisher certificate in ``municipality``."""
    import datetime

    members = group.user_set.filter(
        publisher_certificates__municipality=municipality,
        publisher_certificates__expires_on__gte=datetime.date.today(),
    )
    if exclude is not None:
        members = members.exclude(groups=exclude)
    user = members.order_by("username").first()
    if user is None:
        raise SystemExit(f"{municipality}: no certified member of {group} to model publishers on")
    return user


def editable_pages(municipality):
    """Live public pages a publisher may edit and a communications editor publish directly."""
    from home.models import NewsPage, PressReleasePage, ServicePage, StandardPage

    home = municipality.site.root_page
    pages = []
    for model in (NewsPage, ServicePage, PressReleasePage, StandardPage):
        # Pages that affect staff wait for their internal notice: not a direct publish.
        pages += list(
            model.objects.live()
            .public()
            .descendant_of(home)
            .filter(affects_staff=False)
            .order_by("pk")
        )
    return pages


def public_targets(municipality):
    """``(host, path, site title)`` for wrk: home, news index, live news and service pages."""
    from home.models import NewsIndexPage, NewsPage, PressReleasePage, ServicePage

    site = municipality.site
    home = site.root_page
    pages = [home]
    for model in (NewsIndexPage, NewsPage, PressReleasePage, ServicePage):
        pages += list(model.objects.live().public().descendant_of(home).order_by("pk"))
    return [(site.hostname, page.get_url_parts()[2], home.title) for page in pages]


def prepare(threads_per_site):
    """Load the demo, create the publishers and give each thread its pages.

    Returns ``(publishers, targets)``: one dict per thread (username, password, host, role,
    pages) and the public ``(host, path, title)`` targets.
    """
    from publishing.models import Municipality

    load_demo()
    publishers, targets = [], []
    for municipality in Municipality.objects.order_by("slug"):
        comms = certified(municipality.communications_group, municipality)
        writer = certified(
            municipality.publishers_group, municipality, exclude=municipality.communications_group
        )
        pages = editable_pages(municipality)
        # Each thread's own pages, and one more that every publish thread edits as well.
        needed = threads_per_site * PAGES_PER_THREAD + 1
        if len(pages) < needed:
            raise SystemExit(
                f"{municipality}: {len(pages)} pages for {needed}; use fewer --threads-per-site"
            )
        shared = page_plan(pages[-1]) | {"shared": True}
        for n in range(threads_per_site):
            role = ROLE_CYCLE[n % len(ROLE_CYCLE)]
            username = f"bench.{municipality.slug}.{role}{n + 1}"
            password = secrets.token_urlsafe(PASSWORD_BYTES)
            user = clone_user(comms if role == "publish" else writer, username, password)
            own = pages[n * PAGES_PER_THREAD : (n + 1) * PAGES_PER_THREAD]
            publishers.append(
                {
                    "name": f"{municipality.slug}.{role}{n + 1}",
                    "username": username,
                    "user_id": user.pk,
                    "password": password,
                    "host": municipality.site.hostname,
                    "role": role,
                    "pages": [page_plan(page) for page in own]
                    + ([shared] if role == "publish" else []),
                }
            )
        targets += public_targets(municipality)
    return publishers, targets


def page_plan(page):
    """What a thread needs to edit ``page``, and its state before the run."""
    from wagtail.fields import StreamField

    page = page.specific
    return {
        "id": page.pk,
        "title": page.title,
        "intro": getattr(page, "intro", ""),
        "path": page.get_url_parts()[2],
        "stream": stream_form_data(page),
        "stream_fields": {
            f.name for f in type(page)._meta.get_fields() if isinstance(f, StreamField)
        },
        "live_revision_id": page.live_revision_id,
    }


# --- The publishers' browser -------------------------------------------------------------------

_TAG = re.compile(r"<(/?)(input|textarea|select|option|template)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_SKIPPED_INPUTS = {"submit", "button", "image", "file", "reset"}


def _attrs(text):
    found = {}
    for m in _ATTR.finditer(text):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        found[m.group(1).lower()] = html.unescape(value)
    return found


def form_fields(document, form_id):
    """The ``(name, value)`` pairs a browser would submit from the form ``form_id``, before any
    script runs: inputs, checked boxes, textareas and selected options.

    ``wagtail.test.utils.form_data.querydict_from_html`` does the same with BeautifulSoup; this
    reads Django's well-formed output with two regular expressions in a few milliseconds instead
    of 100 ms per edit page, CPU that the publisher threads would take from the server here.
    """
    start = re.search(rf'<form\b[^>]*\bid="{re.escape(form_id)}"', document)
    if start is None:
        raise ValueError(f"no form {form_id!r}")
    body = document[start.start() : document.index("</form>", start.start())]
    fields, in_template = [], 0
    select = first = None
    chosen = multiple = False
    for m in _TAG.finditer(body):
        closing, tag, rest = m.group(1), m.group(2).lower(), m.group(3)
        if tag == "template":  # a script's blueprint, never submitted as it stands
            in_template += -1 if closing else 1
            continue
        if in_template or (closing and tag != "select"):
            continue
        attrs = _attrs(rest)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields.append((name, attrs.get("value", "on")))
            elif kind not in _SKIPPED_INPUTS:
                fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            text = html.unescape(body[m.end() : body.index("</textarea>", m.end())])
            # Browsers drop the newline that follows <textarea>.
            fields.append((name, text[1:] if text.startswith("\n") else text))
        elif tag == "select":
            if closing:
                # A single select without a selected option sends its first; a multiple one,
                # as browsers do, nothing.
                if select and not chosen and not multiple and first is not None:
                    fields.append((select, first))
                select = None
            elif name:
                select, first, chosen = name, None, False
                multiple = "multiple" in attrs
        elif tag == "option" and select:
            value = attrs.get("value")
            if value is None:
                value = html.unescape(body[m.end() : body.index("<", m.end())]).strip()
            if first is None:
                first = value
            if "selected" in attrs:
                fields.append((select, value))
                chosen = True
    return fields


def checkbox_values(document, name):
    """Every value of the checkboxes called ``name``, ticked or not."""
    found = []
    for m in re.finditer(r"<input\b([^>]*)>", document):
        attrs = _attrs(m.group(1))
        if attrs.get("name") == name and attrs.get("type") == "checkbox":
            found.append(attrs.get("value", "on"))
    return found


_MARKUP = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def page_messages(document):
    """The admin's messages (errors, warnings and confirmations) and field errors on a page,
    as plain text."""
    found = []
    patterns = (
        r'<li class="(?:error|warning|success)[^"]*"[^>]*>(.*?)</li>',
        r'class="[^"]*error-message[^"]*"[^>]*>(.*?)</(?:p|div|span)>',
    )
    for pattern in patterns:
        for m in re.finditer(pattern, document, re.DOTALL):
            text = " ".join(html.unescape(_MARKUP.sub(" ", m.group(1))).split())
            if text and text not in found:
                found.append(text)
    return found


class Browser:
    """One publisher's browser: a cookie jar and plain HTTP to gunicorn on loopback."""

    def __init__(self, port, host):
        self.port = port
        self.host = host
        self.cookies = {}

    def request(self, method, path, fields=None, json=False):
        """Send a request; return ``(status, location path, body text, milliseconds)``.

        ``json`` asks for a JSON answer, as the editor's autosave does."""
        headers = {"Host": self.host}
        if json:
            headers["Accept"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends with a form; Django checks Origin against Host for CSRF.
            headers["Origin"] = f"http://{self.host}"
            headers["Referer"] = f"http://{self.host}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        start = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        elapsed = (time.perf_counter() - start) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        location = response.getheader("Location")
        if location:
            location = urllib.parse.urlsplit(location).path or location
        return response.status, location, text, elapsed

    def login(self, username, password):
        """Log in through the admin's form; return milliseconds, or raise ``RuntimeError``."""
        status, _loc, page, _ms = self.request("GET", "/admin/login/")
        token = _csrf_token(page)
        if status != 200 or not token:
            raise RuntimeError(f"login form answered {status} without a CSRF token")
        form = {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": "/admin/",
        }
        status, location, page, elapsed = self.request("POST", "/admin/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(
                f"login as {username} answered {status}: {'; '.join(page_messages(page))[:300]}"
            )
        return elapsed


def _csrf_token(page):
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return m.group(1) if m else None


# --- The publisher threads ---------------------------------------------------------------------


class Publisher(threading.Thread):
    """Edits its pages over HTTP until ``deadline``; records every request, save and error."""

    def __init__(self, plan, browser, deadline, think, offset=0.0):
        super().__init__(name=plan["name"], daemon=True)
        self.offset = offset
        self.plan = plan
        self.browser = browser
        self.deadline = deadline
        self.think = think
        self.timings = {}  # kind -> [ms]
        self.saved = {page["id"]: [] for page in plan["pages"]}  # page id -> [(action, title)]
        self.last = {page["id"]: None for page in plan["pages"]}  # page id -> last action done
        self.errors = []
        self.done = {}  # action -> how many succeeded
        self.turns = {page["id"]: 0 for page in plan["pages"]}
        self.count = 0

    def time(self, kind, ms):
        """Record a request's milliseconds under ``kind``."""
        self.timings.setdefault(kind, []).append(ms)

    def action_for(self, page):
        """What this thread does on ``page`` in its next turn."""
        role = self.plan["role"]
        if role == "publish":
            return "publish"
        if role == "draft":
            return "save"
        return WORKFLOW_CYCLE[self.turns[page["id"]] % len(WORKFLOW_CYCLE)]

    def run(self):
        """Turns on each page in rotation, a pause between them, until the deadline."""
        pages = self.plan["pages"]
        n = 0
        # Publishers do not all press a button at the same moment: their first turns are spread
        # over one pause.
        time.sleep(min(self.offset, max(0.0, self.deadline - time.monotonic())))
        while time.monotonic() < self.deadline:
            page = pages[n % len(pages)]
            n += 1
            try:
                self.edit(page, self.action_for(page))
            except Exception as error:  # a thread that died would hide its saves
                self.errors.append(f"page {page['id']}: {type(error).__name__}: {error}")
            remaining = self.deadline - time.monotonic()
            if remaining > 0:
                time.sleep(min(self.think, remaining))

    def edit(self, page, action):
        """One turn on ``page``: load the editor, post ``action``, follow the redirect."""
        edit_path = f"/admin/pages/{page['id']}/edit/"
        status, _loc, document, ms = self.browser.request("GET", edit_path)
        self.time("edit view", ms)
        if status != 200:
            self.errors.append(f"page {page['id']}: editor answered {status}")
            return
        self.count += 1
        title = f"{page['title']} ({self.plan['name']}-{self.count})"
        changed = {"title": title, "intro": f"{page['intro']} Oppdatert {self.count}."}
        # The form as loaded, with the new title and introduction and the StreamFields the
        # browser's script would have added.
        fields = [
            (k, v)
            for k, v in form_fields(document, "page-edit-form")
            if k not in changed and k.split("-", 1)[0] not in page["stream_fields"]
        ]
        fields += list(changed.items()) + list(page["stream"].items())
        if action == "submit":
            # The municipality's checklist: a publisher confirms each item on every submission.
            items = checkbox_values(document, "submit_checklist")
            fields += [("submit_checklist", item) for item in items]
        if action in ACTION_BUTTONS:
            fields.append((ACTION_BUTTONS[action], "1"))
        status, location, answer, ms = self.browser.request("POST", edit_path, fields)
        self.time(action, ms)
        outcome = self.outcome(action, status, location, answer, edit_path)
        if outcome is not True:
            self.errors.append(f"page {page['id']} {action}: {outcome}")
            return
        if action in REVISION_ACTIONS or (action == "cancel" and status == 302):
            self.saved[page["id"]].append((action, title))
        self.done[action] = self.done.get(action, 0) + 1
        self.last[page["id"]] = action
        self.turns[page["id"]] += 1
        if status == 302:
            status, _loc, _doc, ms = self.browser.request("GET", location)
            self.time("redirect", ms)
            if status != 200:
                self.errors.append(f"page {page['id']} {action}: {location} answered {status}")

    def outcome(self, action, status, location, answer, edit_path):
        """True when the answer is the one a successful ``action`` gives, else what went wrong."""
        if status == 200:
            if action == "cancel" and "has been cancelled" in answer:
                return True  # locked while it waits for the leader: cancelled, nothing saved
            messages = page_messages(answer)
            return f"form shown again (200): {'; '.join(messages)[:400] or 'no message'}"
        if status != 302:
            return f"answered {status}"
        if action in ("save", "cancel"):
            return True if location == edit_path else f"redirected to {location}"
        if location == edit_path:
            # The governance veto sends a refused publish back to the editor with its reasons.
            _s, _l, document, _ms = self.browser.request("GET", edit_path)
            return f"refused: {'; '.join(page_messages(document))[:400] or 'no message'}"
        if location.startswith("/admin/pages/"):
            return True
        return f"redirected to {location}"


# --- Checks after the run ----------------------------------------------------------------------


def pages_touched(publishers, threads):
    """Each page of the run with the threads that edited it: ``{id: (plan, [(publisher,
    thread)])}``. A shared page has several; they all have the same role."""
    pages = {}
    for plan, thread in zip(publishers, threads, strict=True):
        for page in plan["pages"]:
            pages.setdefault(page["id"], (page, []))[1].append((plan, thread))
    return pages


def check_revisions(publishers, threads, since):
    """Every save a thread was told succeeded is a revision (same title, same author), and no
    other revision was written. Returns ``(saves checked, problems)``."""
    from wagtail.models import Page

    problems, checked = [], 0
    for page_id, (_page, editors) in pages_touched(publishers, threads).items():
        page = Page.objects.get(pk=page_id)
        revisions = page.revisions.filter(created_at__gte=since).order_by("pk")
        written = [(r.content.get("title"), r.user_id) for r in revisions]
        expected = [
            (title, plan["user_id"])
            for plan, thread in editors
            for _action, title in thread.saved[page_id]
        ]
        checked += len(expected)
        if sorted(written) != sorted(expected):
            lost = [title for title, user in expected if (title, user) not in written]
            extra = [title for title, user in written if (title, user) not in expected]
            problems.append(
                f"page {page_id}: {len(expected)} saves, {len(written)} revisions; "
                f"lost {lost[:3]}, unexpected {extra[:3]}"
            )
        elif len(editors) == 1 and written != expected:
            problems.append(f"page {page_id}: revisions not in the order they were saved")
    return checked, problems


def check_final_state(publishers, threads, port):
    """Each page is in the state the last action on it left it in, in the database and on the
    public site; none is locked."""
    from django.utils.html import escape
    from wagtail.models import Page

    problems = []
    for page_id, (plan_page, editors) in pages_touched(publishers, threads).items():
        page = Page.objects.get(pk=page_id)
        where = f"page {page_id} ({', '.join(thread.name for _p, thread in editors)})"
        saved = [item for _p, thread in editors for item in thread.saved[page_id]]
        newest = page.revisions.order_by("-pk").first()
        if page.locked:
            problems.append(f"{where}: left locked")
        if page.latest_revision_id != newest.pk:
            problems.append(
                f"{where}: latest_revision is {page.latest_revision_id}, the newest {newest.pk}"
            )
        if len(editors) == 1 and saved and newest.content.get("title") != saved[-1][1]:
            problems.append(f"{where}: the newest revision is not the last save")
        last_published = {
            titles[-1]
            for _p, thread in editors
            if (titles := [t for action, t in thread.saved[page_id] if action == "publish"])
        }
        if last_published:
            # The last publish to commit wins: it is the newest revision, and some thread's
            # last publish.
            expected_live = newest.content.get("title")
            if expected_live not in last_published:
                problems.append(f"{where}: newest revision {expected_live!r} was not published")
            if not page.live or page.live_revision_id != newest.pk:
                problems.append(f"{where}: live revision is not the newest")
            if page.has_unpublished_changes:
                problems.append(f"{where}: unpublished changes after the last publish")
        else:
            expected_live = plan_page["title"]
            if page.live_revision_id != plan_page["live_revision_id"]:
                problems.append(f"{where}: went live without a publish")
            if saved and not page.has_unpublished_changes:
                problems.append(f"{where}: draft saved but no unpublished changes")
        if page.title != expected_live:
            problems.append(f"{where}: live title {page.title!r}, expected {expected_live!r}")
        submitted = any(thread.last[page_id] == "submit" for _p, thread in editors)
        if page.workflow_in_progress != submitted:
            state = "in" if page.workflow_in_progress else "not in"
            problems.append(f"{where}: {state} a workflow after the last action")
        status, body = fetch(port, editors[0][0]["host"], plan_page["path"])
        text = body.decode("utf-8", errors="replace")
        if status != 200 or escape(expected_live) not in text:
            problems.append(f"{where}: public page ({status}) does not show {expected_live!r}")
        if any(title != expected_live and escape(title) in text for _a, title in saved):
            problems.append(f"{where}: public page shows a title that is not live")
    return problems


def check_workflows(publishers, threads, since):
    """Each submission started one workflow, and the automatic checks sent none back."""
    from wagtail.models import Page, WorkflowState

    problems = []
    for page_id, (_page, editors) in pages_touched(publishers, threads).items():
        actions = [action for _p, thread in editors for action, _t in thread.saved[page_id]]
        submits = actions.count("submit")
        states = Page.objects.get(pk=page_id).workflow_states.filter(created_at__gte=since)
        if states.count() != submits:
            problems.append(f"page {page_id}: {submits} submissions, {states.count()} workflows")
        sent_back = states.filter(status=WorkflowState.STATUS_NEEDS_CHANGES).count()
        if sent_back:
            problems.append(f"page {page_id}: {sent_back} sent back by the automatic checks")
    return problems


def cpu_snapshot(master_pid):
    """CPU seconds used so far by the whole machine, gunicorn's workers (the children of
    ``master_pid``) and this process, with the time; from Linux's /proc, None elsewhere."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return None
    workers = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Fields after the command's closing parenthesis: state, ppid, ..., utime, stime.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[1]) == master_pid:
            workers += int(fields[11]) + int(fields[12])
    idle = values[3] + values[4]  # idle and waiting for I/O
    return {
        "wall": time.monotonic(),
        "machine": (sum(values) - idle) / tick,
        "gunicorn": workers / tick,
        "self": time.process_time(),
    }


def cpu_used(before, after):
    """Average cores busy between two ``cpu_snapshot``s, per part."""
    if not before or not after:
        return None
    wall = after["wall"] - before["wall"]
    return {key: (after[key] - before[key]) / wall for key in ("machine", "gunicorn", "self")}


def scan_gunicorn_log(path):
    """Counts from gunicorn's log (site/deploy/gunicorn.conf.py's access log format): requests,
    5xx answers and worker timeouts, admin requests included."""
    counts = {"requests": 0, "5xx": 0, "timeouts": 0}
    for line in Path(path).read_text(errors="replace").splitlines():
        m = re.search(r'" (\d{3}) ', line)
        if m:
            counts["requests"] += 1
            counts["5xx"] += m.group(1).startswith("5")
        counts["timeouts"] += "WORKER TIMEOUT" in line
    return counts


# --- Report ------------------------------------------------------------------------------------


def percentile(values, p):
    """The ``p``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report_publishers(threads, login_ms):
    """The publishers' latencies and counts; returns their errors."""
    say("Publishers (POST = the save itself; edit view and redirect are the GETs around it):")
    say(f"  {'request':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    kinds = {"login": login_ms}
    for thread in threads:
        for kind, values in thread.timings.items():
            kinds.setdefault(kind, []).extend(values)
    order = ["login", "edit view", "publish", "save", "submit", "cancel", "redirect"]
    for kind in order:
        values = kinds.get(kind)
        if values:
            say(
                f"  {kind:<12} {len(values):>6} {percentile(values, 50):>8.0f} "
                f"{percentile(values, 95):>8.0f} {max(values):>8.0f}"
            )
    saves = [ms for kind in ("publish", "save", "submit") for ms in kinds.get(kind, [])]
    if saves:
        say(
            f"  all saves    {len(saves):>6} {percentile(saves, 50):>8.0f} "
            f"{percentile(saves, 95):>8.0f} {max(saves):>8.0f}"
        )
    for thread in threads:
        done = ", ".join(f"{v} {k}" for k, v in sorted(thread.done.items())) or "nothing"
        say(f"  {thread.name:<22} {done}; errors {len(thread.errors)}")
    errors = [f"{t.name}: {e}" for t in threads for e in t.errors]
    return errors


def report_public(results, rate, connections):
    """The public load's numbers, one row per phase; returns the count of failed requests."""
    say(
        f"Public pages: wrk, target {rate} requests/s on a fixed schedule over {connections} "
        "connections ('late': sent over 10 ms after their slot because every connection was "
        "still waiting)"
    )
    say(
        f"  {'phase':<22} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p90 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'late':>5} {'non-2xx':>7} {'sock.err':>8}"
    )
    failed = 0
    for phase, result in results:
        ms = result["ms"]
        say(
            f"  {phase:<22} {result['requests']:>8} "
            f"{result['requests'] / result['seconds']:>6.1f} {ms['p50']:>7.1f} {ms['p90']:>7.1f} "
            f"{ms['p99']:>7.1f} {ms['max']:>7.1f} {result['late']:>5} {result['non2xx']:>7} "
            f"{result['errors']:>8}"
        )
        failed += result["non2xx"] + result["errors"]
    say(
        "  CPU (cores busy on average; 'rest' is PostgreSQL, wrk and whatever else runs on the "
        "machine):"
    )
    for phase, result in results:
        cpu = result.get("cpu")
        if cpu:
            say(
                f"  {phase:<22} machine {cpu['machine']:.2f} of {os.cpu_count()}: gunicorn "
                f"workers {cpu['gunicorn']:.2f}, this script {cpu['self']:.2f}, rest "
                f"{cpu['machine'] - cpu['gunicorn'] - cpu['self']:.2f}"
            )
    distribution = results[-1][1]["output"].splitlines()
    if "  Latency Distribution" in distribution:
        at = distribution.index("  Latency Distribution")
        say(
            f"  wrk --latency, {results[-1][0]}: "
            + ", ".join(" ".join(line.split()) for line in distribution[at + 1 : at + 5])
        )
    return failed


# --- Main --------------------------------------------------------------------------------------


def run(args, database_url, workdir):
    """Everything between a migrated database and its removal; returns whether all passed."""
    from django.db import connection

    wrk = find_wrk()
    publishers, targets = prepare(args.threads_per_site)
    hosts = sorted({host for host, _path, _title in targets})
    port = free_port()
    env = production_env(database_url, hosts, port, workdir)
    with Gunicorn(env, port, args.workers, workdir) as server:
        server.wait_until_serving(hosts[0])
        try:
            requests = check_targets(port, targets, rounds=args.workers)
        except SystemExit as failed:
            raise SystemExit(f"{failed}:\n{tail(server.log)}") from None
        login_ms, browsers = [], []
        for plan in publishers:
            browser = Browser(port, plan["host"])
            try:
                login_ms.append(browser.login(plan["username"], plan["password"]))
            except (RuntimeError, OSError) as error:
                raise SystemExit(f"{error}\n{tail(server.log)}") from None
            # Open the editor once, so that the run starts with workers that have compiled the
            # admin's templates, as in a server that has been up for a while.
            browser.request("GET", f"/admin/pages/{plan['pages'][0]['id']}/edit/")
            browsers.append(browser)
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            since = cursor.fetchone()[0]
        say(
            f"Run: gunicorn {args.workers} sync workers (site/deploy/gunicorn.conf.py, "
            f"production settings) on PostgreSQL {connection.pg_version // 10000}; wrk -t1 "
            f"-c{args.connections} at {args.rate} requests/s over {len(requests)} public URLs of "
            f"{len(hosts)} sites, {args.baseline} s alone, then {args.duration} s with "
            f"{len(publishers)} publisher threads ({args.think} s pause between turns; * a page "
            f"all publish threads of the site edit); {os.cpu_count()} cores, load average before "
            f"{os.getloadavg()[0]:.2f}"
        )
        for plan in publishers:
            ids = ", ".join(f"{p['id']}{'*' if p.get('shared') else ''}" for p in plan["pages"])
            say(f"  {plan['name']:<22} pages {ids}")
        results = []
        if args.baseline:
            # The same schedule with nobody publishing: what the publishers add is the difference.
            before = cpu_snapshot(server.process.pid)
            base = run_wrk(
                wrk, port, requests, args.baseline, workdir, args.connections, args.rate, True
            )
            base["cpu"] = cpu_used(before, cpu_snapshot(server.process.pid))
            results.append((f"alone, {args.baseline} s", base))
        before = cpu_snapshot(server.process.pid)
        command = wrk_command(
            wrk, port, requests, args.duration, workdir, args.connections, args.rate, True
        )
        load = subprocess.Popen(  # noqa: S603 (our own arguments)
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + args.duration
            threads = [
                Publisher(plan, browser, deadline, args.think, n * args.think / len(publishers))
                for n, (plan, browser) in enumerate(zip(publishers, browsers, strict=True))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()) + 2 * HTTP_TIMEOUT)
                if thread.is_alive():
                    thread.errors.append("still busy long after the end of the run")
            stdout, stderr = load.communicate(timeout=args.duration + 60)
        finally:
            if load.poll() is None:
                load.kill()
                load.wait()
        main_run = parse_wrk(load.returncode, stdout, stderr)
        main_run["cpu"] = cpu_used(before, cpu_snapshot(server.process.pid))
        results.append((f"with publishers, {args.duration} s", main_run))
        say(f"load average after: {os.getloadavg()[0]:.2f}")
        say()
        failed = report_public(results, args.rate, args.connections)
        say()
        errors = report_publishers(threads, login_ms)
        say()
        checked, problems = check_revisions(publishers, threads, since)
        problems += check_final_state(publishers, threads, port)
        problems += check_workflows(publishers, threads, since)
        log = tail(server.log, 40)
    served = scan_gunicorn_log(server.log)
    say(
        f"gunicorn: {served['requests']} requests logged, {served['5xx']} answered 5xx, "
        f"{served['timeouts']} worker timeouts"
    )
    problems += [f"gunicorn: {n} {what}" for what, n in served.items() if what != "requests" and n]
    say(f"Revisions: {checked} saves reported as successful, each checked against the database")
    say(
        "Check: every save is a revision (count, title, author); last writes live and shown on "
        "the public site; drafts not live; workflows as left; no locks: "
        f"{'ok' if not problems else 'FAILED'}"
    )
    for problem in problems:
        say(f"  {problem}")
    if errors:
        say(f"Publisher errors ({len(errors)}):")
        for error in errors[:20]:
            say(f"  {error}")
    ok = not (failed or errors or problems)
    if not ok:
        say("gunicorn log (last lines):")
        say(log)
    say(f"Result: {'ok' if ok else 'FAILED'}")
    return ok


#: The command line: flag, type, default, help.
OPTIONS = (
    ("--duration", int, 60, "seconds of public load with the publishers at work"),
    ("--baseline", int, 20, "seconds of public load alone before that; 0 for none"),
    ("--rate", int, 10, "public requests per second"),
    ("--connections", int, 8, "wrk connections"),
    ("--workers", int, 4, "gunicorn workers"),
    ("--threads-per-site", int, 4, "publisher threads per municipality: publish, draft, ..."),
    ("--think", float, 5.0, "seconds a publisher pauses between turns"),
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, kind, default, text in OPTIONS:
        parser.add_argument(flag, type=kind, default=default, help=f"{text} (default {default})")
    args = parser.parse_args(argv)
    url = require_postgresql()
    if not find_wrk():
        raise SystemExit("bench.publishing_load needs wrk: apt-get install wrk")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="bench-load-")
    try:
        with throwaway_database(url) as database_url:
            say(f"Throwaway database migrated in {time.monotonic() - started:.0f} s")
            ok = run(args, database_url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    say(f"Total {time.monotonic() - started:.0f} s")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
