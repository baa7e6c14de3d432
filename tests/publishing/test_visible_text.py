"""Required texts are visible texts, on every door.

The invisible characters are generated from the Unicode database, not listed by hand: every
character of the categories Cf (format: zero-width space, word joiner, byte-order mark,
direction marks, soft hyphen ...), Zs (space separators), Zl and Zp. Each door is shown refusing
strings made only of them (all of them, spread over as few strings as the field's length
allows, so that a door that took any one of them for text would let its string through), and
then accepting a real word with such characters around it.
"""

import json
import sys
import tomllib
import unicodedata
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import translation
from wagtail.models import TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from publishing.citizens.feedback import FeedbackForm
from publishing.content_checks.visible import has_visible_text, visible_or_empty
from publishing.models import (
    CommunicationPlan,
    CrisisBanner,
    FastTrackReview,
    Municipality,
    PlanStatus,
    WarningAcknowledgement,
)
from publishing.models.pages import Sensitivity
from publishing.profiles.loader import profile_path
from publishing.profiles.schema import SchemaError, validate_profile
from publishing.visible_text import INVISIBLE_ONLY
from publishing.workflow.veto import GovernancePublishBlocked
from publishing.workflow.views import fast_track_publish
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.publishing.test_acknowledgements import PHONES, ReviewTestCase
from tests.publishing.test_plans import PlanAdminTestCase, url
from tests.worlds import GovernedWorld

