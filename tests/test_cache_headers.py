"""Cache headers on the public site, and frontend-cache purges when pages leave public view.

Anonymous visits to live, public pages may be kept by shared caches for a short while; anything
for a signed-in user is private; restricted pages (the intranet) and the forms in front of them
are never stored. A page made private is purged from the frontend cache with everything below it
and the pages that list it.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory, TestCase, override_settings
from django.urls import resolve, reverse
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.models import PageViewRestriction

from home.serving import apply_cache_policy
from publishing.workflow import removal
from tests.factories import UserFactory
from tests.governance import news_page, publish_notice, reload
from tests.worlds import GovernedWorld

PUBLIC = "public, max-age=300"


def directives(response):
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def varies_on_cookie(response):
    return "cookie" in {v.strip().lower() for v in response.get("Vary", "").split(",")}


class CacheHeaderTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        cls.news = news_page(g, "Vannet stenges tirsdag", "vann", affects_staff=False)
        cls.news.get_latest_revision().publish()
        cls.news = reload(cls.news)
        publish_notice(g)
        cls.notice = reload(g.notice)
        cls.host = g.municipality.site.hostname
        cls.outsider = UserFactory(username="outsider")

    def get(self, path, **extra):
        return self.client.get(path, HTTP_HOST=self.host, **extra)

    def assert_never_stored(self, response):
        self.assertLessEqual({"private", "no-store"}, directives(response), response.headers)
        self.assertNotIn("public", directives(response))

    def assert_private(self, response):
        self.assertIn("private", directives(response), response.headers)
        self.assertNotIn("public", directives(response))

    def test_anonymous_visitors_get_public_pages_shared_for_five_minutes(self):
        for path in ("/", self.g.news_index.url, self.news.url):
            response = self.get(path)
            self.assertEqual(response.status_code, 200, path)
            self.assertEqual(response["Cache-Control"], PUBLIC, path)
            self.assertTrue(varies_on_cookie(response), path)
            self.assertFalse(response.cookies, path)

    @override_settings(PUBLIC_CACHE_MAX_AGE=60)
    def test_the_max_age_comes_from_the_setting(self):
        self.assertEqual(self.get(self.news.url)["Cache-Control"], "public, max-age=60")

    def test_signed_in_users_get_private_pages(self):
        for user in (self.g.publisher, self.outsider):
            self.client.force_login(user)
            response = self.get(self.news.url)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Cache-Control"], "private, max-age=0", user)
            self.assertTrue(varies_on_cookie(response))

    def test_feed_and_sitemap_are_public_for_five_minutes(self):
        for path in (f"{self.g.news_index.url}feed/", "/sitemap.xml"):
            response = self.get(path)
            self.assertEqual(response.status_code, 200, path)
            self.assertEqual(response["Cache-Control"], PUBLIC, path)

    def test_search_results_are_private(self):
        response = self.get(reverse("search"), data={"q": "vann"})
        self.assertEqual(response.status_code, 200)
        self.assert_private(response)

    def test_intranet_is_never_stored_for_anonymous_visitors_or_staff(self):
        for path in (self.g.intranet.url, self.notice.url):
            response = self.get(path)
            self.assertEqual(response.status_code, 302, path)
            self.assert_never_stored(response)
        self.client.force_login(self.outsider)
        response = self.get(self.notice.url)
        self.assertEqual(response.status_code, 302)
        self.assert_never_stored(response)
        self.client.force_login(self.g.publisher)  # in the staff group
        response = self.get(self.notice.url)
        self.assertContains(response, self.notice.title)
        self.assert_never_stored(response)

    def test_login_and_password_forms_are_never_stored(self):
        restriction = PageViewRestriction.objects.create(
            page=self.news, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
        response = self.get(self.news.url)
        self.assertContains(response, 'name="password"')
        self.assert_never_stored(response)
        form = reverse(
            "wagtailcore_authenticate_with_password", args=[restriction.pk, self.news.pk]
        )
        response = self.get(form)
        self.assertContains(response, 'name="password"')
        self.assert_never_stored(response)
        response = self.get(reverse("wagtailcore_login"))
        self.assertEqual(response.status_code, 200)
        self.assert_never_stored(response)

    def test_a_page_made_private_is_no_longer_shared(self):
        self.assertEqual(self.get(self.news.url)["Cache-Control"], PUBLIC)
        restriction = PageViewRestriction.objects.create(
            page=self.news, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(self.g.municipality.staff_group)
        self.assert_never_stored(self.get(self.news.url))

    def test_a_response_that_sets_a_cookie_is_private(self):
        # No public page sets one today (the feedback form keeps its CSRF token off the page),
        # so this asks the policy directly, with an anonymous request for a public page.
        request = RequestFactory().get(self.news.url, HTTP_HOST=self.host)
        request.resolver_match = resolve(self.news.url)
        request.user = AnonymousUser()
        response = HttpResponse("page")
        response.set_cookie("csrftoken", "secret")
        apply_cache_policy(request, response)
        self.assertEqual(response["Cache-Control"], "private, max-age=0")

    def test_admin_responses_are_left_to_their_views(self):
        self.client.force_login(self.g.superuser)
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("public", directives(response))


class CapturingBackend(BaseBackend):
    """A frontend cache that only writes down what it was asked to purge."""

    purged = []

    def purge(self, url):
        CapturingBackend.purged.append(url)


CAPTURE = {"capture": {"BACKEND": "tests.test_cache_headers.CapturingBackend"}}


def purges(callbacks):
    """The callbacks a transaction queued, without the kept findings' bookkeeping (which lets
    the request's next transaction count its changes): the frontend cache's purges."""
    return [c for c in callbacks if c.__module__ != "publishing.reports.live_findings"]


@override_settings(WAGTAILFRONTENDCACHE=CAPTURE)
class FrontendCachePurgeTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        cls.news = news_page(g, "Vannet stenges tirsdag", "vann", affects_staff=False)
        cls.news.get_latest_revision().publish()
        cls.news = reload(cls.news)
        cls.site_root = g.municipality.site.root_url

    def setUp(self):
        CapturingBackend.purged = []

    def purged_after(self, action):
        CapturingBackend.purged = []
        with self.captureOnCommitCallbacks(execute=True):
            action()
        return set(CapturingBackend.purged)

    def test_a_page_made_private_is_purged_with_the_pages_that_list_it(self):
        def make_private():
            restriction = PageViewRestriction.objects.create(
                page=self.news, restriction_type=PageViewRestriction.GROUPS
            )
            restriction.groups.add(self.g.municipality.staff_group)

        purged = self.purged_after(make_private)
        self.assertIn(self.news.get_full_url(), purged)
        self.assertIn(self.g.news_index.get_full_url(), purged)
        self.assertIn(self.g.home.get_full_url(), purged)
        self.assertIn(f"{self.site_root}/sitemap.xml", purged)
        # The feed lists the news too.
        self.assertIn(f"{self.g.news_index.get_full_url()}feed/", purged)

    def test_a_private_section_is_purged_with_every_page_below_it(self):
        purged = self.purged_after(
            lambda: PageViewRestriction.objects.create(
                page=self.g.news_index, restriction_type=PageViewRestriction.LOGIN
            )
        )
        self.assertLessEqual({self.g.news_index.get_full_url(), self.news.get_full_url()}, purged)

    def test_a_changed_or_removed_restriction_purges_again(self):
        restriction = PageViewRestriction.objects.create(
            page=self.news, restriction_type=PageViewRestriction.LOGIN
        )

        def to_staff_only():
            restriction.restriction_type = PageViewRestriction.GROUPS
            restriction.save()

        self.assertIn(self.news.get_full_url(), self.purged_after(to_staff_only))
        self.assertIn(self.news.get_full_url(), self.purged_after(restriction.delete))

    def test_nothing_is_purged_before_the_transaction_commits(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            PageViewRestriction.objects.create(
                page=self.news, restriction_type=PageViewRestriction.LOGIN
            )
        self.assertEqual(CapturingBackend.purged, [])
        self.assertEqual(len(purges(callbacks)), 1)

    def test_unpublishing_purges_the_page_and_its_listings(self):
        with removal.because("Vannet er på igjen."):
            purged = self.purged_after(self.news.unpublish)
        # The page itself by Wagtail's own handler, its listings by ours.
        self.assertIn(self.news.get_full_url(), purged)
        self.assertIn(self.g.news_index.get_full_url(), purged)
        self.assertIn(f"{self.site_root}/sitemap.xml", purged)

    def test_publishing_purges_the_page_and_its_listings(self):
        other = news_page(self.g, "Brøyting", "broyting", affects_staff=False)
        purged = self.purged_after(lambda: other.get_latest_revision().publish())
        other = reload(other)
        self.assertIn(other.get_full_url(), purged)
        self.assertIn(self.g.news_index.get_full_url(), purged)

    @override_settings(WAGTAILFRONTENDCACHE={})
    def test_without_a_frontend_cache_nothing_is_queued(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            PageViewRestriction.objects.create(
                page=self.news, restriction_type=PageViewRestriction.LOGIN
            )
        self.assertEqual(purges(callbacks), [])
        self.assertEqual(CapturingBackend.purged, [])
