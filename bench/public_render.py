"""Benchmark of the public side: ``make bench`` (or ``python -m bench.public_render``).

Two parts, for the promise that the public side costs nothing extra:

1. **In one process, interleaved.** A throwaway test database (in memory with SQLite, or a test
   database beside ``DATABASE_URL``) gets a governed news page (unit, leader, audiences, affects
   staff with its live internal notice) and a plain Wagtail page with the same content and
   template (``bench.plainsite.PlainNewsPage``) in the same news index. Anonymous GETs through
   Django's test client then alternate A (plain), B (governed) and A' (plain again, the A/A
   control), in a rotating order, after a warm-up. It prints the median wall-clock and CPU
   milliseconds of each, the ratios B/A (target at most 1.03) and A'/A (the measurement's own
   noise; within 1.01 on an idle machine) and the queries of one GET of each.
2. **Against gunicorn.** A throwaway SQLite database with both demo municipalities
   (``load_demo``) is served by gunicorn (``site/deploy/gunicorn.conf.py``) with the production
   settings (DEBUG off) on a free loopback port. A short load run (wrk when installed, else a
   small threaded Python client) fetches the home page and a news page of both hosts in turn,
   then prints requests per second, latency percentiles and the count of non-2xx answers and
   socket errors. Any of those makes the benchmark exit non-zero. On a machine this size the load
   run is a smoke test: it cannot resolve a few per cent, which the in-process comparison does.

Nothing here is a test: the numbers are for people to read.
"""

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.serving import (  # noqa: E402
    Gunicorn,
    check_targets,
    find_wrk,
    free_port,
    load_with_python,
    production_env,
    run_wrk,
    say,
    tail,
)

TARGET_RATIO = 1.03
CONTROL_RATIO = 1.01
WORDS = 400


# --- Part 1: interleaved in-process A/B/A' -----------------------------------------------------


def news_body(words):
    """A news body of about ``words`` words from the demo texts: headings and paragraphs."""
    import random

    from wagtail.rich_text import RichText

    from bench.text_checks import corpus_sentences

    # No planted identity, phone or account numbers: a page that may be published.
    sentences = [s for s in corpus_sentences() if not re.search(r"\d{3}", s)]
    rng = random.Random(2026)
    blocks, count, heading = [], 0, 1
    while count < words:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
        count += len(paragraph.split())
        blocks.append(("paragraph", RichText(f"<p>{paragraph}</p>")))
        if len(blocks) % 4 == 3:
            blocks.append(("heading", f"Del {heading}"))
            heading += 1
    return blocks, count


def build_pages(words):
    """The governed news page and the plain one, live, with the same content; and the host."""
    import datetime

    from bench.plainsite.models import PlainNewsPage
    from tests.governance import build_governed, news_page, publish_notice

    g = build_governed()
    publish_notice(g)
    body, count = news_body(words)
    content = {
        "title": "Biblioteket åpner på søndager",
        "date": datetime.date(2026, 11, 20),
        "intro": "Fra 1. februar kan du låne bøker på søndager mellom klokka 12 og 16.",
        "body": body,
    }
    title = content.pop("title")
    governed = news_page(g, title, "sondagsapent", **content)
    governed.get_latest_revision().publish()
    plain = g.news_index.add_child(
        instance=PlainNewsPage(title=title, slug="sondagsapent-plain", **content)
    )
    plain.save_revision().publish()
    return (
        type(governed).objects.get(pk=governed.pk).url,
        PlainNewsPage.objects.get(pk=plain.pk).url,
        g.municipality.site.hostname,
        count,
    )


def interleaved(client, urls, host, runs, warmup):
    """Per label, the wall-clock and CPU milliseconds of ``runs`` anonymous GETs, interleaved.

    Each round fetches every label once; the order rotates from round to round, so that no label
    always follows another (a cache warmed by its predecessor, a collection it triggers).
    """
    labels = list(urls)
    for _ in range(warmup):
        for label in labels:
            response = client.get(urls[label], HTTP_HOST=host)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {urls[label]} answered {response.status_code}")
    wall = {label: [] for label in labels}
    cpu = {label: [] for label in labels}
    for n in range(runs):
        shift = n % len(labels)
        for label in labels[shift:] + labels[:shift]:
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(urls[label], HTTP_HOST=host)
            cpu[label].append((time.process_time() - start_cpu) * 1000)
            wall[label].append((time.perf_counter() - start) * 1000)
    return wall, cpu


def queries_of(client, url, host):
    with CaptureQueriesContext(connection) as queries:
        client.get(url, HTTP_HOST=host)
    return len(queries)


def copy_migrated_sqlite(path):
    """Copy the freshly migrated in-memory test database to ``path``; False unless SQLite.

    Saves the load run a second ``migrate`` (about 20 s on this machine).
    """
    if connection.vendor != "sqlite":
        return False
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return True


