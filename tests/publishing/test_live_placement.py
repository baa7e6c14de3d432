"""The daily check finds live pages that got where they are past the rules."""

import io

from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase
from wagtail.models import PageViewRestriction

from home.models import NewsPage
from tests.factories import line_organisation, load_municipality
from tests.governance import EnglishAdminMixin, publish_notice, reload
from tests.worlds import GovernedWorld


class LivePlacementCheckTests(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.g.editor.email = "kommunikasjon@example.no"
        cls.g.editor.save()
        cls.g.editor.groups.add(cls.g.municipality.communications_group)

    def setUp(self):
        super().setUp()
        publish_notice(self.g)
        reload(self.g.page).get_latest_revision().publish(user=self.g.editor)

    def run_check(self):
        output = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            try:
                call_command("check_live_placement", "--municipality", "alvdal", stdout=output)
            except CommandError as error:
                return output.getvalue(), str(error)
        return output.getvalue(), None

    def test_a_site_published_through_the_rules_holds(self):
        output, failure = self.run_check()
        self.assertIsNone(failure, output)
        self.assertEqual(output.count("\n"), 1, "one line saying that all pages hold")
        self.assertEqual(mail.outbox, [])

    def test_a_page_changed_in_the_database_is_reported_and_mailed(self):
        other = line_organisation(load_municipality("avesta"))
        NewsPage.objects.filter(pk=self.g.page.pk).update(owning_unit=other.unit)
        output, failure = self.run_check()
        self.assertTrue(failure.startswith("1 "), failure)  # one page, in Alvdal's language
        self.assertIn(f"{self.g.page.pk} {self.g.page.title}:", output)
        self.assertIn(other.unit.name, output)  # the reason names the unit
        self.assertEqual([message.to for message in mail.outbox], [["kommunikasjon@example.no"]])
        self.assertIn(self.g.page.title, mail.outbox[0].body)
        self.assertIn(f"/admin/pages/{self.g.page.pk}/edit/", mail.outbox[0].body)

    def test_an_intranet_without_its_restriction_is_reported(self):
        # Straight in the database: the admin and the models refuse to remove it.
        restrictions = PageViewRestriction.objects.filter(page=self.g.intranet)
        PageViewRestriction.groups.through.objects.filter(
            pageviewrestriction__in=restrictions
        )._raw_delete(using="default")
        restrictions._raw_delete(using="default")
        output, failure = self.run_check()
        self.assertIsNotNone(failure)
        self.assertIn(f"{self.g.intranet.pk} {self.g.intranet.title}:", output)
