from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The governed-publishing extension: governance models, profiles, workflow and checks."""

    name = "publishing"
    label = "publishing"
    verbose_name = _("Governed publishing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from publishing import signal_handlers
        from publishing.citizens import cache_purge
        from publishing.workflow import veto

        veto.install()
        signal_handlers.connect()
        cache_purge.connect()
