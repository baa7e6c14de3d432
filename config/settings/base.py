"""Settings shared by every environment.

Production-safe by default: no DEBUG, no secret. ``dev.py`` and ``test.py`` add what they need;
``production.py`` reads secrets from the environment and refuses to start without them.
"""

import datetime
import os
import zoneinfo
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from publishing.wagtail_internals.translations import WAGTAIL_LOCALE_PATH

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SITE_DIR = BASE_DIR / "site"

DEBUG = False

INSTALLED_APPS = [
    "home",
    "publishing",
    "wagtail_modeladmin",
    "axes",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    # Purges pages from a CDN or caching proxy when they are published, unpublished or made
    # private (publishing/citizens/cache_purge.py); does nothing until WAGTAILFRONTENDCACHE names
    # one.
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.api.v3",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Wagtail's admin says "a second ago" with humanize's naturaltime; the app brings its
    # translations.
    "django.contrib.humanize",
    "csp",
    # The task queue in the database (production's TASKS; tables exist everywhere).
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "home.serving.ContentSecurityPolicyMiddleware",
    # Before the session and CSRF middlewares, so that it sees the cookies they set.
    "home.serving.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The admin in each person's chosen admin language, around Wagtail's views too.
    "publishing.admin_language.AdminLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Throttled logins (django-axes): five failed attempts for one username from one address lock
# that pair out for 15 minutes. Keyed on the pair, so nobody can lock a leader out of the admin
# from elsewhere by guessing at their username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
# The address of the person logging in, also behind our own proxies (PUBLISHING_TRUSTED_PROXIES):
# counted by the proxy's address, a few guesses would lock everyone out.
AXES_CLIENT_IP_CALLABLE = "publishing.citizens.client_address.client_address"

ROOT_URLCONF = "config.urls"

# Content security policy (django-csp 4; Django 6 has its own, see research notes 3.4).
# The public sites run no JavaScript of their own: scripts only from our own origin (Wagtail's
# userbar for signed-in editors), never inline. Styles allow 'unsafe-inline' because
# templates/base.html keeps its stylesheet in an inline <style>; once that moves to a static
# file, 'unsafe-inline' can go.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # As X_FRAME_OPTIONS = SAMEORIGIN: the admin's preview frames our pages, nobody else.
        "frame-ancestors": [SELF],
    }
}
# The Wagtail admin (and Django's) still writes inline scripts (InlinePanel, date pickers) and
# inline styles, and shows image previews from data: and blob: URLs (wagtail/wagtail#1288,
# #7053). Everything else stays on our own origin. home/serving.py picks this policy by path.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ["/admin/", "/django-admin/"]

# Cache-Control max-age, in seconds, for anonymous visits to live, public pages, feeds and the
# sitemap (home/serving.py). Short on purpose: a page that is unpublished or made private is
# purged from our own frontend cache at once, but copies in browsers and in caches we do not
# control live until this runs out; five minutes still takes the load of a busy news day off the
# servers.
PUBLIC_CACHE_MAX_AGE = 300

# A feedback post refused for its CSRF token (a page open for a long time, cookies blocked) gets
# the form back with the text kept; other refusals get Django's own page.
CSRF_FAILURE_VIEW = "publishing.csrf.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# DATABASE_URL selects the database (PostgreSQL in production and CI); without it, SQLite in the
# project folder. dj-database-url also understands postgres://user@%2Fpath%2Fto%2Fsocket/db.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so concurrent publishers wait instead of
    # failing with "database is locked" half-way through a publish.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # How long a request waits for the write lock before "database is locked": an editor is
    # drawn holding the page's turn, and eight editors opened at once waited up to 3 s on a
    # busy two-core machine, past SQLite's 5 s default now and then.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: the admin follows each user's chosen language; the public sites use the
