"""Leader approvals that wait: counted in working days of the municipality's country, shown on
the dashboards, reminded and then escalated once each."""

import datetime
from zoneinfo import ZoneInfo

from django.core import mail
from django.test import TestCase
from wagtail.users.models import UserProfile

from publishing.dashboard.panels import AwaitingApprovalPanel, Viewer, WaitingTooLongPanel
from publishing.models import ApprovalReminder
from publishing.workflow.waiting import remind_and_escalate, waiting_steps, waiting_too_long
from publishing.workflow.working_days import is_working_day, working_days_between
from tests.factories import CertificateFactory
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.publishing.test_dashboard import other_municipality
from tests.worlds import GovernedWorld

D = datetime.date
OSLO = ZoneInfo("Europe/Oslo")


class WorkingDaysTests(TestCase):
    def test_weekends_are_not_counted(self):
        friday = D(2026, 11, 6)
        self.assertEqual(working_days_between(friday, D(2026, 11, 8), "NO"), 0)  # Sunday
        self.assertEqual(working_days_between(friday, D(2026, 11, 9), "NO"), 1)  # Monday
        self.assertEqual(working_days_between(friday, D(2026, 11, 13), "SE"), 5)

    def test_each_countrys_public_holidays_are_not_counted(self):
        # Norway: Ascension Day 14 May 2026, Constitution Day on a Monday in 2027.
        self.assertFalse(is_working_day(D(2026, 5, 14), "NO"))
        self.assertFalse(is_working_day(D(2027, 5, 17), "NO"))
        self.assertTrue(is_working_day(D(2027, 6, 7), "NO"))  # not a holiday in Norway
        # Sweden: National Day (a Friday in 2025), Midsummer Eve and Christmas Eve (offices
        # close), Epiphany.
        self.assertFalse(is_working_day(D(2025, 6, 6), "SE"))
        self.assertTrue(is_working_day(D(2025, 6, 6), "NO"))
        self.assertFalse(is_working_day(D(2026, 6, 19), "SE"))
        self.assertFalse(is_working_day(D(2026, 12, 24), "SE"))
        self.assertTrue(is_working_day(D(2026, 12, 24), "NO"))
        self.assertFalse(is_working_day(D(2026, 1, 6), "SE"))
        self.assertTrue(is_working_day(D(2026, 1, 6), "NO"))

    def test_every_day_of_two_years_counts_as_the_days_between_say(self):
        # By rule: the count over any span is the working days in it, whatever the start.
        for country in ("NO", "SE"):
            day = D(2026, 1, 1)
            while day < D(2028, 1, 1):
                end = day + datetime.timedelta(days=12)
                expected = sum(
                    is_working_day(day + datetime.timedelta(days=n), country) for n in range(1, 13)
                )
                self.assertEqual(working_days_between(day, end, country), expected)
                self.assertLessEqual(expected, 10)
                day += datetime.timedelta(days=1)
        self.assertEqual(working_days_between(D(2026, 5, 8), D(2026, 5, 8), "NO"), 0)


class WaitingTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def waiting_page(self, started=datetime.datetime(2026, 5, 8, 10, 0, tzinfo=OSLO)):
        """A page at the leader's step since Friday 8 May 2026 (Ascension Day is Thursday the
        14th in Norway)."""
        page = news_page(self.g, "Sommeråpent", "sommeraapent", affects_staff=False, notice=False)
        state = self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
        state.refresh_from_db()
        task_state = state.current_task_state
        task_state.started_at = started
        task_state.save(update_fields=["started_at"])
        return reload(page), task_state

    def recipients(self):
        return sorted(address for message in mail.outbox for address in message.to)