#: Every character of the categories a reader does not see, from the Unicode database.
INVISIBLE = [
    chr(code)
    for code in range(sys.maxunicode + 1)
    if unicodedata.category(chr(code)) in ("Cf", "Zs", "Zl", "Zp")
]
#: The control characters (tab, line breaks, ...) but NUL, which no database stores.
CONTROLS = [
    chr(code) for code in range(1, sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cc"
]
#: Combining marks, which count only on a visible character.
MARKS = [
    chr(code)
    for code in range(sys.maxunicode + 1)
    if unicodedata.category(chr(code)) in ("Mn", "Me")
]


#: The wording of the refusal, as the tests read it.
def refusal():
    """The refusal in the language active when it is shown."""
    return str(INVISIBLE_ONLY)


def invisible_strings(max_length):
    """Invisible-only strings of at most ``max_length`` characters that together hold every
    character of ``INVISIBLE``, and some that mix them with controls and marks standing alone."""
    strings = [
        "".join(INVISIBLE[start : start + max_length])
        for start in range(0, len(INVISIBLE), max_length)
    ]
    zero_width = "\u200b"
    strings += [
        " \t" + zero_width + "\r\n",
        zero_width + "\u0301\u20dd",  # marks on nothing
        "\ufeff\u2060\u00ad",
    ]
    return [text[:max_length] for text in strings]


def around(word):
    """``word`` wrapped in invisible characters of every category, as a paste may bring it."""
    return "\u200b\u00a0\u2060" + word + "\ufeff\u3000\u200d"


class VisibleTextTests(SimpleTestCase):
    """The helper itself, for every character of the categories concerned."""

    def test_every_invisible_character_alone_or_together_is_no_text(self):
        self.assertGreater(len(INVISIBLE), 150)  # Cf, Zs, Zl, Zp of the Unicode database
        for char in INVISIBLE + CONTROLS:
            with self.subTest(code=f"U+{ord(char):04X}"):
                self.assertFalse(has_visible_text(char))
                self.assertFalse(has_visible_text(char * 3))
                self.assertEqual(visible_or_empty(char), "")
        self.assertFalse(has_visible_text("".join(INVISIBLE + CONTROLS)))
        for value in (None, "", *invisible_strings(40)):
            self.assertFalse(has_visible_text(value))

    def test_marks_count_on_a_letter_only(self):
        for mark in MARKS:
            with self.subTest(code=f"U+{ord(mark):04X}"):
                self.assertFalse(has_visible_text(mark))
                self.assertFalse(has_visible_text("\u200b" + mark))
                self.assertTrue(has_visible_text("a" + mark))

    def test_a_word_among_invisible_characters_is_text_and_keeps_its_inside(self):
        word = "offl. § 13"
        for char in INVISIBLE:
            with self.subTest(code=f"U+{ord(char):04X}"):
                self.assertTrue(has_visible_text(char + word + char))
                self.assertEqual(visible_or_empty(char + word + char), word)
        inside = "Avklart\u00admed\u200bleder"
        self.assertEqual(visible_or_empty("\u2060" + inside + " \u200b"), inside)
        self.assertEqual(visible_or_empty("Ja\u0301 "), "Ja\u0301")

    def test_letters_digits_punctuation_and_symbols_are_text(self):
        for code in range(sys.maxunicode + 1):
            char = chr(code)
            if (
                unicodedata.category(char)[0] in "LNPS"
                and char not in "\u115f\u1160\u3164\uffa0\u2800"
            ):
                self.assertTrue(has_visible_text(char), f"U+{code:04X}")


class GovernedTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()


class LegalBasisByCodeTests(GovernedTestCase):
    """An exempt internal notice published in code: ``revision.publish()``."""

    def test_exempt_page_needs_a_visible_legal_basis(self):
        notice = reload(self.g.notice)
        notice.sensitivity = Sensitivity.EXEMPT
        for basis in invisible_strings(120):
            with self.subTest(basis=basis.encode("unicode_escape")):
                notice.exemption_basis = basis
                # The model refuses it as a draft already ...
                with self.assertRaises(ValidationError) as refused:
                    notice.save_revision(user=self.g.leader)
                self.assertIn("exemption_basis", refused.exception.message_dict)
                # ... and the rule engine refuses to publish it when code skips the model's check.
                revision = notice.save_revision(user=self.g.leader, clean=False)
                with self.assertRaisesMessage(GovernancePublishBlocked, "names no legal basis"):
                    revision.publish(user=None)
                self.assertFalse(reload(self.g.notice).live)
        notice.exemption_basis = around("offl. § 13")
        notice.save_revision(user=self.g.leader).publish(user=None)
        self.assertTrue(reload(self.g.notice).live)


class LegalBasisInTheEditorTests(GovernedTestCase):
    """The editor's Publish button, where the legal basis is a text field (a municipality whose
    profile lists no legal bases) and where it is the profile's drop-down."""

    def form_data(self, notice, basis):
        return {
            **nested_form_data(
                {
                    "title": notice.title,
                    "slug": notice.slug,
                    "date": "2026-11-22",
                    "intro": notice.intro,
                    "body": streamfield([]),
                    "comments": inline_formset([]),
                    "owning_unit": notice.owning_unit_id,
                    "responsible_leader": notice.responsible_leader_id,
                    "sensitivity": Sensitivity.EXEMPT,
                    "exemption_basis": basis,
                    "review_by": "2027-11-22",
                    "action-publish": "action-publish",
                }
            ),
            "audiences": [self.g.staff_audience.pk],
        }

    def test_editor_publish_refuses_invisible_basis_and_keeps_what_was_typed(self):
        self.login(self.g.editor)
        url = reverse("wagtailadmin_pages:edit", args=[self.g.notice.pk])
        no_list = mock.patch.object(Municipality, "legal_bases", new=[])
        with no_list:
            for basis in invisible_strings(120):
                with self.subTest(basis=basis.encode("unicode_escape")):
                    response = self.client.post(url, self.form_data(self.g.notice, basis))
                    self.assertEqual(response.status_code, 200)
                    form = response.context["form"]
                    self.assertIn(refusal(), form.errors["exemption_basis"])
                    self.assertEqual(form["exemption_basis"].value(), basis, "nothing lost")
                    self.assertFalse(reload(self.g.notice).live)
            basis = around("offl. § 13")
            response = self.client.post(url, self.form_data(self.g.notice, basis))
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        self.assertTrue(reload(self.g.notice).live)

    def test_drop_down_offers_no_invisible_basis_stored_by_code(self):
        notice = reload(self.g.notice)
        notice.sensitivity = Sensitivity.EXEMPT
        notice.exemption_basis = "\u200b\u2060"
        notice.save_revision(user=self.g.leader, clean=False)
        self.login(self.g.editor)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[notice.pk]))
        choices = dict(response.context["form"].fields["exemption_basis"].widget.choices)
        self.assertIn("offl. § 13", choices)
        self.assertNotIn("\u200b\u2060", choices)


