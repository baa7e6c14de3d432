"""Dashboard panels: each lists what waits for the signed-in user, in their municipality only."""

import datetime
import random
from unittest import mock

from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from home.models import NewsIndexPage, NewsPage
from publishing import memo
from publishing.dashboard.panels import (
    PANEL_LIMIT,
    AwaitingApprovalPanel,
    AwaitingReviewPanel,
    ExpiringCertificatesPanel,
    HeldForNoticePanel,
    OverdueReviewPanel,
    Viewer,
    YourPagesInWorkflowPanel,
)
from publishing.models import LEADER_ROLES, LeaderApprovalTask, Role, RoleAssignment
from publishing.rules import approval
from publishing.rules.approval import approvable_task_states, approver_ids
from tests.factories import (
    CertificateFactory,
    DeputyFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
    line_organisation,
    load_municipality,
)
from tests.governance import EnglishAdminMixin, Governed, build_governed, news_page, reload
from tests.worlds import Objects, SharedWorld, world

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def certificate(user, municipality, expires_in_days):
    return CertificateFactory(
        user=user,
        municipality=municipality,
        passed_on=days(expires_in_days - 365),
        expires_on=days(expires_in_days),
    )


def other_municipality():
    """Avesta beside Alvdal: its own line, leader, publisher, editor and news index.

    ``build_governed`` cannot be called twice (its usernames and audience codes are Alvdal's),
    so this builds the few people the scoping tests need, with their own usernames.
    """
    o = Governed()
    o.municipality = m = load_municipality("avesta")
    o.line = line = line_organisation(m)
    o.leader = line.unit_head
    o.leader.groups.add(m.group("leaders"), m.group("staff"))
    o.publisher = UserFactory(username="avesta-publisher")
    RoleFactory(user=o.publisher, unit=line.unit, role=Role.EMPLOYEE)
    certificate(o.publisher, m, 300)
    o.publisher.groups.add(m.group("publishers"), m.group("staff"))
    o.editor = UserFactory(username="avesta-editor")
    RoleFactory(user=o.editor, unit=line.top, role=Role.COMMUNICATIONS_EDITOR)
    o.editor.groups.add(m.group("communications"), m.group("staff"))
    o.citizens = m.audiences.get(code="kommuninvanare")
    o.home = m.site.root_page.specific
    o.news_index = NewsIndexPage.objects.child_of(o.home).get()
    return o


def governed_news(g, title, slug, *, unit=None, leader=None, author=None, **fields):
    """A draft news page in ``g``'s news index (not affecting staff unless told)."""
    fields.setdefault("intro", "Biblioteket har nye opningstider fra mandag.")
    fields.setdefault("affects_staff", False)
    page = NewsPage(
        title=title,
        slug=slug,
        owning_unit=unit or g.line.unit,
        responsible_leader=leader or g.leader,
        live=False,
        **fields,
    )
    page.audiences.set([g.citizens])
    g.news_index.add_child(instance=page)
    page.save_revision(user=author or g.publisher)
    return page


def live_news(g, title, slug, **fields):
    page = governed_news(g, title, slug, **fields)
    page.get_latest_revision().publish(user=None)
    return reload(page)


def submit(g, page, user=None):
    return g.municipality.external_workflow.start(reload(page), user or g.publisher)


def current_task(workflow_state):
    workflow_state.refresh_from_db()
    return workflow_state.current_task_state.task.specific


