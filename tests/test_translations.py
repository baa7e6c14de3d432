"""Bokmål and Swedish stay complete: every string the code marks for translation is translated.

The test extracts the messages afresh from a copy of the source (so the real catalogues are not
touched) and fails on any message that is missing, empty or fuzzy in either language.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, tag

LANGUAGES = ("nb", "sv")
#: Folders with their own catalogue; the project catalogue in locale/ covers templates/ and
#: config/.
CATALOGUES = ("publishing", "home", ".")
COPIED = ("publishing", "home", "config", "templates", "locale", "manage.py")


def untranslated(po_file):
    """msgids in ``po_file`` whose translation is empty or marked fuzzy."""
    problems = []
    for entry in po_file.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in entry.splitlines() if not line.startswith("#~")]
        text = "\n".join(lines)
        msgid = "".join(re.findall(r'^msgid ((?:".*"\n?)+)', text, re.M)[:1])
        msgid = "".join(re.findall(r'"(.*)"', msgid))
        if not msgid:
            continue  # the header, or an obsolete entry
        translations = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', text, re.M)
        values = ["".join(re.findall(r'"(.*)"', block)) for block in translations]
        if not values or not all(values) or re.search(r"^#,.*\bfuzzy\b", text, re.M):
            problems.append(msgid)
    return problems


@tag("translations")
class TranslationCompletenessTests(SimpleTestCase):
    def test_every_marked_string_is_translated_to_bokmal_and_swedish(self):
        if not shutil.which("xgettext"):
            if os.environ.get("CI"):
                raise AssertionError("GNU gettext is missing; .ci/run must install it")
            self.skipTest("GNU gettext not installed")
        base = Path(settings.BASE_DIR)
        with tempfile.TemporaryDirectory() as temporary:
            copy = Path(temporary)
            for name in COPIED:
                source = base / name
                if source.is_dir():
                    shutil.copytree(
                        source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
                    )
                else:
                    shutil.copy(source, copy / name)
            for catalogue in CATALOGUES:
                subprocess.run(
                    [
                        sys.executable,
                        str(copy / "manage.py"),
                        "makemessages",
                        *[f"--locale={language}" for language in LANGUAGES],
                        "--no-obsolete",
                        "--ignore=tests/*",
                        "--ignore=.venv/*",
                        *(["--ignore=publishing/*", "--ignore=home/*"] if catalogue == "." else []),
                        "-v",
                        "0",
                    ],
                    cwd=copy / catalogue,
                    check=True,
                    env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
                    capture_output=True,
                )
            missing = {
                f"{catalogue}/{language}": untranslated(
                    copy / catalogue / "locale" / language / "LC_MESSAGES" / "django.po"
                )
                for catalogue in CATALOGUES
                for language in LANGUAGES
            }
        missing = {where: ids for where, ids in missing.items() if ids}
        self.assertEqual(missing, {}, "untranslated messages (run makemessages and translate)")
