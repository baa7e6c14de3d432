from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The governed-publishing extension: governance models, profiles, workflow and checks."""

    name = "publishing"
    label = "publishing"
    verbose_name = _("Governed publishing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import cache_purge, signal_handlers, translations, veto  # noqa: F401 (checks)

        veto.install()
        signal_handlers.connect()
        cache_purge.connect()