def dashboard_world(w):
    """Pages and people for the dashboard: waiting, held, overdue and expiring, in both
    municipalities. Sets them as attributes of ``w`` (a test class or case)."""
    w.g = g = build_governed()
    w.o = o = other_municipality()

    # (a) waiting for the leader; one the leader edited themselves (four eyes).
    w.waiting = governed_news(g, "Nytt bibliotek", "bibliotek")
    w.own_edit = governed_news(g, "Leiarens eiga side", "eiga", author=g.leader)
    w.other_unit_waiting = governed_news(
        g, "Sjukeheimen får hage", "hage", unit=g.line.other_unit, leader=g.other_head
    )
    # (b) held for a notice: one with a notice that is not live, one without any notice.
    w.held_with_notice = g.page
    w.held_without_notice = news_page(g, "Ny turnus i heimetenesta", "turnus", notice=False)
    for page in (
        w.waiting,
        w.own_edit,
        w.other_unit_waiting,
        w.held_with_notice,
        w.held_without_notice,
    ):
        submit(g, page)
    w.avesta_waiting = governed_news(
        o, "Nytt bibliotek i Avesta", "bibliotek", intro="Biblioteket har nya öppettider."
    )
    w.avesta_held = governed_news(
        o,
        "Nya scheman",
        "scheman",
        affects_staff=True,
        intro="Personalen får nya scheman i januari.",
    )
    submit(o, w.avesta_waiting)
    submit(o, w.avesta_held)

    # (c) live pages with review dates.
    w.overdue_mine = live_news(g, "Opningstider", "opningstider", review_by=days(-10))
    w.overdue_other = live_news(
        g,
        "Besøkstider",
        "besokstider",
        unit=g.line.other_unit,
        leader=g.other_head,
        review_by=days(-3),
    )
    w.not_yet_due = live_news(g, "Kontakt oss", "kontakt", review_by=days(30))
    w.draft_overdue = governed_news(g, "Utkast", "utkast", review_by=days(-30))
    w.avesta_overdue = live_news(
        o, "Öppettider", "oppettider", review_by=days(-2), intro="Vi har öppet i dag."
    )

    # (d) certificates.
    w.soon = UserFactory(username="soon", first_name="Sigrid", last_name="Snart")
    RoleFactory(user=w.soon, unit=g.line.unit, role=Role.EMPLOYEE)
    certificate(w.soon, g.municipality, 10)
    w.soon_other = UserFactory(username="soon-other", first_name="Olav", last_name="Om")
    RoleFactory(user=w.soon_other, unit=g.line.other_unit, role=Role.EMPLOYEE)
    certificate(w.soon_other, g.municipality, 20)
    w.renewed = UserFactory(username="renewed")
    RoleFactory(user=w.renewed, unit=g.line.unit, role=Role.EMPLOYEE)
    certificate(w.renewed, g.municipality, 5)
    certificate(w.renewed, g.municipality, 400)
    w.later = UserFactory(username="later")
    RoleFactory(user=w.later, unit=g.line.unit, role=Role.EMPLOYEE)
    certificate(w.later, g.municipality, 45)
    w.avesta_soon = UserFactory(username="avesta-soon")
    RoleFactory(user=w.avesta_soon, unit=o.line.unit, role=Role.EMPLOYEE)
    certificate(w.avesta_soon, o.municipality, 7)


@world("dashboard")
def shared_dashboard_world():
    dashboard_world(w := Objects())
    return w


class DashboardTestCase(SharedWorld, EnglishAdminMixin, TestCase):
    shared_world = "dashboard"

    @classmethod
    def setUpTestData(cls):
        cls.take_world()

    def panel(self, cls, user):
        """The panel for ``user``, or None when it does not apply to them."""
        panel = cls(Viewer.load(reload(user)))
        return panel if panel.applies() else None

    def titles(self, cls, user):
        panel = self.panel(cls, user)
        self.assertIsNotNone(panel, f"{cls.__name__} should apply to {user}")
        return sorted(item.page.title for item in panel.items)


class FixtureTests(DashboardTestCase):
    def test_pages_stand_where_the_tests_expect(self):
        for page in (self.waiting, self.own_edit, self.other_unit_waiting, self.avesta_waiting):
            state = reload(page).current_workflow_state
            self.assertIsInstance(current_task(state), LeaderApprovalTask, page.title)
        for page in (self.held_with_notice, self.held_without_notice, self.avesta_held):
            state = reload(page).current_workflow_state
            self.assertEqual(type(current_task(state)).__name__, "InternalNoticeTask", page.title)


