"""The governance registers in the Wagtail admin show each user only their own municipality."""

import datetime
import threading
import unittest
from unittest import mock

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test import Client, TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from home.demo import DEMO_PASSWORD
from publishing.editor.forms import MunicipalityScopedForm
from publishing.models import (
    Audience,
    Municipality,
    OrganisationUnit,
    PublisherCertificate,
    RoleAssignment,
)
from tests.governance import build_governed
from tests.worlds import DemoWorld


class RegisterScopeTests(DemoWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.avesta = Municipality.objects.get(slug="avesta")

    def login(self, username):
        self.assertTrue(self.client.login(username=username, password=DEMO_PASSWORD))

    def url(self, model, action="index", *args):
        return reverse(f"publishing_{model._meta.model_name}_modeladmin_{action}", args=args)

    def test_communications_editor_sees_only_own_units(self):
        self.login("alvdal.silje")
        response = self.client.get(self.url(OrganisationUnit))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Hjemmetjenesten")
        self.assertNotContains(response, "Hemtjänsten")

    def test_other_municipalitys_object_cannot_be_opened_or_changed(self):
        self.login("alvdal.silje")
        unit = OrganisationUnit.objects.filter(municipality=self.avesta).first()
        response = self.client.get(self.url(OrganisationUnit, "edit", unit.pk))
        self.assertNotEqual(response.status_code, 200)
        response = self.client.post(self.url(OrganisationUnit, "edit", unit.pk), {"name": "Hacked"})
        unit.refresh_from_db()
        self.assertNotEqual(unit.name, "Hacked")

    def test_other_municipalitys_history_is_not_found(self):
        self.login("alvdal.silje")
        for model in (OrganisationUnit, Audience):
            theirs = model.objects.filter(municipality=self.avesta).first()
            ours = model.objects.filter(municipality=self.alvdal).first()
            with self.subTest(model=model.__name__):
                self.assertEqual(
                    self.client.get(self.url(model, "history", theirs.pk)).status_code, 404
                )
                self.assertEqual(
                    self.client.get(self.url(model, "history", ours.pk)).status_code, 200
                )

    def test_create_form_offers_only_own_municipality(self):
        self.login("avesta.linnea")
        form = self.client.get(self.url(Audience, "create")).context["form"]
        self.assertEqual(list(form.fields["municipality"].queryset), [self.avesta])
        form = self.client.get(self.url(PublisherCertificate, "create")).context["form"]
        usernames = set(form.fields["user"].queryset.values_list("username", flat=True))
        self.assertIn("avesta.emma", usernames)
        self.assertFalse(any(name.startswith("alvdal.") for name in usernames))

    def test_communications_editor_can_add_a_unit(self):
        self.login("alvdal.silje")
        parent = OrganisationUnit.objects.get(municipality=self.alvdal, code="helse-omsorg")
        response = self.client.post(
            self.url(OrganisationUnit, "create"),
            {
                "municipality": self.alvdal.pk,
                "name": "Alvdal sjukeheim",
                "code": "sjukeheim",
                "kind": "unit",
                "parent": parent.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(OrganisationUnit.objects.filter(code="sjukeheim", parent=parent).exists())

    def test_leader_reads_but_cannot_change(self):
        self.login("alvdal.hilde")
        self.assertEqual(self.client.get(self.url(Audience)).status_code, 200)
        audience = Audience.objects.filter(municipality=self.alvdal).first()
        response = self.client.get(self.url(Audience, "edit", audience.pk))
        self.assertNotEqual(response.status_code, 200)

    def test_plain_staff_have_no_admin(self):
        self.login("alvdal.knut")
        response = self.client.get(self.url(Audience))
        self.assertEqual(response.status_code, 302)

    def test_superuser_sees_both(self):
        self.login("admin")
        response = self.client.get(self.url(OrganisationUnit))
        self.assertContains(response, "Hjemmetjenesten")
        self.assertContains(response, "Hemtjänsten")


class ChangedMeanwhileTests(DemoWorld, TestCase):
    """A register's form opened, the row changed by someone else (another tab, a colleague, the
    other of the server's processes), then the first form sent: refused with that said, and
    the other change kept."""

    def setUp(self):
        self.client.login(username="avesta.linnea", password=DEMO_PASSWORD)
        self.role = RoleAssignment.objects.filter(
            unit__municipality__slug="avesta", ends_on__isnull=True
        ).first()
        self.url = reverse("publishing_roleassignment_modeladmin_edit", args=[self.role.pk])

    def opened_form(self):
        """What the browser sends back for the form as opened, as the fields' values."""
        response = self.client.get(self.url)
        form = response.context["form"]
        self.assertContains(response, f'name="opened_as" value="{form["opened_as"].value()}"')
        data = {}
        for name in form.fields:
            value = form[name].value()
            data[name] = "" if value is None else str(value)
        return data

    def test_a_form_sent_after_someone_else_saved_the_row_is_refused(self):
        stale = self.opened_form()
        self.assertTrue(stale["opened_as"])
        # Meanwhile the role is ended in another tab.
        ended = timezone.localdate() - datetime.timedelta(days=1)
        self.role.ends_on = ended
        self.role.save()
        response = self.client.post(self.url, {**stale, "starts_on": "2020-01-01"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Det gick inte att spara rolltilldelning på grund av fel.")
        self.assertContains(response, "Någon annan har ändrat den här posten (rolltilldelning)")
        self.role.refresh_from_db()
        self.assertEqual(self.role.ends_on, ended)
        self.assertNotEqual(str(self.role.starts_on), "2020-01-01")
        # Opened again, the form shows the change and saves.
        fresh = self.opened_form()
        self.assertEqual(fresh["ends_on"], str(ended))
        response = self.client.post(self.url, {**fresh, "starts_on": "2020-01-01"})
        self.assertEqual(response.status_code, 302)
        self.role.refresh_from_db()
        self.assertEqual(str(self.role.starts_on), "2020-01-01")
        self.assertEqual(self.role.ends_on, ended)

    def test_a_form_sent_twice_is_refused_the_second_time(self):
        form = self.opened_form()
        self.assertEqual(
            self.client.post(self.url, {**form, "starts_on": "2020-01-01"}).status_code, 302
        )
        response = self.client.post(self.url, {**form, "starts_on": "2021-01-01"})
        self.assertEqual(response.status_code, 200)
        self.role.refresh_from_db()
        self.assertEqual(str(self.role.starts_on), "2020-01-01")

    def test_a_form_sent_again_with_the_same_entries_is_taken_as_done(self):
        # A double click: the second send would store exactly what the first stored.
        form = {**self.opened_form(), "starts_on": "2020-01-01"}
        self.assertEqual(self.client.post(self.url, form).status_code, 302)
        self.assertEqual(self.client.post(self.url, form).status_code, 302)
        self.role.refresh_from_db()
        self.assertEqual(str(self.role.starts_on), "2020-01-01")
        edits = ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(RoleAssignment),
            object_id=str(self.role.pk),
            action="wagtail.edit",
        )
        self.assertEqual(edits.count(), 1)

    def test_the_history_of_an_entry_is_in_the_admins_language(self):
        form = self.opened_form()
        self.assertEqual(
            self.client.post(self.url, {**form, "starts_on": "2020-01-01"}).status_code, 302
        )
        url = reverse("publishing_roleassignment_modeladmin_history", args=[self.role.pk])
        html = self.client.get(url).content.decode()
        for swedish in ("Åtgärd", "Person", "Datum", "Historik", str(self.role)):
            self.assertIn(swedish, html)
        self.assertNotIn(">User<", html.replace(" ", "").replace("\n", ""))


@unittest.skipUnless(connection.vendor == "postgresql", "two sends at once need PostgreSQL")
class SentAtOnceTests(TransactionTestCase):
    """Two sends of one register form that overlap (two tabs sent at once): both read the
    entry before either saved, so the digest alone would let the second save over the first."""

    def setUp(self):
        self.g = build_governed()
        self.g.editor.groups.add(self.g.municipality.communications_group)
        self.role = self.g.leader.role_assignments.get()
        self.url = reverse("publishing_roleassignment_modeladmin_edit", args=[self.role.pk])

    def client_of_editor(self):
        client = Client()
        client.force_login(self.g.editor)
        return client

    def send_at_once(self, *changes):
        """The status codes of sending the form as opened with each of ``changes``, at once."""
        form = self.client_of_editor().get(self.url).context["form"]
        opened = {
            name: "" if form[name].value() is None else str(form[name].value())
            for name in form.fields
        }
        clients = [self.client_of_editor() for _change in changes]
        # Each send waits, once its form is valid (the entry read), until all are.
        everyone_read = threading.Barrier(len(changes), timeout=20)
        clean = MunicipalityScopedForm.clean

        def clean_then_wait(form):
            cleaned = clean(form)
            everyone_read.wait()
            return cleaned

        answers = [None] * len(changes)

        def send(number):
            try:
                answers[number] = clients[number].post(self.url, {**opened, **changes[number]})
            finally:
                connections.close_all()

        with mock.patch.object(MunicipalityScopedForm, "clean", clean_then_wait):
            threads = [threading.Thread(target=send, args=(n,)) for n in range(len(changes))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        return [answer.status_code for answer in answers]

    def test_of_two_different_changes_sent_at_once_one_is_saved_and_one_refused(self):
        codes = self.send_at_once({"starts_on": "2020-01-01"}, {"starts_on": "2021-01-01"})
        self.assertEqual(sorted(codes), [200, 302])
        saved = ["2020-01-01", "2021-01-01"][codes.index(302)]
        self.role.refresh_from_db()
        self.assertEqual(str(self.role.starts_on), saved)

    def test_the_same_change_sent_twice_at_once_is_saved_once(self):
        codes = self.send_at_once({"starts_on": "2020-01-01"}, {"starts_on": "2020-01-01"})
        self.assertEqual(codes, [302, 302])
        self.role.refresh_from_db()
        self.assertEqual(str(self.role.starts_on), "2020-01-01")
