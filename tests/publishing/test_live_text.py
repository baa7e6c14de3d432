"""The text checks of live pages, kept for the findings report (``publishing.reports.live_text``).

A live version is checked when it goes live, its results hold only for that version and the
municipality's settings, and the report reads them instead of each page's text; with a task
worker it queues the pages it has no results for and says how many wait.
"""

import io
import json
from unittest import mock

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation
from django_tasks import task_backends
from wagtail.documents import get_document_model
from wagtail.models import Collection, ReferenceIndex

from publishing.documents.checking import check_now
from publishing.models import Audience, LiveTextCheck
from publishing.reports import live_text
from publishing.rules import check_publish
from publishing.workflow import removal
from tests.governance import EnglishAdminMixin, publish_notice, reload
from tests.publishing.test_dashboard import governed_news
from tests.worlds import GovernedWorld

PHONE = "912 34 567"
FNR = "01010012356"  # a valid fødselsnummer (synthetic)
#: Hard to read, with officialese (as in test_content_rules).
HARD = (
    "Vedrørende søknaden om tildeling av kommunale omsorgstjenester bemerkes det at "
    "saksbehandlingen iverksettes fortløpende i henhold til gjeldende forvaltningsbestemmelser "
    "og prioriteringskriterier, hvorpå vedkommende underrettes skriftlig om utfallet. "
) * 4
TEXT_CODES = ("personal_data.", "plain_language.", "content.")
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class LiveTextTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        publish_notice(cls.g)

    def setUp(self):
        cache.clear()  # the report's note that a refresh was queued lately
        self.page = governed_news(
            self.g, "Ring oss", "ring-oss", intro=f"Ring saksbehandler Ola på {PHONE}."
        )

    def publish(self, page, **fields):
        """Publish a new revision of ``page`` with ``fields`` changed, committing as a request
        would (so that what waits for the commit runs)."""
        page = reload(page)
        for name, value in fields.items():
            setattr(page, name, value)
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=self.g.editor).publish(user=self.g.editor)
        return reload(page)

    def link_document(self, page, document):
        """Publish ``page`` with a block that links ``document``."""
        page = reload(page)
        page.body.append(("document", {"document": document, "title": ""}))
        with self.captureOnCommitCallbacks(execute=True):
            page.save_revision(user=self.g.editor).publish(user=self.g.editor)
        return reload(page)

    def kept(self, page):
        return LiveTextCheck.objects.get(page_id=page.pk)

    def findings(self, **params):
        self.login(self.g.editor)
        response = self.client.get(reverse("publishing_reports:findings"), params)
        self.assertEqual(response.status_code, 200)
        return response, {(row.page, row.code) for row in response.context["object_list"]}