class AwaitingApprovalPanelTests(DashboardTestCase):
    def test_leader_sees_their_pages_but_not_one_they_edited(self):
        panel = self.panel(AwaitingApprovalPanel, self.g.leader)
        self.assertEqual([item.page.title for item in panel.items], ["Nytt bibliotek"])
        self.assertEqual(panel.items[0].capacity, "responsible leader")
        self.assertEqual(panel.own_edits, 1)

    def test_deputy_sees_the_leaders_pages_as_deputy(self):
        panel = self.panel(AwaitingApprovalPanel, self.g.deputy)
        self.assertEqual(
            sorted(item.page.title for item in panel.items),
            ["Leiarens eiga side", "Nytt bibliotek"],
        )
        self.assertEqual({item.capacity for item in panel.items}, {"deputy"})

    def test_leader_above_sees_every_unit_below(self):
        self.assertEqual(
            self.titles(AwaitingApprovalPanel, self.g.sector_head),
            ["Leiarens eiga side", "Nytt bibliotek", "Sjukeheimen får hage"],
        )
        panel = self.panel(AwaitingApprovalPanel, self.g.sector_head)
        self.assertEqual({item.capacity for item in panel.items}, {"leader above in the line"})

    def test_leader_of_a_sibling_unit_sees_only_their_own(self):
        self.assertEqual(
            self.titles(AwaitingApprovalPanel, self.g.other_head), ["Sjukeheimen får hage"]
        )

    def test_publisher_and_editor_do_not_get_the_panel(self):
        self.assertIsNone(self.panel(AwaitingApprovalPanel, self.g.publisher))
        self.assertIsNone(self.panel(AwaitingApprovalPanel, self.g.editor))

    def test_other_municipality_sees_only_its_own(self):
        self.assertEqual(
            self.titles(AwaitingApprovalPanel, self.o.leader), ["Nytt bibliotek i Avesta"]
        )
        for user in (self.g.leader, self.g.sector_head, self.g.chief):
            self.assertNotIn(
                "Nytt bibliotek i Avesta", self.titles(AwaitingApprovalPanel, user), user
            )

    def test_a_deputy_from_the_other_municipality_sees_the_pages_they_stand_in_for(self):
        # The approvals are read only in the municipalities where someone leads or deputises:
        # Avesta's leader standing in for Alvdal's leader reads Alvdal's pages as deputy too.
        leaders_role = RoleAssignment.objects.get(
            user=self.g.leader, unit=self.g.line.unit, role__in=LEADER_ROLES
        )
        DeputyFactory(
            deputy=self.o.leader, assignment=leaders_role, starts_on=days(-1), ends_on=days(1)
        )
        panel = self.panel(AwaitingApprovalPanel, self.o.leader)
        self.assertEqual(
            sorted((item.page.title, item.capacity) for item in panel.items),
            [
                ("Leiarens eiga side", "deputy"),
                ("Nytt bibliotek", "deputy"),
                ("Nytt bibliotek i Avesta", "responsible leader"),
            ],
        )

    def test_agrees_with_approver_ids_for_every_waiting_page(self):
        states = TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS, task__in=LeaderApprovalTask.objects.all()
        )
        people = [
            self.g.leader,
            self.g.deputy,
            self.g.sector_head,
            self.g.chief,
            self.g.other_head,
            self.g.publisher,
            self.o.leader,
        ]
        for user in people:
            bulk = {w.page.pk: w.capacity for w in approvable_task_states(user, states)}
            one_by_one = {}
            for state in states:
                page = state.workflow_state.content_object
                capacity = approver_ids(page.specific.get_latest_revision_as_object()).get(user.pk)
                if capacity:
                    one_by_one[page.pk] = capacity
            self.assertEqual(bulk, one_by_one, user)

    def waiting_states(self):
        return TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS, task__in=LeaderApprovalTask.objects.all()
        )

    def alvdal_waiting(self):
        return [self.waiting, self.own_edit, self.other_unit_waiting]

    def approvals(self, user):
        """``{page id: capacity}`` for ``user``, read as one request reads them (a scope of
        its own; what the process keeps across requests is used)."""
        with memo.scope():
            found = approvable_task_states(reload(user), self.waiting_states())
        return {w.page_id: w.capacity for w in found}

    def test_an_overwritten_revision_moves_the_approval_to_its_new_leader(self):
        # Each waiting revision's line keys are kept in the process once read
        # (``revision_line_keys``); Wagtail's overwrite of a page's latest revision changes
        # its content under the same id.
        self.assertIn(self.waiting.pk, self.approvals(self.g.leader))
        self.assertNotIn(self.waiting.pk, self.approvals(self.g.other_head))
        latest = reload(self.waiting).get_latest_revision()
        draft = latest.as_object()
        draft.owning_unit = self.g.line.other_unit
        draft.responsible_leader = self.g.other_head
        draft.save_revision(user=latest.user, overwrite_revision=latest)
        self.assertEqual(reload(self.waiting).latest_revision_id, latest.pk)
        self.assertNotIn(self.waiting.pk, self.approvals(self.g.leader))
        self.assertEqual(self.approvals(self.g.other_head)[self.waiting.pk], approval.AS_LEADER)

    def test_the_next_request_reads_no_revision_content(self):
        memo.forget_kept()

        def key_reads():
            """The queries that read a line key out of revisions' content."""
            with CaptureQueriesContext(connection) as queries:
                self.approvals(self.g.chief)
            return [q["sql"] for q in queries if "owning_unit" in q["sql"]]

        self.assertEqual(len(key_reads()), 1)  # the first request: the waiting revisions' keys
        self.assertEqual(key_reads(), [])

    def test_a_changed_organisation_reads_the_line_keys_again(self):
        memo.forget_kept()
        self.approvals(self.g.chief)
        with memo.scope():
            self.assertTrue(memo.kept_store("revision_line_keys"))
        memo.new_version()  # as any save of a unit or role does, or a data fix must
        with memo.scope():
            self.assertEqual(memo.kept_store("revision_line_keys"), {})

    def test_the_kept_line_keys_give_the_same_answer_when_full(self):
        memo.forget_kept()
        expected = self.approvals(self.g.chief)
        self.assertTrue(expected)
        with mock.patch.object(approval, "LINE_KEYS_KEPT", 1):
            with memo.scope():
                kept = memo.kept_store("revision_line_keys")
                kept.clear()
                kept[(0, None)] = (None, None)  # one kept already: the next read empties first
            self.assertEqual(self.approvals(self.g.chief), expected)
            with memo.scope():
                kept = memo.kept_store("revision_line_keys")
            self.assertNotIn((0, None), kept)
            self.assertEqual(
                {revision_id for revision_id, _created in kept},
                {reload(page).latest_revision_id for page in self.alvdal_waiting()},
            )
            self.assertEqual(self.approvals(self.g.chief), expected)

    def test_query_count_does_not_grow_with_the_waiting_pages(self):
        leader = reload(self.g.sector_head)

        def count():
            # As a process that has not read these revisions' line keys before.
            memo.forget_kept()
            with CaptureQueriesContext(connection) as panel_queries:
                panel = AwaitingApprovalPanel(Viewer.load(leader))
                html = panel.render_html({"request": None})
            with CaptureQueriesContext(connection) as review_queries:
                reviewable = list(TaskState.objects.reviewable_by(leader))
            return len(panel_queries), len(review_queries), html, reviewable

        count()  # warm up: Wagtail's group tasks cache the user's groups on the user
        panel_before, review_before, html, reviewable = count()
        self.assertIn("Nytt bibliotek", html)
        for n in range(4):
            submit(self.g, governed_news(self.g, f"Side {n}", f"side-{n}"))
        panel_after, review_after, html, reviewable_after = count()
        self.assertIn("Side 3", html)
        self.assertEqual(len(reviewable_after), len(reviewable) + 4)
        self.assertEqual(panel_after, panel_before)
        self.assertEqual(review_after, review_before)
        # Read cold: the revisions' line keys are one query of their own (kept after).
        self.assertLessEqual(panel_after, 20)


