"""E-mail notifications: who is told what, in which language, and never the page's personal data.

Mail goes out after the transaction commits; ``captureOnCommitCallbacks(execute=True)`` runs
what a commit would run (the test's own transaction never commits).
"""

import datetime
import io
from smtplib import SMTPRecipientsRefused

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction, TaskState, WorkflowState
from wagtail.users.models import UserProfile

from home.models import NewsIndexPage, NewsPage
from publishing.models import (
    AutomaticChecksTask,
    LeaderApprovalTask,
    ReviewReminder,
    Role,
)
from tests.factories import (
    CertificateFactory,
    RoleFactory,
    UserFactory,
    line_organisation,
    load_municipality,
)
from tests.governance import news_page, publish_notice, reload
from tests.worlds import GovernedWorld

FNR = "01010012356"  # a valid Norwegian fødselsnummer (synthetic)
PNR = "880320-0016"  # a valid Swedish personnummer (synthetic)
PHONE = "912 34 567"  # a private Norwegian mobile number
SE_PHONE = "070-123 45 67"
BODY = "Søkeren"  # a word that occurs only in the page's text


def prefer(user, language):
    """Set ``user``'s admin language in their Wagtail account."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def addresses(messages):
    return sorted(address for item in messages for address in item.recipients())


def to(user):
    return [item for item in mail.outbox if user.email in item.recipients()]


class NotificationTestCase(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def committed(self):
        return self.captureOnCommitCallbacks(execute=True)

    def submit(self, page, user=None):
        with self.committed():
            return self.g.municipality.external_workflow.start(
                reload(page), user or self.g.publisher
            )

    def reach_leader(self, page=None):
        """Submit a page that passes the checks and the notice gate; clear the outbox."""
        page = page or news_page(
            self.g,
            "Vintervedlikehold",
            "vinter",
            affects_staff=False,
            notice=False,
            intro=f"{BODY} kan ringe {PHONE} om brøyting.",
        )
        state = self.submit(page)
        state.refresh_from_db()
        self.assertEqual(state.current_task_state.task.specific_class, LeaderApprovalTask)
        return page, state

    def act(self, user, state, action, comment=""):
        """``user`` takes ``action`` on the current task from the admin, as a browser would."""
        state.refresh_from_db()
        task_state = state.current_task_state
        self.client.force_login(user)
        url = reverse(
            "wagtailadmin_pages:workflow_action",
            args=[task_state.workflow_state.content_object.pk, action, task_state.pk],
        )
        with self.committed():
            response = self.client.post(url, {"comment": comment}, follow=True)
        self.assertEqual(response.status_code, 200)
        state.refresh_from_db()
        return state

    def assertNoPersonalData(self, *values):
        self.assertTrue(mail.outbox, "no mail to check")
        for item in mail.outbox:
            text = item.message().as_string() + item.subject + item.body
            for value in (FNR, PNR, PHONE, SE_PHONE, BODY, *values):
                self.assertNotIn(value, text)


class ApprovalRequestedTests(NotificationTestCase):
    """(a) The responsible leader and active deputies, when there is something for them to do."""

    def test_leader_and_deputy_are_told_in_the_municipalitys_language(self):
        page, _state = self.reach_leader()
        self.assertEqual(addresses(mail.outbox), sorted([self.g.leader.email, self.g.deputy.email]))
        for item in mail.outbox:
            self.assertEqual(len(item.to), 1, "one mail each, no shared recipient list")
            self.assertEqual(item.extra_headers["Content-Language"], "nb")
            self.assertEqual(item.extra_headers["Auto-Submitted"], "auto-generated")
            self.assertIn("Vintervedlikehold", item.subject)
            self.assertIn(f"http://testserver/admin/pages/{page.pk}/edit/", item.body)
            self.assertIn("Hei, ", item.body)
            self.assertIn("Endre varslingsinnstillingene dine", item.body)
        self.assertNoPersonalData()

    def test_nobody_else_is_mailed_and_wagtails_generic_mail_is_off(self):
        self.reach_leader()
        for user in (self.g.publisher, self.g.sector_head, self.g.chief, self.g.superuser):
            self.assertEqual(to(user), [], user.username)

    def test_admin_language_preference_wins_over_the_municipalitys(self):
        prefer(self.g.leader, "en")
        with self.settings(LANGUAGE_CODE="nb"):
            self.reach_leader()
        (leader_mail,) = to(self.g.leader)
        (deputy_mail,) = to(self.g.deputy)
        self.assertEqual(leader_mail.extra_headers["Content-Language"], "en")
        self.assertTrue(leader_mail.subject.startswith("For your approval"))
        self.assertIn("Hello ", leader_mail.body)
        self.assertEqual(deputy_mail.extra_headers["Content-Language"], "nb")

    def test_the_senders_language_does_not_leak_into_the_mail(self):
        from django.utils import translation

        prefer(self.g.publisher, "en")
        with translation.override("en"):
            self.reach_leader()
        for item in mail.outbox:
            self.assertEqual(item.extra_headers["Content-Language"], "nb")

    def test_page_held_for_its_notice_reaches_the_leader_when_the_notice_goes_live(self):
        state = self.submit(self.g.page)
        state.refresh_from_db()
        self.assertEqual(
            state.current_task_state.task.specific_class.__name__, "InternalNoticeTask"
        )
        self.assertEqual(to(self.g.leader), [], "nothing to do yet")
        with self.committed():
            publish_notice(self.g)
        approval = [item for item in to(self.g.leader) if "kveldsåpent" in item.subject]
        self.assertEqual(len(approval), 1)

    def test_a_leader_who_edited_the_page_is_not_asked_but_the_deputy_is(self):
        page = news_page(
            self.g, "Nytt skjema", "skjema", affects_staff=False, notice=False, author=self.g.leader
        )
        self.reach_leader(page)
        self.assertEqual(addresses(mail.outbox), [self.g.deputy.email])

    def test_swedish_leader_in_avesta_gets_swedish(self):
        avesta = AvestaSetup.build()
        with self.committed():
            avesta.municipality.external_workflow.start(reload(avesta.page), avesta.publisher)
        (item,) = to(avesta.leader)
        self.assertEqual(item.extra_headers["Content-Language"], "sv")
        self.assertIn("Hej ", item.body)
        self.assertIn("Öppna sidan: ", item.body)
        self.assertIn("Ändra dina inställningar för aviseringar", item.body)
        self.assertNoPersonalData()


class ChangesRequestedTests(NotificationTestCase):
    """(b) The author, when the page is sent back."""

    def test_author_gets_the_leaders_comment_in_the_authors_language(self):
        page, state = self.reach_leader()
        prefer(self.g.leader, "en")  # the leader works in English, the author does not
        mail.outbox.clear()
        state = self.act(self.g.leader, state, "reject", comment="Skriv hvem som brøyter.")
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        self.assertEqual(len(mail.outbox), 1, "one mail: Wagtail's own is replaced")
        (item,) = mail.outbox
        self.assertEqual(item.to, [self.g.publisher.email])
        self.assertEqual(item.extra_headers["Content-Language"], "nb")
        self.assertIn("Vintervedlikehold", item.subject)
        self.assertIn("Skriv hvem som brøyter.", item.body)
        self.assertIn(self.g.leader.get_full_name(), item.body)
        self.assertIn(f"/admin/pages/{page.pk}/edit/", item.body)
        self.assertNoPersonalData()

    def test_the_checks_report_stays_in_the_admin(self):
        page = news_page(
            self.g,
            "Svar på søknad",
            "svar",
            affects_staff=False,
            notice=False,
            intro=f"{BODY} har fødselsnummer {FNR} og telefon {PHONE}.",
        )
        state = self.submit(page)
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        self.assertEqual(mail.outbox, [], "the author saw the report on screen")
        # Someone else resubmits the author's page: the author is told, without the report.
        with self.committed():
            state.resume(user=self.g.editor)
        state.refresh_from_db()
        self.assertEqual(state.current_task_state.task.specific_class, AutomaticChecksTask)
        (item,) = mail.outbox
        self.assertEqual(item.to, [self.g.publisher.email])
        self.assertNotIn(state.current_task_state.get_comment().strip(), item.body)
        self.assertNoPersonalData("fødselsnummer")

    def test_author_without_notifications_wanted_gets_none(self):
        _page, state = self.reach_leader()
        profile = UserProfile.get_for_user(self.g.publisher)
        profile.rejected_notifications = False
        profile.save()
        mail.outbox.clear()
        self.act(self.g.leader, state, "reject", comment="Nei.")
        self.assertEqual(mail.outbox, [])

    def test_whole_flow_mails_each_person_who_acts_once(self):
        # Without warnings, so that the leader approves without acknowledging any.
        clean = news_page(
            self.g,
            "Vintervedlikehold",
            "vinter",
            affects_staff=False,
            notice=False,
            intro="Vi brøyter.",
        )
        _page, state = self.reach_leader(clean)
        self.assertEqual(addresses(mail.outbox), sorted([self.g.leader.email, self.g.deputy.email]))
        mail.outbox.clear()
        state = self.act(self.g.leader, state, "approve")
        # Editorial review (Wagtail's group task): the communications group, in nb.
        communications = set(
            self.g.municipality.communications_group.user_set.values_list("email", flat=True)
        )
        self.assertEqual(set(addresses(mail.outbox)), communications)
        self.assertNotIn(self.g.superuser.email, addresses(mail.outbox))
        self.assertEqual({m.extra_headers["Content-Language"] for m in mail.outbox}, {"nb"})
        mail.outbox.clear()
        state = self.act(self.g.editor, state, "approve")
        self.assertEqual(state.status, WorkflowState.STATUS_APPROVED)
        # The author hears that the page is approved, in the municipality's language.
        self.assertEqual(addresses(mail.outbox), [self.g.publisher.email])
        self.assertEqual(mail.outbox[0].extra_headers["Content-Language"], "nb")
        self.assertNoPersonalData()


class NoticeLiveTests(NotificationTestCase):
    """(c) The staff group, when an internal notice goes live."""

    def staff_addresses(self, group=None):
        group = group or self.g.municipality.staff_group
        return sorted(
            group.user_set.filter(is_active=True).exclude(email="").values_list("email", flat=True)
        )

    def publish(self):
        with self.committed():
            publish_notice(self.g)

    def test_staff_are_told_in_blind_copies(self):
        gone = UserFactory(username="sluttet", is_active=False)
        silent = UserFactory(username="utenepost", email="")
        for user in (gone, silent):
            user.groups.add(self.g.municipality.staff_group)
        self.publish()
        self.assertEqual(addresses(mail.outbox), self.staff_addresses())
        self.assertNotIn(gone.email, addresses(mail.outbox))
        for item in mail.outbox:
            self.assertEqual(item.to, [])
            self.assertNotIn("To:", item.message().as_string().split("\n\n")[0])
            self.assertIn("Nye turnuser i hjemmetjenesten", item.subject)
            self.assertIn("/nye-turnuser/", item.body)
        # Not staff: the line's employee and the superuser outside the group.
        self.assertEqual(to(self.g.employee), [])
        self.assertEqual(to(self.g.superuser), [])

    def test_each_language_its_own_message(self):
        prefer(self.g.editor, "en")
        self.publish()
        (english,) = [m for m in mail.outbox if m.extra_headers["Content-Language"] == "en"]
        self.assertEqual(english.bcc, [self.g.editor.email])
        self.assertTrue(english.subject.startswith("New notice to staff"))
        self.assertNotIn(self.g.editor.email, addresses(m for m in mail.outbox if m is not english))

    def test_nobody_who_cannot_view_the_notice_is_mailed(self):
        restriction = PageViewRestriction.objects.create(
            page=self.g.notice, restriction_type=PageViewRestriction.GROUPS
        )
        leaders = self.g.municipality.leaders_group
        restriction.groups.set([leaders])
        self.publish()
        allowed = sorted(set(self.staff_addresses()) & set(self.staff_addresses(leaders)))
        self.assertEqual(addresses(mail.outbox), allowed)
        self.assertNotIn(self.g.publisher.email, addresses(mail.outbox))

    def test_no_body_text_reaches_staff(self):
        # An identity number would stop the publish itself; a phone number only warns.
        self.g.notice.intro = f"{BODY} ringer {PHONE}."
        self.g.notice.save_revision(user=self.g.leader)
        self.publish()
        self.assertNoPersonalData()

    def test_republishing_a_live_notice_mails_nobody_again(self):
        self.publish()
        mail.outbox.clear()
        self.g.notice.title = "Nye turnuser i hjemmetjenesten (rettet)"
        self.g.notice.save_revision(user=self.g.leader)
        self.publish()
        self.assertEqual(mail.outbox, [])

    def test_rolled_back_publish_sends_nothing(self):
        with self.committed(), self.assertRaises(RuntimeError), transaction.atomic():
            publish_notice(self.g)
            raise RuntimeError("the publish fails after the notice went live")
        self.assertFalse(reload(self.g.notice).live)
        self.assertEqual(mail.outbox, [])

    def test_a_leader_who_cannot_view_an_intranet_page_is_not_asked(self):
        self.g.leader.groups.remove(self.g.municipality.staff_group)
        with self.committed():
            self.g.municipality.intranet_workflow.start(reload(self.g.notice), self.g.publisher)
        self.assertEqual(addresses(mail.outbox), [self.g.deputy.email])

    def test_mail_failure_is_logged_without_address_and_undoes_nothing(self):
        with (
            override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"),
            self.assertLogs("publishing.notifications", "ERROR") as logs,
        ):
            self.publish()
        self.assertTrue(reload(self.g.notice).live)
        self.assertEqual(mail.outbox, [])
        for line in logs.output:
            self.assertNotIn("@", line)
            self.assertIn(str(self.g.notice.pk), line)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, quoting the address as real ones do."""

    def send_messages(self, messages):
        raise SMTPRecipientsRefused({messages[0].recipients()[0]: (550, b"unknown")})


