"""What the text checks found on each live page, kept so that lists over every live page need
not read and check every page's text again."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LiveTextCheck(models.Model):
    """The text checks' results for the live version of one page.

    A row holds for the live revision it names and for the settings and code it was checked with
    (``inputs``, see ``publishing.reports.live_text.inputs_key``); when either differs, the page is
    checked again. ``results`` holds what was found and where (field, kind, reading score,
    words), never the masked excerpts the editor shows: the findings report and its exports
    say what and where without quoting the page. ``documents`` are the ids of the documents the
    live version links, for the rule on staff-only documents.
    """

    page = models.OneToOneField(
        "wagtailcore.Page",
        verbose_name=_("page"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    #: The live revision checked; 0 for a page made live without a revision.
    revision_id = models.PositiveBigIntegerField(_("revision"), default=0)
    inputs = models.CharField(_("checked with"), max_length=64)
    results = models.JSONField(_("results"), default=dict)
    documents = models.JSONField(_("linked documents"), default=list)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("text check of a live page")
        verbose_name_plural = _("text checks of live pages")

    def __str__(self):
        return f"{self.page_id}@{self.revision_id}"
