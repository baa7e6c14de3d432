"""Governance reports: their rows and totals, filters, CSV and XLSX export, and scoping."""

import csv
import datetime
import io

import openpyxl
from django.db import connection
from django.test import Client, RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry
from wagtail.users.models import UserProfile

from publishing import audit
from publishing.models import FastTrackReview, Role, WarningAcknowledgement
from publishing.people import person_label
from publishing.reports.views import GovernanceReportMenuItem
from publishing.workflow.views import fast_track_publish
from tests.factories import RoleFactory, UnitFactory, UserFactory
from tests.governance import EnglishAdminMixin, build_governed, news_page, publish_notice, reload
from tests.publishing.test_dashboard import (
    current_task,
    days,
    governed_news,
    live_news,
    other_municipality,
    submit,
)
from tests.worlds import GovernedWorld, Objects, SharedWorld, world

PHONE = "912 34 567"


def approve(page, user):
    """``user`` approves the task ``page`` waits in, as the workflow action does."""
    state = reload(page).current_workflow_state
    state.refresh_from_db()
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, user, "approve")


@world("reports")
def reports_world():
    """Findings, review dates and approvals in both municipalities, for the reports."""
    w = Objects()
    w.g = g = build_governed()
    w.o = o = other_municipality()
    publish_notice(g)

    # Findings: a phone number (warns) and a live page whose leader has left (blocks).
    w.phone_page = live_news(g, "Ring oss", "ring-oss", intro=f"Ring saksbehandler Ola på {PHONE}.")
    w.school = UnitFactory(municipality=g.municipality, parent=g.line.sector, name="Skulen")
    role = RoleFactory(unit=w.school, role=Role.UNIT_HEAD)
    w.left_page = live_news(g, "Skulestart", "skulestart", unit=w.school, leader=role.user)
    role.ends_on = days(-1)
    role.save()
    live_news(o, "Ring oss i Avesta", "ring-oss", intro=f"Ring Ola på {PHONE}.")

    # Review dates.
    live_news(g, "Opningstider", "opningstider", review_by=days(-10))
    live_news(g, "Kontakt oss", "kontakt", review_by=days(30))
    live_news(
        g,
        "Besøkstider",
        "besokstider",
        unit=g.line.other_unit,
        leader=g.other_head,
        review_by=days(-3),
    )
    governed_news(g, "Utkast", "utkast", review_by=days(-30))  # a draft: not reported
    live_news(o, "Öppettider", "oppettider", review_by=days(-2), intro="Vi har öppet i dag.")

    # Approvals: by the leader (with an acknowledged warning), a deputy and the line.
    w.by_leader = governed_news(g, "Nytt bibliotek", "bibliotek")
    w.by_deputy = governed_news(g, "Ny bokbuss", "bokbuss")
    w.by_line = governed_news(
        g, "Sjukeheimen får hage", "hage", unit=g.line.other_unit, leader=g.other_head
    )
    w.avesta_page = governed_news(
        o, "Nytt bibliotek i Avesta", "bibliotek", intro="Biblioteket har nya öppettider."
    )
    for page in (w.by_leader, w.by_deputy, w.by_line):
        submit(g, page)
    submit(o, w.avesta_page)
    WarningAcknowledgement.objects.create(
        page=w.by_leader,
        revision=reload(w.by_leader).get_latest_revision(),
        user=g.leader,
        code="plain_language.officialese",
        finding_key="plain_language.officialese:intro",
        reason="The word is the service's official name.",
    )
    approve(w.by_leader, g.leader)
    approve(w.by_leader, g.editor)  # editorial review: publishes the page
    approve(w.by_deputy, g.deputy)
    approve(w.by_line, g.sector_head)
    approve(w.avesta_page, o.leader)
    return w


class ReportTestCase(SharedWorld, EnglishAdminMixin, TestCase):
    shared_world = "reports"

    @classmethod
    def setUpTestData(cls):
        cls.take_world()

    def get(self, viewer, name, **params):
        self.login(viewer)
        return self.client.get(reverse(f"publishing_reports:{name}"), params)

    def rows(self, viewer, name, **params):
        response = self.get(viewer, name, **params)
        self.assertEqual(response.status_code, 200)
        return list(response.context["object_list"])

    def csv_rows(self, viewer, name, **params):
        response = self.get(viewer, name, export="csv", **params)
        self.assertEqual(response.status_code, 200)
        self.assertIn(".csv", response["Content-Disposition"])
        text = b"".join(response.streaming_content).decode("utf-8")
        return text, list(csv.DictReader(io.StringIO(text)))

    def xlsx_rows(self, viewer, name, **params):
        response = self.get(viewer, name, export="xlsx", **params)
        self.assertEqual(response.status_code, 200)
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]


