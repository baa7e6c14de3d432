from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The governed-publishing extension: governance models, profiles, workflow and checks."""

    name = "publishing"
    label = "publishing"
    verbose_name = _("Governed publishing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, as Django requires: these modules use the models, which are loaded
        # only now.
        import publishing.checks  # noqa: F401 (registers the system checks)
        from publishing import signal_handlers
        from publishing.archive import capture
        from publishing.citizens import cache_purge
        from publishing.editor.forms import GovernedPageForm
        from publishing.models import GovernedPage
        from publishing.wagtail_internals import actions, public_api

        # The editor's form for every governed page type; set here because the editor sits
        # above the models (a page type's own ``base_form_class`` must subclass it).
        GovernedPage.base_form_class = GovernedPageForm
        actions.install()
        public_api.install()
        signal_handlers.connect()
        cache_purge.connect()
        capture.connect()
