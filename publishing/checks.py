"""System checks: what the extension needs from the site that installs it.

Each message names the setting, page model or URL include a feature needs, and its hint says how
to fix it. ``publishing.W001`` and ``publishing.W002`` (Wagtail's admin in the Nordic languages)
are in ``publishing.wagtail_internals.translations``; they are registered from here too.

Imported by ``PublishingConfig.ready``, when the models are loaded.
"""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page

from publishing.conf import page_model, setting
from publishing.models.pages import BaseInternalNoticePage
from publishing.notifications.delivery import QUEUE_BACKEND
from publishing.workflow.finish import publish_workflow_state

#: Page-type settings a site must leave set (their defaults are fine); the others may be None.
REQUIRED_PAGE_MODELS = ("HOME_PAGE_MODEL", "INTRANET_INDEX_MODEL", "INTERNAL_NOTICE_MODEL")
OPTIONAL_PAGE_MODELS = ("NEWS_INDEX_MODEL", "ACCESSIBILITY_STATEMENT_MODEL")

#: Apps the extension's admin is built on.
REQUIRED_APPS = {
    "wagtail_modeladmin": "the governance registers and communication plans in the admin",
}


def _setting_name(key):
    return f'PUBLISHING["{key}"]'


@register(Tags.models)
def check_page_models(app_configs=None, **kwargs):
    """The page types named in the settings exist, are page types, and notices are notices."""
    errors = []
    for key in REQUIRED_PAGE_MODELS + OPTIONAL_PAGE_MODELS:
        name = setting(key)
        if not name:
            if key in REQUIRED_PAGE_MODELS:
                errors.append(
                    Error(
                        f"{_setting_name(key)} is empty; the extension needs this page type.",
                        hint=f"Remove {_setting_name(key)} from the settings to use the "
                        "extension's default, or name a page model as 'app_label.ModelName'.",
                        id="publishing.E001",
                    )
                )
            continue
        try:
            model = page_model(key)
        except (LookupError, ValueError):
            errors.append(
                Error(
                    f"{_setting_name(key)} names {name!r}, which is no installed model.",
                    hint=f"Set {_setting_name(key)} to 'app_label.ModelName' of an installed "
                    "page model, or add its app to INSTALLED_APPS.",
                    id="publishing.E002",
                )
            )
            continue
        if not issubclass(model, Page):
            errors.append(
                Error(
                    f"{_setting_name(key)} names {name!r}, which is not a Wagtail page type.",
                    hint=f"Set {_setting_name(key)} to a subclass of wagtail.models.Page.",
                    id="publishing.E003",
                )
            )
        elif key == "INTERNAL_NOTICE_MODEL" and not issubclass(model, BaseInternalNoticePage):
            errors.append(
                Error(
                    f"{_setting_name(key)} names {name!r}, which is not a notice to staff.",
                    hint="Subclass publishing.models.BaseInternalNoticePage, or remove "
                    f"{_setting_name(key)} to use publishing.StaffNoticePage.",
                    id="publishing.E004",
                )
            )
    return errors


@register()
def check_installed_apps(app_configs=None, **kwargs):
    return [
        Error(
            f"'{app}' is not in INSTALLED_APPS; {needed} need it.",
            hint=f"Add '{app}' to INSTALLED_APPS.",
            id="publishing.E005",
        )
        for app, needed in REQUIRED_APPS.items()
        if not apps.is_installed(app)
    ]


@register()
def check_mail_backend(app_configs=None, **kwargs):
    """Mail queued for the worker needs a backend that sends it."""
    if settings.EMAIL_BACKEND == QUEUE_BACKEND and (
        not setting("MAIL_BACKEND") or setting("MAIL_BACKEND") == QUEUE_BACKEND
    ):
        return [
            Error(
                "EMAIL_BACKEND queues mail for the worker, but nothing says how the worker "
                "sends it.",
                hint="Set PUBLISHING_MAIL_BACKEND (or PUBLISHING['MAIL_BACKEND']) to the backend "
                "that sends, e.g. 'django.core.mail.backends.smtp.EmailBackend'.",
                id="publishing.E006",
            )
        ]
    return []


@register()
def check_workflow_settings(app_configs=None, **kwargs):
    """The Wagtail settings the governed workflow relies on."""
    action = f"{publish_workflow_state.__module__}.{publish_workflow_state.__name__}"
    warnings = []
    if getattr(settings, "WAGTAIL_FINISH_WORKFLOW_ACTION", None) != action:
        warnings.append(
            Warning(
                "A leader's final approval will fail to publish when the leader has no publish "
                "permission of their own.",
                hint=f"Set WAGTAIL_FINISH_WORKFLOW_ACTION = '{action}'.",
                id="publishing.W010",
            )
        )
    if not getattr(settings, "WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT", False):
        warnings.append(
            Warning(
                "An edit made after the leader's approval can be published without the leader "
                "approving it.",
                hint="Set WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True.",
                id="publishing.W011",
            )
        )
    return warnings


@register(Tags.urls)
def check_public_urls(app_configs=None, **kwargs):
    """The feedback buttons on public pages post to the extension's public URLs."""
    try:
        reverse("feedback", args=[1])
        reverse("feedback_thanks", args=[1])
    except NoReverseMatch:
        return [
            Warning(
                "The public URLs of the extension are not included: the feedback buttons on "
                "public pages have nowhere to send answers.",
                hint="Add path('', include('publishing.urls.public')) to the ROOT_URLCONF's "
                "urlpatterns, before Wagtail's own include.",
                id="publishing.W012",
            )
        ]
    return []


# publishing.W001 and W002: registered when their module is imported.
from publishing.wagtail_internals import translations  # noqa: E402, F401
