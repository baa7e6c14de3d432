"""The findings report's kept findings: judged once, read after, judged anew when something the
rules read changes, on a new day and with new rules; a large municipality by the worker."""

import datetime
import threading
from unittest import mock

import time_machine
from django.db import connections
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from publishing.models import (
    FindingsJudgement,
    LiveFinding,
    Municipality,
    Role,
    RoleAssignment,
)
from publishing.reports import live_findings
from tests.governance import build_governed, publish_notice, reload
from tests.publishing.test_dashboard import days, live_news
from tests.publishing.test_integrity import needs_postgresql
from tests.publishing.test_reports import PHONE, ReportTestCase


class KeptFindingsTests(ReportTestCase):
    def judgement(self):
        return FindingsJudgement.objects.get(municipality=self.g.municipality)

    def codes(self, viewer=None, **params):
        return sorted(
            (row.page, row.code) for row in self.rows(viewer or self.g.editor, "findings", **params)
        )

    def test_a_second_look_reads_what_the_first_judged(self):
        first = self.codes()
        judged_at = self.judgement().judged_at
        kept = list(LiveFinding.objects.filter(municipality=self.g.municipality).values("pk"))
        with mock.patch.object(live_findings, "judge_live_pages") as judging:
            self.assertEqual(self.codes(), first)
            self.assertEqual(self.codes(self.g.leader), first)  # another reader, same findings
        judging.assert_not_called()
        self.assertEqual(self.judgement().judged_at, judged_at)
        self.assertEqual(
            list(LiveFinding.objects.filter(municipality=self.g.municipality).values("pk")), kept
        )

    def test_a_page_published_since_is_judged(self):
        self.codes()
        live_news(self.g, "Ring Kari", "ring-kari", intro=f"Ring Kari på {PHONE}.")
        self.assertIn(("Ring Kari", "personal_data.phone"), self.codes())

    def test_a_leader_who_left_is_found_on_her_pages(self):
        self.assertNotIn(("Ring oss", "responsibility.leader_not_in_line"), self.codes())
        role = RoleAssignment.objects.get(user=self.g.leader, role=Role.UNIT_HEAD)
        role.ends_on = days(-1)
        role.save()
        self.assertIn(("Ring oss", "responsibility.leader_not_in_line"), self.codes())

    def test_a_new_leader_in_the_line_clears_the_finding(self):
        self.assertIn(("Skulestart", "responsibility.leader_not_in_line"), self.codes())
        role = RoleAssignment.objects.get(unit=self.school, role=Role.UNIT_HEAD)
        role.ends_on = None  # she stays after all
        role.save()
        self.assertNotIn(("Skulestart", "responsibility.leader_not_in_line"), self.codes())

    def test_signing_in_and_saving_a_draft_change_no_finding(self):
        self.codes()
        judged_at = self.judgement().judged_at
        self.client.force_login(self.g.publisher)  # saves last_login
        page = reload(self.phone_page)
        page.title = "Ring oss no"
        page.save_revision(user=self.g.publisher)  # a draft: the live page is as it was
        self.assertTrue(live_findings.holds(self.judgement()))
        self.codes()
        self.assertEqual(self.judgement().judged_at, judged_at)

    def test_a_new_day_and_new_rules_judge_again(self):
        self.codes()
        judged_at = self.judgement().judged_at
        with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
            self.codes()
            self.assertGreater(self.judgement().judged_at, judged_at)
            self.assertEqual(self.judgement().judged_on, timezone.localdate())
        judged_at = self.judgement().judged_at
        with mock.patch.object(live_findings, "code_fingerprint", return_value="new rules"):
            self.codes()
        self.assertEqual(self.judgement().code, "new rules")

    def test_a_change_during_a_judgement_is_not_lost(self):
        # A change that commits after a judgement read the count may not be in it.
        self.codes()
        seen = self.judgement().changes
        live_findings.changed_now()
        live_findings.keep(self.judgement(), timezone.now(), seen, 7, 0, [])
        self.assertFalse(live_findings.holds(self.judgement()))

    def test_the_findings_are_kept_in_each_admin_language(self):
        self.codes()
        phone = LiveFinding.objects.get(
            municipality=self.g.municipality, code="personal_data.phone"
        )
        self.assertEqual(set(phone.summaries), {"nb", "nn", "sv", "en"})
        self.assertEqual(phone.summaries["en"], "A phone number in introduction.")
        self.assertNotIn(PHONE, str(phone.summaries))
        self.login(self.g.editor)
        profile = UserProfile.get_for_user(self.g.editor)
        profile.preferred_language = "sv"
        profile.save()
        response = self.client.get(
            reverse("publishing_reports:findings"), {"code": "personal_data.phone"}
        )
        self.assertContains(response, phone.summaries["sv"])
        self.assertNotEqual(phone.summaries["sv"], phone.summaries["en"])

    def test_a_large_municipality_is_judged_by_the_worker_meanwhile_the_last_judgement(self):
        before = self.codes()
        live_news(self.g, "Ring Kari", "ring-kari", intro=f"Ring Kari på {PHONE}.")
        task = live_findings.judge_live_findings
        backend = mock.Mock(supports_defer=True)
        with (
            mock.patch.object(live_findings, "JUDGE_IN_REQUEST", 0),
            mock.patch.object(type(task), "get_backend", return_value=backend),
            mock.patch.object(type(task), "enqueue") as enqueue,
        ):
            response = self.get(self.g.editor, "findings")
            self.get(self.g.editor, "findings")  # queued once, not on each look
        self.assertEqual(sorted((r.page, r.code) for r in response.context["object_list"]), before)
        self.assertContains(response, "These findings were judged on")
        enqueue.assert_called_once_with([self.g.municipality.pk])
        # The worker's judgement; the report then shows it, without the note.
        live_findings.judge_live_findings.call([self.g.municipality.pk])
        response = self.get(self.g.editor, "findings")
        self.assertNotContains(response, "These findings were judged on")
        self.assertIn(("Ring Kari", "personal_data.phone"), self.codes())

    def test_the_other_municipality_is_judged_on_its_own(self):
        self.codes()
        avesta = self.codes(self.o.editor, code="personal_data.phone")
        self.assertEqual(avesta, [("Ring oss i Avesta", "personal_data.phone")])
        self.assertEqual(
            set(LiveFinding.objects.values_list("municipality", flat=True)),
            {self.g.municipality.pk, self.o.municipality.pk},
        )