class PanelQueryCountTests(DashboardTestCase):
    def test_no_panel_runs_more_queries_for_more_pages(self):
        g = self.g

        def queries(user):
            counts = {}
            for cls in (HeldForNoticePanel, OverdueReviewPanel, ExpiringCertificatesPanel):
                with CaptureQueriesContext(connection) as captured:
                    cls(Viewer.load(reload(user))).render_html({})
                counts[cls.__name__] = len(captured)
            return counts

        queries(g.editor)  # warm up
        before = queries(g.editor)
        for n in range(3):
            submit(g, news_page(g, f"Holdt {n}", f"holdt-{n}", notice=False))
            live_news(g, f"Gammal {n}", f"gammal-{n}", review_by=days(-n - 1))
            person = UserFactory(username=f"cert-{n}")
            RoleFactory(user=person, unit=g.line.unit, role=Role.EMPLOYEE)
            certificate(person, g.municipality, n + 1)
        self.assertEqual(queries(g.editor), before)
        panel = OverdueReviewPanel(Viewer.load(reload(g.editor)))
        self.assertEqual(len(panel.items), 5)


class HeldForNoticePanelTests(DashboardTestCase):
    HELD = ["Hjemmetjenesten får kveldsåpent", "Ny turnus i heimetenesta"]

    def test_publisher_leader_and_editor_see_the_held_pages(self):
        for user in (self.g.publisher, self.g.leader, self.g.editor, self.g.other_head):
            self.assertEqual(self.titles(HeldForNoticePanel, user), self.HELD, user)

    def test_links_to_the_notice_or_to_create_one(self):
        panel = self.panel(HeldForNoticePanel, self.g.publisher)
        rows = {item.page.title: item for item in panel.items}
        linked = rows["Hjemmetjenesten får kveldsåpent"]
        self.assertEqual(linked.notice.pk, self.g.notice.pk)
        self.assertEqual(
            linked.notice_url, reverse("wagtailadmin_pages:edit", args=[linked.notice.pk])
        )
        missing = rows["Ny turnus i heimetenesta"]
        self.assertIsNone(missing.notice)
        self.assertEqual(
            missing.create_notice_url,
            reverse("publishing:create_notice", args=[self.held_without_notice.pk]),
        )

    def test_people_outside_the_groups_do_not_get_the_panel(self):
        self.assertIsNone(self.panel(HeldForNoticePanel, self.g.crisis))

    def test_other_municipality_sees_only_its_own(self):
        self.assertEqual(self.titles(HeldForNoticePanel, self.o.publisher), ["Nya scheman"])
        self.assertNotIn("Nya scheman", self.titles(HeldForNoticePanel, self.g.editor))


