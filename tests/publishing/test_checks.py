"""The extension's system checks: each names what is missing and says how to fix it."""

from unittest import mock

from django.core import checks
from django.test import SimpleTestCase, override_settings

from publishing import checks as publishing_checks
from publishing.conf import DEFAULTS, page_model, setting


def ids(messages):
    return [message.id for message in messages]


class PageModelChecksTests(SimpleTestCase):
    def test_the_demo_is_configured(self):
        self.assertEqual(publishing_checks.check_page_models(), [])

    def test_defaults_need_no_setting(self):
        with override_settings(PUBLISHING={}):
            self.assertEqual(publishing_checks.check_page_models(), [])
            self.assertEqual(
                page_model("INTRANET_INDEX_MODEL")._meta.label, "publishing.StaffIntranetPage"
            )
            self.assertEqual(
                page_model("INTERNAL_NOTICE_MODEL")._meta.label, "publishing.StaffNoticePage"
            )
            self.assertIsNone(page_model("NEWS_INDEX_MODEL"))

    @override_settings(PUBLISHING={"INTERNAL_NOTICE_MODEL": None})
    def test_required_model_set_to_none(self):
        (error,) = publishing_checks.check_page_models()
        self.assertEqual(error.id, "publishing.E001")
        self.assertIn('PUBLISHING["INTERNAL_NOTICE_MODEL"]', error.msg)

    @override_settings(PUBLISHING={"HOME_PAGE_MODEL": "nowhere.HomePage"})
    def test_unknown_model(self):
        (error,) = publishing_checks.check_page_models()
        self.assertEqual(error.id, "publishing.E002")
        self.assertIn("nowhere.HomePage", error.msg)
        self.assertIn("INSTALLED_APPS", error.hint)

    @override_settings(PUBLISHING={"ACCESSIBILITY_STATEMENT_MODEL": "publishing.Audience"})
    def test_not_a_page_type(self):
        (error,) = publishing_checks.check_page_models()
        self.assertEqual(error.id, "publishing.E003")
        self.assertIn('PUBLISHING["ACCESSIBILITY_STATEMENT_MODEL"]', error.msg)

    @override_settings(PUBLISHING={"INTERNAL_NOTICE_MODEL": "home.StandardPage"})
    def test_notice_that_is_no_notice(self):
        (error,) = publishing_checks.check_page_models()
        self.assertEqual(error.id, "publishing.E004")
        self.assertIn("BaseInternalNoticePage", error.hint)


class SettingsAccessTests(SimpleTestCase):
    @override_settings(PUBLISHING={"TRUSTED_PROXIES": 2})
    def test_dict_key(self):
        self.assertEqual(setting("TRUSTED_PROXIES"), 2)

    @override_settings(PUBLISHING={"TRUSTED_PROXIES": 2}, PUBLISHING_TRUSTED_PROXIES=3)
    def test_flat_setting_wins(self):
        self.assertEqual(setting("TRUSTED_PROXIES"), 3)

    @override_settings(PUBLISHING={})
    def test_default(self):
        self.assertEqual(setting("FEEDBACK_RATE_LIMIT"), DEFAULTS["FEEDBACK_RATE_LIMIT"])

    def test_unknown_key(self):
        with self.assertRaises(KeyError):
            setting("NO_SUCH_KEY")


class OtherChecksTests(SimpleTestCase):
    def test_the_demo_passes(self):
        self.assertEqual(publishing_checks.check_installed_apps(), [])
        self.assertEqual(publishing_checks.check_workflow_settings(), [])
        self.assertEqual(publishing_checks.check_public_urls(), [])
        self.assertEqual(publishing_checks.check_mail_backend(), [])

    def test_modeladmin_missing(self):
        with mock.patch("publishing.checks.apps.is_installed", return_value=False):
            (error,) = publishing_checks.check_installed_apps()
        self.assertEqual(error.id, "publishing.E005")
        self.assertIn("'wagtail_modeladmin'", error.hint)

    @override_settings(
        EMAIL_BACKEND="publishing.notifications.delivery.QueuedEmailBackend",
        PUBLISHING_MAIL_BACKEND=None,
    )
    def test_queued_mail_without_sending_backend(self):
        (error,) = publishing_checks.check_mail_backend()
        self.assertEqual(error.id, "publishing.E006")
        self.assertIn("PUBLISHING_MAIL_BACKEND", error.hint)

    @override_settings(
        WAGTAIL_FINISH_WORKFLOW_ACTION="wagtail.workflows.publish_workflow_state",
        WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT=False,
    )
    def test_wagtail_workflow_settings(self):
        messages = publishing_checks.check_workflow_settings()
        self.assertEqual(ids(messages), ["publishing.W010", "publishing.W011"])
        self.assertIn("WAGTAIL_FINISH_WORKFLOW_ACTION", messages[0].hint)
        self.assertIn("WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT", messages[1].hint)

    @override_settings(ROOT_URLCONF="tests.publishing.urls_without_public")
    def test_public_urls_not_included(self):
        (warning,) = publishing_checks.check_public_urls()
        self.assertEqual(warning.id, "publishing.W012")
        self.assertIn("publishing.urls.public", warning.hint)

    def test_registered(self):
        """The checks run with ``manage.py check``, including the translation checks."""
        registered = checks.registry.registry.get_checks()
        for check in (
            publishing_checks.check_page_models,
            publishing_checks.check_installed_apps,
            publishing_checks.check_mail_backend,
            publishing_checks.check_workflow_settings,
            publishing_checks.check_public_urls,
        ):
            self.assertIn(check, registered)
        self.assertIn("check_wagtail_translations", [check.__name__ for check in registered])
