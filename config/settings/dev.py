"""Development settings: DEBUG, console e-mail, a fixed throwaway key, SQLite by default."""

import contextlib

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret-3f9c1d2a7b"  # noqa: S105 (dev only)
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", ".localhost"]
# A missing page shows the site's own "not found" page in the municipality's language, as in
# production, instead of Django's technical 404 page; real errors keep Django's debug page.
MIDDLEWARE = [*MIDDLEWARE, "home.serving.SiteNotFoundMiddleware"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "publisering@localhost"

# The development server answers each request in a thread of its own, which ends with it: a
# connection kept open for the next request would never be used again, and PostgreSQL's
# connections ran out after some minutes of clicking.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Demo users with known passwords exist only where this is true (see load_demo).
PUBLISHING_DEMO_USERS = True

# A developer's own overrides, never committed.
with contextlib.suppress(ImportError):
    from .local import *  # noqa: F403
