"""Workflow mail for each event or one summary a day: the choice in the account, the mails held
back, and the daily summary (who sees what, in which language, once a day, nothing lost).

The summary runs on a fixed clock (``time_machine``, not ticking) at 07:00 on the days after the
shared world was built: its deputyship and certificates count from the day it was built.
Mails go out after commit; ``captureOnCommitCallbacks(execute=True)`` runs what a commit would.
"""

import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, TransactionTestCase
from django.urls import reverse
from django.utils import formats, timezone, translation
from wagtail.admin.views.account import AccountView
from wagtail.models import WorkflowState
from wagtail.users.models import UserProfile

from publishing.models import (
    ApprovalReminder,
    Deputyship,
    DigestEvent,
    LeaderApprovalTask,
    MailDigest,
    MailPreference,
)
from publishing.notifications.digest import ALREADY, SENT, compose, send_digest
from publishing.notifications.mail import notify_scheduled_block
from publishing.workflow.waiting import remind_and_escalate, waiting_steps
from publishing.workflow.working_days import working_days_between
from tests.concurrency import at_the_same_time
from tests.factories import CertificateFactory
from tests.governance import EnglishAdminMixin, build_governed, news_page, reload
from tests.publishing.test_integrity import needs_postgresql
from tests.publishing.test_notifications import AvestaSetup, NotificationTestCase

OSLO = ZoneInfo("Europe/Oslo")
#: A sentence only the page's body holds: it must never reach a mail.
BODY = "Brøytebilen kjører først gjennom Storgata hver morgen."
SV_BODY = "Bokbussen stannar vid torget varje tisdag."


def choose(user, mode):
    MailPreference.objects.update_or_create(user=user, defaults={"mode": mode})


def to(user):
    return [item for item in mail.outbox if user.email in item.recipients()]


def morning(days):
    """07:00 in Oslo ``days`` after today."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=OSLO)


def localized(moment, language):
    """``moment``'s date as a mail in ``language`` writes it."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


class DigestTestCase(NotificationTestCase):
    """The notification tests' world and steps (``act``), with the page and submit of these."""

    def page(self, title, slug, intro=BODY):
        return news_page(self.g, title, slug, affects_staff=False, notice=False, intro=intro)

    def submit(self, page, user=None):
        state = super().submit(page, user)
        state.refresh_from_db()
        return state

    def digest(self, days=1):
        """Run ``send_mail_digest`` at 07:00 ``days`` from today; its output."""
        out = io.StringIO()
        with time_machine.travel(morning(days), tick=False), self.committed():
            call_command("send_mail_digest", stdout=out)
        return out.getvalue()

    def summary(self, user):
        """The one summary ``user`` got."""
        (item,) = [m for m in to(user) if m.extra_headers.get("Content-Language")]
        return item

    def assertNoBodyText(self):
        self.assertTrue(mail.outbox, "no mail to check")
        for item in mail.outbox:
            text = item.message().as_string() + item.subject + item.body
            for sentence in (BODY, SV_BODY):
                self.assertNotIn(sentence, text)


