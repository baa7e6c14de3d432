"""Each governance rule, as the engine that every door asks applies it."""

import datetime

from django.test import TestCase
from django.utils import timezone, translation

from home.models import PressReleasePage, StandardPage
from publishing.models import Role, Sensitivity
from publishing.rules import BLOCK, SUBMIT, WARN, RuleContext, check_publish, check_submit, evaluate
from publishing.rules.approval import AS_DEPUTY, AS_LEADER, AS_LINE, approver_ids, can_approve
from tests.factories import RoleFactory, UserFactory, load_municipality
from tests.governance import publish_notice, reload
from tests.worlds import GovernedWorld

TEXT_RULES = ("personal_data.", "plain_language.")


def codes(findings, severity=None):
    return [f.code for f in findings if severity is None or f.severity == severity]


def governance(findings):
    """The findings of the governance rules only (the text rules have their own tests)."""
    return [f for f in findings if not f.code.startswith(TEXT_RULES)]


class InternalBeforeExternalTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        self.enterContext(translation.override("en"))

    def draft(self, **fields):
        page = reload(self.g.page).get_latest_revision_as_object()
        for name, value in fields.items():
            setattr(page, name, value)
        return page

    def test_notice_not_live_blocks(self):
        self.assertEqual(codes(check_publish(self.draft()), BLOCK), ["notice.not_live"])

    def test_missing_notice_blocks_publish_but_only_warns_on_submit(self):
        page = self.draft(internal_notice=None)
        self.assertIn("notice.missing", codes(check_publish(page), BLOCK))
        self.assertIn("notice.missing", codes(check_submit(page, user=self.g.publisher), WARN))

    def test_a_page_that_is_not_a_notice_blocks(self):
        other = StandardPage(
            title="Ikke en melding", owning_unit=self.g.line.unit, responsible_leader=self.g.leader
        )
        self.g.home.add_child(instance=other)
        self.assertIn("notice.wrong_type", codes(check_publish(self.draft(internal_notice=other))))

    def test_live_notice_passes_and_staff_pages_without_effect_need_none(self):
        publish_notice(self.g)
        self.assertEqual(governance(check_publish(self.draft())), [])
        self.assertEqual(
            governance(check_publish(self.draft(affects_staff=False, internal_notice=None))), []
        )

    def test_lead_time_from_profile(self):
        publish_notice(self.g)
        profile = dict(self.g.municipality.profile)
        profile["workflow"] = {**profile["workflow"], "internal_notice_lead_minutes": 60}
        self.g.municipality.profile = profile
        self.g.municipality.save()
        now = timezone.now()
        findings = check_publish(self.draft(), when=now)
        self.assertEqual(codes(findings, BLOCK), ["notice.too_recent"])
        later = now + datetime.timedelta(minutes=61)
        self.assertEqual(governance(check_publish(self.draft(), when=later)), [])

    def test_scheduled_publish_only_warns_until_go_live(self):
        later = timezone.now() + datetime.timedelta(days=1)
        findings = check_publish(self.draft(), scheduled_for=later)
        self.assertEqual(codes(findings, WARN), ["notice.not_live_scheduled"])
        self.assertEqual(codes(findings, BLOCK), [])

    def test_rule_holds_for_superusers_too(self):
        self.assertIn("notice.not_live", codes(check_publish(self.draft(), user=self.g.superuser)))

    def test_rule_applies_only_outside_the_intranet(self):
        notice = reload(self.g.notice)
        notice.affects_staff = True
        notice.internal_notice = None
        self.assertNotIn("notice.missing", codes(check_publish(notice)))


class OpennessTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        publish_notice(cls.g)

    def test_internal_and_exempt_pages_stay_off_the_public_site(self):
        page = reload(self.g.page).get_latest_revision_as_object()
        page.sensitivity = Sensitivity.INTERNAL
        self.assertIn("sensitivity.not_open", codes(check_publish(page), BLOCK))
        page.sensitivity = Sensitivity.EXEMPT
        page.exemption_basis = ""
        self.assertEqual(
            sorted(codes(check_publish(page), BLOCK)),
            ["sensitivity.exempt_without_basis", "sensitivity.not_open"],
        )

    def test_internal_notice_may_go_live_on_the_intranet(self):
        notice = reload(self.g.notice)
        self.assertEqual(notice.sensitivity, Sensitivity.INTERNAL)
        self.assertEqual(governance(check_publish(notice)), [])

    def test_exempt_page_on_intranet_still_needs_its_basis(self):
        notice = reload(self.g.notice)
        notice.sensitivity = Sensitivity.EXEMPT
        self.assertEqual(
            codes(governance(check_publish(notice))), ["sensitivity.exempt_without_basis"]
        )
        notice.exemption_basis = "offl. § 13"
        self.assertEqual(governance(check_publish(notice)), [])


class LineApprovalTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        self.enterContext(translation.override("en"))

    def test_who_may_approve(self):
        page = reload(self.g.page)
        ids = approver_ids(page)
        self.assertEqual(ids[self.g.leader.pk], AS_LEADER)
        self.assertEqual(ids[self.g.deputy.pk], AS_DEPUTY)
        self.assertEqual(ids[self.g.sector_head.pk], AS_LINE)
        self.assertEqual(ids[self.g.chief.pk], AS_LINE)
        for outsider in (self.g.other_head, self.g.employee, self.g.publisher, self.g.editor):
            self.assertNotIn(outsider.pk, ids)

    def test_deputy_only_while_the_deputyship_runs(self):
        page = reload(self.g.page)
        later = timezone.localdate() + datetime.timedelta(days=30)
        self.assertNotIn(self.g.deputy.pk, approver_ids(page, on=later))

    def test_nobody_approves_what_they_edited(self):
        page = reload(self.g.page)
        self.assertTrue(can_approve(self.g.leader, page).allowed)
        page.save_revision(user=self.g.leader)
        # A save that changes nothing citizens read is no edit (see test_leader_can_finish).
        self.assertTrue(can_approve(self.g.leader, page).allowed)
        page.intro = "Åpent til klokka 23."
        page.save_revision(user=self.g.leader)
        approval = can_approve(self.g.leader, page)
        self.assertFalse(approval.allowed)
        self.assertIn("four eyes", approval.reason)
        self.assertTrue(can_approve(self.g.sector_head, page).allowed)

    def test_other_leaders_are_refused_with_the_reason(self):
        approval = can_approve(self.g.other_head, reload(self.g.page))
        self.assertFalse(approval.allowed)
        self.assertIn(self.g.leader.get_full_name(), approval.reason)


class SpokespersonTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.mayor = RoleFactory(unit=cls.g.line.top, role=Role.MAYOR).user
        cls.union_rep = RoleFactory(unit=cls.g.line.top, role=Role.UNION_REPRESENTATIVE).user

    def release(self, level, speaker):
        page = PressReleasePage(
            title="Pressemelding",
            owning_unit=self.g.line.unit,
            responsible_leader=self.g.leader,
            spokesperson=speaker,
            statement_level=level,
        )
        self.g.news_index.add_child(instance=page)
        return page

    def test_matrix_from_the_profile(self):
        allowed = [
            ("political", self.mayor),
            ("strategic", self.g.chief),
            ("strategic", self.g.sector_head),
            ("unit", self.g.leader),
            ("factual", self.g.employee),
        ]
        refused = [
            ("political", self.g.chief),
            ("strategic", self.g.leader),
            ("unit", self.g.other_head),
            ("factual", self.g.other_head),
        ]
        for level, person in allowed:
            page = self.release(level, person)
            self.assertNotIn("spokesperson.wrong_role", codes(check_publish(page)), (level, person))
        for level, person in refused:
            page = self.release(level, person)
            self.assertIn(
                "spokesperson.wrong_role", codes(check_publish(page), BLOCK), (level, person)
            )

    def test_union_representative_is_marked_as_speaking_for_staff(self):
        page = self.release("factual", self.union_rep)
        self.assertIn("spokesperson.wrong_role", codes(check_publish(page)))
        RoleFactory(user=self.union_rep, unit=self.g.line.unit, role=Role.UNION_REPRESENTATIVE)
        findings = check_publish(self.release("factual", self.union_rep))
        self.assertEqual(codes(findings, WARN), ["spokesperson.union_representative"])


class TrainedPublisherTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        self.enterContext(translation.override("en"))

    def test_certificate_needed_to_submit(self):
        page = reload(self.g.page).get_latest_revision_as_object()
        self.assertNotIn(
            "publisher.certificate_expired", codes(check_submit(page, user=self.g.publisher))
        )
        findings = check_submit(page, user=self.g.expired_publisher)
        expired = [f for f in findings if f.code == "publisher.certificate_expired"]
        self.assertEqual(len(expired), 1)
        self.assertIn("expired on", expired[0].message)
        self.assertIn("course again", expired[0].fix)
        nobody = UserFactory(username="untrained")
        never = [f for f in check_submit(page, user=nobody) if f.code == "publisher.no_certificate"]
        self.assertEqual(len(never), 1)
        # Someone who never took the course is not told to take it again.
        self.assertNotIn("again", never[0].fix)

    def test_workflow_approval_does_not_need_the_approvers_certificate(self):
        publish_notice(self.g)
        page = reload(self.g.page).get_latest_revision_as_object()
        context = RuleContext(page=page, user=self.g.leader, route="workflow")
        self.assertEqual(governance(evaluate(context)), [])

    def test_municipality_of_another_country_does_not_count(self):
        avesta = load_municipality("avesta")
        page = reload(self.g.page).get_latest_revision_as_object()
        from tests.factories import CertificateFactory

        elsewhere = UserFactory(username="elsewhere")
        CertificateFactory(user=elsewhere, municipality=avesta)
        self.assertIn("publisher.no_certificate", codes(check_submit(page, user=elsewhere)))


class NonGovernedPagesTests(TestCase):
    def test_engine_has_nothing_to_say_about_plain_pages(self):
        municipality = load_municipality("alvdal")
        self.assertEqual(check_publish(municipality.site.root_page.specific), [])
        intranet = municipality.intranet_page.specific
        self.assertEqual(evaluate(RuleContext(page=intranet, purpose=SUBMIT)), [])