class FixtureTests(ReportTestCase):
    def test_approved_pages_moved_on(self):
        self.assertTrue(reload(self.by_leader).live)
        for page in (self.by_deputy, self.by_line):
            state = reload(page).current_workflow_state
            self.assertEqual(type(current_task(state)).__name__, "GroupApprovalTask")


class AccessTests(ReportTestCase):
    REPORTS = ("findings", "review_dates", "approvals")

    def test_leaders_and_communications_see_the_reports(self):
        for user in (self.g.leader, self.g.editor, self.g.superuser):
            for name in self.REPORTS:
                self.assertEqual(self.get(user, name).status_code, 200, (user, name))

    def test_others_are_refused_and_see_no_menu_item(self):
        item = GovernanceReportMenuItem("Findings", "/")
        for user in (self.g.publisher, self.g.crisis):
            for name in self.REPORTS:
                # Wagtail turns a refusal into a redirect to the dashboard with a message.
                response = self.get(user, name)
                self.assertRedirects(
                    response, reverse("wagtailadmin_home"), fetch_redirect_response=False
                )
            request = RequestFactory().get("/")
            request.user = user
            self.assertFalse(item.is_shown(request))
        request = RequestFactory().get("/")
        request.user = self.g.leader
        self.assertTrue(item.is_shown(request))

    def test_menu_lists_the_reports_for_a_leader(self):
        self.login(self.g.leader)
        with CaptureQueriesContext(connection) as queries:
            html = self.client.get(reverse("wagtailadmin_home")).content.decode()
        for name in self.REPORTS:
            self.assertIn(reverse(f"publishing_reports:{name}"), html)
        self.assertIn(reverse("publishing_document_reports:documents"), html)
        # Four report menu items, at most one question to the database about who may see them
        # (none once the answer is kept for the organisation's version).
        asked = [
            query["sql"]
            for query in queries.captured_queries
            if '"leaders_group_id" IN (SELECT' in query["sql"]
        ]
        self.assertLessEqual(len(asked), 1, [sql[:80] for sql in asked])


