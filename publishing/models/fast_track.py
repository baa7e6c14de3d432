"""Crisis fast track: published at once, reviewed afterwards."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from publishing.visible_text import require_visible


class FastTrackReview(models.Model):
    """A page published by the crisis fast track, waiting for its responsible leader's review."""

    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )
    notice = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("internal notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("fast-track review")
        verbose_name_plural = _("fast-track reviews")

    def __str__(self):
        return f"{self.page} ({self.published_at:%Y-%m-%d %H:%M})"

    def clean(self):
        super().clean()
        require_visible(self.reason, "reason")

    def save(self, *args, **kwargs):
        # Created by the fast track's own code: a crisis publish is always explained in words.
        require_visible(self.reason, "reason")
        return super().save(*args, **kwargs)

    @property
    def is_reviewed(self):
        return self.reviewed_at is not None
