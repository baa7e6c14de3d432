"""Bokmål, nynorsk and Swedish stay complete: every string marked for translation is translated.

The test extracts the messages afresh from a copy of the source (so the real catalogues are not
touched) and fails on any message that is missing, empty or fuzzy in either language.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import wagtail
from django.conf import settings
from django.test import SimpleTestCase, tag

from publishing.wagtail_internals import translations

LANGUAGES = ("nb", "nn", "sv")
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


@tag("translations", "slow")
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


def catalogue_keys(mo_file):
    """The messages a compiled catalogue translates (with context; plurals by their singular)."""
    if not mo_file.exists():
        return set()
    with mo_file.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    return {
        (key[0] if isinstance(key, tuple) else key)
        for key, value in catalogue.items()
        if key and value
    }


class WagtailCompletenessTests(SimpleTestCase):
    """Wagtail's admin shows no English to bokmål, nynorsk or Swedish users.

    Every message of Wagtail and its companions' English catalogues is translated by their own
    catalogue or by ours in publishing/wagtail_internals/locale; after an upgrade of Wagtail this
    fails with the new messages to translate there.
    """

    PACKAGES = ("wagtail", "wagtail_modeladmin", "taggit")

    def test_every_wagtail_message_is_translated(self):
        site_packages = Path(wagtail.__file__).resolve().parent.parent
        ours = Path(translations.WAGTAIL_LOCALE_PATH)
        missing = {}
        for domain in ("django", "djangojs"):
            english = [
                po
                for package in self.PACKAGES
                for po in (site_packages / package).glob(f"**/locale/en/LC_MESSAGES/{domain}.po")
            ]
            self.assertTrue(english)
            for language in translations.COMPLETED_LANGUAGES:
                completion = catalogue_keys(ours / language / "LC_MESSAGES" / f"{domain}.mo")
                for po in english:
                    wanted = catalogue_keys(po.with_suffix(".mo")) or set(po_msgids(po))
                    own = catalogue_keys(
                        po.parent.parent.parent / language / "LC_MESSAGES" / f"{domain}.mo"
                    )
                    gaps = wanted - own - completion
                    if gaps:
                        app = ".".join(po.relative_to(site_packages).parts[:-4])
                        missing[f"{language} {domain} {app}"] = sorted(gaps)[:5]
        self.assertEqual(
            missing, {}, "add these to publishing/wagtail_internals/locale (and compile)"
        )


class AdminNameTests(SimpleTestCase):
    def test_the_admin_is_the_administration_not_wagtail(self):
        # The link on the public site's staff bar and the admin's "not found" page: the staff
        # know the admin as "administrasjonen", not by the name of the software.
        from django.utils import translation

        for language, words in (
            ("nb", "Gå til administrasjonen"),
            ("nn", "Gå til administrasjonen"),
            ("sv", "Gå till administrationen"),
        ):
            with translation.override(language):
                self.assertEqual(translation.gettext("Go to Wagtail admin"), words)


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def po_string(block):
    """The text of a quoted, possibly multi-line, PO string."""
    quoted = "".join(re.findall(r'"(.*)"', block))
    return re.sub(r"\\(.)", lambda escape: ESCAPES.get(escape.group(1), escape.group(1)), quoted)


def po_msgids(po_file):
    """The msgids (context-qualified as gettext stores them) of a catalogue's source."""
    ids = []
    for entry in po_file.read_text(encoding="utf-8").split("\n\n"):
        if any(line.startswith("#~") for line in entry.splitlines()):
            continue
        context = re.findall(r'^msgctxt ((?:".*"\n?)+)', entry, re.M)
        msgid = re.findall(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if msgid and po_string(msgid[0]):
            key = po_string(msgid[0])
            ids.append(f"{po_string(context[0])}\x04{key}" if context else key)
    return ids