class ScheduledBlockTests(NotificationTestCase):
    """(d) The leader, when a scheduled publish was stopped."""

    def schedule(self, page):
        revision = reload(page).get_latest_revision()
        revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
        revision.save()

    def test_leader_gets_codes_not_what_was_found(self):
        page = news_page(
            self.g,
            "Vedtak",
            "vedtak",
            affects_staff=False,
            notice=False,
            intro=f"{BODY} har fødselsnummer {FNR} og telefon {PHONE}.",
        )
        prefer(self.g.leader, "en")
        self.schedule(page)
        call_command("publish_scheduled", stdout=io.StringIO())
        self.assertFalse(reload(page).live)
        (item,) = mail.outbox
        self.assertEqual(item.to, [self.g.leader.email])
        self.assertEqual(item.extra_headers["Content-Language"], "en")
        self.assertEqual(item.subject, "Scheduled publishing stopped: Vedtak")
        self.assertIn("- personal_data.national_id", item.body)
        self.assertNoPersonalData("fødselsnummer")

    def test_swedish_leader_in_avesta(self):
        avesta = AvestaSetup.build(intro=f"{BODY} har personnummer {PNR}.")
        self.schedule(avesta.page)
        call_command("publish_scheduled", stdout=io.StringIO())
        (item,) = mail.outbox
        self.assertEqual(item.to, [avesta.leader.email])
        self.assertEqual(item.extra_headers["Content-Language"], "sv")
        self.assertTrue(item.subject.startswith("Schemalagd publicering stoppad"))
        self.assertNoPersonalData("personnummer")