@needs_postgresql
class JudgementRaceTests(TransactionTestCase):
    """Judgements racing publishes and each other, in real transactions on PostgreSQL."""

    def setUp(self):
        self.g = build_governed()
        publish_notice(self.g)
        self.municipality = Municipality.objects.select_related("site__root_page").get(
            pk=self.g.municipality.pk
        )

    def judgement(self):
        return FindingsJudgement.objects.get(municipality=self.municipality)

    def test_a_page_published_while_the_pages_are_judged_is_judged_next_time(self):
        loaded, published = threading.Event(), threading.Event()
        original = live_findings.judge_live_pages

        def judge_after_the_publish(*args, **kwargs):
            loaded.set()  # the live pages are loaded: the new page is not among them
            published.wait(timeout=30)
            return original(*args, **kwargs)

        def judge():
            try:
                live_findings.judge(self.municipality)
            finally:
                connections.close_all()

        with mock.patch.object(live_findings, "judge_live_pages", judge_after_the_publish):
            thread = threading.Thread(target=judge)
            thread.start()
            self.assertTrue(loaded.wait(timeout=30))
            live_news(self.g, "Ring Kari", "ring-kari", intro=f"Ring Kari på {PHONE}.")
            published.set()
            thread.join(timeout=60)
        self.assertFalse(LiveFinding.objects.filter(page__title="Ring Kari").exists())
        self.assertFalse(live_findings.holds(self.judgement()))
        live_findings.current([self.municipality])  # judged anew
        self.assertTrue(
            LiveFinding.objects.filter(page__title="Ring Kari", code="personal_data.phone").exists()
        )

    def test_two_judgements_at_once_keep_one_set_of_findings(self):
        live_news(self.g, "Ring Kari", "ring-kari", intro=f"Ring Kari på {PHONE}.")
        live_findings.judge(self.municipality)
        once = sorted(LiveFinding.objects.values_list("page_id", "position", "code"))
        barrier = threading.Barrier(2)
        errors = []

        def judge():
            try:
                barrier.wait(timeout=10)
                live_findings.judge(self.municipality)
            except Exception as error:
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=judge) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(LiveFinding.objects.values_list("page_id", "position", "code")), once
        )
