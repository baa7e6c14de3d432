"""The admin at scale: ``python -m bench.data_scale``.

1. **A throwaway database** beside ``DATABASE_URL`` (PostgreSQL is what matters; without it, an
   SQLite file beside the project's), migrated, with both demo municipalities (``load_demo``)
   and ``bench.scale_data.generate`` on top: 50,000 governed pages and 500,000 revisions
   by default, with their audit log, workflows and feedback. The generation is timed. The
   database is dropped at the end.
2. **Each view ``--runs`` times** (50 by default) after one warm-up, through Django's test
   client (middleware, view and templates, as a browser's request gets them; no network):
   the admin home of a leader (the chief executive, who approves in the whole line), a unit
   head, a publisher and a communications editor; each governance panel on its own; each
   report as the communications editor sees it, in HTML, CSV and XLSX; each register listing;
   and the publish check of a page: the rule engine as the publish veto asks it, the editor
   with its governance panel, and the panel's endpoint on the editor's unsaved form.
3. **A table**: median and 95th-percentile milliseconds and the queries of one request.

The text of every live page is checked once after the generation, and the live pages judged
(``manage.py check_live_pages``, timed), as the task worker does when pages go live and after
a change: the findings report reads what they keep. A view that takes long stops after
``--budget`` seconds (at least ``--min-runs`` runs), and the table says how many runs it got.
``tests/publishing/test_query_scaling.py`` asserts that none of the query counts grows with the
data; this prints what they cost.
Nothing here is a test: the numbers are for people to read.

What the profiles of the admin homes showed (cProfile, and PostgreSQL's plans of the slowest
queries, on this data in December 2026), and what was done:

- a leader's approvals judged every waiting page in every municipality, asked by a list of
  thousands of ids: now only the municipalities where the leader leads or deputises, by subquery;
- the line keys (each waiting revision's responsible leader and owning unit) were read out of
  every revision's whole stored content on each home (about 20 µs a revision): now kept per
  process for the organisation's version (``rules.approval.revision_line_keys``);
- the panels asked for their rows and their count in two passes: now one, with a window count;
- Wagtail's "your most recent edits" grouped all of a user's edits (80 ms for 69,000): now the
  500 newest, through an index on the page log; the steps in progress were found by reading
  every step: now through a partial index of the waiting ones.
- left: about 60% of a leader's home is Python (Wagtail's panel templates, the ORM building
  queries); the overdue panel's union, which PostgreSQL plans in parallel (16 ms; 8 ms without
  parallel workers, a setting of the server's); judging the drafts "awaiting your review" shows
  (about 10 ms).
"""

import argparse
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django

django.setup()

# Django's own modules are imported where they are used, after the setup above.
from bench.publishing_load import load_demo, percentile, throwaway_database  # noqa: E402
from bench.serving import say  # noqa: E402

#: Who looks at what: the demo's people in Alvdal.
LEADER, UNIT_HEAD, PUBLISHER, EDITOR = (
    "alvdal.anders",
    "alvdal.hilde",
    "alvdal.lars",
    "alvdal.silje",
)
REPORTS = (("findings", "findings"), ("review_dates", "review dates"), ("approvals", "approvals"))
#: The registers (wagtail-modeladmin listings) and who lists them: the crisis banner is the
#: crisis group's, the rest the communications editor's.
REGISTER_USERS = {"crisisbanner": LEADER}


def registers():
    """The URL names of the extension's register listings, as they are registered."""
    from django.urls import get_resolver

    return sorted(
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str)
        and name.startswith("publishing_")
        and name.endswith("_modeladmin_index")
    )


class Case:
    """One thing to time: ``run()`` does it once and returns a response body or None."""

    def __init__(self, group, name, run):
        self.group, self.name, self.run = group, name, run


