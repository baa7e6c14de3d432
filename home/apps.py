from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The municipal site's page types."""

    name = "home"
    verbose_name = _("Municipal site")
    default_auto_field = "django.db.models.BigAutoField"