class AcknowledgementTests(ReviewTestCase):
    """The leader's reason for each warning: in the approval modal, in the task that every
    approval passes, and on the stored acknowledgement."""

    def test_modal_refuses_invisible_reasons_and_keeps_them_in_the_form(self):
        page = self.warned_page(intro=PHONES)
        task_state = self.at_leader(page)
        self.login(self.g.leader)
        keys = self.keys(page)
        for reason in invisible_strings(400):
            with self.subTest(reason=reason.encode("unicode_escape")):
                data = {"comment": "", **{f"reason__{key}": reason for key in keys}}
                response = self.client.post(
                    self.action_url(page, task_state), data, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
                )
                html = json.loads(response.content)["html"]
                self.assertIn(refusal().split(",")[0], html)
                self.assertIn("Still without a reason", html)
                self.assertEqual(reload(task_state).status, TaskState.STATUS_IN_PROGRESS)
        self.assertFalse(WarningAcknowledgement.objects.exists())
        data = {"comment": "", **{f"reason__{key}": around("Tjenestetelefon.") for key in keys}}
        response = self.client.post(
            self.action_url(page, task_state), data, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
        )
        self.assertEqual(json.loads(response.content)["step"], "success")
        reasons = set(WarningAcknowledgement.objects.values_list("reason", flat=True))
        self.assertEqual(reasons, {"Tjenestetelefon."})

    def test_task_refuses_invisible_reasons_from_any_caller(self):
        page = self.warned_page(intro=PHONES)
        task_state = self.at_leader(page)
        task = task_state.task.specific
        keys = self.keys(page)
        for reason in invisible_strings(2000):
            with (
                self.subTest(reason=reason.encode("unicode_escape")),
                self.assertRaisesMessage(PermissionDenied, "Still without a reason"),
            ):
                task.on_action(
                    reload(task_state),
                    self.g.leader,
                    "approve",
                    acknowledgements=dict.fromkeys(keys, reason),
                )
        self.assertEqual(reload(task_state).status, TaskState.STATUS_IN_PROGRESS)
        task.on_action(
            reload(task_state),
            self.g.leader,
            "approve",
            acknowledgements=dict.fromkeys(keys, around("Avklart.")),
        )
        self.assertEqual(reload(task_state).status, TaskState.STATUS_APPROVED)

    def test_acknowledgement_is_not_stored_without_a_visible_reason(self):
        page = self.warned_page(intro=PHONES)
        revision = reload(page).get_latest_revision()
        fields = {"page": page, "revision": revision, "user": self.g.leader, "code": "x"}
        for reason in invisible_strings(2000):
            with (
                self.subTest(reason=reason.encode("unicode_escape")),
                self.assertRaises(ValidationError),
            ):
                WarningAcknowledgement.objects.create(finding_key="k", reason=reason, **fields)
        self.assertFalse(WarningAcknowledgement.objects.exists())
        WarningAcknowledgement.objects.create(finding_key="k", reason=around("Avklart."), **fields)


