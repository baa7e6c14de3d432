"""Test settings: fast hasher, in-memory e-mail and cache, immediate background tasks."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105 (tests only)
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "publisering@example.org"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
PUBLISHING_DEMO_USERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "publishing_archive": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# Captures of published pages are made where a test asks for them (tests/publishing/archive*):
# every publish of the suite would otherwise be rendered and archived once more.
PUBLISHING_ARCHIVE_CAPTURE = False
# The test client's login() authenticates without a request, which django-axes refuses; the
# throttling tests switch it on where they log in through the form.
AXES_ENABLED = False

# A plain Wagtail page with the news page's content and template, without governance: the
# yardstick of the query-parity test and of `make bench`. Tests only; left
# out where bench/ is absent (the translation test runs makemessages on a copy without it).
if (BASE_DIR / "bench" / "plainsite").is_dir():
    INSTALLED_APPS = [*INSTALLED_APPS, "bench.plainsite"]

# Builds the shared test worlds (the demo municipalities, a governed Alvdal) once per run for the
# classes that use them, and TEST_TIMINGS=file times the classes: tests/runner.py, tests/worlds.py.
TEST_RUNNER = "tests.runner.TestRunner"

# Two runs against one PostgreSQL server at once (CI's and a developer's, say) each need their own
# test database: TEST_DATABASE_NAME=test_mine (Django's default is test_<name>).
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