def in_process(args, demo_db):
    """Part 1. Returns whether ``demo_db`` already holds a migrated database."""
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        migrated = copy_migrated_sqlite(demo_db)
        governed_url, plain_url, host, words = build_pages(args.words)
        urls = {"A plain": plain_url, "B governed": governed_url, "A' plain": plain_url}
        client = Client()
        say(
            f"Public render, in one process: anonymous GETs of a news page of {words} words, "
            f"{args.runs} each after {args.warmup} warm-up rounds, interleaved "
            f"({connection.vendor}, {os.cpu_count()} cores, load average before "
            f"{os.getloadavg()[0]:.2f})"
        )
        wall, cpu = interleaved(client, urls, host, args.runs, args.warmup)
        queries = {label: queries_of(client, url, host) for label, url in urls.items()}
        say(f"{'page':>12} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'queries':>8}")
        median = {label: statistics.median(times) for label, times in wall.items()}
        median_cpu = {label: statistics.median(times) for label, times in cpu.items()}
        for label, times in wall.items():
            p90 = sorted(times)[int(0.9 * (len(times) - 1))]
            say(
                f"{label:>12} {median[label]:>10.3f} {p90:>8.3f} {median_cpu[label]:>8.3f} "
                f"{queries[label]:>8}"
            )
        a, b, a2 = (median[label] for label in urls)
        ca, cb, ca2 = (median_cpu[label] for label in urls)
        say(f"ratio B/A   {b / a:.3f} (CPU {cb / ca:.3f})")
        say(f"ratio A'/A  {a2 / a:.3f} (CPU {ca2 / ca:.3f})")
        verdict = "ok" if b / a <= TARGET_RATIO else "OVER TARGET"
        say(f"target: governed/plain render time at most {TARGET_RATIO}: {b / a:.3f} {verdict}")
        control = (
            "ok" if abs(a2 / a - 1) <= CONTROL_RATIO - 1 else "NOISY: rerun on an idle machine"
        )
        say(f"control: plain/plain within {CONTROL_RATIO}: {a2 / a:.3f} {control}")
        parity = "same" if queries["B governed"] == queries["A plain"] else "DIFFERENT"
        say(
            f"queries: governed {queries['B governed']}, plain {queries['A plain']}: {parity} "
            "(tests/home/test_query_parity.py asserts them equal)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return migrated


# --- Part 2: load run against gunicorn ---------------------------------------------------------


def prepare_demo(migrate):
    """In a child process (``--prepare-demo``): load the demo into ``DATABASE_URL`` and print,
    as JSON, each site's host, title, home page path and the path of one live news page."""
    from django.core.management import call_command

    from home.models import NewsPage
    from publishing.models import Municipality

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", quiet_logins=True, stdout=quiet)
    targets = []
    for municipality in Municipality.objects.order_by("slug"):
        site = municipality.site
        news = NewsPage.objects.live().public().descendant_of(site.root_page).order_by("pk").first()
        targets.append(
            {
                "host": site.hostname,
                "title": site.root_page.title,
                "paths": ["/", news.get_url_parts()[2]],
            }
        )
    sys.stdout.write(json.dumps(targets) + "\n")


def load_run(args, workdir, demo_db, migrated):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{demo_db}"}
    # The demo loads with the test settings (demo users allowed, quick password hashing) ...
    prepare = subprocess.run(  # noqa: S603 (our own arguments)
        [sys.executable, "-m", "bench.public_render", "--prepare-demo"]
        + ([] if migrated else ["--migrate"]),
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    if prepare.returncode != 0:
        raise SystemExit(f"loading the demo failed:\n{prepare.stdout}{prepare.stderr}")
    targets = json.loads(prepare.stdout.strip().splitlines()[-1])
    port = free_port()
    hosts = [t["host"] for t in targets]
    # ... and is served with the production settings: DEBUG off, as the municipalities run it.
    server_env = production_env(env["DATABASE_URL"], hosts, port, workdir)
    with Gunicorn(server_env, port, args.workers, workdir) as server:
        server.wait_until_serving(hosts[0])
        try:
            requests = check_targets(
                port,
                [(t["host"], path, t["title"]) for t in targets for path in t["paths"]],
            )
        except SystemExit as failed:
            raise SystemExit(f"{failed}:\n{tail(server.log)}") from None
        wrk = find_wrk()
        tool = "wrk -t1 -c4" if wrk else "a threaded Python client, 4 connections (no wrk)"
        say()
        say(
            f"Load run: gunicorn {args.workers} sync workers (site/deploy/gunicorn.conf.py), "
            f"production settings, SQLite demo, {args.seconds} s with {tool}, in turn:"
        )
        for host, path in requests:
            say(f"  http://{host}:{port}{path}")
        say(f"load average before: {os.getloadavg()[0]:.2f}")
        if wrk:
            result = run_wrk(wrk, port, requests, args.seconds, workdir)
        else:
            result = load_with_python(port, requests, args.seconds)
    ms = result["ms"]
    say(
        f"{result['requests']} requests in {result['seconds']:.1f} s: "
        f"{result['requests'] / result['seconds']:.0f} requests/s"
    )
    say(
        f"latency ms: p50 {ms['p50']:.1f}  p90 {ms['p90']:.1f}  p99 {ms['p99']:.1f}  "
        f"max {ms['max']:.1f}"
    )
    failed = result["non2xx"] + result["errors"]
    say(
        f"non-2xx answers: {result['non2xx']}, socket errors: {result['errors']}: "
        f"{'ok' if not failed else 'FAILED'}"
    )
    if failed:
        say(tail(server.log))
    return not failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1500, help="GETs per page (default 1500)")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up rounds (default 50)")
    parser.add_argument(
        "--words", type=int, default=WORDS, help=f"words of the news body (default {WORDS})"
    )
    parser.add_argument("--seconds", type=int, default=12, help="load run length (default 12)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--no-load", action="store_true", help="skip the load run")
    parser.add_argument("--prepare-demo", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare_demo:
        prepare_demo(args.migrate)
        return
    workdir = tempfile.mkdtemp(prefix="bench-public-")
    try:
        demo_db = str(Path(workdir) / "demo.sqlite3")
        migrated = in_process(args, demo_db)
        if not args.no_load and not load_run(args, workdir, demo_db, migrated):
            raise SystemExit(1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
