"""External links on a municipality's live public pages and what the nightly check found.

One row per distinct address per municipality, however many pages link it: the address is
checked once a night, and the pages that link it are kept beside it (``pages``, as the last run
found them in the pages' text). The report and the dashboard read the unit and the responsible
leader from the pages as they are now.
"""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Addresses longer than this are not kept (nor checked): no real link is that long.
MAX_URL_LENGTH = 2000


def url_hash(url):
    """The SHA-256 of ``url``: the unique key (an index on a 2,000-character text is not)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class LinkStatus(models.TextChoices):
    """What the last run found. Only ``broken`` is reported: it failed, with a retry, on
    ``LINK_CHECK_FAILURES_TO_REPORT`` nightly runs in a row; ``failing`` failed fewer times."""

    NOT_CHECKED = "unchecked", _("Not checked yet")
    OK = "ok", _("Works")
    FAILING = "failing", _("Failed, not reported yet")
    BROKEN = "broken", _("Broken")
    ROBOTS = "robots", _("Not checked: the site's robots.txt asks not to")
    PRIVATE = "private", _("Not checked: points to a private address")


class LinkError(models.TextChoices):
    """Why a link failed (the report's filter by kind of failure)."""

    TIMEOUT = "timeout", _("No answer in time")
    CONNECTION = "connection", _("Connection refused or broken")
    DNS = "dns", _("The domain name does not exist")
    TLS = "tls", _("Certificate or encryption error")
    REDIRECTS = "redirects", _("Too many redirects")
    CLIENT_ERROR = "client_error", _("Page not found or closed (HTTP 4xx)")
    SERVER_ERROR = "server_error", _("Error on the other site (HTTP 5xx)")
    INVALID = "invalid", _("Not a valid web address")


class ExternalLink(models.Model):
    """An external address linked from live public pages of one municipality, and the state of
    its nightly check.

    ``consecutive_failures`` counts the nightly runs in a row the link failed (each after a
    retry within the run); ``first_failed_at`` is when the first of them was. A run where the
    link works sets both back.
    """

    municipality = models.ForeignKey(
        "publishing.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.TextField(_("address"))
    url_hash = models.CharField(_("address fingerprint"), max_length=64, editable=False)
    pages = models.ManyToManyField(
        "wagtailcore.Page", verbose_name=_("pages"), related_name="+", blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=LinkStatus.choices, default=LinkStatus.NOT_CHECKED
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=16, choices=LinkError.choices, blank=True)
    final_url = models.TextField(_("address after redirects"), blank=True)
    first_failed_at = models.DateTimeField(_("failing since"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failed runs in a row"), default=0)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)

    class Meta:
        verbose_name = _("external link")
        verbose_name_plural = _("external links")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "url_hash"], name="publishing_one_external_link"
            )
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self):
        return self.url[:100]

    def save(self, *args, **kwargs):
        self.url_hash = url_hash(self.url)
        super().save(*args, **kwargs)

    @property
    def problem(self):
        """Why the link fails, in words, with the HTTP status where there is one."""
        return problem_label(self.error, self.http_status)


#: How a failure with an HTTP status reads in a row, before its status ("... (HTTP 404)").
HTTP_PROBLEMS = {
    LinkError.CLIENT_ERROR: _("Page not found or closed"),
    LinkError.SERVER_ERROR: _("Error on the other site"),
}


def problem_label(error, http_status=None):
    """Why a link fails, in words: ``error`` (a ``LinkError``) with its HTTP status."""
    if http_status and error in HTTP_PROBLEMS:
        return _("%(problem)s (HTTP %(code)s)") % {
            "problem": HTTP_PROBLEMS[error],
            "code": http_status,
        }
    return str(LinkError(error).label) if error in LinkError.values else ""