class KeptResultsTests(LiveTextTestCase):
    def test_publishing_keeps_what_was_found_and_where_but_not_the_value(self):
        page = self.publish(self.page)
        kept = self.kept(page)
        self.assertEqual(kept.revision_id, page.live_revision_id)
        self.assertEqual(kept.inputs, live_text.inputs_key(self.g.municipality))
        self.assertEqual(
            kept.results["personal_data"],
            [{"kind": "phone", "severity": "warn", "field": "intro"}],
        )
        stored = json.dumps(kept.results)
        for digits in ("912", "34 567", "567"):
            self.assertNotIn(digits, stored)

    def test_the_report_shows_the_kept_results(self):
        page = self.publish(self.page)
        # What the report shows comes from the kept row, not from reading the page again.
        kept = self.kept(page)
        kept.results["vague_links"] = [{"text": "Klikk her", "field": "body"}]
        kept.save()
        _response, rows = self.findings()
        self.assertIn(("Ring oss", "personal_data.phone"), rows)
        self.assertIn(("Ring oss", "plain_language.vague_link"), rows)

    def test_a_new_live_version_is_checked_again_and_a_draft_changes_nothing(self):
        page = self.publish(self.page)
        first = self.kept(page).checked_at
        draft = reload(page)
        draft.intro = "Ring sentralbordet."
        draft.save_revision(user=self.g.editor)
        self.assertEqual(self.kept(page).checked_at, first, "a draft leaves the live results")
        _response, rows = self.findings()
        self.assertIn(("Ring oss", "personal_data.phone"), rows)

        page = self.publish(page, intro="Ring sentralbordet.")
        self.assertEqual(self.kept(page).revision_id, page.live_revision_id)
        self.assertEqual(self.kept(page).results["personal_data"], [])
        _response, rows = self.findings()
        self.assertNotIn(("Ring oss", "personal_data.phone"), rows)

    def test_saving_a_live_pages_text_without_a_revision_checks_it_again(self):
        page = reload(self.publish(self.page))
        page.intro = "Ring sentralbordet."
        with self.captureOnCommitCallbacks(execute=True):
            page.save()
        self.assertEqual(self.kept(page).results["personal_data"], [])
        _response, rows = self.findings()
        self.assertNotIn(("Ring oss", "personal_data.phone"), rows)

    def test_a_changed_profile_makes_its_pages_stale(self):
        page = self.publish(self.page)
        municipality = self.g.municipality
        self.assertNotIn(
            page.pk, set(live_text.stale_pages(municipality).values_list("pk", flat=True))
        )
        municipality.profile["contact_points"] = [
            {"kind": "phone", "value": PHONE, "label": "Saksbehandlar"}
        ]
        municipality.save()
        self.assertIn(
            page.pk, set(live_text.stale_pages(municipality).values_list("pk", flat=True))
        )
        # Tasks run at once here: the report has the page checked with the new contact point.
        _response, rows = self.findings()
        self.assertNotIn(("Ring oss", "personal_data.phone"), rows)
        self.assertEqual(self.kept(page).inputs, live_text.inputs_key(municipality))

    def test_new_checks_make_every_page_stale(self):
        self.publish(self.page)
        live_text.refresh([self.g.municipality])
        live = live_text.live_pages(self.g.municipality).count()
        self.assertEqual(live_text.stale_pages(self.g.municipality).count(), 0)
        with mock.patch.object(live_text, "code_fingerprint", return_value="upgraded"):
            self.assertEqual(live_text.stale_pages(self.g.municipality).count(), live)

    def test_kept_results_read_as_the_publish_check_reads_the_page(self):
        page = self.publish(self.page, intro=HARD + f" Ring {PHONE}.")
        self.login(self.g.editor)
        response = self.client.get(reverse("publishing_reports:findings"))
        reported = {
            (row.code, row.severity, row.message, row.field)
            for row in response.context["object_list"]
            if row.page == "Ring oss" and row.code.startswith(TEXT_CODES)
        }
        with translation.override("en"):
            fresh = {
                (f.code, f.severity, f.summary, f.field or "")
                for f in check_publish(page.specific)
                if f.code.startswith(TEXT_CODES)
            }
        self.assertEqual(reported, fresh)
        self.assertEqual(
            {code for code, *_rest in reported},
            {"personal_data.phone", "plain_language.lix_over_target", "plain_language.officialese"},
        )

    def test_audiences_and_their_targets_are_judged_as_they_are_now(self):
        page = self.publish(self.page, intro=HARD)
        _response, rows = self.findings()  # (checks the pages made live in the fixture)
        self.assertIn(("Ring oss", "plain_language.lix_over_target"), rows)
        # An easier target for the audience and none for the page type: not a change of what
        # the text checks measure, so nothing is checked again, but the target is judged anew.
        Audience.objects.filter(pk=self.g.citizens.pk).update(lix_target=99)
        municipality = self.g.municipality
        municipality.profile["plain_language"]["page_type_targets"] = {}
        municipality.save()
        self.assertEqual(live_text.stale_pages(municipality).count(), 0)
        _response, rows = self.findings()
        self.assertNotIn(("Ring oss", "plain_language.lix_over_target"), rows)
        self.assertNotIn(("Ring oss", "responsibility.no_audience"), rows)
        live = reload(page)
        live.audiences.set([])
        live.save(update_fields=["audiences"])
        _response, rows = self.findings()
        self.assertIn(("Ring oss", "responsibility.no_audience"), rows)

    def test_renaming_or_deleting_a_linked_document_checks_its_pages_again(self):
        document = get_document_model().objects.create(
            title="Årsmelding", file=ContentFile(b"x", "arsmelding.txt")
        )
        page = self.link_document(self.page, document)
        self.assertEqual(self.kept(page).documents, [document.pk])
        document.title = f"Vedtak for {FNR}"  # the block shows the document's title
        with self.captureOnCommitCallbacks(execute=True):
            document.save()
        self.assertIn("national_id", [i["kind"] for i in self.kept(page).results["personal_data"]])
        _response, rows = self.findings()
        self.assertIn(("Ring oss", "personal_data.national_id"), rows)
        with self.captureOnCommitCallbacks(execute=True):
            document.delete()
        self.assertNotIn(
            "national_id", [i["kind"] for i in self.kept(page).results["personal_data"]]
        )

    def test_unpublished_pages_leave_the_report(self):
        page = self.publish(self.page)
        with removal.because("Feil nummer."):
            page.specific.unpublish(user=self.g.editor)
        _response, rows = self.findings()
        self.assertNotIn(("Ring oss", "personal_data.phone"), rows)