class ReminderTests(WaitingTestCase):
    def test_reminded_after_two_working_days_escalated_after_five(self):
        _page, task_state = self.waiting_page()
        for user, language in ((self.g.leader, "nb"), (self.g.deputy, "en")):
            profile = UserProfile.get_for_user(user)
            profile.preferred_language = language
            profile.save()
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(
                remind_and_escalate(today=D(2026, 5, 11)), {"remind": 0, "escalate": 0}
            )
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(
                remind_and_escalate(today=D(2026, 5, 12)), {"remind": 1, "escalate": 0}
            )
        self.assertEqual(self.recipients(), sorted([self.g.leader.email, self.g.deputy.email]))
        # Each in their own language.
        subjects = {message.to[0]: message.subject for message in mail.outbox}
        self.assertIn("2 arbeidsdager", subjects[self.g.leader.email])
        self.assertIn("2 working days", subjects[self.g.deputy.email])
        mail.outbox.clear()
        # Thursday 14 May is a holiday: Friday the 15th is the fourth working day, Monday the
        # 18th the fifth.
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(
                remind_and_escalate(today=D(2026, 5, 15)), {"remind": 0, "escalate": 0}
            )
            self.assertEqual(
                remind_and_escalate(today=D(2026, 5, 18)), {"remind": 0, "escalate": 1}
            )
        self.assertIn(self.g.sector_head.email, self.recipients())
        self.assertNotIn(self.g.leader.email, self.recipients())
        subjects = {message.to[0]: message.subject for message in mail.outbox}
        self.assertIn("you may decide on it", subjects[self.g.deputy.email])
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(
                remind_and_escalate(today=D(2026, 5, 19)), {"remind": 0, "escalate": 0}
            )
        self.assertEqual(mail.outbox, [])
        self.assertEqual(
            sorted(ApprovalReminder.objects.values_list("kind", "working_days")),
            [("escalate", 5), ("remind", 2)],
        )

    def test_the_profile_sets_the_days(self):
        municipality = self.g.municipality
        municipality.profile["workflow"]["remind_after_working_days"] = 4
        municipality.save()
        self.waiting_page()
        self.assertEqual(remind_and_escalate(today=D(2026, 5, 13)), {"remind": 0, "escalate": 0})
        self.assertEqual(remind_and_escalate(today=D(2026, 5, 15)), {"remind": 1, "escalate": 0})

    def test_a_decided_step_is_not_reminded(self):
        _page, task_state = self.waiting_page()
        task_state.task.specific.on_action(task_state, self.g.leader, "reject")
        self.assertEqual(waiting_steps(today=D(2026, 5, 20)), [])
        self.assertEqual(remind_and_escalate(today=D(2026, 5, 20)), {"remind": 0, "escalate": 0})


class DashboardTests(WaitingTestCase):
    def test_the_leader_sees_how_many_working_days_it_has_waited(self):
        self.waiting_page(started=datetime.datetime.now(tz=OSLO) - datetime.timedelta(days=9))
        panel = AwaitingApprovalPanel(Viewer.load(self.g.leader))
        [row] = panel.items
        self.assertGreaterEqual(row.waited, 5)
        self.assertTrue(row.overdue)

    def test_the_communications_group_sees_what_waits_too_long_in_its_own_municipality(self):
        page, _state = self.waiting_page(
            started=datetime.datetime.now(tz=OSLO) - datetime.timedelta(days=9)
        )
        panel = WaitingTooLongPanel(Viewer.load(self.g.editor))
        self.assertTrue(panel.applies())
        self.assertEqual([row.page.pk for row in panel.items], [page.pk])
        self.assertTrue(panel.items[0].leader.startswith(self.g.leader.get_full_name()))
        other = other_municipality()
        self.assertEqual(WaitingTooLongPanel(Viewer.load(other.editor)).items, [])
        self.assertFalse(WaitingTooLongPanel(Viewer.load(self.g.publisher)).applies())
        self.login(self.g.editor)
        html = self.client.get("/admin/").content.decode()
        self.assertIn("Approvals waiting too long", html)
        self.assertIn("working days", html)