class OverdueReviewPanelTests(DashboardTestCase):
    def test_leader_sees_live_overdue_pages_of_their_unit(self):
        self.assertEqual(self.titles(OverdueReviewPanel, self.g.leader), ["Opningstider"])
        item = self.panel(OverdueReviewPanel, self.g.leader).items[0]
        self.assertEqual(item.days_overdue, 10)

    def test_deputy_covers_the_leaders_unit(self):
        self.assertEqual(self.titles(OverdueReviewPanel, self.g.deputy), ["Opningstider"])

    def test_sector_head_sees_the_units_below(self):
        self.assertEqual(
            self.titles(OverdueReviewPanel, self.g.sector_head), ["Besøkstider", "Opningstider"]
        )

    def test_communications_editor_sees_the_whole_municipality(self):
        self.assertEqual(
            self.titles(OverdueReviewPanel, self.g.editor), ["Besøkstider", "Opningstider"]
        )
        self.assertEqual(self.titles(OverdueReviewPanel, self.o.editor), ["Öppettider"])

    def test_sibling_unit_and_nothing_due(self):
        self.assertEqual(self.titles(OverdueReviewPanel, self.g.other_head), ["Besøkstider"])

    def test_publisher_does_not_get_the_panel(self):
        self.assertIsNone(self.panel(OverdueReviewPanel, self.g.publisher))

    def test_more_than_a_panel_shows_the_most_overdue_first_and_counts_them_all(self):
        # Twelve more in the leader's unit, one a day overdue from 11 to 22 days.
        for n in range(12):
            live_news(self.g, f"Forfallen {n:02}", f"forfallen-{n}", review_by=days(-11 - n))
        panel = self.panel(OverdueReviewPanel, self.g.leader)
        expected = [f"Forfallen {n:02}" for n in range(11, -1, -1)] + ["Opningstider"]
        self.assertEqual([item.page.title for item in panel.items], expected[:PANEL_LIMIT])
        self.assertEqual(panel.total, 13)
        html = panel.render_html({"request": None})
        self.assertIn(reverse("wagtailadmin_pages:edit", args=[panel.items[0].page.pk]), html)


class ExpiringCertificatesPanelTests(DashboardTestCase):
    def people(self, user):
        panel = self.panel(ExpiringCertificatesPanel, user)
        self.assertIsNotNone(panel)
        return sorted(item.user.username for item in panel.items)

    def test_leader_sees_people_in_their_unit(self):
        # Not the renewed certificate, not one expiring in 45 days, not another unit's.
        self.assertEqual(self.people(self.g.leader), ["soon"])
        self.assertEqual(self.people(self.g.deputy), ["soon"])

    def test_sector_head_and_editor_see_wider(self):
        self.assertEqual(self.people(self.g.sector_head), ["soon", "soon-other"])
        self.assertEqual(self.people(self.g.editor), ["soon", "soon-other"])
        self.assertEqual(self.people(self.o.editor), ["avesta-soon"])

    def test_publisher_sees_the_panel_only_for_their_own_certificate(self):
        self.assertIsNone(self.panel(ExpiringCertificatesPanel, self.g.publisher))
        lone = UserFactory(username="lone")
        lone.groups.add(self.g.municipality.group("publishers"))
        certificate(lone, self.g.municipality, 12)
        self.assertEqual(self.people(lone), ["lone"])


