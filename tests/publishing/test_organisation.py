"""The line organisation: units form a tree, deputies and certificates have date ranges."""

import datetime

from django.core.exceptions import ValidationError
from django.test import TestCase

from publishing.models import Role, UnitKind
from tests.factories import (
    TODAY,
    CertificateFactory,
    DeputyFactory,
    RoleFactory,
    UnitFactory,
    line_organisation,
    load_municipality,
)


class UnitTreeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alvdal = load_municipality("alvdal")
        cls.avesta = load_municipality("avesta")
        cls.line = line_organisation(cls.alvdal)

    def assertInvalid(self, unit, field="parent"):
        with self.assertRaises(ValidationError) as caught:
            unit.full_clean()
        self.assertIn(field, caught.exception.message_dict)

    def test_line_runs_from_unit_to_municipality(self):
        self.assertEqual(self.line.unit.line(), [self.line.unit, self.line.sector, self.line.top])

    def test_unit_cannot_be_below_itself(self):
        sector = self.line.sector
        sector.parent = self.line.unit
        sector.kind = UnitKind.UNIT
        self.assertInvalid(sector)

    def test_unit_cannot_hang_under_another_municipality(self):
        other_top = UnitFactory(municipality=self.avesta, kind=UnitKind.MUNICIPALITY)
        self.assertInvalid(UnitFactory.build(municipality=self.alvdal, parent=other_top))

    def test_sector_cannot_sit_below_a_unit(self):
        self.assertInvalid(
            UnitFactory.build(municipality=self.alvdal, kind=UnitKind.SECTOR, parent=self.line.unit)
        )

    def test_municipality_has_no_parent_and_units_need_one(self):
        self.assertInvalid(
            UnitFactory.build(
                municipality=self.alvdal, kind=UnitKind.MUNICIPALITY, parent=self.line.top
            )
        )
        self.assertInvalid(UnitFactory.build(municipality=self.alvdal, parent=None))

    def test_leader_roles_count_in_line_only_while_active(self):
        head = self.line.unit_head
        self.assertTrue(self.line.unit.has_leader_in_line(head))
        self.assertFalse(self.line.other_unit.has_leader_in_line(head))
        assignment = head.role_assignments.get()
        assignment.ends_on = TODAY - datetime.timedelta(days=1)
        assignment.save()
        self.assertFalse(self.line.unit.has_leader_in_line(head, on=TODAY))
        self.assertTrue(
            self.line.unit.has_leader_in_line(head, on=TODAY - datetime.timedelta(days=2))
        )


class DeputyAndCertificateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alvdal = load_municipality("alvdal")
        cls.line = line_organisation(cls.alvdal)

    def test_deputy_is_active_only_in_its_date_range(self):
        deputy = DeputyFactory(assignment=self.line.unit_head.role_assignments.get())
        self.assertTrue(deputy.is_active(TODAY))
        self.assertFalse(deputy.is_active(deputy.ends_on + datetime.timedelta(days=1)))

    def test_deputy_must_cover_a_leader_role_and_not_be_the_leader(self):
        employee_role = self.line.employee.role_assignments.get()
        with self.assertRaises(ValidationError) as caught:
            DeputyFactory.build(assignment=employee_role).full_clean()
        self.assertIn("assignment", caught.exception.message_dict)
        head_role = self.line.unit_head.role_assignments.get()
        with self.assertRaises(ValidationError) as caught:
            DeputyFactory.build(assignment=head_role, deputy=self.line.unit_head).full_clean()
        self.assertIn("deputy", caught.exception.message_dict)

    def test_certificate_validity_and_expiry_window(self):
        cert = CertificateFactory(
            municipality=self.alvdal, expires_on=TODAY + datetime.timedelta(days=20)
        )
        self.assertTrue(cert.is_valid(TODAY))
        self.assertTrue(cert.expires_within(30, TODAY))
        self.assertFalse(cert.is_valid(TODAY + datetime.timedelta(days=21)))
        with self.assertRaises(ValidationError):
            CertificateFactory.build(
                municipality=self.alvdal, user=self.line.employee, expires_on=cert.passed_on
            ).full_clean()

    def test_role_assignment_end_before_start_is_refused(self):
        role = RoleFactory.build(
            unit=self.line.unit,
            user=self.line.employee,
            role=Role.UNION_REPRESENTATIVE,
            starts_on=TODAY,
            ends_on=TODAY - datetime.timedelta(days=1),
        )
        with self.assertRaises(ValidationError):
            role.full_clean()