def client_for(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def fetch(client, url, method="get", data=None):
    """A request through the test client; fails loudly unless it answers 200 or 302."""

    def run():
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        if response.status_code not in (200, 302):
            raise SystemExit(f"{url} answered {response.status_code}")
        if response.streaming:
            return b"".join(response.streaming_content)
        return response.content

    return run


def cases():
    """Everything the benchmark times, in the order of the table."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.urls import reverse
    from wagtail.models import Page
    from wagtail.test.utils.form_data import querydict_from_html

    from bench.scale_data import SLUG_PREFIX
    from publishing import memo
    from publishing.dashboard.panels import BOUNDED, PANELS, Viewer
    from publishing.models import Municipality
    from publishing.rules import check_publish

    def judged(page):
        # As the veto asks: in a scope of its own (``publishing.wagtail_internals.actions``).
        with memo.scope():
            return check_publish(page)

    found = []
    home = reverse("wagtailadmin_home")
    for role, username in (
        ("leader (chief executive)", LEADER),
        ("unit head", UNIT_HEAD),
        ("publisher", PUBLISHER),
        ("communications editor", EDITOR),
    ):
        found.append(Case("dashboard", f"admin home, {role}", fetch(client_for(username), home)))
    users = get_user_model().objects.in_bulk([LEADER, EDITOR], field_name="username")
    for username in (LEADER, EDITOR):
        user = users[username]
        for cls in PANELS:
            if not cls(Viewer.load(user)).applies():
                continue

            def panel(cls=cls, user=user):
                # Each in a scope of its own, as each request is (``publishing.memo``).
                with memo.scope():
                    return cls(Viewer.load(user)).render_html({})

            found.append(Case("dashboard", f"{cls.__name__}, {username}", panel))

    # Wagtail's own panels as the dashboard shows them: replaced by ones that read only the
    # rows they show (``publishing.dashboard.panels.BOUNDED``).
    for username in (LEADER, EDITOR):
        for name, cls in BOUNDED.items():

            def wagtails(cls=cls, user=users[username]):
                with memo.scope():
                    request = RequestFactory().get(home)
                    request.user = user
                    return cls().render_html({"request": request, "csrf_token": "-"})

            found.append(
                Case("dashboard", f"Wagtail's {name} ({cls.__name__}), {username}", wagtails)
            )

    editor = client_for(EDITOR)
    for url_name, label in REPORTS:
        url = reverse(f"publishing_reports:{url_name}")
        for export in ("", "csv", "xlsx"):
            query = f"?export={export}" if export else ""
            found.append(Case("reports", f"{label} {export or 'html'}", fetch(editor, url + query)))

    for url_name in registers():
        name = url_name.removeprefix("publishing_").removesuffix("_modeladmin_index")
        client = client_for(REGISTER_USERS[name]) if name in REGISTER_USERS else editor
        found.append(Case("registers", name, fetch(client, reverse(url_name))))

    alvdal = Municipality.objects.get(slug="alvdal")
    page = (
        Page.objects.filter(
            slug__startswith=SLUG_PREFIX,
            live=True,
            path__startswith=alvdal.site.root_page.path,
            content_type__model="servicepage",
        )
        .order_by("pk")
        .first()
        .specific
    )
    draft = page.get_latest_revision_as_object()
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = querydict_from_html(fetch(editor, edit_url)().decode(), form_id="page-edit-form")
    found += [
        Case("publish check", "check_publish (the veto)", lambda: judged(draft)),
        Case("publish check", "editor with governance panel", fetch(editor, edit_url)),
        Case(
            "publish check",
            "governance panel endpoint",
            fetch(editor, reverse("publishing:governance_report", args=[page.pk]), "post", form),
        ),
    ]
    return found


def measure(case, runs, budget, min_runs):
    """Wall-clock milliseconds of up to ``runs`` runs (after a warm-up) and the queries of
    one warm run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case.run()  # warm-up: templates, content types, the sites
    with CaptureQueriesContext(connection) as queries:
        case.run()
    # Counted now: the next request's start clears the connection's query log.
    count = len(queries)
    times = []
    deadline = time.monotonic() + budget
    while len(times) < runs and (len(times) < min_runs or time.monotonic() < deadline):
        start = time.perf_counter()
        case.run()
        times.append((time.perf_counter() - start) * 1000)
    return times, count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50_000, help="pages (default 50,000)")
    parser.add_argument(
        "--revisions", type=int, default=500_000, help="revisions (default 500,000)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="generator seed (default 2026)")
    parser.add_argument("--runs", type=int, default=50, help="runs per view (default 50)")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds per view before it stops (default 60)"
    )
    parser.add_argument("--min-runs", type=int, default=3, help="runs per view at least (3)")
    parser.add_argument("--only", help="time only the views whose group or name has this text")
    args = parser.parse_args(argv)

    from django.core.management import call_command
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    # One connection for the whole run, as in a test case: SQLite's settings close it after
    # each request, which would also lose the query log that counts the queries.
    request_finished.disconnect(close_old_connections)
    try:
        with throwaway_database(os.environ.get("DATABASE_URL", "")):
            started = time.monotonic()
            load_demo()
            say(f"demo loaded in {time.monotonic() - started:.0f} s ({connection.vendor})")
            started = time.monotonic()
            from bench.scale_data import analyze, generate

            say(generate(args.pages, args.revisions, seed=args.seed))
            say(f"generation took {time.monotonic() - started:.0f} s")
            # The generator writes past Wagtail's signals; the worker would check each live
            # page's text as it went live. Do that here, as after an upgrade, and time it.
            started = time.monotonic()
            output = io.StringIO()
            call_command("check_live_pages", stdout=output)
            say(output.getvalue().strip().splitlines()[-1])
            say(f"checking the live pages' text took {time.monotonic() - started:.0f} s")
            analyze()  # what the check wrote, settled as autovacuum would
            say(f"load average before timing: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
            # As a production worker does once the site is loaded (site/deploy/gunicorn.conf.py):
            # what lives as long as the process is set aside from the garbage collector.
            gc.collect()
            gc.freeze()
            say()
            say("| group | view | runs | p50 ms | p95 ms | queries |")
            say("|---|---|---:|---:|---:|---:|")
            for case in cases():
                if args.only and args.only not in f"{case.group} {case.name}":
                    continue
                times, queries = measure(case, args.runs, args.budget, args.min_runs)
                say(
                    f"| {case.group} | {case.name} | {len(times)} | "
                    f"{statistics.median(times):.0f} | {percentile(times, 95):.0f} | {queries} |"
                )
    finally:
        teardown_test_environment()


if __name__ == "__main__":
    main()