class PreferenceFormTests(EnglishAdminMixin, DigestTestCase):
    """The choice on the account's Notifications tab, for oneself only."""

    def account_data(self, user, **changes):
        """What the account form posts unchanged, as the browser would send it."""
        request = RequestFactory().get("/admin/account/")
        request.user = user
        view = AccountView()
        view.setup(request)
        data = {}
        for panel in view.get_panels():
            form = panel.get_form()
            for name in form.fields:
                value = form[name].value()
                if value is True:
                    data[form.add_prefix(name)] = "on"
                elif value not in (None, False, ""):
                    data[form.add_prefix(name)] = value
        data.update(changes)
        return data

    def test_the_choice_is_on_the_notifications_tab(self):
        self.login(self.g.leader)
        html = self.client.get(reverse("wagtailadmin_account")).content.decode()
        tab = html.split('id="tab-notifications"', 1)[1].split("</section>", 1)[0]
        self.assertIn('name="workflow_mail-mode"', tab)
        self.assertIn('value="digest"', tab)
        self.assertIn("One summary a day", tab)
        # Checked: each event, as before, until the person chooses otherwise.
        self.assertRegex(tab, r'value="each"[^>]*checked')
        # Where the mails' footer leads.
        self.assertTrue(
            reverse("wagtailadmin_account").endswith("/account/"),
        )

    def test_posting_saves_ones_own_choice_and_only_ones_own(self):
        choose(self.g.leader, MailPreference.EACH)
        self.login(self.g.publisher)
        data = self.account_data(
            self.g.publisher, **{"workflow_mail-mode": "digest", "workflow_mail-user": "0"}
        )
        data["workflow_mail-user"] = str(self.g.leader.pk)  # a forged field changes nothing
        response = self.client.post(reverse("wagtailadmin_account"), data)
        self.assertRedirects(response, reverse("wagtailadmin_account"))
        self.assertEqual(
            MailPreference.objects.get(user=self.g.publisher).mode, MailPreference.DIGEST
        )
        self.assertEqual(MailPreference.objects.get(user=self.g.leader).mode, MailPreference.EACH)
        # Wagtail's own switches are left as they were.
        self.assertTrue(UserProfile.get_for_user(self.g.publisher).rejected_notifications)
        # And back again.
        self.client.post(
            reverse("wagtailadmin_account"),
            self.account_data(self.g.publisher, **{"workflow_mail-mode": "each"}),
        )
        self.assertEqual(MailPreference.objects.get(user=self.g.publisher).mode, "each")

    def test_a_post_without_the_choice_leaves_it(self):
        choose(self.g.leader, MailPreference.DIGEST)
        self.login(self.g.leader)
        data = self.account_data(self.g.leader)
        del data["workflow_mail-mode"]
        response = self.client.post(reverse("wagtailadmin_account"), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(MailPreference.objects.get(user=self.g.leader).mode, "digest")

    def test_a_choice_outside_the_list_is_refused(self):
        self.login(self.g.leader)
        data = self.account_data(self.g.leader, **{"workflow_mail-mode": "hourly"})
        response = self.client.post(reverse("wagtailadmin_account"), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(MailPreference.objects.filter(user=self.g.leader).exists())


class HeldBackTests(DigestTestCase):
    """With the summary chosen, the workflow's mails wait for it; urgent mail does not."""

    def test_a_submit_mails_the_leader_on_each_event_not_the_one_on_the_summary(self):
        choose(self.g.leader, MailPreference.DIGEST)
        choose(self.g.deputy, MailPreference.EACH)
        state = self.submit(self.page("Vintervedlikehold", "vinter"))
        self.assertEqual(state.current_task_state.task.specific_class, LeaderApprovalTask)
        self.assertEqual([m.to for m in mail.outbox], [[self.g.deputy.email]])
        self.assertFalse(DigestEvent.objects.exists(), "what waits is read when the summary is")

    def test_changes_requested_is_held_for_the_authors_summary(self):
        choose(self.g.publisher, MailPreference.DIGEST)
        state = self.submit(self.page("Vintervedlikehold", "vinter"))
        mail.outbox.clear()
        self.act(self.g.leader, state, "reject", comment="Skriv hvem som brøyter.")
        self.assertEqual(to(self.g.publisher), [])
        (event,) = DigestEvent.objects.all()
        self.assertEqual(
            (event.recipient, event.kind, event.digest),
            (self.g.publisher, DigestEvent.CHANGES_REQUESTED, None),
        )

    def test_reminders_go_to_those_on_each_event_and_are_still_recorded(self):
        choose(self.g.leader, MailPreference.DIGEST)
        state = self.submit(self.page("Vintervedlikehold", "vinter"))
        task_state = state.current_task_state
        task_state.started_at = morning(-20)
        task_state.save(update_fields=["started_at"])
        mail.outbox.clear()
        with self.committed():
            self.assertEqual(remind_and_escalate()["remind"], 1)
        self.assertEqual([m.to for m in mail.outbox], [[self.g.deputy.email]])
        self.assertTrue(ApprovalReminder.objects.filter(task_state=task_state).exists())

    def test_a_stopped_scheduled_publish_is_mailed_at_once(self):
        choose(self.g.leader, MailPreference.DIGEST)
        page = self.page("Vedtak", "vedtak")
        with self.committed():
            notify_scheduled_block(reload(page), [])
        self.assertEqual([m.to for m in mail.outbox], [[self.g.leader.email]])


class DigestContentTests(DigestTestCase):
    """What the summary says, to whom, in which language."""

    def setUp(self):
        super().setUp()
        for user in (self.g.leader, self.g.publisher, self.g.editor):
            choose(user, MailPreference.DIGEST)

    def test_the_leader_sees_what_waits_the_publisher_what_they_submitted(self):
        page = self.page("Vintervedlikehold", "vinter")
        state = self.submit(page)
        task_state = state.current_task_state
        task_state.started_at = morning(-9)
        task_state.save(update_fields=["started_at"])
        self.submit(self.page("Lysløype", "lysloype"))
        # Nothing at once but to the deputy, who gets each event.
        self.assertEqual([m.to for m in mail.outbox], [[self.g.deputy.email]] * 2)
        mail.outbox.clear()
        choose(self.g.deputy, MailPreference.DIGEST)
        self.digest()
        leader = self.summary(self.g.leader)
        self.assertEqual(leader.to, [self.g.leader.email])
        self.assertEqual(leader.extra_headers["Content-Language"], "nb")
        self.assertEqual(leader.extra_headers["Auto-Submitted"], "auto-generated")
        self.assertIn("Hei, ", leader.body)
        self.assertIn("Vintervedlikehold", leader.body)
        self.assertIn(task_state.task.name, leader.body)
        self.assertIn(localized(task_state.started_at, "nb"), leader.body)
        days = working_days_between(morning(-9).date(), morning(1).date(), "NO")
        self.assertIn(f"({days} ", leader.body)
        self.assertIn(self.g.publisher.get_full_name(), leader.body)
        self.assertIn(f"http://testserver/admin/pages/{page.pk}/edit/", leader.body)
        self.assertIn(
            "http://testserver" + reverse("publishing:changes", args=[page.pk]), leader.body
        )
        self.assertIn("Åpne siden: ", leader.body)
        self.assertIn("#tab-notifications", leader.body)
        self.assertIn("2", leader.subject)  # two pages wait
        self.assertIn("Lysløype", leader.body)
        # The deputy decides it too; the leaders above in the line are not asked yet.
        self.assertIn("Vintervedlikehold", self.summary(self.g.deputy).body)
        self.assertEqual(to(self.g.sector_head), [])
        # The publisher: what they submitted, at which step; nothing waits for them.
        publisher = self.summary(self.g.publisher)
        self.assertIn("Vintervedlikehold", publisher.body)
        self.assertIn(task_state.task.name, publisher.body)
        self.assertNotIn(reverse("publishing:changes", args=[page.pk]), publisher.body)
        # The editor: nothing is at the editorial review yet.
        self.assertEqual(to(self.g.editor), [])
        self.assertNoBodyText()

    def test_an_escalated_step_reaches_the_leader_above(self):
        choose(self.g.sector_head, MailPreference.DIGEST)
        state = self.submit(self.page("Vintervedlikehold", "vinter"))
        self.digest()
        self.assertEqual(to(self.g.sector_head), [])
        task_state = state.current_task_state
        task_state.started_at = morning(-30)
        task_state.save(update_fields=["started_at"])
        self.digest(days=2)
        self.assertIn("Vintervedlikehold", self.summary(self.g.sector_head).body)

    def test_the_leader_above_decides_at_once_when_nobody_nearer_may(self):
        # The leader wrote the page (four eyes) and has no deputy: the line is asked at once.
        Deputyship.objects.filter(deputy=self.g.deputy).delete()
        choose(self.g.sector_head, MailPreference.DIGEST)
        page = news_page(
            self.g,
            "Nytt skjema",
            "skjema",
            affects_staff=False,
            notice=False,
            intro=BODY,
            author=self.g.leader,
        )
        self.submit(page)
        self.assertEqual(to(self.g.sector_head), [])
        self.digest()
        self.assertIn("Nytt skjema", self.summary(self.g.sector_head).body)
        self.assertEqual(to(self.g.leader), [], "she may not approve her own page")

    def test_a_crisis_step_reaches_the_leader_above_from_the_start(self):
        # A crisis submission asks every leader who may approve at once and counts as escalated
        # from the start (``waiting``): the leader above on the summary gets it the next morning
        # under "waits for your decision", and the escalation mail held for it is not lost.
        choose(self.g.sector_head, MailPreference.DIGEST)
        CertificateFactory(user=self.g.crisis, municipality=self.g.municipality)
        self.submit(self.page("Lysløype", "lysloype"))  # an ordinary step of the same age
        page = self.page("Kokevarsel", "kokevarsel")
        state = self.submit(page, user=self.g.crisis)
        [step] = waiting_steps(task_states=[state.current_task_state])
        self.assertTrue(step.escalated)
        mail.outbox.clear()  # the crisis mail that asks every leader at once
        with self.committed():
            remind_and_escalate()  # reminds the nearest leaders first
            remind_and_escalate()  # then escalates: held for the leader above's summary
        self.assertTrue(
            ApprovalReminder.objects.filter(
                task_state=state.current_task_state, kind=ApprovalReminder.ESCALATE
            ).exists()
        )
        self.assertEqual(to(self.g.sector_head), [])
        # The ordinary step still waits for the nearer leaders alone.
        self.assertEqual(
            [entry.title for entry in compose(self.g.sector_head).waiting], ["Kokevarsel"]
        )
        self.digest()
        body = self.summary(self.g.sector_head).body
        self.assertIn("Kokevarsel", body)
        self.assertNotIn("Lysløype", body)

    def test_what_came_back_with_the_leaders_comment_and_the_approval(self):
        sent_back = self.submit(self.page("Vintervedlikehold", "vinter"))
        approved = self.submit(self.page("Skøytebane", "skoyter", intro="Vi brøyter isen."))
        self.act(self.g.leader, sent_back, "reject", comment="Skriv hvem som brøyter.")
        approved = self.act(self.g.leader, approved, "approve")
        # At the editorial review now: the communications group decides; the editor is told in
        # the summary, the others in the group each time.
        self.assertEqual(to(self.g.editor), [])
        self.digest()
        editor = self.summary(self.g.editor)
        self.assertIn("Skøytebane", editor.body)
        self.assertNotIn("Vintervedlikehold", editor.body)
        publisher = self.summary(self.g.publisher)
        self.assertIn(self.g.leader.get_full_name(), publisher.body)
        self.assertIn("Vintervedlikehold", publisher.body)
        self.assertIn("Kommentar:", publisher.body)
        self.assertIn("Skriv hvem som brøyter.", publisher.body)
        # Still in the workflow: the approved one, at the editorial review.
        self.assertIn("Skøytebane", publisher.body)
        self.assertEqual(to(self.g.leader), [], "nothing waits for the leader any more")
        mail.outbox.clear()
        approved = self.act(self.g.editor, approved, "approve")
        self.assertEqual(approved.status, WorkflowState.STATUS_APPROVED)
        self.assertEqual(to(self.g.publisher), [], "held for the summary")
        self.digest(days=2)
        publisher = self.summary(self.g.publisher)
        self.assertIn("Skøytebane", publisher.body)
        self.assertNotIn("Skriv hvem som brøyter.", publisher.body, "told the day before")
        self.assertNoBodyText()

    def test_nothing_to_tell_sends_nothing(self):
        output = self.digest()
        self.assertEqual(mail.outbox, [])
        self.assertFalse(MailDigest.objects.exists())
        self.assertIn("0 summary(ies) sent", output)

    def test_once_a_day_however_often_it_runs(self):
        self.submit(self.page("Vintervedlikehold", "vinter"))
        mail.outbox.clear()  # the deputy's, who gets each event
        self.digest()
        first = len(mail.outbox)
        self.assertEqual(first, 2)  # the leader and the publisher
        output = self.digest()
        self.assertEqual(len(mail.outbox), first)
        self.assertIn("2 already sent today", output)
        # A run that starts while another has the day's row: nothing either.
        with time_machine.travel(morning(1), tick=False):
            self.assertEqual(send_digest(self.g.leader), ALREADY)
        self.assertEqual(MailDigest.objects.count(), 2)
        self.digest(days=2)
        self.assertEqual(len(mail.outbox), first + 2)

    def test_every_event_between_two_summaries_is_in_the_next(self):
        first = self.submit(self.page("Vintervedlikehold", "vinter"))
        second = self.submit(self.page("Skøytebane", "skoyter"))
        third = self.submit(self.page("Lysløype", "lysloype"))
        self.act(self.g.leader, first, "reject", comment="Første merknad.")
        self.digest()
        self.assertIn("Første merknad.", self.summary(self.g.publisher).body)
        mail.outbox.clear()
        self.act(self.g.leader, second, "reject", comment="Andre merknad.")
        self.act(self.g.deputy, third, "reject", comment="Tredje merknad.")
        self.digest(days=2)
        body = self.summary(self.g.publisher).body
        self.assertIn("Andre merknad.", body)
        self.assertIn("Tredje merknad.", body)
        self.assertIn(self.g.deputy.get_full_name(), body)
        self.assertNotIn("Første merknad.", body)
        self.assertEqual(DigestEvent.objects.filter(digest=None).count(), 0)


class SwedishDigestTests(DigestTestCase):
    """Avesta's people get Swedish, and each municipality only its own pages."""

    def test_each_municipality_its_own_pages_in_its_own_language(self):
        avesta = AvestaSetup.build(intro=SV_BODY)
        for user in (self.g.leader, self.g.publisher, avesta.leader, avesta.publisher):
            choose(user, MailPreference.DIGEST)
        self.submit(self.page("Vintervedlikehold", "vinter"))
        with self.committed():
            state = avesta.municipality.external_workflow.start(
                reload(avesta.page), avesta.publisher
            )
        state.refresh_from_db()
        self.assertEqual(state.current_task_state.task.specific_class, LeaderApprovalTask)
        self.digest()
        swedish = self.summary(avesta.leader)
        self.assertEqual(swedish.extra_headers["Content-Language"], "sv")
        self.assertIn("Hej ", swedish.body)
        self.assertIn("Öppna sidan: ", swedish.body)
        self.assertIn("Ändra dina inställningar för aviseringar", swedish.body)
        self.assertIn("Biblioteket har nya öppettider", swedish.body)
        self.assertIn(localized(state.current_task_state.started_at, "sv"), swedish.body)
        self.assertNotIn("Vintervedlikehold", swedish.body)
        self.assertIn("Biblioteket har nya öppettider", self.summary(avesta.publisher).body)
        norwegian = self.summary(self.g.leader)
        self.assertEqual(norwegian.extra_headers["Content-Language"], "nb")
        self.assertIn("Vintervedlikehold", norwegian.body)
        self.assertNotIn("Biblioteket har nya öppettider", norwegian.body)
        self.assertNotIn("Biblioteket", self.summary(self.g.publisher).body)
        self.assertNoBodyText()

    def test_the_admin_language_chosen_wins(self):
        choose(self.g.leader, MailPreference.DIGEST)
        profile = UserProfile.get_for_user(self.g.leader)
        profile.preferred_language = "sv"
        profile.save()
        self.submit(self.page("Vintervedlikehold", "vinter"))
        self.digest()
        item = self.summary(self.g.leader)
        self.assertEqual(item.extra_headers["Content-Language"], "sv")
        self.assertIn("Öppna sidan: ", item.body)


@needs_postgresql
class TwoRunsAtOnceTests(TransactionTestCase):
    """Two summary runs at the same moment (a cron job and a manual run, two workers) on
    PostgreSQL, each in its own connection: one summary is sent, the other run finds it sent."""

    def test_one_summary_whoever_gets_there_first(self):
        g = build_governed()
        MailPreference.objects.create(user=g.leader, mode=MailPreference.DIGEST)
        page = news_page(g, "Sommeråpent", "sommer", affects_staff=False, notice=False)
        g.municipality.external_workflow.start(reload(page), g.publisher)
        mail.outbox.clear()

        def run():
            try:
                return send_digest(reload_user(g.leader))
            finally:
                connection.close()

        results = at_the_same_time(run, run, run)
        self.assertEqual(sorted(results), sorted([SENT, ALREADY, ALREADY]))
        self.assertEqual(MailDigest.objects.filter(recipient=g.leader).count(), 1)
        self.assertEqual(len([m for m in mail.outbox if g.leader.email in m.to]), 1)


def reload_user(user):
    return type(user).objects.get(pk=user.pk)