# language of their municipality profile.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
WAGTAILADMIN_PERMITTED_LANGUAGES = [
    ("nb", "Norsk bokmål"),
    ("nn", "Norsk nynorsk"),
    ("sv", "Svenska"),
    ("en", "English"),
]
# The project's own catalogue, then the strings Wagtail leaves untranslated in nb, nn and sv.
LOCALE_PATHS = [BASE_DIR / "locale", WAGTAIL_LOCALE_PATH]
# Times in running text as the languages write them: "kl. 14.07".
FORMAT_MODULE_PATH = ["publishing.formats"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# The time zones a person may choose in the admin: the IANA regions and UTC. Some systems' time
# zone databases also hold "localtime" and "Factory", which browsers refuse (a script error on the
# account page).
WAGTAIL_USER_TIME_ZONES = sorted(
    name for name in zoneinfo.available_timezones() if name == "UTC" or "/" in name
)

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = BASE_DIR / "static_collected"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # The legal archive's WARC files: written once, read-only on disk.
    "publishing_archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "archive", "file_permissions_mode": 0o444},
    },
}

# Background tasks (django-tasks): Wagtail's own (search and reference index updates, cache
# purges) and ours (e-mail, kept text checks). Here they run at once, in the process, so `make
# run` needs no worker; production stores them for `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LOGIN_URL = "wagtailadmin_login"
WAGTAIL_FRONTEND_LOGIN_URL = "/admin/login/"
# Wagtail's login form with the password label in the person's language.
WAGTAILADMIN_USER_LOGIN_FORM = "publishing.editor.forms.LoginForm"

# Wagtail
WAGTAIL_SITE_NAME = "Governed publishing"
# Links in mails: where the admin is served (make run passes its port).
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
# Wagtail's database backend keeps the index (PostgreSQL full-text search, SQLite FTS5). The
# "simple" configuration only lower-cases: the language work (stems and compound tails in each
# site's language) is done when pages are indexed and queried (home/search.py), because one
# index holds both bokmål and Swedish pages. "site" is the public site search: it reads the same
# index with prefix matching and its own ranking and writes nothing.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"},
    "site": {"BACKEND": "home.search", "AUTO_UPDATE": False},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# Staff pages are protected by group membership only; a shared password could be passed on.
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
# No Gravatar: it would send a hash of every editor's e-mail address to a third party on each
# admin page (personal data leaving the municipality), and the admin must work offline.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_I18N_ENABLED = False
# Page addresses in ASCII, as the municipalities' own are: "Søknad om barnehageplass" is
# /soknad-om-barnehageplass/, which survives a mail, an SMS and print (publishing.slugs makes
# the same address on the server as the editor does in the browser).
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# The v3 API (token-authenticated writes, public reads) is mounted at /api/v3/; its interactive
# documentation pulls scripts from a CDN, so it is off outside development.
WAGTAILAPI_DOCS_ENABLED = False

# E-mail: dev.py prints mail to the console, test.py keeps it in memory, production.py sends it
# over SMTP. Wagtail's workflow mails are replaced by the extension's own (publishing/
# notifications.py) and go to the people who act, never to every superuser.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
WAGTAILADMIN_NOTIFICATION_USE_HTML = False

# The governed-publishing extension
PUBLISHING = {
    # Folder with one sub-folder per municipality (profile.toml, demo.toml).
    "PROFILE_ROOT": SITE_DIR,
    # Page types the profile loader creates for a new site; named as strings so that the
    # reusable extension never imports the site's own page app.
    "HOME_PAGE_MODEL": "home.HomePage",
    "NEWS_INDEX_MODEL": "home.NewsIndexPage",
    "INTRANET_INDEX_MODEL": "home.IntranetIndexPage",
    "INTERNAL_NOTICE_MODEL": "home.InternalNoticePage",
    # Paths of every site that list its pages, purged from the frontend cache with any page of
    # the site that is made private, published or unpublished (publishing/citizens/cache_purge.py).
    "FRONTEND_CACHE_SITE_PATHS": ["/sitemap.xml"],
    # Linked from every page's footer, as the Web Accessibility Directive requires.
    "ACCESSIBILITY_STATEMENT_MODEL": "home.AccessibilityStatementPage",
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Approval is the permission to publish: the final workflow step publishes even when the
# approving leader has no publish permission of their own (the governance veto still applies).
WAGTAIL_FINISH_WORKFLOW_ACTION = "publishing.workflow.finish.publish_workflow_state"
# An edit after the leader's approval sends the page back through the workflow, so that the
# leader has approved what is published.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
