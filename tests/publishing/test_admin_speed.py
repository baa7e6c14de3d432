"""Governance that editors do not feel: each text analysed once, each question asked once.

The page's text is analysed once per version and settings, whoever asks (the editor's form,
the side panel, the publish veto, the kept check of the live version), and again only when the
text, the settings that judge it or the checks themselves change. Within one request (or one
publish in code) the municipalities and their organisation are read once, and again after a
change to them.
"""

import collections
import json
import re
import traceback
from pathlib import Path
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import publishing
from publishing import memo
from publishing.models import Role
from publishing.rules import blocking, check_publish, content, shared_analysis
from tests.factories import RoleFactory, UnitFactory
from tests.governance import EnglishAdminMixin, news_page, publish_notice, reload
from tests.live_admin import editor_fields, post_data
from tests.worlds import GovernedWorld

FNR = "01010012356"  # a valid fødselsnummer (synthetic)


PACKAGE = str(Path(publishing.__file__).resolve().parent)


class AskedByUs:
    """The statements the extension's own code sends, with their parameters (``with`` it).

    A statement is ours when the innermost frame outside Django and modelcluster (the ORM) is
    in the ``publishing`` package: Wagtail drawing a select's choices twice is Wagtail's
    business, the leader's line read twice is ours.
    """

    LIBRARIES = ("/django/", "/modelcluster/")

    def __init__(self):
        self.statements = []

    def __enter__(self):
        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self.wrapper.__exit__(*exc)

    def __call__(self, execute, sql, params, many, context):
        for frame in reversed(traceback.extract_stack()[:-1]):
            if any(library in frame.filename for library in self.LIBRARIES):
                continue
            if frame.filename.startswith(PACKAGE) and not frame.filename.endswith("memo.py"):
                self.statements.append((sql, repr(params), f"{frame.filename}:{frame.lineno}"))
            break
        return execute(sql, params, many, context)

    def repeated(self):
        """``["2× <statement> (<where>)"]`` for each statement of ours that ran more than once."""
        counts = collections.Counter((sql, params) for sql, params, _where in self.statements)
        where = {(sql, params): place for sql, params, place in self.statements}
        return [
            f"{count}× {sql[:120]} ({where[sql, params]})"
            for (sql, params), count in counts.items()
            if count > 1
        ]


class SpeedTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        publish_notice(cls.g)

    def setUp(self):
        cache.clear()
        shared_analysis.forget_all()
        self.page = news_page(
            self.g, "Nye åpningstider", "nye-apningstider", affects_staff=False, notice=False
        )
        self.login(self.g.editor)

    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.page.pk])

    def form(self, action=None, **changes):
        """The editor's form for the page as the browser sends it."""
        html = self.client.get(self.edit_url()).content.decode()
        fields = editor_fields(html, reload(self.page))
        if action:
            fields.append((action, action))
        data = post_data(fields)
        data.update(changes)
        return data

    def analyses(self):
        """Counts the text analyses made while the block runs (``calls.call_count``)."""
        return mock.patch.object(content, "_analyse", wraps=content._analyse)


