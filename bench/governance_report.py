"""Benchmark of the governance panel's live endpoint: ``make bench``.

``python -m bench.governance_report`` builds a throwaway test database (in memory with SQLite,
or a test database beside ``DATABASE_URL``), loads Alvdal's profile and a governed news page of
about 600 words, and posts the editor's unsaved form to the report endpoint through Django's
test client, as the panel's script does. It prints the median and 90th-percentile milliseconds,
the median CPU milliseconds and the number of queries of one answer, for an existing page and
for a page being created.
Nothing here is a test: the numbers are for people to read.
"""

import argparse
import functools
import os
import random
import re
import statistics
import time
from urllib.parse import urlencode

from bench import harness
from bench.harness import say

harness.setup()


from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from wagtail.test.utils.form_data import (  # noqa: E402
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from bench.text_checks import corpus_sentences  # noqa: E402

TARGET_MS = 100
WORDS = 600


def news_body(rng, words=WORDS):
    """A news body of about ``words`` words from the demo content: headings and paragraphs."""
    # The planted identity and account numbers of the text benchmark are left out: a normal page.
    sentences = [s for s in corpus_sentences() if not re.search(r"\d{6}", s)]
    blocks, count, heading = [], 0, 1
    while count < words:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
        count += len(paragraph.split())
        blocks.append(("paragraph", rich_text(f"<p>{paragraph}</p>")))
        if len(blocks) % 4 == 3:
            blocks.append(("heading", f"Del {heading}"))
            heading += 1
    return blocks, count


def form_data(page, g, body):
    data = {
        "title": page.title,
        "slug": page.slug,
        "date": "2026-11-22",
        "intro": page.intro,
        "body": streamfield(body),
        "comments": inline_formset([]),
        "owning_unit": g.line.unit.pk,
        "responsible_leader": g.leader.pk,
        "sensitivity": "open",
        "affects_staff": "on",
        "internal_notice": g.notice.pk,
        "review_by": "2027-11-22",
    }
    return {**nested_form_data(data), "audiences": [g.citizens.pk]}


def measure(client, url, data, runs):
    """Median and 90th-percentile wall-clock ms of ``runs`` posts, their median CPU ms, and the
    queries of one post. On a busy machine the CPU time says what the endpoint itself costs.

    The form goes URL-encoded, as the panel's script sends it.
    """
    body = urlencode(data, doseq=True)
    post = functools.partial(
        client.post,
        url,
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    for _ in range(3):  # warm up: templates, content types, compiled patterns
        response = post()
        if response.status_code != 200:
            raise SystemExit(f"the endpoint answered {response.status_code}")
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        post()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        post()
    times.sort()
    p90 = times[int(0.9 * (len(times) - 1))]
    return statistics.median(times), p90, statistics.median(cpu), len(queries)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="posts per case (default 30)")
    args = parser.parse_args(argv)

    with harness.test_database():
        from tests.governance import build_governed, news_page

        g = build_governed()
        body, words = news_body(random.Random(2026))
        page = news_page(g, "Hjemmetjenesten får kveldsåpent hele året", "kveldsapent-hele-aret")
        client = Client(HTTP_ACCEPT_LANGUAGE="nb")
        client.force_login(g.publisher)
        cases = {
            "existing page": (
                reverse("publishing:governance_report", args=[page.pk]),
                form_data(page, g, body),
            ),
            "new page": (
                reverse(
                    "publishing:governance_report_new",
                    args=["home", "newspage", g.news_index.pk],
                ),
                form_data(type(page)(title="Ny nyhet", slug="ny-nyhet", intro=page.intro), g, body),
            ),
        }
        say(
            f"Governance report endpoint, news page of {words} words, {args.runs} posts each "
            f"({connection.vendor}, {os.cpu_count()} cores)"
        )
        say(f"load average before: {os.getloadavg()[0]:.2f}")
        say(f"{'case':>14} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'queries':>8}")
        for name, (url, data) in cases.items():
            median, p90, cpu, queries = measure(client, url, data, args.runs)
            say(f"{name:>14} {median:>10.1f} {p90:>8.1f} {cpu:>8.1f} {queries:>8}")
            verdict = "ok" if median < TARGET_MS else "OVER TARGET"
            say(f"target: {name} median under {TARGET_MS} ms: {median:.1f} ms {verdict}")


if __name__ == "__main__":
    main()
