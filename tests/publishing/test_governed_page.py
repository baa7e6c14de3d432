"""Governed page fields are validated in the admin with clear, translated errors."""

from django.urls import reverse
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtail.users.models import UserProfile

from home.models import InternalNoticePage, NewsIndexPage, NewsPage, StandardPage
from publishing.models import Sensitivity
from publishing.rules.governance import field_errors as governance_field_errors
from tests.factories import UserFactory, line_organisation, load_municipality


class GovernedPageValidationTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.municipality = load_municipality("alvdal")
        cls.line = line_organisation(cls.municipality)
        cls.home = cls.municipality.site.root_page.specific
        cls.news_index = NewsIndexPage.objects.child_of(cls.home).get()
        cls.notice = cls.municipality.intranet_page.add_child(
            instance=InternalNoticePage(
                title="Nye turnuser",
                slug="nye-turnuser",
                owning_unit=cls.line.unit,
                responsible_leader=cls.line.unit_head,
            )
        )
        cls.admin = UserFactory(username="admin", is_superuser=True, is_staff=True)

    def setUp(self):
        self.client.force_login(self.admin)

    def page(self, **fields):
        values = {
            "title": "Nyhet",
            "slug": "nyhet",
            "owning_unit": self.line.unit,
            "responsible_leader": self.line.unit_head,
        }
        values.update(fields)
        return NewsPage(**values)

    def test_exempt_without_legal_basis(self):
        errors = governance_field_errors(self.page(sensitivity=Sensitivity.EXEMPT))
        self.assertIn("exemption_basis", errors)
        page = self.page(sensitivity=Sensitivity.EXEMPT, exemption_basis="offl. § 13")
        self.assertEqual(governance_field_errors(page), {})

    def test_leader_must_hold_a_leader_role_in_the_owning_units_line(self):
        for leader in (self.line.unit_head, self.line.sector_head, self.line.chief):
            self.assertEqual(
                governance_field_errors(self.page(responsible_leader=leader)), {}, leader
            )
        for person in (self.line.other_head, self.line.employee):
            errors = governance_field_errors(self.page(responsible_leader=person))
            self.assertIn("responsible_leader", errors)
            self.assertIn(self.line.unit.name, str(errors["responsible_leader"]))

    def test_internal_notice_must_be_an_internal_notice(self):
        errors = governance_field_errors(self.page(internal_notice=self.news_index))
        self.assertIn("internal_notice", errors)
        self.assertEqual(governance_field_errors(self.page(internal_notice=self.notice)), {})

    def form_data(self, **overrides):
        data = {
            "title": "Hjemmetjenesten får nye turnuser",
            "slug": "nye-turnuser-ekstern",
            "date": "2026-11-22",
            "intro": "Fra januar endrer vi turnusene.",
            "body": streamfield([]),
            "owning_unit": self.line.unit.pk,
            "responsible_leader": self.line.unit_head.pk,
            "audiences": [self.municipality.audiences.get(code="innbyggere").pk],
            "sensitivity": "open",
            "exemption_basis": "",
            "internal_notice": "",
            "review_by": "2027-11-22",
        }
        data.update(overrides)
        return nested_form_data(data)

    def post_create(self, data, publish=False):
        if publish:
            data["action-publish"] = "action-publish"
        url = reverse("wagtailadmin_pages:add", args=("home", "newspage", self.news_index.pk))
        return self.client.post(url, data)

    def test_admin_create_shows_each_error_in_the_users_language(self):
        data = self.form_data(
            sensitivity="exempt",
            responsible_leader=self.line.other_head.pk,
            internal_notice=self.news_index.pk,
        )
        profile = UserProfile.get_for_user(self.admin)
        for language, word in (("nb", "hjemmel"), ("sv", "lagstöd"), ("en", "legal basis")):
            profile.preferred_language = language
            profile.save()
            response = self.post_create(data)
            self.assertEqual(response.status_code, 200)
            form = response.context["form"]
            self.assertEqual(
                set(form.errors), {"exemption_basis", "responsible_leader", "internal_notice"}
            )
            # Lazy messages are rendered in the request's language, so read the page itself.
            self.assertContains(response, word, msg_prefix=language)
        self.assertFalse(NewsPage.objects.filter(slug="nye-turnuser-ekstern").exists())

    def test_admin_create_with_valid_governance_saves_the_draft(self):
        response = self.post_create(
            self.form_data(affects_staff="on", internal_notice=self.notice.pk)
        )
        self.assertEqual(response.status_code, 302)
        page = NewsPage.objects.get(slug="nye-turnuser-ekstern")
        self.assertEqual(page.responsible_leader, self.line.unit_head)
        self.assertEqual(page.internal_notice.pk, self.notice.pk)
        self.assertFalse(page.live)

    def test_draft_may_leave_responsibility_empty_but_publish_may_not(self):
        data = self.form_data(owning_unit="", responsible_leader="", audiences=[])
        response = self.post_create(dict(data))
        self.assertEqual(response.status_code, 302, "a draft may be incomplete")
        response = self.post_create({**data, "slug": "andre"}, publish=True)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            {"owning_unit", "responsible_leader", "audiences"}
            <= set(response.context["form"].errors)
        )

    def test_form_offers_only_this_municipalitys_units_leaders_and_audiences(self):
        avesta = load_municipality("avesta")
        avesta_line = line_organisation(avesta)
        url = reverse("wagtailadmin_pages:add", args=("home", "standardpage", self.home.pk))
        form = self.client.get(url).context["form"]
        units = set(form.fields["owning_unit"].queryset)
        self.assertIn(self.line.unit, units)
        self.assertNotIn(avesta_line.unit, units)
        leaders = set(form.fields["responsible_leader"].queryset)
        self.assertIn(self.line.unit_head, leaders)
        self.assertNotIn(self.line.employee, leaders)
        self.assertNotIn(avesta_line.unit_head, leaders)
        self.assertEqual(
            set(form.fields["audiences"].queryset), set(self.municipality.audiences.all())
        )
        choices = dict(form.fields["exemption_basis"].widget.choices)
        self.assertIn("offl. § 13", choices)
        self.assertIsNotNone(form.initial.get("review_by"), "new pages get a review date")

    def test_standard_page_can_be_created_under_home(self):
        self.assertCanCreateAt(type(self.home), StandardPage)
        self.assertCanNotCreateAt(type(self.home), NewsPage)