class OneAnalysisTests(SpeedTestCase):
    def test_a_publish_through_the_editor_analyses_its_text_once(self):
        data = self.form("action-publish", intro="Biblioteket åpner klokka 10 på søndager.")
        with self.analyses() as calls, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.edit_url(), data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(reload(self.page).live)
        # The form's check, the publish veto and the kept check of the live version.
        self.assertEqual(calls.call_count, 1)

    def test_the_side_panel_analyses_nothing_when_the_text_is_unchanged(self):
        url = reverse("publishing:governance_report", args=[self.page.pk])
        data = self.form(intro=f"Ring oss. Fødselsnummer {FNR}.")
        with self.analyses() as calls:
            first = self.client.post(url, data)
            second = self.client.post(url, data)
        self.assertEqual(calls.call_count, 1)
        self.assertEqual(first.content, second.content)
        self.assertContains(second, 'data-governance-field="intro"')
        with self.analyses() as calls:
            self.client.post(url, {**data, "intro": "Ring oss i morgen."})
        self.assertEqual(calls.call_count, 1)

    def test_the_text_settings_or_checks_changing_analyse_it_again(self):
        page = reload(self.page).get_latest_revision_as_object()
        page.intro = f"Ring saksbehandler på 912 34 567 eller oppgi {FNR}."
        municipality = self.g.municipality
        with self.analyses() as calls:
            check_publish(page, user=self.g.editor)
            check_publish(page, user=self.g.editor)
            self.assertEqual(calls.call_count, 1)
            # The municipality's public number is not personal data: another setting, another
            # analysis, and the phone finding goes.
            municipality.profile["contact_points"] = [
                {"label": "Sentralbord", "value": "912 34 567"}
            ]
            municipality.save()
            findings = check_publish(page, user=self.g.editor)
            self.assertEqual(calls.call_count, 2)
            self.assertNotIn("personal_data.phone", {f.code for f in findings})
            with mock.patch.object(shared_analysis, "checks_fingerprint", return_value="next"):
                check_publish(page, user=self.g.editor)
            self.assertEqual(calls.call_count, 3)
            page.intro = "Ring sentralbordet."
            findings = check_publish(page, user=self.g.editor)
            self.assertEqual(calls.call_count, 4)
        self.assertNotIn("personal_data.national_id", {f.code for f in findings})

    def test_a_kept_analysis_still_blocks_what_it_found(self):
        page = reload(self.page).get_latest_revision_as_object()
        page.intro = f"Fødselsnummer {FNR}."
        first = blocking(check_publish(page, user=self.g.editor))
        again = blocking(check_publish(page, user=self.g.editor))
        self.assertEqual([f.code for f in again], [f.code for f in first])
        self.assertIn("personal_data.national_id", [f.code for f in again])

    def test_a_shared_cache_that_is_down_costs_an_analysis_not_the_judgement(self):
        page = reload(self.page).get_latest_revision_as_object()
        page.intro = f"Fødselsnummer {FNR}."
        down = ConnectionError("cache down")
        with (
            mock.patch.object(shared_analysis.cache, "get", side_effect=down),
            mock.patch.object(shared_analysis.cache, "set", side_effect=down),
            self.assertLogs("publishing.rules.shared_analysis", "WARNING") as logs,
        ):
            codes = [f.code for f in blocking(check_publish(page, user=self.g.editor))]
        self.assertIn("personal_data.national_id", codes)
        self.assertNotIn(FNR, "".join(logs.output))


class OneQuestionPerRequestTests(SpeedTestCase):
    def assertNothingRepeated(self, asked):
        self.assertEqual(asked.repeated(), [])

    def test_opening_the_editor(self):
        with AskedByUs() as asked:
            self.assertEqual(self.client.get(self.edit_url()).status_code, 200)
        self.assertNothingRepeated(asked)

    def test_opening_the_editor_reads_the_pages_workflow_once(self):
        # Wagtail asks a page with a draft for its workflow about twenty times while it draws
        # the editor; the GET holds the page's turn, so the states read with the page answer
        # them all. The editor still shows the step the page waits in.
        def workflow_reads():
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(self.edit_url())
            self.assertEqual(response.status_code, 200)
            reads = [q for q in captured if 'FROM "wagtailcore_workflowstate"' in q["sql"]]
            return len(reads), response.content.decode()

        reads, _html = workflow_reads()
        self.assertLessEqual(reads, 2)  # the states with the page; the last one, when none runs
        self.g.municipality.external_workflow.start(reload(self.page), self.g.publisher)
        reads, html = workflow_reads()
        self.assertLessEqual(reads, 2)
        step = reload(self.page).current_workflow_task.name
        self.assertIn(step, html)

    def test_the_side_panel(self):
        url = reverse("publishing:governance_report", args=[self.page.pk])
        data = self.form()
        with AskedByUs() as asked:
            self.assertEqual(self.client.post(url, data).status_code, 200)
        self.assertNothingRepeated(asked)

    def test_saving_a_draft_and_publishing_through_the_editor(self):
        for action in (None, "action-publish"):
            data = self.form(action, intro=f"Nytt fra biblioteket ({action}).")
            with AskedByUs() as asked:
                self.assertEqual(self.client.post(self.edit_url(), data).status_code, 302)
            self.assertNothingRepeated(asked)
        self.assertTrue(reload(self.page).live)

    def test_publishing_in_code(self):
        page = reload(self.page)
        page.intro = "Publisert fra et skript."
        revision = page.save_revision(user=self.g.editor)
        with AskedByUs() as asked:
            revision.publish(user=self.g.editor)
        self.assertNothingRepeated(asked)
        self.assertTrue(reload(self.page).live)