class FindingsReportTests(ReportTestCase):
    def test_one_row_per_finding_with_page_unit_and_leader(self):
        rows = self.rows(self.g.editor, "findings")
        phone = [row for row in rows if row.code == "personal_data.phone"]
        self.assertEqual(len(phone), 1)
        self.assertEqual(phone[0].page, "Ring oss")
        self.assertEqual(phone[0].unit, "Hjemmetjenesten")
        # The leader as people know her: name, role and unit.
        self.assertEqual(phone[0].leader, person_label(self.g.leader))
        self.assertTrue(phone[0].leader.startswith(self.g.leader.get_full_name() + " – "))
        self.assertEqual(phone[0].severity, "warn")
        self.assertEqual(phone[0].severity_label, "warning")
        self.assertEqual(phone[0].field, "intro")
        self.assertEqual(phone[0].where, "Introduction")
        self.assertEqual(phone[0].message, "A phone number in introduction.")
        left = [row for row in rows if row.code == "responsibility.leader_not_in_line"]
        self.assertEqual([(row.page, row.severity) for row in left], [("Skulestart", "block")])

    def test_the_page_shows_each_row(self):
        html = self.get(self.g.editor, "findings").content.decode()
        for text in ("Skulestart", "Skulen", "Responsibility", "Ring oss", "Personal data"):
            self.assertIn(text, html)
        # Kinds in words; the codes are for the export and the filter, not for people.
        self.assertNotIn("responsibility.leader_not_in_line", html)
        self.assertIn(reverse("wagtailadmin_pages:edit", args=[self.left_page.pk]), html)

    def test_messages_never_carry_the_matched_value(self):
        response = self.get(self.g.editor, "findings")
        self.assertNotIn(PHONE, response.content.decode())
        text, _rows = self.csv_rows(self.g.editor, "findings")
        self.assertNotIn(PHONE, text)

    def test_filters(self):
        blocking = self.rows(self.g.editor, "findings", severity="block")
        self.assertEqual({row.code for row in blocking}, {"responsibility.leader_not_in_line"})
        kind = self.rows(self.g.editor, "findings", kind="personal_data")
        self.assertEqual({row.code for row in kind}, {"personal_data.phone"})
        code = self.rows(self.g.editor, "findings", code="personal_data.phone")
        self.assertEqual([row.page for row in code], ["Ring oss"])
        school = self.rows(self.g.editor, "findings", unit=self.school.pk)
        self.assertEqual({row.page for row in school}, {"Skulestart"})

    def test_summary_counts_pages_and_findings(self):
        response = self.get(self.g.editor, "findings")
        rows = list(response.context["object_list"])
        blocking = sum(1 for row in rows if row.severity == "block")
        self.assertEqual(response.context["blocking_count"], blocking)
        self.assertEqual(response.context["warning_count"], len(rows) - blocking)
        # Alvdal's live governed pages: the notice, Ring oss, Skulestart, three with review
        # dates and the approved library page.
        self.assertEqual(response.context["pages_checked"], 7)

    def test_csv_and_xlsx_export(self):
        _text, rows = self.csv_rows(self.g.editor, "findings", code="personal_data.phone")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["Page"], "Ring oss")
        self.assertEqual(rows[0]["Unit"], "Hjemmetjenesten")
        # The export shows the table's labels in the user's language, not raw values.
        self.assertEqual(rows[0]["Severity"], "warning")
        self.assertEqual(rows[0]["Where"], "Introduction")
        self.assertEqual(rows[0]["Message"], "A phone number in introduction.")
        self.assertEqual(rows[0]["Page ID"], str(self.phone_page.pk))
        sheet = self.xlsx_rows(self.g.editor, "findings", severity="block")
        self.assertEqual(
            sheet[0],
            [
                "Page ID",
                "Page",
                "Unit",
                "Responsible leader",
                "Kind",
                "Severity",
                "Message",
                "Where",
            ],
        )
        self.assertEqual(len(sheet), 2)
        self.assertEqual(sheet[1][1:3], ["Skulestart", "Skulen"])
        # The kind in words, as the table shows it (a code reads as English to its readers).
        self.assertEqual(sheet[1][4:6], ["Responsibility", "blocks"])
        self.assertEqual(sheet[1][7], "Responsible leader")

    def test_export_labels_follow_the_users_language(self):
        profile = UserProfile.get_for_user(self.g.editor)
        self.login(self.g.editor)
        profile.preferred_language = "nb"
        profile.save()
        response = self.client.get(
            reverse("publishing_reports:findings"),
            {"export": "csv", "code": "personal_data.phone"},
            HTTP_ACCEPT_LANGUAGE="nb",
        )
        text = b"".join(response.streaming_content).decode("utf-8")
        [row] = list(csv.DictReader(io.StringIO(text)))
        with translation.override("nb"):
            self.assertEqual(row[str(_("Severity"))], str(_("warning")))
            self.assertEqual(row[str(_("Where"))], "Ingress")

    def test_scoped_to_the_municipality(self):
        alvdal = {row.page for row in self.rows(self.g.editor, "findings")}
        self.assertNotIn("Ring oss i Avesta", alvdal)
        avesta = self.rows(self.o.editor, "findings", code="personal_data.phone")
        self.assertEqual([row.page for row in avesta], ["Ring oss i Avesta"])


