"""Production settings: every secret comes from the environment, and nothing starts without it."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.storage import archive_storage, media_storage

from .base import *  # noqa: F403


def require_env(name):
    """Return an environment variable, or stop with a message that names it."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name} for production.")
    return value


SECRET_KEY = require_env("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in require_env("ALLOWED_HOSTS").split(",") if h.strip()]
require_env("DATABASE_URL")  # base.py reads it; production must not fall back to SQLite
WAGTAILADMIN_BASE_URL = require_env("WAGTAILADMIN_BASE_URL")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Every mail is queued for the task worker (publishing/notifications/delivery.py), which sends
# it over SMTP and tries again later when the mail server does not take it: no request waits on
# the mail server.
EMAIL_BACKEND = "publishing.notifications.delivery.QueuedEmailBackend"
PUBLISHING_MAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# STARTTLS unless implicit TLS (EMAIL_USE_SSL, usually port 465) is chosen.
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "false").lower() == "true"
EMAIL_USE_TLS = (
    os.environ.get("EMAIL_USE_TLS", "false" if EMAIL_USE_SSL else "true").lower() == "true"
)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set only one of EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL.")
# The worker waits this long for a mail server that does not answer before it tries later.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = require_env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
# SAMEORIGIN rather than DENY: Wagtail's live preview and its Checks panel render the page in a
# same-origin frame of the editor. Other sites still cannot frame ours.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

PUBLISHING_DEMO_USERS = False

# Uploaded images and documents: local disk (MEDIA_ROOT), or an S3-compatible object store when
# MEDIA_S3_BUCKET is set (config/storage.py). Documents are always served through Wagtail's view,
# which checks the staff-only collection's login before it streams the file.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", "").strip() or MEDIA_ROOT
if media_storage(os.environ):
    STORAGES = {**STORAGES, "default": media_storage(os.environ)}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# The legal archive: local disk (ARCHIVE_ROOT) or an object store with object lock
# (ARCHIVE_S3_BUCKET), config/storage.py.
STORAGES = {**STORAGES, "publishing_archive": archive_storage(os.environ, BASE_DIR)}


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Frontend cache (a CDN or caching proxy in front of the sites): purged when a page is published,
# unpublished or made private. Nothing is configured unless these are set; then every purge is a
# no-op. FRONTEND_CACHE_HOSTNAMES limits a backend to the sites it fronts (default: all).
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_PURGE_URL", "").strip():
    # Varnish, Squid or nginx: Wagtail sends PURGE requests to this address.
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"].strip(),
    }
if os.environ.get("CLOUDFLARE_ZONEID", "").strip():
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": os.environ["CLOUDFLARE_ZONEID"].strip(),
        "BEARER_TOKEN": require_env("CLOUDFLARE_BEARER_TOKEN"),
    }
if env_list("FRONTEND_CACHE_HOSTNAMES"):
    for backend in WAGTAILFRONTENDCACHE.values():
        backend["HOSTNAMES"] = env_list("FRONTEND_CACHE_HOSTNAMES")

# One cache shared by every worker process: the sites' chrome (crisis banners, contact points) is
# cleared on change in one process and must disappear from all of them, and the feedback rate
# limit must count across workers. Image renditions have a cache of their own ("renditions",
# which Wagtail uses when it exists), so that rendition lookups, many and long-lived, never push
# the chrome out.
#
# REDIS_URL (redis://host:6379/0, or rediss:// for TLS) selects Redis, needed when several app
# servers share the sites; REDIS_RENDITIONS_URL may put renditions in another Redis database.
# Without REDIS_URL, files under CACHE_DIR serve one machine's workers.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 3600,
            "KEY_PREFIX": "publishing",
            # A slow or lost Redis must not hold requests for long; /healthz/ reports it.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        },
        "renditions": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("REDIS_RENDITIONS_URL", "").strip() or REDIS_URL,
            "TIMEOUT": 7 * 24 * 3600,
            "KEY_PREFIX": "renditions",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        },
    }
else:
    CACHE_DIR = Path(os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")))
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CACHE_DIR / "default"),
            "TIMEOUT": 3600,
        },
        "renditions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CACHE_DIR / "renditions"),
            "TIMEOUT": 7 * 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

# Background tasks are stored in the database and run by `manage.py db_worker` (the
# publishing-worker systemd unit): e-mail is sent and retried there, never in a publisher's
# request, and Wagtail's index updates and cache purges run there too.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# How many proxies of our own stand in front of the application (a load balancer, nginx). With
# one or more, login throttling and the feedback rate limit count the address the outermost of
# them saw, read from the right of X-Forwarded-For; with none, REMOTE_ADDR.
PUBLISHING_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# Errors to standard error (gunicorn's error log, the worker's journal): with DEBUG off, Django's
# default logging only mails them to ADMINS, and there are none. Warnings too, so that mail the
# worker must try again shows up.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}
