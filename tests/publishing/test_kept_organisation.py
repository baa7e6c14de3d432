"""The organisation kept from one request to the next, and every change that ends it.

A request asks who leads which unit, which municipality a page belongs to, who may publish. The
answers stay the same until the organisation changes, so a process keeps them across requests
for one version of the organisation (``publishing.memo``, ``OrganisationVersion``) and asks the
database only for the version's token. Every save or delete they depend on gives the version a new
token in its own transaction; these tests make each such change and check that the next request
reads the new state, that a rolled-back change is not taken for one, and, on PostgreSQL, that a
change committed by another connection (another process) is seen by the next request here.
"""

import datetime
import threading
import unittest

from django.contrib.auth.models import Group, Permission
from django.db import connection, connections, transaction
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    PageViewRestriction,
)

from publishing import memo
from publishing.models import (
    Audience,
    Deputyship,
    OrganisationVersion,
    PublisherCertificate,
    Role,
    RoleAssignment,
)
from publishing.models.municipality import every_municipality, groups_of, municipality_ids_for
from publishing.models.organisation import roles_deputised, roles_held
from publishing.people import active_names, labels_by_id, person_name
from tests.factories import RoleFactory, UnitFactory, UserFactory
from tests.governance import build_governed
from tests.worlds import GovernedWorld

#: The tables the kept answers are read from.
ORGANISATION_TABLES = (
    "publishing_municipality",
    "publishing_organisationunit",
    "publishing_roleassignment",
    "publishing_publishercertificate",
    "auth_user_groups",
    "wagtailcore_collection",
    "wagtailcore_pageviewrestriction",
)


def token():
    return OrganisationVersion.objects.get(pk=1).token


def organisation_reads(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if any(f'FROM "{table}"' in q["sql"] for table in ORGANISATION_TABLES)
    ]


class KeptOrganisationTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        memo.forget_kept()
        self.unit = self.g.line.unit
        self.newcomer = self.g.editor

    def ask(self):
        """What a request asks: the unit's line and its leaders, the municipalities, a person's
        groups."""
        with memo.scope():
            return (
                self.unit.has_leader_in_line(self.newcomer),
                [u.pk for u in self.unit.line()],
                [m.pk for m in every_municipality()],
                groups_of(self.newcomer),
            )

    def test_the_next_request_asks_only_for_the_version(self):
        first = self.ask()
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.ask(), first)
        self.assertEqual(organisation_reads(queries), [])
        self.assertEqual(len(queries), 1, [q["sql"] for q in queries.captured_queries])
        self.assertIn("publishing_organisationversion", queries.captured_queries[0]["sql"])

    def test_a_change_is_read_by_the_next_request(self):
        self.assertFalse(self.ask()[0])
        RoleFactory(user=self.newcomer, unit=self.unit, role=Role.UNIT_HEAD)
        self.assertTrue(self.ask()[0])
        below = UnitFactory(municipality=self.unit.municipality, parent=self.unit)
        with memo.scope():
            self.assertEqual([u.pk for u in below.line()[1:]], self.ask()[1])

    def test_a_change_by_another_process_is_read_once_its_version_is_new(self):
        # Another process's save changes the rows and, through the same receivers, the token;
        # here the rows are changed behind the receivers' back and the token by hand.
        self.assertTrue(self.ask()[0] is False)
        RoleAssignment.objects.filter(user=self.g.leader).update(user=self.newcomer)
        memo.new_version()
        self.assertTrue(self.ask()[0])

    def test_a_rolled_back_change_is_not_taken_for_one(self):
        self.assertFalse(self.ask()[0])
        before = token()
        with self.assertRaises(RuntimeError), transaction.atomic():
            RoleFactory(user=self.newcomer, unit=self.unit, role=Role.UNIT_HEAD)
            self.assertNotEqual(token(), before)
            self.assertTrue(self.ask()[0])  # kept for the version of the transaction
            raise RuntimeError("rolled back")
        self.assertEqual(token(), before)
        self.assertFalse(self.ask()[0])

    def test_a_request_that_changes_the_organisation_reads_afresh_to_its_end(self):
        self.ask()
        with memo.scope():
            self.assertFalse(self.unit.has_leader_in_line(self.newcomer))
            RoleFactory(user=self.newcomer, unit=self.unit, role=Role.UNIT_HEAD)
            self.assertTrue(self.unit.has_leader_in_line(self.newcomer))
            with CaptureQueriesContext(connection) as queries:
                every_municipality()
            self.assertEqual(len(queries), 1)  # not the kept answer: read, and kept for the scope
            with CaptureQueriesContext(connection) as queries:
                every_municipality()
            self.assertEqual(len(queries), 0)

    def test_each_change_they_depend_on_gives_a_new_version(self):
        g = self.g
        today = timezone.localdate()
        collection = Collection.get_first_root_node().add_child(name="Alvdal kommune – HR")
        group = Group.objects.create(name="Midlertidig")
        changes = {
            "municipality saved": lambda: g.municipality.save(),
            "site saved": lambda: g.municipality.site.save(),
            "unit saved": lambda: self.unit.save(),
            "unit added": lambda: UnitFactory(municipality=g.municipality, parent=self.unit),
            "role given": lambda: RoleFactory(user=self.newcomer, unit=self.unit),
            "role ended": lambda: RoleAssignment.objects.filter(user=self.newcomer).delete(),
            "deputy": lambda: Deputyship.objects.create(
                assignment=g.chief.role_assignments.first(),
                deputy=self.newcomer,
                starts_on=today,
                ends_on=today + datetime.timedelta(days=1),
            ),
            "audience": lambda: Audience.objects.filter(pk=g.citizens.pk).first().save(),
            "certificate": lambda: PublisherCertificate.objects.create(
                user=self.newcomer,
                municipality=g.municipality,
                course="Nettpublisering",
                passed_on=today,
                expires_on=today + datetime.timedelta(days=365),
            ),
            "user saved": lambda: self.newcomer.save(),
            "user joins a group": lambda: self.newcomer.groups.add(group),
            "group deleted": lambda: group.delete(),
            "collection": lambda: collection.save(),
            "collection permission": lambda: GroupCollectionPermission.objects.create(
                group=Group.objects.create(name="HR"),
                collection=collection,
                permission=Permission.objects.get(codename="add_document"),
            ),
            "collection restricted": lambda: CollectionViewRestriction.objects.create(
                collection=collection, restriction_type=CollectionViewRestriction.LOGIN
            ),
            "page restricted": lambda: PageViewRestriction.objects.create(
                page=g.page, restriction_type=PageViewRestriction.LOGIN
            ),
            "page moved": lambda: g.page.move(g.home, pos="last-child"),
        }
        for name, change in changes.items():
            with self.subTest(name):
                before = token()
                change()
                self.assertNotEqual(token(), before)

    def test_deleting_a_site_page_gives_a_new_version_and_another_page_not(self):
        before = token()
        self.g.notice.delete()
        self.assertEqual(token(), before)
        municipality = self.g.municipality
        municipality.intranet_page = self.g.page
        municipality.save()
        with memo.scope():
            self.assertEqual(every_municipality()[0].intranet_page_id, self.g.page.pk)
        # The municipality's link is set to null without a save of the municipality.
        before = token()
        self.g.page.delete()
        self.assertNotEqual(token(), before)
        with memo.scope():
            self.assertIsNone(every_municipality()[0].intranet_page_id)

    def test_who_someone_is_follows_each_change_to_their_roles_and_groups(self):
        """The roles someone holds and stands in for and the municipalities they reach (the
        dashboard's viewer, the approvals they may make, their admin's scope) are kept, and
        read again after each change."""
        person = UserFactory()

        def who():
            with memo.scope():
                return (
                    {held.unit_id for held in roles_held(person.pk)},
                    {held.assignment_id for held in roles_deputised(person.pk)},
                    municipality_ids_for(person),
                )

        self.assertEqual(who(), (set(), set(), frozenset()))
        with CaptureQueriesContext(connection) as queries:
            who()
        self.assertEqual(len(queries), 1, [q["sql"] for q in queries.captured_queries])
        RoleFactory(user=person, unit=self.unit, role=Role.UNIT_HEAD)
        self.assertEqual(who(), ({self.unit.pk}, set(), {self.unit.municipality_id}))
        covered = RoleAssignment.objects.filter(user=self.g.leader).first()
        today = timezone.localdate()
        Deputyship.objects.create(assignment=covered, deputy=person, starts_on=today, ends_on=today)
        self.assertEqual(who()[1], {covered.pk})
        RoleAssignment.objects.filter(user=person).delete()
        self.assertEqual(who()[0], set())
        self.assertEqual(who()[2], frozenset())
        person.groups.add(self.g.municipality.staff_group)
        self.assertEqual(who()[2], {self.g.municipality.pk})

    def test_the_collections_someone_may_use_follow_each_change_to_their_permissions(self):
        from django.contrib.auth import get_user_model

        from publishing.images.permissions import usable_collection_ids

        person = UserFactory()
        group = Group.objects.create(name="Bildebrukere")
        person.groups.add(group)
        collection = Collection.get_first_root_node().add_child(name="Felles bilder")

        def usable():
            with memo.scope():  # a request, with its own user object
                return usable_collection_ids(get_user_model().objects.get(pk=person.pk))

        self.assertNotIn(collection.pk, usable())
        with CaptureQueriesContext(connection) as queries:
            usable()
        self.assertEqual(
            [q["sql"] for q in queries.captured_queries if "wagtailcore_collection" in q["sql"]],
            [],
        )
        permission = GroupCollectionPermission.objects.create(
            group=group,
            collection=collection,
            permission=Permission.objects.get(codename="add_image"),
        )
        self.assertIn(collection.pk, usable())
        permission.delete()
        self.assertNotIn(collection.pk, usable())

    def test_peoples_labels_follow_their_names_roles_and_the_readers_language(self):
        # The side panel and the leader picker show "Name – role, unit" on every call: kept for
        # the organisation's version, in the language of the one who reads them.
        leader = self.g.leader

        def labels():
            with memo.scope():
                return labels_by_id([leader.pk])[leader.pk], active_names([leader.pk])

        with translation.override("nb"):
            label, names = labels()
        self.assertIn("Enhetsleder", label)
        self.assertEqual(names, {leader.pk: person_name(leader)})
        with translation.override("sv"), CaptureQueriesContext(connection) as queries:
            self.assertIn("Enhetschef", labels()[0])
        self.assertEqual(len(queries), 3)  # the version, then the Swedish labels read once
        with translation.override("nb"), CaptureQueriesContext(connection) as queries:
            self.assertEqual(labels(), (label, names))
        self.assertEqual(len(queries), 1)  # kept: the version only
        leader.first_name = "Synnøve"
        leader.save()
        with translation.override("nb"):
            label, names = labels()
        self.assertTrue(label.startswith("Synnøve "), label)
        RoleAssignment.objects.filter(user=leader).update(role=Role.SECTOR_HEAD)
        memo.new_version()  # a change behind the models' back, as a data fix makes it
        with translation.override("nb"):
            self.assertIn("Kommunalsjef", labels()[0])
        leader.is_active = False
        leader.save()
        self.assertEqual(labels()[1], {})

    def test_people_marked_inactive_in_bulk_are_read_anew(self):
        # Wagtail's bulk action writes with QuerySet.update(), which sends no signal.
        leader = self.g.leader
        admin = UserFactory(is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        with memo.scope():
            self.assertEqual(active_names([leader.pk]), {leader.pk: person_name(leader)})
        url = reverse("wagtail_bulk_action", args=("auth", "user", "set_active_state"))
        response = self.client.post(f"{url}?id={leader.pk}", {"mark_as_active": "False"})
        self.assertEqual(response.status_code, 302)
        leader.refresh_from_db()
        self.assertFalse(leader.is_active)
        with memo.scope():
            self.assertEqual(active_names([leader.pk]), {})

    def test_a_login_keeps_the_version(self):
        before = token()
        self.client.force_login(self.newcomer)
        self.newcomer.save(update_fields=["last_login"])
        self.assertEqual(token(), before)


@unittest.skipUnless(connection.vendor == "postgresql", "needs another connection: PostgreSQL")
class AnotherProcessTests(TransactionTestCase):
    """A change committed by another connection, as another process of the server makes it."""

    def setUp(self):
        self.g = build_governed()
        memo.forget_kept()
        self.unit, self.newcomer = self.g.line.unit, self.g.editor

    def ask(self):
        with memo.scope():
            return self.unit.has_leader_in_line(self.newcomer)

    def elsewhere(self, work):
        """``work()`` in another thread, on its own connection, committed or rolled back."""
        failure = []

        def run():
            try:
                work()
            except Exception as error:  # reported below, in the test's thread
                failure.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=30)
        if failure and not isinstance(failure[0], RuntimeError):
            raise failure[0]

    def test_a_committed_change_is_seen_by_the_next_request(self):
        self.assertFalse(self.ask())
        self.elsewhere(lambda: RoleFactory(user=self.newcomer, unit=self.unit, role=Role.UNIT_HEAD))
        self.assertTrue(self.ask())

    def test_a_change_rolled_back_elsewhere_changes_nothing_here(self):
        self.assertFalse(self.ask())

        def rolled_back():
            with transaction.atomic():
                RoleFactory(user=self.newcomer, unit=self.unit, role=Role.UNIT_HEAD)
                raise RuntimeError("rolled back")

        self.elsewhere(rolled_back)
        with CaptureQueriesContext(connection) as queries:
            self.assertFalse(self.ask())
        self.assertEqual(organisation_reads(queries), [])