class ReviewReminderTests(NotificationTestCase):
    """(e) Monthly reminders of overdue reviews."""

    def live_page(self, title, slug, review_by, leader=None, unit=None):
        page = news_page(
            self.g,
            title,
            slug,
            affects_staff=False,
            notice=False,
            intro=f"{BODY} når oss på {PHONE}.",
        )
        page = reload(page)
        page.review_by = review_by
        if leader:
            page.responsible_leader, page.owning_unit = leader, unit
        page.save_revision(user=self.g.publisher).publish(user=None)
        return page

    def setUp(self):
        super().setUp()
        today = timezone.localdate()
        self.overdue = [
            self.live_page("Brøyting", "broyting", today - datetime.timedelta(days=40)),
            self.live_page("Søppeltømming", "soppel", today - datetime.timedelta(days=1)),
        ]
        self.current = self.live_page("Bibliotek", "bibliotek", today)
        self.other = self.live_page(
            "Sjukeheimen",
            "sjukeheim",
            today - datetime.timedelta(days=3),
            leader=self.g.other_head,
            unit=self.g.line.other_unit,
        )
        mail.outbox.clear()

    def remind(self, *args):
        out = io.StringIO()
        call_command("send_review_reminders", *args, stdout=out)
        return out.getvalue()

    def test_each_leader_gets_their_overdue_pages_once_a_month(self):
        self.remind("--month", "2026-11")
        self.assertEqual(
            addresses(mail.outbox), sorted([self.g.leader.email, self.g.other_head.email])
        )
        (leader_mail,) = to(self.g.leader)
        self.assertEqual(leader_mail.extra_headers["Content-Language"], "nb")
        for page in self.overdue:
            self.assertIn(page.title, leader_mail.body)
            self.assertIn(f"/admin/pages/{page.pk}/edit/", leader_mail.body)
        self.assertNotIn("Bibliotek", leader_mail.body, "due today, not past")
        self.assertNotIn("Sjukeheimen", leader_mail.body, "another leader's page")
        self.assertEqual(
            ReviewReminder.objects.get(recipient=self.g.leader, month="2026-11-01").page_count, 2
        )
        self.assertNoPersonalData()
        # Again in the same month: nothing new.
        output = self.remind("--month", "2026-11")
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("0 reminded, 2 already reminded", output)
        # A new month: reminded again.
        self.remind("--month", "2026-12")
        self.assertEqual(len(mail.outbox), 4)

    def test_default_month_is_this_month(self):
        self.remind()
        month = timezone.localdate().replace(day=1)
        self.assertTrue(
            ReviewReminder.objects.filter(recipient=self.g.leader, month=month).exists()
        )

    def test_dry_run_sends_and_records_nothing(self):
        output = self.remind("--dry-run", "--month", "2026-11")
        self.assertEqual(mail.outbox, [])
        self.assertFalse(ReviewReminder.objects.exists())
        self.assertIn(f"{self.g.leader.get_username()}: 2", output)
        self.assertIn("2 would be reminded", output)

    def test_english_preference(self):
        prefer(self.g.leader, "en")
        self.remind("--month", "2026-11")
        (item,) = to(self.g.leader)
        self.assertEqual(item.subject, "2 pages are past their review date")

    def test_a_failed_mail_is_not_recorded_so_the_next_run_retries(self):
        with (
            override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"),
            self.assertLogs("publishing.notifications", "ERROR") as logs,
            self.assertRaises(CommandError),
        ):
            self.remind("--month", "2026-11")
        self.assertFalse(ReviewReminder.objects.exists())
        self.assertNotIn("@", "\n".join(logs.output))
        self.remind("--month", "2026-11")
        self.assertEqual(ReviewReminder.objects.count(), 2)

    def test_month_must_be_a_month(self):
        with self.assertRaises(CommandError):
            self.remind("--month", "november")