class ReviewDatesReportTests(ReportTestCase):
    def test_live_pages_with_a_review_date_and_totals_per_unit(self):
        response = self.get(self.g.leader, "review_dates")
        rows = list(response.context["object_list"])
        self.assertEqual(
            [(row.page, row.unit, row.overdue) for row in rows],
            [
                ("Opningstider", "Hjemmetjenesten", True),
                ("Kontakt oss", "Hjemmetjenesten", False),
                ("Besøkstider", "Sjukeheimen", True),
            ],
        )
        totals = {t.unit: (t.pages, t.overdue) for t in response.context["totals"]}
        self.assertEqual(totals, {"Hjemmetjenesten": (2, 1), "Sjukeheimen": (1, 1)})
        self.assertEqual(response.context["total_pages"], 3)
        self.assertEqual(response.context["total_overdue"], 2)
        html = response.content.decode()
        self.assertIn("Totals per unit", html)
        for text in ("Sjukeheimen", "Besøkstider", self.g.other_head.get_full_name()):
            self.assertIn(text, html)

    def test_filters(self):
        overdue = self.rows(self.g.leader, "review_dates", overdue="true")
        self.assertEqual([row.page for row in overdue], ["Opningstider", "Besøkstider"])
        not_overdue = self.rows(self.g.leader, "review_dates", overdue="false")
        self.assertEqual([row.page for row in not_overdue], ["Kontakt oss"])
        unit = self.rows(self.g.leader, "review_dates", unit=self.g.line.other_unit.pk)
        self.assertEqual([row.page for row in unit], ["Besøkstider"])
        sector = self.rows(self.g.leader, "review_dates", unit=self.g.line.sector.pk)
        self.assertEqual(len(sector), 3)
        dated = self.rows(
            self.g.leader,
            "review_dates",
            review_by_from=days(-5).isoformat(),
            review_by_to=days(40).isoformat(),
        )
        self.assertEqual([row.page for row in dated], ["Kontakt oss", "Besøkstider"])

    def test_totals_follow_the_filters(self):
        response = self.get(self.g.leader, "review_dates", overdue="true")
        totals = {t.unit: (t.pages, t.overdue) for t in response.context["totals"]}
        self.assertEqual(totals, {"Hjemmetjenesten": (1, 1), "Sjukeheimen": (1, 1)})

    def test_csv_and_xlsx_export(self):
        _text, rows = self.csv_rows(self.g.leader, "review_dates")
        self.assertEqual(
            [(r["Page"], r["Unit"], r["Overdue"], r["Days overdue"]) for r in rows],
            [
                ("Opningstider", "Hjemmetjenesten", "yes", "10"),
                ("Kontakt oss", "Hjemmetjenesten", "no", "0"),
                ("Besøkstider", "Sjukeheimen", "yes", "3"),
            ],
        )
        self.assertEqual(rows[0]["Review by"], days(-10).isoformat())
        sheet = self.xlsx_rows(self.g.leader, "review_dates")
        self.assertEqual(
            sheet[0],
            [
                "Page ID",
                "Page",
                "Unit",
                "Responsible leader",
                "Review by",
                "Overdue",
                "Days overdue",
            ],
        )
        self.assertEqual(sheet[1][1], "Opningstider")
        self.assertEqual(sheet[1][4], days(-10))  # a real date cell, not text
        self.assertEqual(sheet[1][5:], ["yes", 10])

    def test_scoped_to_the_municipality(self):
        self.assertEqual(
            [row.page for row in self.rows(self.o.editor, "review_dates")], ["Öppettider"]
        )
        self.assertNotIn(
            "Öppettider", [row.page for row in self.rows(self.g.editor, "review_dates")]
        )


