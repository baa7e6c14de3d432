"""Wagtail's admin in bokmål, nynorsk and Swedish, with nothing left in English.

Wagtail's own catalogues leave about half of its bokmål strings and a quarter of its Swedish ones
untranslated, and it has no nynorsk at all: leaders and editors saw English all over the admin.
``locale/`` next to this module completes them: it holds only what Wagtail's catalogues
lack (all of it for nynorsk), for the server (``django``) and the admin's scripts
(``djangojs``). Django reads such a project catalogue when its folder is in ``LOCALE_PATHS``, the
one way that covers both domains, so a site adds :data:`WAGTAIL_LOCALE_PATH` there; the system
check below says so when a Nordic language is offered without it.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register

#: The folder of the completing catalogues, for ``settings.LOCALE_PATHS``.
WAGTAIL_LOCALE_PATH = Path(__file__).resolve().parent / "locale"

#: The languages the folder completes.
COMPLETED_LANGUAGES = ("nb", "nn", "sv")


@register()
def check_wagtail_translations(app_configs=None, **kwargs):
    """Warn when the site offers bokmål, nynorsk or Swedish without the completing catalogues."""
    offered = {code.split("-")[0] for code, _name in getattr(settings, "LANGUAGES", ())}
    offered.add(settings.LANGUAGE_CODE.split("-")[0])
    if not offered & set(COMPLETED_LANGUAGES):
        return []
    warnings = []
    if not any(Path(path).resolve() == WAGTAIL_LOCALE_PATH for path in settings.LOCALE_PATHS):
        warnings.append(
            Warning(
                "Wagtail's admin will show English to bokmål, nynorsk and Swedish users.",
                hint=(
                    "Add publishing.wagtail_internals.translations.WAGTAIL_LOCALE_PATH "
                    "to LOCALE_PATHS."
                ),
                id="publishing.W001",
            )
        )
    if "django.contrib.humanize" not in settings.INSTALLED_APPS:
        # Wagtail uses humanize's "a second ago" without installing the app that translates it.
        warnings.append(
            Warning(
                "Wagtail's admin will say how long ago something happened in English.",
                hint="Add 'django.contrib.humanize' to INSTALLED_APPS.",
                id="publishing.W002",
            )
        )
    return warnings
