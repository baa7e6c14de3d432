"""Production with ``REDIS_URL``: a real Redis server is the cache of every app server.

A throwaway ``redis-server`` on a loopback port (Debian's package; ``.ci/run`` installs it) and
the production settings module in a child process, as gunicorn would load them.
"""

import json
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from django.test import SimpleTestCase

from tests.test_settings import PRODUCTION_ENV, run_python, without_production_env

REDIS_SERVER = shutil.which("redis-server")

PROBE = """
import django, json
django.setup()
from django.core.cache import caches
from django.test import RequestFactory
from config.health import healthz

outcome = {"health": healthz(RequestFactory().get("/healthz/")).status_code}
default, renditions = caches["default"], caches["renditions"]
outcome["backends"] = [type(default).__module__, type(renditions).__module__]
if outcome["health"] == 200:
    default.set("chrome:1", "banner", 60)
    renditions.set("chrome:1", "rendition", 60)
    outcome.update(default=default.get("chrome:1"), renditions=renditions.get("chrome:1"))
print(json.dumps(outcome))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@unittest.skipUnless(
    REDIS_SERVER, "needs redis-server (apt-get install redis-server; .ci/run does)"
)
class RedisCacheTests(SimpleTestCase):
    def setUp(self):
        self.port = free_port()
        self.folder = folder = self.enterContext(tempfile.TemporaryDirectory())
        self.server = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            cwd=folder,
            stdout=subprocess.DEVNULL,
        )
        self.addCleanup(self.server.wait, 10)
        self.addCleanup(self.server.terminate)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)

    def probe(self):
        return run_python(
            PROBE,
            {
                **without_production_env(),
                **PRODUCTION_ENV,
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "REDIS_URL": f"redis://127.0.0.1:{self.port}/0",
                "REDIS_RENDITIONS_URL": f"redis://127.0.0.1:{self.port}/1",
                # A database that answers, so that the health check speaks of the cache alone.
                "DATABASE_URL": f"sqlite:///{self.folder}/db.sqlite3",
            },
        )

    def test_both_caches_live_in_redis_apart_and_the_health_check_sees_it(self):
        result = self.probe()
        self.assertEqual(result.returncode, 0, result.stderr)
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(outcome["backends"], ["django_redis.cache", "django_redis.cache"])
        # The same key in each cache holds its own value: renditions never push out the chrome.
        self.assertEqual(outcome["default"], "banner")
        self.assertEqual(outcome["renditions"], "rendition")
        self.assertEqual(outcome["health"], 200)

    def test_a_redis_that_is_gone_makes_the_health_check_fail(self):
        self.server.terminate()
        self.server.wait(10)
        result = self.probe()
        self.assertEqual(result.returncode, 0, result.stderr)
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        # The load balancer takes this app server out until its cache is back.
        self.assertEqual(outcome["health"], 503)
        self.assertIn("health check cache failed", result.stderr)