class AwaitingReviewPanelTests(DashboardTestCase):
    """Wagtail's "Awaiting your review", as the dashboard shows it: the communications group's
    editorial review steps, the newest ten and how many there are."""

    def panel_for(self, user):
        request = RequestFactory().get(reverse("wagtailadmin_home"))
        request.user = reload(user)
        panel = AwaitingReviewPanel()
        html = panel.render_html({"request": request, "csrf_token": "-"})
        return panel, html

    def test_the_newest_ten_review_steps_and_how_many_there_are(self):
        review = self.g.municipality.external_workflow.tasks[3]
        states = list(
            WorkflowState.objects.active().filter(requested_by=self.g.publisher).order_by("pk")
        )
        for n in range(12):
            state = states[n % len(states)]
            TaskState.objects.create(
                workflow_state=state,
                task=review,
                revision=state.content_object.get_latest_revision(),
                status=TaskState.STATUS_IN_PROGRESS,
                started_at=timezone.now() - datetime.timedelta(hours=n),
            )
        panel, html = self.panel_for(self.g.editor)
        self.assertEqual(panel.total, 12)
        self.assertIn("Showing 10 of 12.", html)
        panel, html = self.panel_for(self.o.editor)
        self.assertEqual(panel.total, 0)


class YourPagesInWorkflowPanelTests(DashboardTestCase):
    """Wagtail's "Your pages in a workflow", as the dashboard shows it."""

    def shown(self, user):
        request = RequestFactory().get(reverse("wagtailadmin_home"))
        request.user = reload(user)
        panel = YourPagesInWorkflowPanel()
        context = panel.get_context_data({"request": request, "csrf_token": "-"})
        return [state.content_object.title for state in context["workflow_states"]], panel.total

    def test_the_newest_steps_first_and_how_many_there_are(self):
        for n in range(8):
            submit(self.g, governed_news(self.g, f"Arbeidsflyt {n}", f"arbeidsflyt-{n}"))
        mine = [
            state
            for state in WorkflowState.objects.active().select_related("current_task_state")
            if state.requested_by_id == self.g.publisher.pk
        ]
        # Each current step started at its own time, in an order unlike the pages' ids.
        hours = random.Random(3).sample(range(len(mine)), len(mine))  # noqa: S311 (test data)
        for state, hour in zip(mine, hours, strict=True):
            TaskState.objects.filter(pk=state.current_task_state_id).update(
                started_at=timezone.now() - datetime.timedelta(hours=hour)
            )
        newest = sorted(
            mine,
            key=lambda state: TaskState.objects.get(pk=state.current_task_state_id).started_at,
            reverse=True,
        )
        titles, total = self.shown(self.g.publisher)
        self.assertEqual(total, len(mine))
        self.assertGreater(total, PANEL_LIMIT)
        self.assertEqual(titles, [state.content_object.title for state in newest[:PANEL_LIMIT]])

    def test_the_other_municipality_sees_only_its_own(self):
        titles, total = self.shown(self.o.publisher)
        self.assertEqual(sorted(titles), ["Nya scheman", "Nytt bibliotek i Avesta"])
        self.assertEqual(total, 2)


class DashboardPageTests(DashboardTestCase):
    def home(self, user):
        self.login(user)
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_leader_dashboard_shows_the_four_panels(self):
        html = self.home(self.g.leader)
        for heading in (
            "Awaiting your approval as leader",
            "Waiting for an internal notice to staff",
            "Past their review date in your units",
            "Publisher certificates expiring within 30 days",
        ):
            self.assertIn(heading, html)
        self.assertIn("Nytt bibliotek", html)
        self.assertIn("Not listed: 1 page you edited yourself.", html)
        self.assertIn(reverse("wagtailadmin_pages:edit", args=[self.waiting.pk]), html)

    def test_publisher_dashboard_shows_only_what_applies(self):
        html = self.home(self.g.publisher)
        self.assertIn("Waiting for an internal notice to staff", html)
        self.assertIn(reverse("publishing:create_notice", args=[self.held_without_notice.pk]), html)
        self.assertNotIn("Awaiting your approval as leader", html)
        self.assertNotIn("Past their review date in your units", html)
        self.assertNotIn("Publisher certificates expiring", html)

    def test_panels_that_apply_but_are_empty_say_so(self):
        new_unit = UnitFactory(
            municipality=self.g.municipality, parent=self.g.line.sector, name="Biblioteket"
        )
        head = RoleFactory(unit=new_unit, role=Role.UNIT_HEAD).user
        head.groups.add(self.g.municipality.group("leaders"))
        html = self.home(head)
        self.assertIn("No pages wait for your approval.", html)
        self.assertIn("No pages in your units are past their review date.", html)
        self.assertIn("No publisher certificates expire in the next 30 days.", html)
        self.assertIn("Hjemmetjenesten får kveldsåpent", html)  # held: municipality-wide
