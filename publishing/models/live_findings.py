"""The publish rules' findings on every live page of a municipality, kept so that the findings
report reads them rather than judging every live page on each request."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FindingsJudgement(models.Model):
    """When a municipality's live pages were last judged, and whether anything changed since.

    ``changes`` counts the changes to anything the rules read (a page, the organisation, a
    role, a document, a profile, ...), counted in the transaction that makes the change;
    ``changes_judged`` is what the count was when the last judgement started. A judgement holds
    while the two are equal, on the day it was made (``judged_on``: review dates and consents
    run out) and for the rules' code it was made with (``code``). A change that commits while a
    judgement runs leaves the count ahead of it, whether the judgement saw the change or not.
    """

    municipality = models.OneToOneField(
        "publishing.Municipality",
        verbose_name=_("municipality"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    judged_at = models.DateTimeField(_("judged at"), default=timezone.now)
    judged_on = models.DateField(_("judged on"))
    code = models.CharField(_("judged with"), max_length=64)
    #: Live governed pages judged, and those whose text was not checked yet.
    pages = models.PositiveIntegerField(_("pages"), default=0)
    pages_waiting = models.PositiveIntegerField(_("pages waiting"), default=0)
    changes = models.PositiveBigIntegerField(_("changes"), default=0)
    changes_judged = models.PositiveBigIntegerField(_("changes judged"), default=0)

    class Meta:
        verbose_name = _("judgement of live pages")
        verbose_name_plural = _("judgements of live pages")

    def __str__(self):
        return f"{self.municipality_id}@{self.judged_at:%Y-%m-%d %H:%M}"


class LiveFinding(models.Model):
    """One finding of the publish rules on one live page, as the findings report lists it.

    ``summaries`` holds what was found and where in each admin language (``{"nb": ...}``),
    never the page's text around it. Unit and leader are the page's as judged; the report shows
    their current names.
    """

    municipality = models.ForeignKey(
        "publishing.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )
    #: The page's tree path and the finding's place among its findings: the report's order.
    path = models.CharField(_("path"), max_length=255)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    unit = models.ForeignKey(
        "publishing.OrganisationUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code = models.CharField(_("code"), max_length=100)
    #: The first part of the code ("personal_data"): the report's kind filter.
    kind = models.CharField(_("kind"), max_length=50)
    severity = models.CharField(_("severity"), max_length=10)
    field = models.CharField(_("field"), max_length=100, blank=True)
    summaries = models.JSONField(_("summaries"), default=dict)

    class Meta:
        verbose_name = _("finding on a live page")
        verbose_name_plural = _("findings on live pages")
        ordering = ["municipality", "path", "position"]
        indexes = [models.Index(fields=["municipality", "path", "position"])]

    def __str__(self):
        return f"{self.page_id}:{self.code}"