class AvestaSetup:
    """A Swedish municipality: a leader, a certified publisher and a news page for the public."""

    @classmethod
    def build(cls, intro=None):
        today = timezone.localdate()
        setup = cls()
        setup.municipality = m = load_municipality("avesta")
        line = line_organisation(m)
        setup.leader = line.unit_head
        setup.leader.groups.add(m.group("leaders"), m.group("staff"))
        setup.publisher = UserFactory(username="publicerare")
        RoleFactory(user=setup.publisher, unit=line.unit, role=Role.EMPLOYEE)
        CertificateFactory(
            user=setup.publisher,
            municipality=m,
            passed_on=today - datetime.timedelta(days=30),
            expires_on=today + datetime.timedelta(days=300),
        )
        setup.publisher.groups.add(m.group("publishers"), m.group("staff"))
        index = NewsIndexPage.objects.child_of(m.site.root_page).get()
        setup.page = NewsPage(
            title="Biblioteket har nya öppettider",
            slug="oppettider",
            owning_unit=line.unit,
            responsible_leader=setup.leader,
            intro=intro or f"{BODY} kan ringa {SE_PHONE} om du har frågor.",
            live=False,
        )
        setup.page.audiences.set([m.audiences.get(code="kommuninvanare")])
        index.add_child(instance=setup.page)
        setup.page.save_revision(user=setup.publisher)
        return setup


