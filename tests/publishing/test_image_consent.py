"""Photos of people need consent: the records, the rule on every publish door, withdrawal and
the leaders' dashboard.

A public page that uses an image marked as showing identifiable people is refused unless every
person's consent holds for the public website; the rule sits in the engine, so the editor's
Publish button, the workflow's final approval and ``revision.publish()`` all refuse it. A
withdrawn consent tells the responsible leader of each live page that shows the image, in their
own language; an expired consent shows on the dashboard from the day after, without a job.
"""

import datetime
from unittest import mock

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, TaskState
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield
from wagtail.users.models import UserProfile

from home.models import NewsPage, StandardPage
from publishing.dashboard.panels import Viewer
from publishing.images.panels import ImagesWithoutConsentPanel
from publishing.images.withdrawal import withdraw
from publishing.models import ImageConsent, ImagePeople
from publishing.models.image_consent import CHANNEL, EXPIRED, MISSING, WITHDRAWN
from publishing.reports.live_findings import judge_live_pages
from publishing.rules import EDIT, RuleContext, check_publish, evaluate
from publishing.rules.bulk import drafts, evaluate_many
from publishing.rules.categories import kind_label, section_of
from publishing.workflow import removal
from publishing.workflow.veto import GovernancePublishBlocked
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.worlds import GovernedWorld

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def make_image(title="Barnehagedag i parken", collection=None):
    image = get_image_model().objects.create(
        title=title,
        file=get_test_image_file(),
        **({"collection": collection} if collection is not None else {}),
    )
    return image


def people_in(image, *consents, shows_people=True):
    """Mark ``image`` as showing people, with ``consents`` (dicts of ``ImageConsent`` fields)."""
    record, _created = ImagePeople.objects.get_or_create(image=image)
    record.shows_people = shows_people
    record.save()
    for values in consents:
        ImageConsent.objects.create(
            record=record,
            **{"person": "Kari Nordmann", "channels": ["web"], "given_on": TODAY - 30 * DAY}
            | values,
        )
    return record


def image_block(image, alt="Barn leker i parken", decorative=False):
    return ("image", {"image": image, "alt_text": alt, "decorative": decorative})


def codes(page, **kwargs):
    return [finding.code for finding in check_publish(page, **kwargs)]


def image_codes(page, **kwargs):
    return [code for code in codes(page, **kwargs) if code.startswith("images.")]


class ConsentRecordTests(TestCase):
    """``ImagePeople.consent_problems``: every person shown needs a consent that holds."""

    @classmethod
    def setUpTestData(cls):
        cls.image = make_image()

    def problems(self, *consents, channel="web", today=TODAY, shows_people=True):
        ImagePeople.objects.filter(image=self.image).delete()
        return people_in(self.image, *consents, shows_people=shows_people).consent_problems(
            channel, today
        )

    def test_no_people_needs_no_consent(self):
        self.assertEqual(self.problems(shows_people=False), [])

    def test_people_without_a_consent_are_missing_it(self):
        self.assertEqual(self.problems(), [MISSING])

    def test_a_consent_that_holds(self):
        self.assertEqual(self.problems({}), [])
        self.assertEqual(self.problems({"valid_until": TODAY}), [], "valid on its last day")

    def test_expired_withdrawn_and_another_channel(self):
        self.assertEqual(self.problems({"valid_until": TODAY - DAY}), [EXPIRED])
        self.assertEqual(self.problems({"withdrawn_on": TODAY}), [WITHDRAWN])
        self.assertEqual(self.problems({"channels": ["print", "social"]}), [CHANNEL])
        self.assertEqual(self.problems({"channels": ["intranet"]}, channel="intranet"), [])
        self.assertEqual(self.problems({"given_on": TODAY + DAY}), [MISSING], "not given yet")

    def test_everyone_shown_must_have_consented(self):
        self.assertEqual(
            self.problems({}, {"person": "Ola Nordmann", "withdrawn_on": TODAY - DAY}),
            [WITHDRAWN],
        )
        # A new consent after an expired one: the person's consent holds again.
        self.assertEqual(
            self.problems(
                {"valid_until": TODAY - 10 * DAY},
                {"person": " kari  NORDMANN ", "given_on": TODAY - DAY},
            ),
            [],
        )
        self.assertEqual(
            self.problems({"valid_until": TODAY - DAY}, {"person": "Ola", "withdrawn_on": TODAY}),
            [WITHDRAWN, EXPIRED],
            "worst first",
        )

    def test_expiry_is_a_matter_of_the_date(self):
        record = people_in(self.image, {"valid_until": TODAY})
        self.assertEqual(record.consent_problems("web", TODAY), [])
        self.assertEqual(record.consent_problems("web", TODAY + DAY), [EXPIRED])


class ConsentValidationTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """A consent form is kept where only staff may open it; a child's consent names the
    guardian who gave it."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        own = Collection.objects.get(name=cls.g.municipality.name)
        staff_only = own.get_children().get(name=cls.g.intranet.title)
        Document = get_document_model()
        cls.private_form = Document.objects.create(
            title="Samtykke Kari", collection=staff_only, file=ContentFile(b"x", "samtykke.pdf")
        )
        cls.public_form = Document.objects.create(
            title="Samtykkeskjema", collection=own, file=ContentFile(b"x", "skjema.pdf")
        )
        cls.record = people_in(make_image())

    def consent(self, **values):
        return ImageConsent(
            record=self.record,
            **{"person": "Kari Nordmann", "channels": ["web"], "given_on": TODAY} | values,
        )

    def errors(self, **values):
        with self.assertRaises(ValidationError) as raised:
            self.consent(**values).full_clean()
        return raised.exception.message_dict

    def test_a_consent_form_in_a_public_collection_is_refused(self):
        errors = self.errors(form=self.public_form)
        self.assertIn("form", errors)
        self.assertIn("a collection anyone may open", errors["form"][0])
        self.consent(form=self.private_form).full_clean()

    def test_a_child_consents_through_a_guardian(self):
        self.assertIn("guardian", self.errors(child=True))
        self.consent(child=True, guardian="Anne Nordmann").full_clean()

    def test_dates_and_channels(self):
        self.assertIn("given_on", self.errors(given_on=TODAY + DAY))
        self.assertIn("valid_until", self.errors(valid_until=TODAY - DAY))
        self.assertIn("channels", self.errors(channels=[]))
        self.assertIn("channels", self.errors(channels=["billboard"]))
        self.assertIn("person", self.errors(person="\u200b "))


class RuleTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """The rule judges the page as it would be published, outside the intranet only."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.image = make_image()
        cls.page = news_page(cls.g, "Sommer i parken", "sommer", affects_staff=False, notice=False)

    def draft(self, *blocks):
        draft = reload(self.page).get_latest_revision_as_object()
        for block in blocks:
            draft.body.append(block)
        return draft

    def test_each_problem_blocks_with_the_image_title_and_the_fix(self):
        cases = [
            ((), "images.consent_missing", "no consent to show them is recorded"),
            (({"valid_until": TODAY - DAY},), "images.consent_expired", "has expired"),
            (({"withdrawn_on": TODAY},), "images.consent_withdrawn", "withdrawn their consent"),
            (({"channels": ["print"]},), "images.consent_missing", "does not cover the public"),
        ]
        for consents, code, words in cases:
            with self.subTest(code=code, words=words):
                ImagePeople.objects.filter(image=self.image).delete()
                record = people_in(self.image, *consents)
                findings = [
                    f
                    for f in check_publish(self.draft(image_block(self.image)))
                    if f.code.startswith("images.")
                ]
                self.assertEqual([f.code for f in findings], [code])
                finding = findings[0]
                self.assertTrue(finding.blocks)
                self.assertIn("“Barnehagedag i parken”", finding.message)
                self.assertIn(words, finding.message)
                self.assertIn("choose another image", finding.fix.lower())
                self.assertEqual(finding.field, "body")
                self.assertEqual(
                    finding.url, reverse("publishing_image_people:edit", args=[record.pk])
                )

    def test_the_findings_are_of_their_own_kind_in_the_openness_section(self):
        self.assertEqual(kind_label("images.consent_withdrawn"), "Images")
        self.assertEqual(section_of("images.consent_missing"), "openness")
        self.assertEqual(section_of("images.alt_missing"), "openness")

    def test_a_consent_that_holds_and_an_image_without_people_pass(self):
        people_in(self.image, {})
        self.assertEqual(image_codes(self.draft(image_block(self.image))), [])
        other = make_image("Parken om høsten")
        people_in(other, shows_people=False)
        self.assertEqual(image_codes(self.draft(image_block(other))), [])
        self.assertEqual(image_codes(self.draft(image_block(make_image("Uten post")))), [])

    def test_an_image_embedded_in_rich_text(self):
        people_in(self.image)
        embed = f'<embed alt="Barn" embedtype="image" format="left" id="{self.image.pk}"/>'
        html = f"<p>Se bildet.</p>{embed}"
        self.assertEqual(
            image_codes(self.draft(("paragraph", RichText(html)))), ["images.consent_missing"]
        )

    def test_the_unsaved_version_is_judged_not_the_saved_one(self):
        people_in(self.image)
        live = reload(self.page)
        self.assertEqual(image_codes(live), [], "the saved page does not use the image")
        self.assertEqual(
            image_codes(self.draft(image_block(self.image))), ["images.consent_missing"]
        )
        # The editor's panel asks the engine about the unsaved form the same way.
        findings = evaluate(RuleContext(page=self.draft(image_block(self.image)), purpose=EDIT))
        self.assertIn("images.consent_missing", [f.code for f in findings])

    def test_the_intranet_may_show_staff_photos_without_a_website_consent(self):
        people_in(self.image, {"channels": ["intranet"]})
        draft = self.draft(image_block(self.image))
        self.assertEqual(image_codes(draft, location=self.g.intranet), [])
        self.assertEqual(image_codes(draft), ["images.consent_missing"])

    def test_many_pages_at_once_give_the_same_answer(self):
        people_in(self.image, {"withdrawn_on": TODAY})
        page = reload(self.page)
        page.body.append(image_block(self.image))
        page.save_revision(user=self.g.publisher)
        page = reload(self.page)
        built = drafts([page])
        contexts = [RuleContext(page=built[page.pk])]
        findings = evaluate_many(contexts)[0]
        self.assertIn("images.consent_withdrawn", [f.code for f in findings])


class LivePagesReportTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """The findings report judges live pages without reading their text: the images come from
    the reference index, in the same number of queries for one page as for three."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.pages = []
        for number in range(3):
            image = make_image(f"Sommerfest {number}")
            people_in(image, {"withdrawn_on": TODAY})
            page = news_page(
                cls.g,
                f"Sommer {number}",
                f"sommer-{number}",
                affects_staff=False,
                notice=False,
                body=[image_block(image)],
            )
            ImageConsent.objects.filter(record__image=image).update(withdrawn_on=None)
            page.get_latest_revision().publish(user=None)
            ImageConsent.objects.filter(record__image=image).update(withdrawn_on=TODAY)
            cls.pages.append(page)

    def judge(self, pages):
        live = list(NewsPage.objects.filter(pk__in=[p.pk for p in pages]).defer("body", "intro"))
        with CaptureQueriesContext(connection) as queries:
            findings, _facts = judge_live_pages(live, [self.g.municipality])
        return findings, len(queries)

    def test_withdrawn_consents_show_on_live_pages_in_fixed_queries(self):
        self.judge(self.pages[:1])  # what a process caches once
        one, one_queries = self.judge(self.pages[:1])
        three, three_queries = self.judge(self.pages)
        self.assertEqual(one_queries, three_queries)
        for findings in three:
            self.assertIn("images.consent_withdrawn", [f.code for f in findings])

    def test_the_dashboard_panel_in_fixed_queries(self):
        def count():
            with CaptureQueriesContext(connection) as queries:
                rows = ImagesWithoutConsentPanel(Viewer.load(self.g.leader)).items
            return len(rows), len(queries)

        count()
        rows, before = count()
        self.assertEqual(rows, 3)
        NewsPage.objects.filter(pk=self.pages[0].pk).update(live=False)
        rows, after = count()
        self.assertEqual((rows, after), (2, before))


class AltTextTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """Alt text stays required on public pages, whichever way the page is published."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.image = make_image("Kveldsruter")
        cls.page = news_page(cls.g, "Nye kveldsruter", "ruter", affects_staff=False, notice=False)

    def draft(self, *blocks):
        draft = reload(self.page).get_latest_revision_as_object()
        for block in blocks:
            draft.body.append(block)
        return draft

    def alt_findings(self, page, **kwargs):
        return [f for f in check_publish(page, **kwargs) if f.code == "images.alt_missing"]

    def test_an_image_block_without_alt_text_is_refused(self):
        findings = self.alt_findings(self.draft(image_block(self.image, alt="")))
        self.assertEqual(len(findings), 1)
        self.assertTrue(findings[0].blocks)
        self.assertEqual(findings[0].field, "body")
        self.assertIn("no alt text", findings[0].message)
        invisible = self.draft(image_block(self.image, alt=" \u200b"))
        self.assertEqual(len(self.alt_findings(invisible)), 1, "invisible characters say nothing")

    def test_decorative_images_and_written_alt_texts_pass(self):
        self.assertEqual(self.alt_findings(self.draft(image_block(self.image))), [])
        self.assertEqual(
            self.alt_findings(self.draft(image_block(self.image, alt="", decorative=True))), []
        )

    def test_an_image_embedded_in_rich_text_without_alt_is_refused(self):
        missing = f'<embed embedtype="image" format="left" id="{self.image.pk}"/>'
        findings = self.alt_findings(self.draft(("paragraph", RichText(missing))))
        self.assertEqual(len(findings), 1)
        written = f'<embed alt="Buss" embedtype="image" format="left" id="{self.image.pk}"/>'
        decorative = f'<embed alt="" embedtype="image" format="left" id="{self.image.pk}"/>'
        for html in (written, decorative):
            self.assertEqual(self.alt_findings(self.draft(("paragraph", RichText(html)))), [])

    def test_the_intranet_is_left_to_the_editor(self):
        draft = self.draft(image_block(self.image, alt=""))
        self.assertEqual(self.alt_findings(draft, location=self.g.intranet), [])

    def test_the_editor_form_refuses_it_before_the_engine_is_asked(self):
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        response = self.client.post(url, form_data(self.page, [image_block(self.image.pk, "")]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please add some alt text for your image")
        self.assertFalse(reload(self.page).live)


def form_data(page, blocks, **overrides):
    """The editor's form for ``page`` with ``blocks`` in its body, publishing."""
    data = {
        "title": page.title,
        "slug": page.slug,
        "date": "2026-11-22",
        "intro": page.intro,
        "body": streamfield(
            [
                (kind, {k: v for k, v in value.items() if v not in ("", False)})
                for kind, value in blocks
            ]
        ),
        "comments": inline_formset([]),
        "owning_unit": page.owning_unit_id,
        "responsible_leader": page.responsible_leader_id,
        "sensitivity": page.sensitivity,
        "affects_staff": "on" if page.affects_staff else "",
        "internal_notice": page.internal_notice_id or "",
        "review_by": "2027-11-22",
        "action-publish": "action-publish",
    }
    data.update(overrides)
    return {
        **nested_form_data({k: v for k, v in data.items() if v != ""}),
        "audiences": [a.pk for a in page.audiences.all()],
    }


class PublishDoorTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """The rule is the engine's, so every door that publishes refuses the page."""

    WORDS = "no consent to show them is recorded"

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.image = make_image()
        cls.record = people_in(cls.image)
        cls.page = news_page(
            cls.g,
            "Sommer i parken",
            "sommer",
            affects_staff=False,
            notice=False,
            body=[image_block(cls.image)],
        )

    def consent(self, **values):
        return ImageConsent.objects.create(
            record=self.record,
            **{"person": "Kari Nordmann", "channels": ["web"], "given_on": TODAY} | values,
        )

    def test_the_editors_publish_button(self):
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        blocks = [image_block(self.image.pk)]
        response = self.client.post(url, form_data(self.page, blocks))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.WORDS)
        self.assertFalse(reload(self.page).live)
        self.consent()
        response = self.client.post(url, form_data(self.page, blocks))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(reload(self.page).live)

    def test_revision_publish(self):
        revision = reload(self.page).get_latest_revision()
        with self.assertRaises(GovernancePublishBlocked) as raised:
            revision.publish(user=self.g.editor)
        self.assertIn(self.WORDS, str(raised.exception))
        self.assertFalse(reload(self.page).live)
        self.consent()
        reload(self.page).get_latest_revision().publish(user=self.g.editor)
        self.assertTrue(reload(self.page).live)

    def test_the_workflows_final_approval_after_a_withdrawal(self):
        consent = self.consent()
        state = self.g.municipality.external_workflow.start(reload(self.page), self.g.publisher)
        state.refresh_from_db()
        self.login(self.g.leader)
        leader_task = state.current_task_state
        response = self.client.post(
            reverse(
                "wagtailadmin_pages:workflow_action",
                args=[self.page.pk, "approve", leader_task.pk],
            ),
            {"comment": ""},
        )
        self.assertEqual(response.status_code, 302)
        state.refresh_from_db()
        review = state.current_task_state
        self.assertNotEqual(review.pk, leader_task.pk, "the leader approved")
        withdraw(consent.pk, user=self.g.editor, on=TODAY, reason="Ringte oss i dag.")
        self.login(self.g.editor)
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[self.page.pk, "approve", review.pk]
        )
        response = self.client.post(url, {"comment": ""}, follow=True)
        self.assertContains(response, "withdrawn their consent")
        self.assertFalse(reload(self.page).live)
        review.refresh_from_db()
        self.assertEqual(review.status, TaskState.STATUS_IN_PROGRESS, "approval rolled back")


class WithdrawalTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """A withdrawal is recorded once and tells the leaders of the live pages that show the
    image, in their language, with titles and links but no page text or personal data."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.image = make_image()
        cls.record = people_in(cls.image, {"person": "Kari Nordmann"})
        cls.consent = cls.record.consents.get()
        cls.live = news_page(
            cls.g,
            "Sommer i parken",
            "sommer",
            affects_staff=False,
            notice=False,
            intro="Hemmelig mellomtekst om parken.",
            body=[image_block(cls.image)],
        )
        cls.live.get_latest_revision().publish(user=None)
        cls.draft_only = news_page(
            cls.g,
            "Utkast med bilde",
            "utkast",
            affects_staff=False,
            notice=False,
            body=[image_block(cls.image)],
        )
        cls.intranet_page = cls.g.intranet.add_child(
            instance=StandardPage(
                title="Sommerfest for ansatte",
                slug="sommerfest",
                owning_unit=cls.g.line.unit,
                responsible_leader=cls.g.leader,
                sensitivity="internal",
                live=True,
                body=[image_block(cls.image)],
            )
        )
        profile = UserProfile.get_for_user(cls.g.leader)
        profile.preferred_language = "sv"
        profile.save()
        # The mail greets the leader by name: a generated name may be the photo's "Kari".
        cls.g.leader.first_name = "Hilde"
        cls.g.leader.save(update_fields=["first_name"])

    def test_the_leader_of_each_live_public_page_is_told(self):
        with self.captureOnCommitCallbacks(execute=True):
            result = withdraw(
                self.consent.pk,
                user=self.g.editor,
                on=TODAY,
                reason="Mora ringte, tlf 912 34 567.",
            )
        self.assertTrue(reload(self.intranet_page).live)
        self.assertEqual([page.pk for page in result.pages], [self.live.pk], "live and public")
        self.assertEqual(result.leaders, [self.g.leader])
        self.assertEqual(len(mail.outbox), 1)
        sent = mail.outbox[0]
        self.assertEqual(sent.to, [self.g.leader.email])
        self.assertEqual(sent.extra_headers["Content-Language"], "sv")
        self.assertIn("Sommer i parken", sent.body)
        self.assertIn(f"/admin/pages/{self.live.pk}/edit/", sent.body)
        for secret in ("Hemmelig", "Kari", "Mora", "912"):
            self.assertNotIn(secret, sent.body + sent.subject, "no page text or personal data")
        consent = ImageConsent.objects.get(pk=self.consent.pk)
        self.assertEqual(consent.withdrawn_on, TODAY)
        self.assertEqual(consent.withdrawn_by, self.g.editor)
        self.assertNotIn("912 34 567", consent.withdrawn_reason, "the reason is masked")

    def test_twice_is_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            withdraw(self.consent.pk, user=self.g.editor, on=TODAY, reason="Ringte.")
        with self.captureOnCommitCallbacks(execute=True):
            again = withdraw(self.consent.pk, user=self.g.editor, on=TODAY, reason="Igjen.")
        self.assertTrue(again.already)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(ImageConsent.objects.get(pk=self.consent.pk).withdrawn_reason, "Ringte.")

    def test_a_person_who_consented_again_keeps_the_image_in_use(self):
        ImageConsent.objects.create(
            record=self.record, person="Kari Nordmann", channels=["web"], given_on=TODAY
        )
        with self.captureOnCommitCallbacks(execute=True):
            result = withdraw(self.consent.pk, user=self.g.editor, on=TODAY, reason="Gammelt.")
        self.assertEqual(result.pages, [])
        self.assertEqual(mail.outbox, [])


class DashboardPanelTests(GovernedWorld, EnglishAdminMixin, TestCase):
    """The leader sees her live pages whose images no longer may be shown: withdrawn at once,
    expired from the day after, by date alone."""

    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.image = make_image()
        cls.record = people_in(cls.image, {"valid_until": TODAY})
        cls.live = news_page(
            cls.g,
            "Sommer i parken",
            "sommer",
            affects_staff=False,
            notice=False,
            body=[image_block(cls.image)],
        )
        cls.live.get_latest_revision().publish(user=None)

    def rows(self, user):
        panel = ImagesWithoutConsentPanel(Viewer.load(user))
        self.assertTrue(panel.applies())
        return panel.items

    def test_expiry_shows_the_day_after_without_a_job(self):
        self.assertEqual(self.rows(self.g.leader), [])
        with mock.patch("django.utils.timezone.localdate", return_value=TODAY + DAY):
            rows = self.rows(self.g.leader)
        self.assertEqual([row.page.pk for row in rows], [self.live.pk])
        self.assertEqual(rows[0].images[0].title, "Barnehagedag i parken")
        self.assertEqual(rows[0].images[0].status, "Consent expired")
        self.assertEqual(rows[0].edit_url, reverse("wagtailadmin_pages:edit", args=[self.live.pk]))

    def test_a_withdrawal_shows_at_once_and_only_to_leaders_of_the_page(self):
        withdraw(self.record.consents.get().pk, user=self.g.editor, on=TODAY, reason="Ringte.")
        self.assertEqual([row.page.pk for row in self.rows(self.g.leader)], [self.live.pk])
        self.assertEqual([row.page.pk for row in self.rows(self.g.chief)], [self.live.pk])
        self.assertEqual(self.rows(self.g.other_head), [], "a leader of another unit")

    def test_a_page_taken_off_the_site_is_no_longer_listed(self):
        ImageConsent.objects.filter(record=self.record).update(withdrawn_on=TODAY)
        with removal.because("Samtykket er trukket."):
            reload(self.live).unpublish()
        self.assertEqual(self.rows(self.g.leader), [])

    def test_the_panel_renders(self):
        ImageConsent.objects.filter(record=self.record).update(withdrawn_on=TODAY)
        html = ImagesWithoutConsentPanel(Viewer.load(self.g.leader)).render_html({})
        self.assertIn("Sommer i parken", html)
        self.assertIn("Consent withdrawn", html)

    def test_the_leader_finds_it_on_her_dashboard(self):
        ImageConsent.objects.filter(record=self.record).update(withdrawn_on=TODAY)
        self.login(self.g.leader)
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(response, "Live pages showing people without consent")
        self.assertContains(response, "Sommer i parken")
        self.login(self.g.other_head)
        self.assertNotContains(self.client.get(reverse("wagtailadmin_home")), "Sommer i parken")
