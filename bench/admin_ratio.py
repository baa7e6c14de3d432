"""The admin's cost of governance, against plain Wagtail: ``python -m bench.admin_ratio``.

Builds a throwaway test database (in memory with SQLite, or beside ``DATABASE_URL``) with Alvdal's
profile, a governed news page, a plain Wagtail page with the same content and template
(``bench.plainsite.PlainNewsPage``) and one that also has the governed page's fields as plain
fields (``PlainFieldsNewsPage``) in the same news index, and times, interleaved in one process
(plain, governed, with fields, ...) with production's task queue in the database:

- ``revision.publish()`` of a new revision;
- opening the page editor (GET);
- "Save draft" through the editor (POST);
- "Publish" through the editor (POST);
- the governance panel's endpoint against Wagtail's own preview POST of the same form.

Each line gives the median milliseconds of each, the governed page's ratios to both plain pages
and the queries of one. Nothing
here is a test: the numbers are for people to read, and for the targets of the admin's speed.

What the profiles showed (cProfile of each governed action, December 2026), and what was done:

- the page's text was analysed two or three times per publish (the form's check, the veto, the
  kept check of the live version) and at every call of the side panel: about 2.3 ms each for a
  news page of 8,000 characters. Now once per text and settings (``rules.shared_analysis``).
- the unit's line was walked parent by parent, a query a step, four to eleven times a request
  (the responsibility rule, the approvers, the page's public credit, the leader picker), and the
  leaders in it asked of the database each time; the municipalities were read three or four
  times. Now read once per request (``publishing.memo``): 126 queries of a publish through the
  editor fell to about 100.
- even read once, the organisation (municipalities, units, leader roles, certificates, groups,
  collections) cost 4–5 ms of each request, most of it Django building the queries. It is now
  kept across requests for one version of the organisation (``OrganisationVersion``): one query
  for its token. ``revision.publish()`` went from 1.97 to 1.70 times plain Wagtail, the panel
  from 1.59 to 1.36, a publish through the editor from 1.57 to 1.40.
- the veto deserialised the revision a second time; it now judges the object Wagtail publishes.
- what a page links (Wagtail's reference extraction) was read by three rules and the panel
  separately; now once per evaluation.
- the editor drew the governance report before it showed; the panel now asks for it once the
  editor is shown. The leader picker's names and lines are worked out only when it is drawn.
- Wagtail's editor describes each field to its script (telepath) by drawing its widget a second
  time: the unit, leader, audience, plan and checklist choices were read and drawn twice, about
  11 ms of the governed editor (timed around Wagtail's widget adapter; the +fields page pays the
  same for its selects). The page's own fields now hand the script the choice widgets without their
  choices (``field_panels``): about 2 ms, and 50 to 46 queries. The side panel's approval facts read
  the leader's roles and the approvers' names on every call (asked after each pause in typing); they
  are now kept for the organisation's version, per language: 23 to 21 queries, 1.21 to 1.15 times
  the +fields preview.
- left: the one analysis of a new text (2.3 ms), Wagtail's own work on the governance fields
  (validating and saving the unit, leader, notice, plan and audiences: the "+fields" page shows
  it), the audit entry and the kept text check's row and task.
"""

import argparse
import statistics
import time

from bench import harness
from bench.harness import say

harness.setup(database_tasks=True)


from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402


class Pages:
    """The governed page and its plain twin, and the editor who works on both."""

    def __init__(self):
        import random

        from bench.governance_report import news_body
        from bench.plainsite.models import PlainFieldsNewsPage, PlainNewsPage
        from tests.governance import build_governed, news_page

        self.g = g = build_governed()
        body, _words = news_body(random.Random(2026))
        intro = "Fra 1. februar kan du låne bøker på søndager mellom klokka 12 og 16."
        self.governed = news_page(
            g,
            "Biblioteket åpner på søndager",
            "sondagsapent",
            affects_staff=False,
            notice=False,
            intro=intro,
            body=body,
        )
        governed = self.governed

        def twin(model, slug, **fields):
            """A page of ``model`` with the governed page's title, introduction and body."""
            page = g.news_index.add_child(
                instance=model(title=governed.title, slug=slug, intro=intro, body=body, **fields)
            )
            page.save_revision(user=g.editor)
            return page

        self.plain = twin(PlainNewsPage, "sondagsapent-plain")
        self.fields = twin(
            PlainFieldsNewsPage,
            "sondagsapent-fields",
            responsible_leader_id=governed.responsible_leader_id,
            owning_unit_id=governed.owning_unit_id,
            sensitivity=governed.sensitivity,
            review_by=governed.review_by,
        )
        self.fields.audiences.set(governed.audiences.all())
        self.fields.save_revision(user=g.editor)
        self.client = Client(HTTP_ACCEPT_LANGUAGE="nb")
        self.client.force_login(g.editor)

    def reload(self, page):
        return type(page).objects.get(pk=page.pk)