class ApprovalsReportTests(ReportTestCase):
    def summary(self, rows):
        return sorted((row.page, row.approver, row.capacity) for row in rows)

    def test_who_approved_what_and_as_what(self):
        rows = self.rows(self.g.editor, "approvals")
        g = self.g
        self.assertEqual(
            self.summary(rows),
            sorted(
                [
                    ("Ny bokbuss", g.deputy.get_full_name(), "deputy"),
                    ("Nytt bibliotek", g.editor.get_full_name(), ""),
                    ("Nytt bibliotek", g.leader.get_full_name(), "responsible leader"),
                    (
                        "Sjukeheimen får hage",
                        g.sector_head.get_full_name(),
                        "leader above in the line",
                    ),
                ]
            ),
        )
        leader_row = next(row for row in rows if row.approver == g.leader.get_full_name())
        self.assertEqual(leader_row.acknowledged_warnings, 1)
        self.assertEqual(leader_row.unit, "Hjemmetjenesten")
        deputy_row = next(row for row in rows if row.approver == g.deputy.get_full_name())
        self.assertEqual(deputy_row.acknowledged_warnings, 0)
        editor_row = next(row for row in rows if row.approver == g.editor.get_full_name())
        self.assertIsNone(editor_row.acknowledged_warnings)
        self.assertNotEqual(editor_row.step, leader_row.step)

    def test_the_page_shows_each_row(self):
        html = self.get(self.g.editor, "approvals").content.decode()
        for text in (
            self.g.sector_head.get_full_name(),
            "leader above in the line",
            "Sjukeheimen",
            "Sjukeheimen får hage",
            reverse("wagtailadmin_pages:edit", args=[self.by_line.pk]),
        ):
            self.assertIn(text, html)

    def test_rows_come_from_the_audit_log(self):
        self.assertEqual(
            PageLogEntry.objects.filter(action=audit.LEADER_APPROVED).count(), 4
        )  # three in Alvdal, one in Avesta

    def test_filters(self):
        g = self.g
        deputy = self.rows(g.editor, "approvals", user=g.deputy.pk)
        self.assertEqual(self.summary(deputy), [("Ny bokbuss", g.deputy.get_full_name(), "deputy")])
        unit = self.rows(g.editor, "approvals", unit=g.line.other_unit.pk)
        self.assertEqual([row.page for row in unit], ["Sjukeheimen får hage"])
        today = timezone.localdate().isoformat()
        self.assertEqual(
            len(self.rows(g.editor, "approvals", timestamp_from=today, timestamp_to=today)), 4
        )
        self.assertEqual(self.rows(g.editor, "approvals", timestamp_from=days(1).isoformat()), [])

    def test_csv_and_xlsx_export(self):
        _text, rows = self.csv_rows(self.g.editor, "approvals", user=self.g.leader.pk)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["Page"], "Nytt bibliotek")
        self.assertEqual(rows[0]["As"], "responsible leader")
        self.assertEqual(rows[0]["Warnings acknowledged"], "1")
        sheet = self.xlsx_rows(self.g.editor, "approvals")
        self.assertEqual(sheet[0][:3], ["Date", "Page ID", "Page"])
        self.assertEqual(len(sheet), 5)
        self.assertIsInstance(sheet[1][0], datetime.datetime)

    def test_scoped_to_the_municipality(self):
        self.assertEqual(
            self.summary(self.rows(self.o.editor, "approvals")),
            [("Nytt bibliotek i Avesta", self.o.leader.get_full_name(), "responsible leader")],
        )
        self.assertNotIn(
            "Nytt bibliotek i Avesta", [row.page for row in self.rows(self.g.editor, "approvals")]
        )
        # The approver filter offers only people who approved in the user's municipality.
        response = self.get(self.g.editor, "approvals")
        choices = response.context["filters"].form.fields["user"].queryset
        self.assertNotIn(self.o.leader, choices)
        self.assertIn(self.g.deputy, choices)


# --- what users typed, in the exports; a crisis fast track reviewed afterwards -----------------

FORMULA_TITLE = '=HYPERLINK("http://evil.example/","x")'
CALLER = "Ring saksbehandler Ola Nordmann på 912 34 567 i dag."


class TypedTextAndFastTrackTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """A page whose title is a spreadsheet formula, led by a leader whose first name starts
    with "=", published by the crisis fast track and reviewed afterwards by that leader."""

    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        g.leader.first_name = "=Anette"
        g.leader.save()
        cls.page = news_page(g, FORMULA_TITLE, "formel", intro=CALLER, review_by=days(-2))
        draft = reload(cls.page).get_latest_revision_as_object()
        fast_track_publish(reload(cls.page), draft.internal_notice.specific, g.crisis, "Stengt vei")
        review = FastTrackReview.objects.get(page=cls.page)
        reviewer = Client()
        reviewer.force_login(g.leader)
        reviewer.post(reverse("publishing:review_fast_track", args=[review.pk]))

    def get(self, name, **params):
        self.login(self.g.editor)
        return self.client.get(reverse(f"publishing_reports:{name}"), params)

    def csv_text(self, name, **params):
        response = self.get(name, export="csv", **params)
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content).decode("utf-8")

    def test_fixture(self):
        self.assertTrue(reload(self.page).live)
        self.assertEqual(FastTrackReview.objects.get(page=self.page).reviewed_by, self.g.leader)

    def test_formulas_typed_by_users_are_text_in_every_csv(self):
        leader = self.g.leader.get_full_name()
        self.assertTrue(leader.startswith("="))
        for name, person, shown in (
            ("findings", "Responsible leader", person_label(self.g.leader)),
            ("review_dates", "Responsible leader", person_label(self.g.leader)),
            ("approvals", "Approved by", leader),
        ):
            text = self.csv_text(name)
            rows = [
                row for row in csv.DictReader(io.StringIO(text)) if FORMULA_TITLE in row["Page"]
            ]
            self.assertTrue(rows, name)
            for row in rows:
                self.assertEqual(row["Page"], "'" + FORMULA_TITLE, name)
                self.assertEqual(row[person], "'" + shown, name)
            cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
            self.assertFalse([cell for cell in cells if cell[:1] in "=+-@\t\r" and cell], name)

    def test_xlsx_keeps_the_title_as_typed(self):
        response = self.get("review_dates", export="xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(workbook.active.iter_rows(values_only=True))
        self.assertEqual(rows[1][1], FORMULA_TITLE)  # a typed text cell, no formula

    def test_findings_report_and_exports_quote_no_page_text(self):
        html = self.get("findings").content.decode()
        text = self.csv_text("findings")
        response = self.get("findings", export="xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = " ".join(
            str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row
        )
        for output in (html, text, sheet):
            self.assertIn("A phone number in introduction.", output)
            self.assertNotIn("Nordmann", output)
            self.assertNotIn("saksbehandler", output)
            self.assertNotIn("912", output)

    def test_a_reviewed_fast_track_is_an_approval_by_its_reviewer(self):
        response = self.get("approvals")
        rows = list(response.context["object_list"])
        self.assertEqual(
            [(row.page, row.approver, row.step) for row in rows],
            [
                (
                    FORMULA_TITLE,
                    self.g.leader.get_full_name(),
                    "Crisis fast track, reviewed afterwards",
                )
            ],
        )
        choices = response.context["filters"].form.fields["user"].queryset
        self.assertEqual(list(choices), [self.g.leader])
        by_leader = list(self.get("approvals", user=self.g.leader.pk).context["object_list"])
        self.assertEqual([row.page for row in by_leader], [FORMULA_TITLE])


class FindingsReportWordingTests(ReportTestCase):
    def test_counts_agree_in_number_and_a_page_wide_finding_says_so(self):
        response = self.get(self.g.editor, "findings", severity="block")
        html = response.content.decode()
        self.assertIn("1 finding blocks publishing,", html)
        self.assertIn("0 warnings.", html)
        self.assertNotIn("These findings were judged on", html)  # judged in this request
        rows = self.rows(self.g.editor, "findings", code="plain_language")
        for row in rows:
            self.assertTrue(row.where, row.code)

    def test_a_filter_that_is_not_valid_is_said_to_be_left_out(self):
        other = self.o.municipality.units.first()
        html = self.get(self.g.editor, "findings", unit=other.pk).content.decode()
        self.assertIn("A filter was not valid and is left out:", html)
        self.assertNotIn("Ring oss i Avesta", html)

    def test_a_refusal_is_in_the_persons_admin_language_whatever_the_browser_asks(self):
        profile = UserProfile.get_for_user(self.g.publisher)
        profile.preferred_language = "nb"
        profile.save()
        self.client.force_login(self.g.publisher)
        response = self.client.get(
            reverse("publishing_reports:findings"), HTTP_ACCEPT_LANGUAGE="en", follow=True
        )
        with translation.override("nb"):
            refusal = _("Sorry, you do not have permission to access this area.")
        self.assertContains(response, refusal)
        self.assertNotContains(response, "Sorry, you do not have permission")


class WagtailReportsTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """Wagtail's own reports, as the municipality's people read them."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def test_a_page_published_by_no_one_names_the_system(self):
        # A scheduled publish, or a page loaded by a script, has no publisher: Wagtail wrote
        # "None", in English, in its aging pages report.
        page = news_page(self.g, "Planlagt", "planlagt", affects_staff=False, notice=False)
        page.get_latest_revision().publish(user=None)
        self.login(UserFactory(is_superuser=True, is_staff=True))
        response = self.client.get(reverse("wagtailadmin_reports:aging_pages"))
        self.assertContains(response, "Planlagt")
        self.assertContains(response, "The system")
        results = response.content.decode().split('id="listing-results"')[1]
        self.assertNotRegex(results, r">\s*None\s*<")
        with translation.override("nb"):
            self.assertEqual(_("The system"), "Systemet")
