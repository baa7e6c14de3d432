"""Admin logins are throttled: repeated wrong passwords lock that username from that address."""

from django.test import TestCase, override_settings
from django.utils import translation

from tests.factories import UserFactory

LOGIN = "/admin/login/"


@override_settings(AXES_ENABLED=True)
class LoginThrottleTests(TestCase):
    def setUp(self):
        self.user = UserFactory(username="hilde", is_staff=True, is_superuser=True)
        self.enterContext(translation.override("en"))

    def attempt(self, password, address="10.0.0.1"):
        return self.client.post(
            LOGIN,
            {"username": "hilde", "password": password},
            REMOTE_ADDR=address,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    def test_five_wrong_passwords_lock_the_username_from_that_address(self):
        for _ in range(4):
            self.assertEqual(self.attempt("wrong").status_code, 200)  # the form again
        locked = self.attempt("wrong")
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many attempts to log in", status_code=429)
        self.assertContains(locked, "Try again in 15 minutes.", status_code=429)
        # Even the right password is refused while locked...
        self.assertEqual(self.attempt("pw").status_code, 429)
        # ...but the same person elsewhere is not locked out by someone guessing.
        self.assertEqual(self.attempt("pw", address="10.0.0.2").status_code, 302)

    def test_a_successful_login_resets_the_count(self):
        for _ in range(4):
            self.attempt("wrong")
        self.assertEqual(self.attempt("pw").status_code, 302)
        self.client.logout()
        for _ in range(4):
            self.assertEqual(self.attempt("wrong").status_code, 200)

    def test_the_lockout_page_speaks_bokmal(self):
        for _ in range(5):
            response = self.client.post(
                LOGIN, {"username": "hilde", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="nb"
            )
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, 'lang="nb"', status_code=429)
        self.assertNotContains(response, "Too many attempts", status_code=429)


@override_settings(AXES_ENABLED=True, PUBLISHING_TRUSTED_PROXIES=1)
class LoginThrottleBehindProxyTests(TestCase):
    """Behind the municipality's reverse proxy every login arrives from the proxy's address."""

    def setUp(self):
        self.user = UserFactory(username="hilde", is_staff=True, is_superuser=True)

    def attempt(self, password, client, forwarded_for=None):
        return self.client.post(
            LOGIN,
            {"username": "hilde", "password": password},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            # Anything left of what the proxy appended was written by the client.
            HTTP_X_FORWARDED_FOR=forwarded_for or client,
        )

    def test_the_lockout_follows_the_client_not_the_proxy(self):
        for _ in range(5):
            self.attempt("wrong", "198.51.100.7")
        self.assertEqual(self.attempt("pw", "198.51.100.7").status_code, 429)
        # The leader logging in from the town hall, through the same proxy, is let in.
        self.assertEqual(self.attempt("pw", "203.0.113.20").status_code, 302)

    def test_a_forged_forwarded_for_does_not_escape_the_lockout(self):
        for _ in range(5):
            self.attempt("wrong", "198.51.100.7")
        forged = self.attempt("pw", "198.51.100.7", forwarded_for="192.0.2.1, 198.51.100.7")
        self.assertEqual(forged.status_code, 429)
