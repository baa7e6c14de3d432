"""Citizens' answers to "Did you find what you were looking for?", kept against the page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from publishing.models.municipality import Municipality
from publishing.models.organisation import OrganisationUnit

#: The longest comment accepted, in characters.
COMMENT_MAX_LENGTH = 1000


class PageFeedback(models.Model):
    """One answer from the feedback form, routed to the unit that answers for the page.

    ``comment`` is stored as plain text, with any personal data masked before it was saved.
    """

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    unit = models.ForeignKey(
        OrganisationUnit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    found = models.BooleanField(_("found what they were looking for"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    masked = models.CharField(
        _("personal data masked"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("Kinds of personal data found in the comment and masked before it was saved."),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled = models.BooleanField(_("handled"), default=False)
    handled_note = models.TextField(_("note on how it was handled"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["handled", "-created_at"]
        verbose_name = _("feedback")
        # One word in English, two in Norwegian and Swedish (tilbakemeldinger, synpunkter).
        verbose_name_plural = pgettext_lazy("plural", "feedback")

    def __str__(self):
        return _("Feedback on “%(page)s”") % {"page": self.page.title}
