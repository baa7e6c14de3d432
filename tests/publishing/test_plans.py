"""Communication plans in the admin: who may do what, in which municipality, and what it shows."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from wagtail.admin.menu import admin_menu
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from home.models import NewsPage
from publishing.models import (
    Audience,
    CommunicationPlan,
    Municipality,
    OrganisationUnit,
    PlanActivity,
    PlanStatus,
)
from publishing.plans.admin import CommunicationPlanAdmin
from tests.factories import load_municipality
from tests.governance import EnglishAdminMixin
from tests.worlds import DemoWorld

User = get_user_model()


def url(action="index", *args):
    return reverse(f"publishing_communicationplan_modeladmin_{action}", args=args)


class PlanAdminTestCase(DemoWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.avesta = Municipality.objects.get(slug="avesta")
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.linnea = User.objects.get(username="avesta.linnea")  # communications
        cls.maria = User.objects.get(username="avesta.maria")  # leader (unit head)
        cls.oskar = User.objects.get(username="avesta.oskar")  # publisher
        cls.anders = User.objects.get(username="avesta.anders")  # staff only
        cls.silje = User.objects.get(username="alvdal.silje")  # Alvdal's communications
        cls.admin = User.objects.get(username="admin")
        cls.plan = CommunicationPlan.objects.get(
            municipality=cls.avesta, title="Hemtjänsten delas in i tre områden"
        )
        cls.unit = OrganisationUnit.objects.get(municipality=cls.avesta, code="hemtjansten")
        cls.staff = Audience.objects.get(municipality=cls.avesta, code="medarbetare")
        cls.citizens = Audience.objects.get(municipality=cls.avesta, code="kommuninvanare")

    def plan_data(self, **fields):
        """POST data of a complete plan, with one activity and one goal."""
        data = {
            "title": "Ny simhall öppnar",
            "owning_unit": self.unit.pk,
            "responsible": self.maria.pk,
            "status": PlanStatus.DRAFT,
            "starts_on": "2027-03-01",
            "ends_on": "2027-06-30",
            "what": "Berätta att simhallen öppnar.",
            "why": "Alla ska kunna simma.",
            "should_know": "När den öppnar.",
            "follow_up_method": "Vi räknar besökare.",
            "activities": inline_formset(
                [
                    {
                        "title": "Invigning",
                        "channel": "meeting",
                        "owner": self.linnea.pk,
                        "starts_on": "2027-05-20",
                        "ends_on": "",
                        "description": "",
                    }
                ]
            ),
            "goals": inline_formset(
                [{"description": "Många kommer", "measure": "Besökare", "target": "500"}]
            ),
            "follow_ups": inline_formset([]),
        }
        extra = fields.pop("extra", {})
        data.update(fields)
        flat = nested_form_data(data)
        flat["audiences"] = [self.citizens.pk]
        flat["activities-0-audiences"] = [self.staff.pk, self.citizens.pk]
        flat.update(extra)
        return flat

    def assertRefused(self, response):
        """Wagtail answers a refused admin action with a redirect to the dashboard."""
        self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)


class PlanAdminTests(PlanAdminTestCase):
    # One class: the demo is loaded once for all of them.
    def test_communications_editor_creates_a_plan_in_her_municipality(self):
        self.login(self.linnea)
        response = self.client.post(url("create"), self.plan_data())
        self.assertEqual(response.status_code, 302)
        plan = CommunicationPlan.objects.get(title="Ny simhall öppnar")
        self.assertEqual(plan.municipality, self.avesta)
        self.assertEqual(list(plan.audiences.all()), [self.citizens])
        activity = plan.activities.get()
        self.assertEqual(activity.owner, self.linnea)
        self.assertEqual(set(activity.audiences.all()), {self.staff, self.citizens})
        self.assertEqual(plan.goals.get().target, "500")

    def test_communications_editor_edits_and_deletes_a_plan(self):
        self.login(self.linnea)
        self.client.post(url("create"), self.plan_data())
        plan = CommunicationPlan.objects.get(title="Ny simhall öppnar")
        activity = plan.activities.get()
        goal = plan.goals.get()
        data = self.plan_data(
            title="Nya simhallen öppnar",
            activities=inline_formset(
                [
                    {
                        "id": activity.pk,
                        "title": "Invigning",
                        "channel": "meeting",
                        "starts_on": "2027-05-20",
                        "DELETE": "1",
                    }
                ],
                initial=1,
            ),
            goals=inline_formset(
                [
                    {
                        "id": goal.pk,
                        "description": "Många kommer",
                        "measure": "Besökare",
                        "target": "500",
                        "result": "650",
                        "achieved": "true",
                    }
                ],
                initial=1,
            ),
        )
        response = self.client.post(url("edit", plan.pk), data)
        self.assertEqual(response.status_code, 302)
        plan.refresh_from_db()
        self.assertEqual(plan.title, "Nya simhallen öppnar")
        self.assertFalse(plan.activities.exists())
        self.assertEqual(plan.goals.get().result, "650")
        self.assertTrue(plan.goals.get().achieved)

        response = self.client.post(url("delete", plan.pk))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(CommunicationPlan.objects.filter(pk=plan.pk).exists())

    def test_leader_plans_but_does_not_delete(self):
        self.login(self.maria)
        self.assertEqual(self.client.get(url("edit", self.plan.pk)).status_code, 200)
        response = self.client.post(url("create"), self.plan_data())
        self.assertEqual(response.status_code, 302)
        plan = CommunicationPlan.objects.get(title="Ny simhall öppnar")
        self.assertRefused(self.client.post(url("delete", plan.pk)))
        self.assertTrue(CommunicationPlan.objects.filter(pk=plan.pk).exists())

    def test_publisher_reads_but_does_not_change(self):
        self.login(self.oskar)
        self.assertContains(self.client.get(url()), self.plan.title)
        self.assertEqual(self.client.get(url("inspect", self.plan.pk)).status_code, 200)
        self.assertRefused(self.client.get(url("edit", self.plan.pk)))
        self.assertRefused(self.client.get(url("create")))

    def test_staff_without_admin_access_are_sent_to_log_in(self):
        self.client.force_login(self.anders)
        self.assertEqual(self.client.get(url()).status_code, 302)

    def test_profile_grants_plan_permissions_to_the_groups(self):
        def codenames(key):
            return set(
                Permission.objects.filter(
                    group=self.avesta.group(key), codename__endswith="_communicationplan"
                ).values_list("codename", flat=True)
            )

        actions = lambda *names: {f"{name}_communicationplan" for name in names}  # noqa: E731
        self.assertEqual(codenames("communications"), actions("view", "add", "change", "delete"))
        self.assertEqual(codenames("leaders"), actions("view", "add", "change"))
        self.assertEqual(codenames("publishers"), actions("view"))
        self.assertEqual(codenames("staff"), set())

    def test_a_responsible_who_has_left_the_groups_does_not_block_saving(self):
        former = User.objects.create_user("avesta.former", first_name="Tidigare", last_name="Chef")
        former.groups.add(self.avesta.group("leaders"))
        self.login(self.linnea)
        self.client.post(url("create"), self.plan_data(responsible=former.pk))
        plan = CommunicationPlan.objects.get(title="Ny simhall öppnar")
        former.groups.clear()
        activity = plan.activities.get()
        data = self.plan_data(
            responsible=former.pk,
            activities=inline_formset(
                [
                    {
                        "id": activity.pk,
                        "title": "Invigning",
                        "channel": "meeting",
                        "owner": self.linnea.pk,
                        "starts_on": "2027-05-20",
                    }
                ],
                initial=1,
            ),
            goals=inline_formset([]),
        )
        response = self.client.post(url("edit", plan.pk), data)
        self.assertEqual(response.status_code, 302)
        plan.refresh_from_db()
        self.assertEqual(plan.responsible, former)
        # A new plan cannot choose them any more.
        response = self.client.post(url("create"), self.plan_data(responsible=former.pk))
        self.assertIn("responsible", response.context["form"].errors)

    def test_other_municipalitys_plans_are_not_found(self):
        self.login(self.silje)
        listing = self.client.get(url())
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, self.plan.title)
        self.assertContains(listing, "Lengre åpningstid i hjemmetjenesten")
        for action in ("edit", "inspect", "delete", "history"):
            with self.subTest(action=action):
                self.assertEqual(self.client.get(url(action, self.plan.pk)).status_code, 404)
        response = self.client.post(url("edit", self.plan.pk), self.plan_data(title="Kapad"))
        self.assertEqual(response.status_code, 404)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.title, "Hemtjänsten delas in i tre områden")

    def test_staff_membership_elsewhere_shows_no_plans(self):
        # Silje plans in Alvdal and is also on Avesta's staff: permissions are global, so only
        # her planning and publishing groups may decide whose plans she reads.
        self.silje.groups.add(self.avesta.group("staff"))
        self.login(self.silje)
        self.assertNotContains(self.client.get(url()), self.plan.title)
        self.assertEqual(self.client.get(url("inspect", self.plan.pk)).status_code, 404)
        wheel = self.client.get(
            reverse("publishing:annual_wheel"), {"municipality": self.avesta.pk}
        )
        self.assertEqual(wheel.context["municipality"], self.alvdal)

    def test_choices_come_from_the_users_municipality(self):
        self.login(self.linnea)
        form = self.client.get(url("create")).context["form"]
        self.assertEqual(list(form.fields["municipality"].queryset), [self.avesta])
        self.assertTrue(form.fields["municipality"].disabled)
        self.assertEqual(
            set(form.fields["owning_unit"].queryset.values_list("municipality", flat=True)),
            {self.avesta.pk},
        )
        self.assertEqual(
            set(form.fields["audiences"].queryset.values_list("municipality", flat=True)),
            {self.avesta.pk},
        )
        usernames = set(form.fields["responsible"].queryset.values_list("username", flat=True))
        self.assertIn("avesta.maria", usernames)
        self.assertFalse(any(name.startswith("alvdal.") for name in usernames))
        # The inline activity forms, including the empty one the "Add" button copies.
        activity_form = form.formsets["activities"].empty_form
        owners = set(activity_form.fields["owner"].queryset.values_list("username", flat=True))
        self.assertEqual(owners, usernames)
        self.assertEqual(
            set(activity_form.fields["audiences"].queryset.values_list("municipality", flat=True)),
            {self.avesta.pk},
        )

    def test_choices_of_another_municipality_are_refused(self):
        self.login(self.linnea)
        alvdal_unit = OrganisationUnit.objects.filter(municipality=self.alvdal).first()
        alvdal_audience = Audience.objects.filter(municipality=self.alvdal).first()
        hilde = User.objects.get(username="alvdal.hilde")
        data = self.plan_data(
            owning_unit=alvdal_unit.pk,
            responsible=hilde.pk,
            municipality=self.alvdal.pk,
            extra={"activities-0-owner": hilde.pk, "activities-0-audiences": [alvdal_audience.pk]},
        )
        response = self.client.post(url("create"), data)
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("owning_unit", form.errors)
        self.assertIn("responsible", form.errors)
        activity_errors = form.formsets["activities"].forms[0].errors
        self.assertIn("owner", activity_errors)
        self.assertIn("audiences", activity_errors)
        self.assertFalse(CommunicationPlan.objects.filter(title="Ny simhall öppnar").exists())

    def test_a_superuser_keeps_each_plan_within_the_chosen_municipality(self):
        self.login(self.admin)
        alvdal_audience = Audience.objects.filter(municipality=self.alvdal).first()
        data = self.plan_data(municipality=self.avesta.pk)
        data["audiences"] = [alvdal_audience.pk]
        response = self.client.post(url("create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["audiences"],
            ["Choose from the plan's own municipality, Avesta kommun."],
        )
        data = self.plan_data(municipality=self.alvdal.pk)
        response = self.client.post(url("create"), data)
        errors = response.context["form"].errors
        self.assertEqual(errors["owning_unit"], ["Choose a unit of the plan's own municipality."])
        self.assertIn("audiences", errors)
        self.assertIn("responsible", errors)

    def post_errors(self, data):
        self.login(self.linnea)
        response = self.client.post(url("create"), data)
        self.assertEqual(response.status_code, 200)
        return response.context["form"]

    def test_dates_in_the_right_order(self):
        form = self.post_errors(
            self.plan_data(
                starts_on="2027-06-01",
                ends_on="2027-05-01",
                extra={"activities-0-ends_on": "2027-05-01"},
            )
        )
        self.assertEqual(form.errors["ends_on"], ["The plan cannot end before it starts."])
        self.assertEqual(
            form.formsets["activities"].forms[0].errors["ends_on"],
            ["The activity cannot end before it starts."],
        )

    def test_a_goal_is_measurable(self):
        form = self.post_errors(
            self.plan_data(goals=inline_formset([{"description": "Många kommer"}]))
        )
        goal_errors = form.formsets["goals"].forms[0].errors
        self.assertIn("measure", goal_errors)
        self.assertIn("target", goal_errors)

    def test_an_active_plan_answers_the_seven_questions(self):
        data = self.plan_data(
            status=PlanStatus.ACTIVE,
            what="",
            why="",
            should_know="",
            follow_up_method="",
            activities=inline_formset([]),
            goals=inline_formset([]),
        )
        del data["activities-0-audiences"]
        data["audiences"] = []
        form = self.post_errors(data)
        self.assertEqual(
            form.errors["what"], ["An active plan says what we want to do (question 1)."]
        )
        self.assertEqual(form.errors["why"], ["An active plan says why we do it (question 2)."])
        self.assertEqual(
            form.errors["audiences"], ["An active plan names whom we want to reach (question 3)."]
        )
        self.assertIn("question 4", form.errors["should_know"][0])
        self.assertIn("question 7", form.errors["follow_up_method"][0])
        self.assertEqual(
            form.non_field_errors(),
            [
                "An active plan has at least one activity: who does what, and when.",
                "An active plan has at least one measurable goal.",
            ],
        )

    def test_a_complete_active_plan_is_saved_and_a_completed_one_needs_a_follow_up(self):
        self.login(self.linnea)
        response = self.client.post(url("create"), self.plan_data(status=PlanStatus.ACTIVE))
        self.assertEqual(response.status_code, 302)
        plan = CommunicationPlan.objects.get(title="Ny simhall öppnar")
        data = self.plan_data(
            status=PlanStatus.COMPLETED,
            activities=inline_formset([]),
        )
        del data["activities-0-audiences"]
        response = self.client.post(url("edit", plan.pk), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "A completed plan has a follow-up: what we learnt for next time.",
            response.context["form"].non_field_errors(),
        )

    def test_inspect_shows_the_answers_goals_and_results(self):
        self.login(self.maria)
        response = self.client.get(url("inspect", self.plan.pk))
        self.assertContains(response, "1. What do we want to do?")
        self.assertContains(response, self.plan.what)
        self.assertContains(response, "7. How do we follow up?")
        self.assertContains(response, "Alla medarbetare vet vilket område de tillhör")
        self.assertContains(response, "<td>100 %</td>", html=True)  # the result
        self.assertContains(response, "Brev till brukarna")

    def test_inspect_lists_the_pages_that_link_to_the_plan(self):
        self.login(self.linnea)
        response = self.client.get(url("inspect", self.plan.pk))
        news = NewsPage.objects.get(slug="hemtjansten-delas-in-i-tre-omraden")
        self.assertContains(response, reverse("wagtailadmin_pages:edit", args=[news.pk]), count=1)
        self.assertContains(response, "Hemtjänsten delas in i tre områden – nya scheman")
        other = NewsPage.objects.get(slug="tyck-till-om-oversiktsplanen")
        self.assertNotContains(response, reverse("wagtailadmin_pages:edit", args=[other.pk]))

    def test_a_link_made_in_a_draft_is_shown(self):
        other = CommunicationPlan.objects.get(
            municipality=self.avesta, title="Rekrytering till bristyrken"
        )
        page = NewsPage.objects.get(slug="hemtjansten-delas-in-i-tre-omraden")
        draft = page.get_latest_revision_as_object()
        draft.communication_plan = other
        draft.save_revision(user=self.linnea)
        self.login(self.linnea)
        response = self.client.get(url("inspect", other.pk))
        self.assertContains(response, reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertContains(response, "linked in the draft")

    def test_every_governed_page_type_is_asked(self):
        plan = CommunicationPlan.objects.get(
            municipality=self.alvdal, title="Lengre åpningstid i hjemmetjenesten"
        )
        kinds = {type(page).__name__ for page in plan.linked_pages()}
        self.assertEqual(kinds, {"NewsPage", "InternalNoticePage"})
        self.assertTrue(all(isinstance(page, Page) for page in plan.linked_pages()))

    def menu_urls(self, user):
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/")
        request.user = user

        def walk(items):
            for item in items:
                yield str(item.url)
                for child in getattr(item, "menu_items", []) or []:
                    yield from walk([child])
                sub = getattr(item, "menu", None)
                if sub is not None:
                    yield from walk(sub.menu_items_for_request(request))

        return set(walk(admin_menu.menu_items_for_request(request)))

    def test_plans_in_governance_and_the_wheel_under_reports(self):
        urls = self.menu_urls(self.maria)
        self.assertIn(url(), urls)
        self.assertIn(reverse("publishing:annual_wheel"), urls)

    def test_the_list_writes_the_plans_dates_as_the_language_does(self):
        self.login(self.linnea)
        self.client.post(url("create"), self.plan_data())  # 1 March to 30 June 2027
        html = self.client.get(url()).content.decode()  # the tests' admin speaks English
        self.assertIn("March 1, 2027 – June 30, 2027", html)
        self.assertNotIn("2027-03-01", html)
        plan = CommunicationPlan.objects.get(title="Ny simhall öppnar")
        for language, period in (("sv", "1 mars 2027 – 30 juni 2027"), ("nb", "1. mars 2027")):
            with translation.override(language):
                self.assertIn(period, CommunicationPlanAdmin.period(None, plan))

    def test_index_links_to_the_wheel(self):
        self.login(self.linnea)
        self.assertContains(self.client.get(url()), reverse("publishing:annual_wheel"))


class PlanModelTests(TestCase):
    def test_an_activity_without_audiences_reaches_the_plans(self):
        avesta = load_municipality("avesta")
        audiences = list(avesta.audiences.all())
        plan = CommunicationPlan(municipality=avesta, title="Plan")
        plan.audiences.set(audiences[:2])
        own = PlanActivity(title="Egen", channel="web", starts_on=datetime.date(2027, 1, 1))
        own.audiences.set(audiences[-1:])
        inherited = PlanActivity(
            title="Planens", channel="web", starts_on=datetime.date(2027, 1, 2)
        )
        plan.activities = [own, inherited]
        plan.save()
        own, inherited = plan.activities.order_by("starts_on")
        self.assertEqual(own.effective_audiences(), audiences[-1:])
        self.assertEqual(inherited.effective_audiences(), audiences[:2])