def timed(action):
    """(milliseconds, queries) of one call of ``action``."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        action()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(queries)


def edit_form(pages, page, action=None):
    """The editor's form for ``page`` as the browser sends it, with ``action`` pressed."""
    from tests.live_admin import editor_fields, post_data

    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    html = pages.client.get(url).content.decode()
    fields = editor_fields(html, pages.reload(page))
    if action:
        fields.append((action, action))
    return url, post_data(fields)


def cases(pages):
    """``{name: (plain action, governed action, plain-with-fields action)}``: callables timed
    one after the other."""
    client = pages.client
    counter = iter(range(10**6))

    def publish_revision(page):
        def run():
            fresh = pages.reload(page)
            fresh.intro = f"{fresh.intro.split(' #')[0]} #{next(counter)}"
            revision = fresh.save_revision(user=pages.g.editor)
            return timed(lambda: revision.publish(user=pages.g.editor))

        return run

    def open_editor(page):
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        return lambda: timed(lambda: client.get(url))

    def post_editor(page, action):
        def run():
            url, data = edit_form(pages, page, action)
            data["intro"] = f"{data['intro'].split(' #')[0]} #{next(counter)}"
            result = {}

            def post():
                result["response"] = client.post(url, data)

            measured = timed(post)
            if result["response"].status_code != 302:
                raise SystemExit(f"{action} answered {result['response'].status_code}")
            return measured

        return run

    def side_panel(page, governed):
        url_name = (
            "publishing:governance_report" if governed else "wagtailadmin_pages:preview_on_edit"
        )
        if not governed and page is pages.governed:
            page = pages.fields  # the governed page's preview: Wagtail's own work on its form
        url = reverse(url_name, args=[page.pk])
        _edit, data = edit_form(pages, page)
        return lambda: timed(lambda: client.post(url, data))

    return {
        "revision.publish()": (
            publish_revision(pages.plain),
            publish_revision(pages.governed),
            publish_revision(pages.fields),
        ),
        "open the editor": (
            open_editor(pages.plain),
            open_editor(pages.governed),
            open_editor(pages.fields),
        ),
        "save draft (POST)": (
            post_editor(pages.plain, None),
            post_editor(pages.governed, None),
            post_editor(pages.fields, None),
        ),
        "publish (POST)": (
            post_editor(pages.plain, "action-publish"),
            post_editor(pages.governed, "action-publish"),
            post_editor(pages.fields, "action-publish"),
        ),
        "panel vs preview": (
            side_panel(pages.plain, False),
            side_panel(pages.governed, True),
            side_panel(pages.governed, False),
        ),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    results = {}
    with harness.test_database():
        pages = Pages()
        for name, (plain, governed, fields) in cases(pages).items():
            plain(), governed(), fields()  # warm up: templates, content types, patterns
            times = {"plain": [], "governed": [], "fields": []}
            queries = {}
            for number in range(args.rounds):
                order = (("plain", plain), ("governed", governed), ("fields", fields))
                for kind, action in order if number % 2 else reversed(order):
                    elapsed, count = action()
                    times[kind].append(elapsed)
                    queries[kind] = count
            results[name] = (times, queries)
    say(
        f"The admin, governed page against plain Wagtail ({connection.vendor}, {args.rounds} "
        "rounds each, interleaved; ms at the median; queries of one)"
    )
    say(
        f"  {'action':20} {'plain':>8} {'governed':>9} {'ratio':>6} {'queries':>14}"
        f"   {'+fields':>8} {'ratio':>6} {'queries':>6}"
    )
    for name, (times, queries) in results.items():
        plain = statistics.median(times["plain"])
        governed = statistics.median(times["governed"])
        fields = statistics.median(times["fields"])
        say(
            f"  {name:20} {plain:8.1f} {governed:9.1f} {governed / plain:6.2f} "
            f"{queries['plain']:>6} / {queries['governed']:<6}"
            f"   {fields:8.1f} {governed / fields:6.2f} {queries['fields']:>6}"
        )
    say(
        "  (+fields: a plain Wagtail page with the governed page's fields as plain fields, no "
        "governance; its ratio is what governance does beyond what its fields cost Wagtail; "
        "for the panel, Wagtail's preview of that page's form)"
    )


if __name__ == "__main__":
    main()