class WaitingTooLongAtAnyDateTests(WaitingTestCase):
    """The communications group's panel finds the steps waiting past the reminder in the
    database, by the last day a step may have started on; it must list exactly the steps that
    ``waiting_steps`` counts as overdue, whatever the day, the weekday and the holidays."""

    def test_the_panels_steps_are_those_counted_overdue_on_every_day_around_easter(self):
        from django.contrib.auth.models import Group
        from wagtail.models import WorkflowState

        states = []
        first = datetime.date(2026, 3, 26)  # Easter 2026 is 5 April: five days off in Norway
        for number in range(24):
            day = first + datetime.timedelta(days=number)
            # In the morning, and just after and before midnight, when UTC's date is another.
            hour = (10, 0, 23)[number % 3]
            page = news_page(
                self.g, f"Side {number}", f"side-{number}", affects_staff=False, notice=False
            )
            state = self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
            task_state = WorkflowState.objects.get(pk=state.pk).current_task_state
            task_state.started_at = datetime.datetime.combine(
                day, datetime.time(hour, 30), tzinfo=OSLO
            )
            task_state.save(update_fields=["started_at"])
            states.append(state)
        # Two submitted by the crisis group: waiting too long from the start.
        crisis_group = Group.objects.get(pk=self.g.municipality.crisis_group_id)
        self.g.crisis.groups.add(crisis_group)
        WorkflowState.objects.filter(pk__in=[states[-1].pk, states[-3].pk]).update(
            requested_by=self.g.crisis
        )
        municipalities = [self.g.municipality]
        for number in range(30):
            today = first + datetime.timedelta(days=number)
            expected = [s for s in waiting_steps(municipalities, today) if s.overdue]
            for limit in (3, 100):
                steps, total = waiting_too_long(municipalities, today, limit=limit)
                self.assertEqual(
                    [s.task_state.pk for s in steps],
                    [s.task_state.pk for s in expected[:limit]],
                    today,
                )
                self.assertEqual(total, len(expected), today)
                self.assertTrue(all(s.overdue for s in steps))
        self.assertEqual(waiting_too_long([other_municipality().municipality])[1], 0)


class OneMailARunTests(WaitingTestCase):
    def test_a_step_due_for_both_is_reminded_first_and_escalated_the_next_run(self):
        self.waiting_page()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(
                remind_and_escalate(today=D(2026, 5, 20)), {"remind": 1, "escalate": 0}
            )
            self.assertEqual(
                remind_and_escalate(today=D(2026, 5, 20)), {"remind": 0, "escalate": 1}
            )
        for message in mail.outbox:
            self.assertIn("#tab-notifications", message.body)  # where to change one's mails


class CrisisSkipsTheWaitTests(WaitingTestCase):
    """A page the crisis group submits asks every leader who may approve it at once, whatever
    mail they chose, and waits too long from the start."""

    def test_every_leader_who_may_approve_is_asked_at_once_even_on_the_daily_summary(self):
        from publishing.models import MailPreference

        MailPreference.objects.create(user=self.g.leader, mode="digest")
        today = datetime.date.today()
        CertificateFactory(  # the crisis group's writer is a trained publisher too
            user=self.g.crisis,
            municipality=self.g.municipality,
            passed_on=today - datetime.timedelta(days=30),
            expires_on=today + datetime.timedelta(days=300),
        )
        page = news_page(self.g, "Kokevarsel", "kokevarsel", affects_staff=False, notice=False)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            state = self.g.municipality.external_workflow.start(reload(page), self.g.crisis)
        state.refresh_from_db()
        self.assertEqual(
            state.current_task_state.task.specific_class.__name__, "LeaderApprovalTask"
        )
        asked = {address: message for message in mail.outbox for address in message.to}
        for user in (self.g.leader, self.g.deputy, self.g.sector_head):
            self.assertIn(user.email, asked)
        self.assertTrue(asked[self.g.leader.email].subject.startswith("Krise:"))  # in bokmål
        [step] = waiting_steps(task_states=[state.current_task_state])
        self.assertTrue(step.overdue)
        self.assertTrue(step.escalated)
        panel = WaitingTooLongPanel(Viewer.load(self.g.editor))
        self.assertEqual([row.page.pk for row in panel.items], [page.pk])

    def test_an_ordinary_submission_asks_the_leader_and_deputy_first(self):
        page = news_page(self.g, "Vårrengjøring", "var", affects_staff=False, notice=False)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
        asked = {address for message in mail.outbox for address in message.to}
        self.assertEqual(asked, {self.g.leader.email, self.g.deputy.email})
