"""Benchmark of the public site search: ``make bench`` (or ``python -m bench.site_search``).

A throwaway test database (in memory with SQLite, or beside ``DATABASE_URL``) gets both demo
municipalities and ``--pages`` generated pages (``bench.scale_data``), indexed with
``update_index``. For each query in each site's language it then times, interleaved in one
process, the site search (``home.search.search_pages``: stems and compound tails in the site's
language) against Wagtail's own database search on the same pages (``Page.objects.search``, the
baseline), each as its count and first ten results. It prints the hits and median milliseconds
of both and the ratio, which says what finding compounds and inflections costs over plain
Wagtail. Wagtail's search finds only whole words, so its hits are the floor of what people get.

Nothing here is a test: the numbers are for people to read.
"""

import argparse
import io
import statistics
import time

from bench import harness
from bench.harness import say

harness.setup()


from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.scale_data import generate  # noqa: E402

#: Queries in each site's language: base words of compounds, inflected forms, phrases, no hits.
QUERIES = {
    "alvdal": ["skole", "skolene", "hjemmetjeneste", "søknad", "plan", "budsjett", "xyzzy"],
    "avesta": ["förskola", "förskolan", "bygglov", "hemtjänst", "plan", "skola", "xyzzy"],
}


def timed(run, rounds):
    """Median milliseconds of ``run()`` over ``rounds`` calls, and its last result."""
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def first_page(search):
    """What a results page reads: how many, and the first ten."""
    return search.count(), list(search[:10])


def searching(search_pages, pages, query, language):
    """A run of one search: ours (``search_pages``) or, without it, Wagtail's own."""
    if search_pages is None:
        return lambda: first_page(pages.search(query))
    return lambda: first_page(search_pages(pages, query, language))


def measure(rounds):
    from wagtail.models import Page

    from home.search import search_pages
    from publishing.models import Municipality

    rows = []
    for municipality in Municipality.objects.order_by("slug"):
        pages = Page.objects.live().public().in_site(municipality.site).specific()
        for query in QUERIES.get(municipality.slug, []):
            for _ in range(2):  # warm-up
                first_page(search_pages(pages, query, municipality.language))
                first_page(pages.search(query))
            ours, plain = [], []
            runs = [
                (ours, searching(search_pages, pages, query, municipality.language)),
                (plain, searching(None, pages, query, None)),
            ]
            for n in range(rounds):
                for times, run in runs if n % 2 else reversed(runs):
                    times.append(timed(run, 1))
            rows.append(
                (
                    municipality.slug,
                    query,
                    ours[-1][1][0],
                    plain[-1][1][0],
                    statistics.median(t for t, _ in ours),
                    statistics.median(t for t, _ in plain),
                )
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    with harness.test_database():
        quiet = io.StringIO()
        call_command("load_demo", quiet_logins=True, stdout=quiet)
        generate(args.pages, args.pages * 2)
        call_command("update_index", verbosity=0, stdout=quiet)
        rows = measure(args.rounds)
    say(
        f"Site search against Wagtail's own search on the same pages ({connection.vendor}, "
        f"{args.pages} generated pages and the demo, count and first ten, median of "
        f"{args.rounds}, ms):"
    )
    say(f"  {'site':7} {'query':16} {'hits':>5} {'Wagtail':>7} {'ms':>7} {'Wagtail ms':>10} ratio")
    for slug, query, hits, plain_hits, ms, plain_ms in rows:
        ratio = ms / plain_ms if plain_ms else float("nan")
        say(
            f"  {slug:7} {query:16} {hits:5} {plain_hits:7} {ms:7.1f} {plain_ms:10.1f} {ratio:5.2f}"
        )


if __name__ == "__main__":
    main()
