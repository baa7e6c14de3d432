"""The health-check URL that load balancers and monitoring ask."""

from unittest import mock

from django.db import connection
from django.test import TestCase


class HealthCheckTests(TestCase):
    def test_healthy_when_database_and_cache_answer(self):
        response = self.client.get("/healthz/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok", "cache": "ok"})
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_database_that_does_not_answer_gives_503_without_details(self):
        with (
            mock.patch.object(connection, "cursor", side_effect=OSError("db.internal:5432 down")),
            self.assertLogs("config.health", "ERROR"),
        ):
            response = self.client.get("/healthz/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["database"], "error")
        self.assertEqual(response.json()["cache"], "ok")
        self.assertNotIn(b"db.internal", response.content)

    def test_a_cache_that_loses_what_it_was_given_gives_503(self):
        with mock.patch("config.health.cache.get", return_value=None):
            response = self.client.get("/healthz/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"status": "error", "database": "ok", "cache": "error"})
