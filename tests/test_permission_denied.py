"""A request refused for lack of permission answers in the person's language: the admin's page
on the admin's paths, the site's own page elsewhere (Django's is "403 Forbidden" in English)."""

from django.core.exceptions import PermissionDenied
from django.test import RequestFactory, TestCase
from django.urls import reverse
from wagtail.models import Site
from wagtail.users.models import UserProfile

from home.views import permission_denied
from tests.governance import EnglishAdminMixin, reload
from tests.worlds import GovernedWorld


class AdminRefusalTests(GovernedWorld, EnglishAdminMixin, TestCase):
    def test_a_workflow_action_the_sender_may_not_take_is_refused_in_her_language(self):
        g = self.world_objects()
        state = g.municipality.external_workflow.start(reload(g.page), g.publisher)
        task_state = state.current_task_state
        self.login(g.publisher)
        for language, words in (("nb", "Dette har du ikke tilgang til"), ("sv", "inte behörighet")):
            with self.subTest(language=language):
                profile = UserProfile.get_for_user(g.publisher)
                profile.preferred_language = language
                profile.save()
                # As the admin's own scripts send it, which Wagtail does not turn into a message.
                response = self.client.post(
                    reverse(
                        "wagtailadmin_pages:workflow_action",
                        args=[g.page.pk, "approve", task_state.pk],
                    ),
                    {"comment": ""},
                    HTTP_X_REQUESTED_WITH="XMLHttpRequest",
                )
                self.assertContains(response, words, status_code=403)
                self.assertContains(response, f'lang="{language}"', status_code=403)
                self.assertNotContains(response, "Forbidden", status_code=403)


class SiteRefusalTests(GovernedWorld, TestCase):
    def test_the_site_says_it_in_the_municipalitys_language(self):
        g = self.world_objects()
        site = Site.objects.get(pk=g.municipality.site_id)
        request = RequestFactory().get("/noe/", HTTP_HOST=site.hostname)
        response = permission_denied(request, PermissionDenied())
        self.assertEqual(response.status_code, 403)
        self.assertIn("Ikke tillatt", response.content.decode())