class FastTrackReasonTests(GovernedTestCase):
    """The reason for a crisis fast track: the form, the function, the stored review. (A page
    that does not affect staff, so that only the reason decides.)"""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.page = news_page(cls.g, "Stengt vei", "stengt-vei", affects_staff=False, notice=False)

    def test_form_refuses_invisible_reason_and_keeps_what_was_typed(self):
        self.login(self.g.crisis)
        url = reverse("publishing:fast_track", args=[self.page.pk])
        for reason in invisible_strings(500):
            with self.subTest(reason=reason.encode("unicode_escape")):
                response = self.client.post(url, {"reason": reason})
                self.assertEqual(response.status_code, 200)
                form = response.context["form"]
                self.assertIn("reason", form.errors)
                if reason.strip():  # Django's own "required" answers whitespace only
                    self.assertEqual(form.errors["reason"], [refusal()])
                self.assertEqual(form["reason"].value(), reason, "nothing lost")
        self.assertFalse(reload(self.page).live)
        self.assertFalse(FastTrackReview.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"reason": around("Stengt vei.")})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(reload(self.page).live)
        self.assertEqual(FastTrackReview.objects.get().reason, "Stengt vei.")

    def test_code_refuses_invisible_reason_before_publishing_anything(self):
        for reason in invisible_strings(500):
            with self.subTest(reason=reason.encode("unicode_escape")):
                with self.assertRaises(ValidationError):
                    fast_track_publish(reload(self.page), None, self.g.crisis, reason)
                self.assertFalse(reload(self.page).live)
        with self.assertRaises(ValidationError):
            FastTrackReview.objects.create(
                page=self.page, published_by=self.g.crisis, reason="\u200b"
            )
        self.assertFalse(FastTrackReview.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            fast_track_publish(reload(self.page), None, self.g.crisis, around("Stengt vei."))
        self.assertTrue(reload(self.page).live)


class FeedbackCommentTests(SimpleTestCase):
    """A citizen's comment, required when the page did not help."""

    def test_no_needs_a_visible_comment(self):
        for comment in invisible_strings(500):
            with self.subTest(comment=comment.encode("unicode_escape")):
                form = FeedbackForm({"found": "no", "comment": comment})
                self.assertFalse(form.is_valid())
                self.assertIn("comment", form.errors)
                form = FeedbackForm({"found": "yes", "comment": comment})
                self.assertTrue(form.is_valid())
                self.assertEqual(form.cleaned_data["comment"], "")
        form = FeedbackForm({"found": "no", "comment": around("Fant ikke åpningstidene.")})
        self.assertTrue(form.is_valid())
        self.assertIn("Fant ikke åpningstidene.", form.cleaned_data["comment"])


class CrisisBannerTests(GovernedTestCase):
    def test_banner_needs_a_visible_headline_and_message(self):
        for text in invisible_strings(120):
            with self.subTest(text=text.encode("unicode_escape")):
                banner = CrisisBanner(municipality=self.g.municipality, headline=text, message=text)
                with self.assertRaises(ValidationError) as refused:
                    banner.full_clean()
                errors = refused.exception.message_dict
                self.assertEqual(errors.get("headline", [refusal()])[-1], refusal())
                self.assertIn("message", errors)
        banner = CrisisBanner(
            municipality=self.g.municipality,
            headline=around("Kok drikkevannet"),
            message=around("Kok vannet før du drikker det."),
        )
        banner.full_clean()


class ProfileTests(SimpleTestCase):
    """A municipality profile's required texts, the legal bases the drop-down offers included."""

    def test_legal_basis_citation_must_be_visible(self):
        from django.conf import settings

        data = tomllib.loads(profile_path(settings.BASE_DIR / "site" / "alvdal").read_text())
        self.assertTrue(data["legal_bases"])
        for citation in invisible_strings(120):
            with self.subTest(citation=citation.encode("unicode_escape")):
                data["legal_bases"][0]["citation"] = citation
                with translation.override("en"), self.assertRaises(SchemaError) as refused:
                    validate_profile(data)
                self.assertIn("legal_bases", refused.exception.key)
                self.assertIn("invisible characters", str(refused.exception.message))
        data["legal_bases"][0]["citation"] = around("offl. § 13")
        validate_profile(data)


class PlanTextTests(PlanAdminTestCase):
    """A communication plan's required texts: its answers when active, its title, and the
    texts of its activities, goals and follow-ups."""

    def test_plan_texts_must_be_visible(self):
        self.login(self.linnea)
        for text in invisible_strings(100):
            with self.subTest(text=text.encode("unicode_escape")):
                data = self.plan_data(
                    status=PlanStatus.ACTIVE,
                    title=text,
                    what=text,
                    why=text,
                    should_know=text,
                    follow_up_method=text,
                    goals=inline_formset([{"description": text, "measure": text, "target": text}]),
                    follow_ups=inline_formset([{"date": "2027-07-01", "note": text}]),
                    extra={"activities-0-title": text},
                )
                response = self.client.post(url("create"), data)
                self.assertEqual(response.status_code, 200)
                form = response.context["form"]
                for name in ("title", "what", "why", "should_know", "follow_up_method"):
                    self.assertIn(name, form.errors)
                self.assertIn("title", form.formsets["activities"].forms[0].errors)
                self.assertEqual(
                    set(form.formsets["goals"].forms[0].errors),
                    {"description", "measure", "target"},
                )
                self.assertIn("note", form.formsets["follow_ups"].forms[0].errors)
                self.assertEqual(form["what"].value(), text, "nothing lost")
        self.assertFalse(CommunicationPlan.objects.filter(what__contains="\u200b").exists())
        word = around("Ny simhall")
        data = self.plan_data(
            status=PlanStatus.ACTIVE,
            title=word,
            what=word,
            follow_ups=inline_formset([{"date": "2027-07-01", "note": word}]),
            extra={"activities-0-title": word},
        )
        response = self.client.post(url("create"), data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(CommunicationPlan.objects.filter(title=word).exists())
