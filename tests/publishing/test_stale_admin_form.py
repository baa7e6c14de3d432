"""An admin form sent with a stale token (opened before the person signed in again, or in
another person's session) gets a page in the person's own language that says nothing was saved
and how to get back what they wrote, not Django's explanation of CSRF."""

from django.test import Client, TestCase
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.governance import news_page, reload
from tests.worlds import GovernedWorld


class StaleAdminFormTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        cls.page = news_page(g, "Ny leseplass", "leseplass", affects_staff=False, notice=False)

    def stale_post(self, language, referer):
        client = Client(enforce_csrf_checks=True)
        profile = UserProfile.get_for_user(self.g.editor)
        profile.preferred_language = language
        profile.save()
        client.force_login(self.g.editor)
        url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        return client.post(
            url,
            {"title": "Endret tittel", "csrfmiddlewaretoken": "from-an-older-session"},
            HTTP_REFERER=referer or "",
        )

    def test_in_bokmal_and_swedish_with_the_way_back(self):
        edit = "http://testserver" + reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        for language, says in (
            ("nb", "Skjemaet ble ikke sendt"),
            ("sv", "Formuläret skickades inte"),
        ):
            with self.subTest(language=language):
                response = self.stale_post(language, edit)
                self.assertEqual(response.status_code, 403)
                self.assertTemplateUsed(response, "publishing/admin_csrf_failure.html")
                self.assertContains(response, says, status_code=403)
                self.assertContains(response, f'href="{edit}"', status_code=403)
                self.assertNotContains(response, "CSRF", status_code=403)
                self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(reload(self.page).title, "Ny leseplass")  # nothing was saved

    def test_a_referer_from_elsewhere_is_not_offered(self):
        response = self.stale_post("nb", "https://evil.example/phish")
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "evil.example", status_code=403)
