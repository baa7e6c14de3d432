"""The check_text contract and the governance audit report."""

import csv
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from tests.governance import news_page, publish_notice
from tests.worlds import GovernedWorld

FNR = "01010012356"
TEXT_NB = (
    f"Vi har herved behandlet saken. Fødselsnummer {FNR} skal ikke stå her. "
    "Søknaden ble behandlet i går."
)
TEXT_SV = "Ansökan ska skickas senast i maj. Personnummer 850315-1238 hör inte hemma här."


class CheckTextTests(SimpleTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def write(self, name, content):
        path = self.tmp / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return str(path)

    def run_json(self, *args):
        out = io.StringIO()
        call_command("check_text", "--json", *args, stdout=out)
        return [json.loads(line) for line in out.getvalue().splitlines()]

    def test_one_json_object_per_input_in_order_with_offsets_into_the_input(self):
        a, b = self.write("a.txt", TEXT_NB), self.write("b.txt", TEXT_SV)
        results = self.run_json(a, b)
        self.assertEqual([r["file"] for r in results], [a, b])
        first = results[0]
        self.assertEqual(first["lang"], "nb")
        self.assertEqual(set(first), {"file", "lang", "personal_data", "plain_language"})
        (finding,) = [p for p in first["personal_data"] if p["kind"] == "national_id"]
        self.assertEqual(finding["subtype"], "no_fodselsnummer")
        self.assertEqual(TEXT_NB[finding["start"] : finding["end"]], FNR)
        self.assertEqual(finding["severity"], "block")
        self.assertNotIn(FNR, json.dumps(results), "full values never appear")
        language = first["plain_language"]
        for key in (
            "lix",
            "band",
            "words",
            "sentences",
            "long_sentences",
            "officialese",
            "passive",
        ):
            self.assertIn(key, language)
        (herved,) = [o for o in language["officialese"] if o["word"].lower() == "herved"]
        self.assertEqual(TEXT_NB[herved["start"] : herved["end"]].lower(), "herved")
        self.assertTrue(herved["suggestion"])
        self.assertTrue(
            any(TEXT_NB[p["start"] : p["end"]] == "ble behandlet" for p in language["passive"])
        )

    def test_swedish(self):
        (result,) = self.run_json("--lang", "sv", self.write("sv.txt", TEXT_SV))
        self.assertEqual(result["lang"], "sv")
        self.assertEqual([p["subtype"] for p in result["personal_data"]], ["se_personnummer"])

    def test_standard_input(self):
        process = subprocess.run(
            [sys.executable, "manage.py", "check_text", "--json", "-"],
            input=TEXT_NB.encode(),
            capture_output=True,
            cwd=settings.BASE_DIR,
            timeout=120,
            env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        )
        self.assertEqual(process.returncode, 0, process.stderr.decode())
        result = json.loads(process.stdout.decode().splitlines()[0])
        self.assertEqual(result["file"], "-")
        self.assertEqual(len([p for p in result["personal_data"] if p["kind"] == "national_id"]), 1)

    def test_binary_and_non_utf8_input_give_clear_errors_and_the_rest_still_runs(self):
        good = self.write("good.txt", "Hei.")
        binary = self.write("image.bin", bytes(range(256)) * 100)
        latin1 = self.write("latin1.txt", "Søknad".encode("latin-1"))
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "2 of 3 inputs could not be checked"):
            call_command("check_text", "--json", binary, good, latin1, stdout=out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        self.assertIn("not a text file", lines[0]["error"])
        self.assertIn("plain_language", lines[1])
        self.assertIn("not UTF-8", lines[2]["error"])

    def test_ten_megabytes_gives_a_clear_error(self):
        big = self.write("big.txt", "Dette er en setning. " * 500_000)
        out = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("check_text", "--json", big, stdout=out)
        self.assertIn("at most", json.loads(out.getvalue())["error"])


class GovernanceAuditTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        publish_notice(cls.g)
        cls.g.page.get_latest_revision().publish()
        page = news_page(
            cls.g,
            "Ring oss",
            "ring-oss",
            affects_staff=False,
            notice=False,
            intro="Ring saksbehandler Ola på 912 34 567.",
        )
        page.get_latest_revision().publish()

    def test_csv_report_of_live_pages(self):
        out = io.StringIO()
        err = io.StringIO()
        call_command("governance_audit", "--municipality", "alvdal", stdout=out, stderr=err)
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        phone_rows = [r for r in rows if r["code"] == "personal_data.phone"]
        self.assertEqual(len(phone_rows), 1)
        self.assertEqual(phone_rows[0]["title"], "Ring oss")
        self.assertEqual(phone_rows[0]["severity"], "warn")
        # What and where only: no quoted page text, not even masked.
        self.assertNotIn("912", out.getvalue())
        self.assertNotIn("saksbehandler Ola", out.getvalue())
        self.assertIn("pages checked", err.getvalue())

    def test_governance_findings_are_in_the_report_too(self):
        # A live page whose leader was taken off it past the editor (an import, the shell): the
        # audit names it, as the findings report does, not only what the text checks find.
        type(self.g.page).objects.filter(pk=self.g.page.pk).update(responsible_leader=None)
        out = io.StringIO()
        call_command(
            "governance_audit", "--municipality", "alvdal", stdout=out, stderr=io.StringIO()
        )
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        self.assertIn(
            ("responsibility.no_leader", self.g.page.title),
            [(r["code"], r["title"]) for r in rows],
        )

    def test_titles_that_look_like_formulas_stay_text(self):
        page = news_page(
            self.g,
            '=HYPERLINK("http://evil.example/","x")',
            "formel",
            affects_staff=False,
            notice=False,
            intro="Ring 912 34 567.",
        )
        page.get_latest_revision().publish()
        out = io.StringIO()
        call_command(
            "governance_audit", "--municipality", "alvdal", stdout=out, stderr=io.StringIO()
        )
        titles = {r["title"] for r in csv.DictReader(io.StringIO(out.getvalue()))}
        self.assertIn('\'=HYPERLINK("http://evil.example/","x")', titles)

    def test_unknown_municipality(self):
        with self.assertRaisesMessage(CommandError, "No municipality"):
            call_command("governance_audit", "--municipality", "nowhere", stdout=io.StringIO())
