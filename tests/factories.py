"""Factories for the test suite: people, units, roles and governed pages."""

import datetime

import factory
from django.conf import settings
from django.contrib.auth import get_user_model

from publishing.models import (
    Deputyship,
    OrganisationUnit,
    PublisherCertificate,
    Role,
    RoleAssignment,
    UnitKind,
)
from publishing.profiles.loader import load_profile

TODAY = datetime.date(2026, 11, 22)


def load_municipality(slug):
    """Load a real municipality profile from ``site/<slug>`` and return the municipality."""
    return load_profile(settings.PUBLISHING["PROFILE_ROOT"] / slug).municipality


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pw")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationUnit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = UnitKind.UNIT


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.EMPLOYEE


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputyship

    deputy = factory.SubFactory(UserFactory)
    starts_on = TODAY - datetime.timedelta(days=7)
    ends_on = TODAY + datetime.timedelta(days=7)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublisherCertificate

    user = factory.SubFactory(UserFactory)
    course = "Kurs i publisering"
    passed_on = TODAY - datetime.timedelta(days=100)
    expires_on = TODAY + datetime.timedelta(days=265)


def line_organisation(municipality):
    """A small line: municipality > sector > unit, with a leader for each and an employee.

    Returns a namespace with the units and people.
    """
    top = UnitFactory(municipality=municipality, kind=UnitKind.MUNICIPALITY, name=municipality.name)
    sector = UnitFactory(municipality=municipality, kind=UnitKind.SECTOR, parent=top, name="Helse")
    unit = UnitFactory(municipality=municipality, parent=sector, name="Hjemmetjenesten")
    other_unit = UnitFactory(municipality=municipality, parent=sector, name="Sjukeheimen")
    people = {
        "chief": RoleFactory(unit=top, role=Role.CHIEF_EXECUTIVE).user,
        "sector_head": RoleFactory(unit=sector, role=Role.SECTOR_HEAD).user,
        "unit_head": RoleFactory(unit=unit, role=Role.UNIT_HEAD).user,
        "other_head": RoleFactory(unit=other_unit, role=Role.UNIT_HEAD).user,
        "employee": RoleFactory(unit=unit, role=Role.EMPLOYEE).user,
    }
    return type(
        "Line", (), {"top": top, "sector": sector, "unit": unit, "other_unit": other_unit, **people}
    )
