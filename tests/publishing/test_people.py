"""People are chosen and shown by name, role and unit, never by username."""

import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from home.models import ServicePage
from publishing.models import OrganisationUnit, Role, RoleAssignment
from publishing.people import labels_by_id, person_label
from tests.worlds import DemoWorld

User = get_user_model()


class PeopleTestCase(DemoWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hilde = User.objects.get(username="alvdal.hilde")
        cls.silje = User.objects.get(username="alvdal.silje")  # Alvdal's communications
        cls.home_care = OrganisationUnit.objects.get(
            municipality__slug="alvdal", name="Hjemmetjenesten"
        )

    def editor_html(self, page, language="nb", data=None):
        self.client.force_login(self.silje)
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        response = self.client.get(url, HTTP_ACCEPT_LANGUAGE=language, HTTP_HOST="alvdal.localhost")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        start = html.index('<select name="responsible_leader"')
        return html[start : html.index("</select>", start)]


class PersonLabelTests(PeopleTestCase):
    def test_a_leader_is_shown_with_role_and_unit_in_the_users_language(self):
        with translation.override("nb"):
            self.assertEqual(
                person_label(self.hilde), "Hilde Sandvik – Enhetsleder, Hjemmetjenesten"
            )
        with translation.override("en"):
            self.assertEqual(person_label(self.hilde), "Hilde Sandvik – Unit head, Hjemmetjenesten")

    def test_the_most_senior_role_names_a_person_with_several(self):
        RoleAssignment.objects.create(user=self.hilde, unit=self.home_care, role=Role.EMPLOYEE)
        with translation.override("en"):
            self.assertEqual(person_label(self.hilde), "Hilde Sandvik – Unit head, Hjemmetjenesten")

    def test_a_person_without_a_role_is_shown_by_name_and_without_a_name_by_username(self):
        nobody = User.objects.create_user("x.nobody", first_name="Nils", last_name="Nord")
        self.assertEqual(person_label(nobody), "Nils Nord")
        self.assertEqual(person_label(User.objects.create_user("x.noname")), "x.noname")
        self.assertEqual(person_label(None), "")

    def test_many_labels_cost_two_queries(self):
        ids = list(User.objects.values_list("pk", flat=True))
        self.assertGreater(len(ids), 20)
        with CaptureQueriesContext(connection) as queries:
            labels = labels_by_id(ids)
        self.assertEqual(len(queries), 2)
        self.assertFalse(any(label.startswith(("alvdal.", "avesta.")) for label in labels.values()))


class LeaderPickerTests(PeopleTestCase):
    def test_the_leaders_of_the_units_line_come_first_nearest_first(self):
        page = ServicePage.objects.filter(owning_unit=self.home_care).first()
        select = self.editor_html(page)
        groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S)
        self.assertEqual(
            [label for label, _options in groups],
            ["Ledere i linjen til Hjemmetjenesten", "Andre ledere"],
        )
        line = re.findall(r"<option[^>]*>([^<]*)</option>", groups[0][1])
        self.assertEqual(
            line,
            [
                "Hilde Sandvik – Enhetsleder, Hjemmetjenesten",
                "Sigrid Moen – Kommunalsjef, Helse og omsorg",
                "Anders Nyhus – Kommunedirektør, Alvdal kommune",
                "Marit Bakken – Ordfører, Alvdal kommune",
            ],
        )
        others = re.findall(r"<option[^>]*>([^<]*)</option>", groups[1][1])
        self.assertEqual(others, sorted(others, key=str.casefold))
        self.assertNotRegex(select, r">(alvdal|avesta)\.")
        self.assertNotIn("Avesta", select)

    def test_the_picker_searches_and_follows_the_unit_in_swedish_too(self):
        self.silje.wagtail_userprofile.preferred_language = "sv"
        self.silje.wagtail_userprofile.save()
        page = ServicePage.objects.filter(owning_unit=self.home_care).first()
        html = self.editor_html(page)
        self.assertIn('data-leader-select=""', html)
        self.assertIn('data-line-label="Chefer i linjen för %(unit)s"', html)
        self.assertIn("Hilde Sandvik – Enhetschef, Hjemmetjenesten", html)


class RegisterTests(PeopleTestCase):
    def test_the_roles_register_lists_people_by_name(self):
        self.client.force_login(User.objects.get(username="admin"))
        response = self.client.get(
            reverse("publishing_roleassignment_modeladmin_index"), HTTP_ACCEPT_LANGUAGE="nb"
        )
        self.assertContains(response, "Hilde Sandvik")
        self.assertNotContains(response, ">alvdal.hilde<")
