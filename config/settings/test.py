"""Test settings: fast hasher, in-memory e-mail and cache, immediate background tasks."""

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
}
# The test client's login() authenticates without a request, which django-axes refuses; the
# throttling tests switch it on where they log in through the form.
AXES_ENABLED = False

# A plain Wagtail page with the news page's content and template, without governance: the
# yardstick of the query-parity test and of `make bench` (DESIGN.md section 7). Tests only; left
# out where bench/ is absent (the translation test runs makemessages on a copy without it).
if (BASE_DIR / "bench" / "plainsite").is_dir():
    INSTALLED_APPS = [*INSTALLED_APPS, "bench.plainsite"]
