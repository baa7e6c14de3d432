"""The extension's settings: ``settings.PUBLISHING`` read over the defaults below.

Every part of ``publishing`` reads its settings through :func:`setting` (or :func:`page_model`
for the page types), never from ``django.conf.settings`` directly, so that a site sets only what
it wants changed. A key may be given in the ``PUBLISHING`` dict or, as older sites do, as a
setting of its own named ``PUBLISHING_<KEY>`` (``PUBLISHING_TRUSTED_PROXIES = 1``); the
``PUBLISHING_<KEY>`` setting wins when both are set. Values are read on every call, so
``override_settings`` works in tests.
"""

from django.apps import apps
from django.conf import settings

DEFAULTS = {
    # Folder with one sub-folder per municipality (each with its profile.toml). Only a site's
    # own commands and tests read it; ``manage.py load_profile`` takes explicit paths.
    "PROFILE_ROOT": None,
    # The page type of a municipality's home page, which the profile loader creates when it
    # makes a new Wagtail Site. ``wagtail start`` makes ``home.HomePage``.
    "HOME_PAGE_MODEL": "home.HomePage",
    # The page type of the news index the profile loader creates below the home page, or None
    # for no news index.
    "NEWS_INDEX_MODEL": None,
    # The page type of the staff-only intranet index the profile loader creates below the home
    # page and restricts to the municipality's staff group. The extension's own
    # ``publishing.StaffIntranetPage`` is used unless the site names its own.
    "INTRANET_INDEX_MODEL": "publishing.StaffIntranetPage",
    # The page type of a notice to staff (a subclass of
    # ``publishing.models.BaseInternalNoticePage``) that the workflow creates when an editor asks
    # for one. The extension's own
    # ``publishing.StaffNoticePage`` is used unless the site names its own.
    "INTERNAL_NOTICE_MODEL": "publishing.StaffNoticePage",
    # The page type of the accessibility statement linked from every page's footer (the Web
    # Accessibility Directive requires one), or None for no link.
    "ACCESSIBILITY_STATEMENT_MODEL": None,
    # Paths below each site's root that list its pages (a sitemap, a feed), purged from the
    # frontend cache with any page of the site that is published, unpublished or made private.
    "FRONTEND_CACHE_SITE_PATHS": (),
    # How many reverse proxies of the site's own stand in front of the app servers. With N > 0,
    # the client's address is the N-th address from the right of X-Forwarded-For (the feedback
    # form's rate limit and ``publishing.citizens.client_address.client_address`` for
    # django-axes); with 0, REMOTE_ADDR.
    "TRUSTED_PROXIES": 0,
    # The feedback form's allowance per client address: (answers, seconds).
    "FEEDBACK_RATE_LIMIT": (5, 600),
    # The e-mail backend the worker sends queued mail through when EMAIL_BACKEND is
    # ``publishing.notifications.delivery.QueuedEmailBackend``; None means EMAIL_BACKEND itself.
    "MAIL_BACKEND": None,
    # Whether the demo's loader may create people with known passwords. Never in production.
    "DEMO_USERS": False,
    # The nightly check of external links on live pages (``manage.py check_external_links``).
    # Editors type the addresses, so the checker never connects to a loopback, private,
    # link-local, multicast or reserved address (checked for every address a host resolves to,
    # and again after each redirect) unless this is True: only the tests' servers on 127.0.0.1.
    "LINK_CHECK_ALLOW_PRIVATE_ADDRESSES": False,
    # Requests in flight at once over the whole run, and at most this many to one host.
    "LINK_CHECK_CONCURRENCY": 8,
    "LINK_CHECK_PER_HOST": 2,
    # Seconds to wait for a connection and for each read of an answer (robots.txt too).
    "LINK_CHECK_CONNECT_TIMEOUT": 10,
    "LINK_CHECK_READ_TIMEOUT": 10,
    # Seconds one request may take in all, its redirects included (robots.txt too), however
    # slowly the other site sends its answer; a link that takes longer has no answer in time.
    "LINK_CHECK_TOTAL_TIMEOUT": 30,
    # Seconds a nightly run may check for (all the municipalities of a queued run together):
    # no check is started after that, and the links not checked then stay as they were and are
    # checked first the next night. Keep it well below a day, so a run never meets the next.
    "LINK_CHECK_RUN_BUDGET": 4 * 3600,
    # Ports the checker asks besides 80 and 443; an address with another port is not checked
    # (and never reported broken), so editors cannot make the worker talk to a mail server or a
    # database. None: any port.
    "LINK_CHECK_PORTS": (80, 443, 8080, 8443),
    # Redirects followed before a link counts as broken ("too many redirects").
    "LINK_CHECK_MAX_REDIRECTS": 10,
    # Seconds to wait before the links that failed in a run are tried once more in that run.
    "LINK_CHECK_RETRY_DELAY": 30,
    # Nightly runs in a row a link must fail (after the retry) before it is reported broken:
    # a site that is down for one night is not reported.
    "LINK_CHECK_FAILURES_TO_REPORT": 2,
    # The User-Agent the checker sends, or None for one that names this product and the
    # municipality's site ("wagtail-governed-publishing-linkcheck/0.1 (+https://...)"), so
    # that other sites' owners know who asks. robots.txt rules are read for the product's name.
    "LINK_CHECK_USER_AGENT": None,
    # The legal archive (``publishing.archive``): whether each publish, withdrawal, unpublish and
    # deletion of a public page is captured by the task worker. The files go to
    # ``STORAGES["publishing_archive"]`` (else ``<BASE_DIR>/archive``).
    "ARCHIVE_CAPTURE": True,
    # At most this many stylesheets, images, fonts, scripts and documents are kept with a page,
    # and none larger than this many bytes (what is left out is named in the capture).
    "ARCHIVE_MAX_RESOURCES": 200,
    "ARCHIVE_MAX_RESOURCE_BYTES": 50 * 1024 * 1024,
}

#: The keys that name page types ("app_label.ModelName").
PAGE_MODEL_KEYS = (
    "HOME_PAGE_MODEL",
    "NEWS_INDEX_MODEL",
    "INTRANET_INDEX_MODEL",
    "INTERNAL_NOTICE_MODEL",
    "ACCESSIBILITY_STATEMENT_MODEL",
)


def setting(key):
    """The value of the extension's setting ``key``: ``PUBLISHING_<KEY>``, else
    ``PUBLISHING[key]``, else the default."""
    if key not in DEFAULTS:
        raise KeyError(f"publishing has no setting {key!r}")
    flat = f"PUBLISHING_{key}"
    if hasattr(settings, flat):
        return getattr(settings, flat)
    return (getattr(settings, "PUBLISHING", None) or {}).get(key, DEFAULTS[key])


def page_model(key):
    """The page model named by the setting ``key`` (one of :data:`PAGE_MODEL_KEYS`), or None
    when the setting is None. Raises ``LookupError`` for a name that is no installed model."""
    name = setting(key)
    if not name:
        return None
    return apps.get_model(name)


def is_configured_model(key, model):
    """Whether ``model`` is the page model the setting ``key`` names."""
    name = setting(key)
    return bool(name) and name.lower() == model._meta.label_lower
