"""Production settings read secrets from the environment and refuse to start without them."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase
from wagtail.admin.localization import get_available_admin_time_zones

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "www.alvdal.kommune.no",
    "DATABASE_URL": "postgres://app@localhost/app",
    "WAGTAILADMIN_BASE_URL": "https://www.alvdal.kommune.no",
    "DEFAULT_FROM_EMAIL": "postmottak@alvdal.kommune.no",
}


def run_python(code, env):
    """Run ``code`` in a child Python in the project folder, with ``env`` as its environment:
    settings modules read the environment once, at import."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def without_production_env():
    """This process's environment without the variables the production settings require."""
    return {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}


def import_production(env, show="s.DATABASES['default']['ENGINE']"):
    """Import the production settings with ``env`` in a child process; print ``show``."""
    return run_python(
        f"import config.settings.production as s; print({show})",
        {**without_production_env(), **env},
    )


class ProductionSettingsTests(SimpleTestCase):
    def test_starts_with_every_secret_set(self):
        result = import_production(PRODUCTION_ENV)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("postgresql", result.stdout)

    def test_services_by_default_and_by_choice(self):
        show = (
            "s.STORAGES['default']['BACKEND'], s.CACHES['default']['BACKEND'], "
            "sorted(s.CACHES), s.TASKS['default']['BACKEND'], s.WAGTAILDOCS_SERVE_METHOD, "
            "s.EMAIL_BACKEND, s.PUBLISHING_MAIL_BACKEND"
        )
        default = import_production(PRODUCTION_ENV, show)
        self.assertEqual(default.returncode, 0, default.stderr)
        self.assertEqual(
            default.stdout.split(),
            [
                "django.core.files.storage.FileSystemStorage",
                "django.core.cache.backends.filebased.FileBasedCache",
                "['default',",
                "'renditions']",
                "django_tasks_db.DatabaseBackend",
                "serve_view",
                "publishing.notifications.delivery.QueuedEmailBackend",
                "django.core.mail.backends.smtp.EmailBackend",
            ],
        )
        chosen = import_production(
            {**PRODUCTION_ENV, "MEDIA_S3_BUCKET": "media", "REDIS_URL": "redis://cache:6379/0"},
            show,
        )
        self.assertEqual(chosen.returncode, 0, chosen.stderr)
        self.assertEqual(
            chosen.stdout.split()[:2],
            ["storages.backends.s3.S3Storage", "django_redis.cache.RedisCache"],
        )

    def test_each_missing_secret_is_named(self):
        for name in PRODUCTION_ENV:
            env = {k: v for k, v in PRODUCTION_ENV.items() if k != name}
            result = import_production(env)
            self.assertNotEqual(result.returncode, 0, name)
            self.assertIn(f"Set the environment variable {name}", result.stderr)

    def test_deploy_checks_are_clean(self):
        # The browser tests allow async-unsafe ORM calls in this process; a deployment never does.
        test_only = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
        clean = {k: v for k, v in os.environ.items() if k not in test_only}
        env = {
            **clean,
            **PRODUCTION_ENV,
            # A key as random as a real one: the deploy check rejects a weak key.
            "SECRET_KEY": "k3Jx9-vQ2mZp8_Lr5TwYb7NcHd4Fs6Gu1Ae0Oi2Ky8Mn3Vq5Rt7Wx9Zb1Cd3Ef5Gh",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)


class DatabaseSelectionTests(SimpleTestCase):
    def test_database_url_selects_the_database_and_sqlite_is_the_default(self):
        code = "import config.settings.dev as s; print(s.DATABASES['default']['ENGINE'])"
        clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        default = run_python(code, clean)
        self.assertIn("sqlite3", default.stdout, default.stderr)
        chosen = run_python(code, {**clean, "DATABASE_URL": "postgres://u@%2Ftmp%2Fsock:5432/db"})
        self.assertIn("postgresql", chosen.stdout, chosen.stderr)

    def test_on_sqlite_a_request_waits_for_the_write_lock_rather_than_failing(self):
        # Editors are drawn holding the page's turn (the write lock on SQLite): eight opened at
        # once on a busy machine waited past SQLite's 5 s default ("database is locked").
        code = "import config.settings.dev as s; print(s.DATABASES['default']['OPTIONS'])"
        clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        options = run_python(code, clean)
        self.assertIn("'timeout': 20", options.stdout, options.stderr)
        self.assertIn("'transaction_mode': 'IMMEDIATE'", options.stdout)


class AdminTimeZoneTests(SimpleTestCase):
    def test_the_account_page_offers_only_zones_a_browser_knows(self):
        # A system's zone database may hold "localtime" or "Factory": the account page's script
        # failed on them ("Invalid time zone specified").
        zones = get_available_admin_time_zones()
        self.assertIn("Europe/Oslo", zones)
        self.assertIn("Europe/Stockholm", zones)
        self.assertIn("UTC", zones)
        self.assertNotIn("localtime", zones)
        self.assertNotIn("Factory", zones)