class ProductionMailSettingsTests(SimpleTestCase):
    def test_smtp_settings_come_from_the_environment(self):
        from tests.test_settings import PRODUCTION_ENV, import_production

        both = import_production(
            {**PRODUCTION_ENV, "EMAIL_USE_SSL": "true", "EMAIL_USE_TLS": "true"}
        )
        self.assertNotEqual(both.returncode, 0)
        self.assertIn("EMAIL_USE_SSL", both.stderr)
        ssl_only = import_production({**PRODUCTION_ENV, "EMAIL_USE_SSL": "true"})
        self.assertEqual(ssl_only.returncode, 0, ssl_only.stderr)


class WiringTests(TestCase):
    def test_wagtails_own_workflow_mails_are_replaced(self):
        from wagtail.admin.mail import (
            GroupApprovalTaskStateSubmissionEmailNotifier,
            WorkflowStateApprovalEmailNotifier,
            WorkflowStateRejectionEmailNotifier,
        )
        from wagtail.signals import task_submitted, workflow_approved, workflow_rejected

        from publishing.notifications.mail import GovernedEmailMixin

        for signal, sender, wagtail_class in (
            (task_submitted, TaskState, GroupApprovalTaskStateSubmissionEmailNotifier),
            (workflow_rejected, WorkflowState, WorkflowStateRejectionEmailNotifier),
            (workflow_approved, WorkflowState, WorkflowStateApprovalEmailNotifier),
        ):
            notifiers = [
                receiver
                for receiver in signal._live_receivers(sender)[0]
                if isinstance(receiver, wagtail_class)
            ]
            self.assertTrue(notifiers)
            for receiver in notifiers:
                self.assertIsInstance(receiver, GovernedEmailMixin)