@override_settings(TASKS=DUMMY_TASKS)
class WithAWorkerTests(LiveTextTestCase):
    """Production runs tasks in a worker: the report checks a few pages itself and leaves more
    to the worker."""

    def queued(self):
        """Our text-check tasks queued (Wagtail queues its own index updates too)."""
        return [
            r.task.name
            for r in task_backends["default"].results
            if r.task.name in {"check_live_text", "refresh_live_text"}
        ]

    def test_a_page_just_published_is_checked_by_the_report_itself(self):
        task_backends["default"].clear()
        page = self.publish(self.page)  # its check is queued, not run
        self.assertEqual(self.queued(), ["check_live_text"])
        self.assertFalse(LiveTextCheck.objects.filter(page_id=page.pk).exists())
        response, rows = self.findings()
        self.assertIn(("Ring oss", "personal_data.phone"), rows)
        self.assertEqual(response.context["pages_waiting"], 0)
        self.assertNotContains(response, "being checked in the background")
        self.assertEqual(self.queued(), ["check_live_text"], "nothing more queued")

    @mock.patch.object(live_text, "CHECK_IN_REQUEST", 0)
    def test_the_report_queues_stale_pages_once_and_says_how_many_wait(self):
        page = self.publish(self.page)  # its check is queued, not run
        self.assertFalse(LiveTextCheck.objects.filter(page_id=page.pk).exists())
        task_backends["default"].clear()
        response, rows = self.findings()
        waiting = live_text.stale_pages(self.g.municipality).count()
        self.assertGreaterEqual(waiting, 1)
        self.assertEqual(response.context["pages_waiting"], waiting)
        self.assertContains(response, "being checked in the background")
        self.assertNotIn(("Ring oss", "personal_data.phone"), rows)
        self.assertEqual(self.queued(), ["refresh_live_text"])
        self.findings()
        self.assertEqual(self.queued(), ["refresh_live_text"], "queued once while it waits")

        # The worker runs the refresh: the findings show and the note goes.
        live_text.refresh([self.g.municipality])
        response, rows = self.findings()
        self.assertIn(("Ring oss", "personal_data.phone"), rows)
        self.assertEqual(response.context["pages_waiting"], 0)
        self.assertNotContains(response, "being checked in the background")

    @mock.patch.object(live_text, "CHECK_IN_REQUEST", 0)
    def test_rules_other_than_the_text_are_judged_while_the_text_waits(self):
        live_text.refresh([self.g.municipality])
        page = reload(self.publish(self.page))
        # A leader without a leader role, as when one leaves after the page went live (the
        # form would refuse it): the responsibility rule blocks.
        page.responsible_leader = self.g.editor
        with self.captureOnCommitCallbacks(execute=True):
            page.save(clean=False)
        response, rows = self.findings()
        self.assertEqual(response.context["pages_waiting"], 1)
        self.assertIn(("Ring oss", "responsibility.leader_not_in_line"), rows)
        self.assertNotIn(("Ring oss", "personal_data.phone"), rows)

    @mock.patch.object(live_text, "CHECK_IN_REQUEST", 0)
    def test_a_staff_only_document_blocks_while_the_text_waits(self):
        municipality = self.g.municipality
        own = Collection.objects.get(name=municipality.name)
        staff_only = own.get_children().get(name=municipality.intranet_page.title)
        document = get_document_model().objects.create(
            title="Lønnsoversikt", collection=own, file=ContentFile(b"x", "lonn.txt")
        )
        check_now(document)  # the worker's check of the upload
        page = self.link_document(self.page, document)
        # The worker would index the page's references (Wagtail) and check its text (ours);
        # here it only indexes them, and the page's text waits.
        ReferenceIndex.create_or_update_for_object(page.specific)
        document.collection = staff_only  # now only staff may open it
        document.save()
        self.assertFalse(LiveTextCheck.objects.filter(page_id=page.pk).exists())
        response, rows = self.findings()
        self.assertGreaterEqual(response.context["pages_waiting"], 1)
        self.assertIn(("Ring oss", "documents.private_on_public_page"), rows)


class CommandTests(LiveTextTestCase):
    def run_command(self, *args):
        output = io.StringIO()
        call_command("check_live_pages", *args, stdout=output)
        return output.getvalue()

    def test_checks_what_is_stale_then_nothing(self):
        self.publish(self.page)
        live = live_text.live_pages(self.g.municipality).count()
        LiveTextCheck.objects.all().delete()
        output = self.run_command("--municipality", "alvdal")
        self.assertIn(f"alvdal: {live} of {live} stale page(s) checked", output)
        self.assertEqual(LiveTextCheck.objects.count(), live)
        self.assertIn("alvdal: 0 of 0 stale page(s) checked", self.run_command())
        self.assertIn(f"alvdal: {live} of {live} stale page(s) checked", self.run_command("--all"))

    def test_an_unknown_municipality_is_refused(self):
        with (
            translation.override("en"),
            self.assertRaisesMessage(CommandError, "No municipality with the slug nowhere"),
        ):
            self.run_command("--municipality", "nowhere")
