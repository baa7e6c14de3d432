"""The crisis banner: a short message shown at the top of every page of a site while it is on."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publishing.models.municipality import Municipality
from publishing.visible_text import visible_text_errors


class CrisisLevel(models.TextChoices):
    """How serious the situation is; the banner's colour and wording follow the level."""

    NOTICE = "notice", _("Important information")
    WARNING = "warning", _("Warning")
    CRISIS = "crisis", _("Crisis")


#: Most serious first, for showing several banners at once.
LEVEL_ORDER = {CrisisLevel.CRISIS: 0, CrisisLevel.WARNING: 1, CrisisLevel.NOTICE: 2}


class CrisisBannerQuerySet(models.QuerySet):
    def showing(self, now=None):
        """Banners that are switched on and have not yet expired."""
        now = now or timezone.now()
        return self.filter(active=True).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now)
        )


class CrisisBanner(models.Model):
    """A message to everyone who visits a municipality's site, set by its crisis group.

    Every change is logged (who, when, what) in the banner's history.
    """

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="crisis_banners",
    )
    level = models.CharField(
        _("level"), max_length=10, choices=CrisisLevel.choices, default=CrisisLevel.WARNING
    )
    headline = models.CharField(
        _("headline"),
        max_length=120,
        help_text=_("What has happened, in a few words. Example: “Boil drinking water”."),
    )
    message = models.TextField(
        _("message"),
        max_length=600,
        help_text=_("What people must do and where they find more. At most 600 characters."),
    )
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page with more information"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(
        _("shown on the site"),
        default=True,
        help_text=_("Untick to take the banner down. It stays in the list with its history."),
    )
    ends_at = models.DateTimeField(
        _("take down automatically at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to show the banner until it is taken down by hand."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CrisisBannerQuerySet.as_manager()

    class Meta:
        ordering = ["-active", "-updated_at"]
        verbose_name = _("crisis banner")
        verbose_name_plural = _("crisis banners")

    def __str__(self):
        return f"{self.get_level_display()}: {self.headline}"

    def clean(self):
        super().clean()
        errors = visible_text_errors(self, ["headline", "message"])
        if errors:
            raise ValidationError(errors)

    def is_showing(self, now=None):
        now = now or timezone.now()
        return self.active and (self.ends_at is None or self.ends_at > now)

    is_showing.boolean = True
    is_showing.short_description = _("shown now")