class MemoTests(SpeedTestCase):
    def test_a_change_to_the_organisation_is_read_anew_in_the_same_request(self):
        unit, leader = self.g.line.unit, self.g.leader
        newcomer = self.g.editor
        with memo.scope():
            self.assertTrue(unit.has_leader_in_line(leader))
            self.assertFalse(unit.has_leader_in_line(newcomer))
            with CaptureQueriesContext(connection) as captured:
                unit.has_leader_in_line(newcomer)
            self.assertEqual(len(captured), 0)  # read once for the scope
            RoleFactory(user=newcomer, unit=unit, role=Role.UNIT_HEAD)
            self.assertTrue(unit.has_leader_in_line(newcomer))
            below = UnitFactory(municipality=unit.municipality, parent=unit)
            self.assertEqual(below.line()[1:], unit.line())

    def test_without_a_scope_every_call_reads_afresh(self):
        unit = self.g.line.unit
        with CaptureQueriesContext(connection) as captured:
            unit.line()
            unit.line()
        self.assertEqual(len(captured), 2)

    def test_a_request_keeps_nothing_for_the_next(self):
        self.client.get(self.edit_url())
        self.assertIsNone(memo._answers.get())


class OneQuestionOnEveryAdminPageTests(SpeedTestCase):
    """The admin home of each role, the page listing and a report: the menu's permissions, the
    user's scope and the dashboard's panels each ask once."""

    def assertNothingRepeatedFor(self, user, url):
        self.login(user)
        with AskedByUs() as asked:
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(asked.repeated(), [], f"{user.username} on {url}")

    def test_the_admin_home_of_each_role(self):
        for user in (self.g.leader, self.g.publisher, self.g.editor, self.g.sector_head):
            with self.subTest(user=user.username):
                self.assertNothingRepeatedFor(user, reverse("wagtailadmin_home"))

    def test_the_page_listing_and_the_findings_report(self):
        for url in (
            reverse("wagtailadmin_explore", args=[self.g.news_index.pk]),
            reverse("publishing_reports:findings"),
        ):
            with self.subTest(url=url):
                self.assertNothingRepeatedFor(self.g.editor, url)


class ChoicesDrawnOnceTests(SpeedTestCase):
    """Wagtail describes each field of the editor to its script by drawing the widget again;
    for the page's own governance fields the script gets the widget without its choices (it
    finds the field on the page by name), so a list of units or leaders is read and drawn once.
    """

    FIELDS = ("owning_unit", "responsible_leader", "audiences", "communication_plan")

    def script_widgets(self, html):
        """``{field name: (JS constructor, the widget's HTML)}`` of the editor's script data."""
        data = json.loads(re.search(r'id="w-edit-handler-data"[^>]*>(.*?)</script>', html, re.S)[1])
        found = {}

        def walk(node):
            if isinstance(node, dict):
                if node.get("_type") == "wagtail.panels.FieldPanel":
                    opts = node["_args"][0]
                    widget = opts["widget"] or {}
                    args = widget.get("_args") or [""]
                    found[opts["fieldName"]] = (widget.get("_type"), args[0])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(data)
        return found

    def test_the_page_shows_every_choice_and_the_script_finds_the_field(self):
        response = self.client.get(self.edit_url())
        html = response.content.decode()
        widgets = self.script_widgets(html)
        unit_option = f'<option value="{self.page.owning_unit_id}" selected>'
        self.assertIn(unit_option, html)  # drawn in the form, the page's unit chosen
        leader_option = f'<option value="{self.page.responsible_leader_id}" selected>'
        self.assertIn(leader_option, html)
        for name in self.FIELDS:
            with self.subTest(field=name):
                constructor, template = widgets[name]
                # The same kind of widget for the script (a select, the checkboxes) ...
                self.assertIn(
                    constructor, ("wagtail.widgets.Select", "wagtail.widgets.RadioSelect")
                )
                # ... with no choices drawn a second time.
                self.assertNotIn('<option value="', template)
                self.assertNotIn('type="checkbox"', template)
        # Wagtail's own fields keep Wagtail's description.
        self.assertIn("__NAME__", widgets["title"][1])

    def test_each_list_of_choices_is_read_once(self):
        self.client.get(self.edit_url())
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(self.edit_url()).status_code, 200)
        plans = [q for q in captured if 'FROM "publishing_communicationplan"' in q["sql"]]
        self.assertEqual(len(plans), 1)
