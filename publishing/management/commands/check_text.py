"""``manage.py check_text [--lang nb|nn|sv|en] [--json] FILE [FILE ...]`` (``-`` is stdin).

The contract: with ``--json``, one JSON object per input, one per line, in input
order, with offsets into the input. Full matched values never appear: excerpts are masked.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from publishing.content_checks import personal_data, plain_language
from publishing.content_checks.base import MAX_INPUT_CHARS, InputTooLarge

LANGUAGES = ("nb", "nn", "sv", "en")


class Command(BaseCommand):
    help = "Check texts for personal data and plain language."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Text files (UTF-8); - reads standard input.")
        parser.add_argument("--lang", choices=LANGUAGES, default="nb")
        parser.add_argument("--json", action="store_true", help="One JSON object per input.")

    def handle(self, *args, files, lang, json: bool, **options):
        failures = 0
        for name in files:
            try:
                text = self.read(name)
                result = check(text, lang)
            except (InputTooLarge, CommandError) as error:
                failures += 1
                if json:
                    self.stdout.write(dumps({"file": name, "lang": lang, "error": str(error)}))
                else:
                    self.stderr.write(f"{name}: {error}")
                continue
            result = {"file": name, "lang": lang, **result}
            self.stdout.write(dumps(result) if json else human(result))
        if failures:
            raise CommandError(f"{failures} of {len(files)} inputs could not be checked")

    def read(self, name):
        try:
            if name == "-":
                raw = sys.stdin.buffer.read(MAX_INPUT_CHARS * 4 + 1)
            else:
                with open(name, "rb") as handle:
                    raw = handle.read(MAX_INPUT_CHARS * 4 + 1)
        except OSError as error:
            raise CommandError(f"cannot read: {error.strerror}") from None
        if b"\x00" in raw[:65536]:
            raise CommandError("this is not a text file (it contains NUL bytes)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(
                f"not UTF-8 text (invalid byte at position {error.start}); save it as UTF-8"
            ) from None
        return text


def check(text, lang):
    """Both analyzers on ``text``, as the JSON-ready dict of the contract."""
    return {
        "personal_data": [item.to_dict() for item in personal_data.scan(text, lang)],
        "plain_language": plain_language.analyze(text, lang).to_dict(),
    }


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


def human(result):
    lines = [f"{result['file']} ({result['lang']})"]
    for item in result["personal_data"]:
        lines.append(
            f"  {item['severity'].upper():5} {item['kind']}/{item['subtype']} "
            f"at {item['start']}-{item['end']}: {item['excerpt']}"
        )
    report = result["plain_language"]
    lix = "-" if report["lix"] is None else f"{report['lix']} ({report['band']})"
    lines.append(
        f"  LIX {lix} from {report['lix_words']} words, {report['lix_sentences']} sentences, "
        f"{report['lix_long_words']} long words; {len(report['long_sentences'])} long "
        f"sentences, {len(report['officialese'])} officialese, {len(report['passive'])} passive"
    )
    return "\n".join(lines)
