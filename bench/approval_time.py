"""How long an approval takes the person who clicks: ``python -m bench.approval_time``.

Builds a throwaway test database (in memory with SQLite, or a test database beside
``DATABASE_URL``), loads Alvdal's profile and drives the governed workflow through the page
editor with Django's test client, as the browser posts it, with production's task queue in the
database: mails and the notice's follow-on steps are queued when the approval commits and left
to the worker, as in production. For each round it times, in milliseconds:

- the deputy approving a leader's internal notice (the intranet workflow's last step: the
  notice is published, staff's mail and the release of the pages waiting for it are queued);
- the leader approving a news page that affects staff (it moves on to the editorial review);
- the communications editor's editorial review, which publishes the page.

It prints the median, 90th percentile and maximum of each, and the number of queries of one.
Nothing here is a test: the numbers are for people to read.
"""

import argparse
import json
import statistics
import time

from bench import harness
from bench.harness import say

harness.setup(database_tasks=True)


from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402


class Round:
    """One notice and one news page taken through their workflows by the people who decide."""

    def __init__(self, g, number):
        from tests.governance import news_page, notice_at_leader, reload

        self.g = g
        self.page = news_page(g, f"Kveldsåpent {number}", f"kveldsapent-{number}", notice=False)
        # A notice counts for a page only when each names the other.
        self.notice = notice_at_leader(g, number, about=[self.page])
        page = reload(self.page)
        page.internal_notice = self.notice
        page.save_revision(user=g.publisher)
        g.municipality.external_workflow.start(reload(page), g.publisher)

    def approve(self, user, page, extra):
        """POST the editor's form with the approval, as the footer button does; milliseconds
        and queries."""
        from tests.governance import reload
        from tests.live_admin import editor_fields, post_data

        client = Client(HTTP_ACCEPT_LANGUAGE="nb")
        client.force_login(user)
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        fields = editor_fields(client.get(url).content.decode(), reload(page))
        fields += [
            ("action-workflow-action", "true"),
            ("workflow-action-name", "approve"),
            ("workflow-action-extra-data", json.dumps(extra)),
        ]
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(url, post_data(fields))
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 302:
            raise RuntimeError(f"approval answered {response.status_code}")
        return elapsed, len(queries)

    def run(self):
        """The three decisions in the order people take them; their times and queries."""
        from django_tasks_db.models import DBTaskResult

        from publishing.models.workflow import release_pages_held_by
        from tests.governance import reload, warning_reasons

        def review(page):
            page = reload(page)
            return {
                "comment": "",
                "revision": page.latest_revision_id,
                "acknowledgements": warning_reasons(page),
            }

        notice = self.approve(self.g.deputy, self.notice, review(self.notice))
        if not reload(self.notice).live:
            raise RuntimeError("the notice did not go live")
        # The worker's part, done here between the clicks: the page moves on to its leader.
        DBTaskResult.objects.all().delete()
        release_pages_held_by(self.notice.pk)
        leader = self.approve(self.g.leader, self.page, review(self.page))
        editorial = self.approve(self.g.editor, self.page, {"comment": ""})
        if not reload(self.page).live:
            raise RuntimeError("the page did not go live")
        return {"notice": notice, "leader": leader, "editorial": editorial}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    with harness.test_database():
        from tests.governance import build_governed, publish_notice

        g = build_governed()
        publish_notice(g)
        results = [Round(g, number).run() for number in range(args.rounds)]
    say(f"Approval as the person who clicks it ({connection.vendor}, {args.rounds} rounds, ms):")
    labels = {
        "notice": "deputy approves the notice (publishes it)",
        "leader": "leader approves the page",
        "editorial": "editorial review publishes the page",
    }
    for key, label in labels.items():
        times = sorted(result[key][0] for result in results)
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        say(
            f"  {label:45} p50 {statistics.median(times):6.0f}  p90 {p90:6.0f}  "
            f"max {times[-1]:6.0f}  queries {results[-1][key][1]}"
        )


if __name__ == "__main__":
    main()
