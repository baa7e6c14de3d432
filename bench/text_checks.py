"""Benchmark of the text checks: ``make bench`` (or ``python -m bench.text_checks``).

Prints the median milliseconds of each analyzer and of the whole text check (both analyzers, as
``check_text`` runs them) for 1 KB, 10 KB, 100 KB and 1 MB texts, then the resident memory while
200 different 1 MB texts go through the whole check. Every call gets a different text, so no
cache makes the numbers look better than they are.
"""

import argparse
import os
import random
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publishing.content_checks import personal_data, plain_language  # noqa: E402
from publishing.content_checks.normalise import normalise  # noqa: E402

SIZES = {"1 KB": 1_000, "10 KB": 10_000, "100 KB": 100_000, "1 MB": 1_000_000}
TARGETS_MS = {"10 KB": 5, "1 MB": 300}
#: The share of the personal-data scan that reading the text as a reader sees it may cost.
NORMALISE_SHARE_TARGET = 0.10


def corpus_sentences():
    """Sentences from the demo content of both municipalities, with a few planted numbers."""
    sentences = []
    for path in sorted((ROOT / "site").glob("*/demo.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for section in ("news", "services", "standard_pages", "press_releases", "internal_notices"):
            for item in data.get(section, []):
                for key in ("intro", "body", "rights", "duties", "how_to_apply"):
                    value = item.get(key, [])
                    for paragraph in [value] if isinstance(value, str) else value:
                        sentences.extend(s.strip() + "." for s in paragraph.split(".") if s.strip())
    sentences += [
        "Fødselsnummeret hans er 01010012356 ifølge saken.",
        "Ring Kari Nordmann på 912 34 567 om barnevernet.",
        "Personnummer 850315-1238 ska inte publiceras.",
        "Saken har saksnummer 2026/1432 og fakturanummer 100234.",
        "Kontonummer 1503 11 12345 står i brevet.",
    ]
    return sentences


def make_text(rng, sentences, size):
    parts, length = [], 0
    while length < size:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))
        parts.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(parts)[:size]


def say(line=""):
    """Write one line of the report to standard output."""
    sys.stdout.write(f"{line}\n")


def whole_check(text, lang):
    personal_data.scan(text, lang)
    plain_language.analyze(text, lang)


def median_ms(function, texts, lang):
    times = []
    for text in texts:
        start = time.perf_counter()
        function(text, lang)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="texts per size (default 7)")
    parser.add_argument("--memory-texts", type=int, default=200)
    parser.add_argument("--lang", default="nb")
    args = parser.parse_args(argv)
    rng = random.Random(2026)
    sentences = corpus_sentences()
    analyzers = {
        "personal data": lambda text, lang: personal_data.scan(text, lang),
        "plain language": lambda text, lang: plain_language.analyze(text, lang),
        "whole check": whole_check,
    }
    say(
        f"Text checks, median ms of {args.runs} different texts each ({args.lang}, "
        f"{os.cpu_count()} cores)"
    )
    say(f"{'size':>8} " + " ".join(f"{name:>15}" for name in analyzers))
    results = {}
    for label, size in SIZES.items():
        texts = [make_text(rng, sentences, size) for _ in range(args.runs)]
        row = {name: median_ms(fn, texts, args.lang) for name, fn in analyzers.items()}
        results[label] = row
        say(f"{label:>8} " + " ".join(f"{row[name]:>15.2f}" for name in analyzers))
    for label, target in TARGETS_MS.items():
        value = results[label]["whole check"]
        verdict = "ok" if value < target else "OVER TARGET"
        say(f"target: {label} whole check under {target} ms: {value:.1f} ms {verdict}")

    texts = [make_text(rng, sentences, 1_000_000) for _ in range(args.runs)]
    folding = median_ms(lambda text, lang: normalise(text), texts, args.lang)
    scanning = median_ms(personal_data.scan, texts, args.lang)
    share = folding / scanning
    verdict = "ok" if share <= NORMALISE_SHARE_TARGET else "OVER TARGET"
    say(
        f"target: normalising 1 MB at most {NORMALISE_SHARE_TARGET:.0%} of its personal-data "
        f"scan: {folding:.1f} of {scanning:.1f} ms ({share:.0%}) {verdict}"
    )

    say(f"\nMemory over {args.memory_texts} different 1 MB texts (resident, MB):")
    marks = {0, args.memory_texts // 4, args.memory_texts // 2, 3 * args.memory_texts // 4}
    start_rss, peak = rss_mb(), 0.0
    for index in range(args.memory_texts):
        whole_check(make_text(rng, sentences, 1_000_000), args.lang)
        peak = max(peak, rss_mb())
        if index in marks or index == args.memory_texts - 1:
            say(f"  after {index + 1:>3} texts: {rss_mb():7.1f}")
    say(f"  start {start_rss:.1f}, peak {peak:.1f}, growth {peak - start_rss:.1f} MB")


if __name__ == "__main__":
    main()
