"""Identity numbers people type into the workflow are masked before they are stored or mailed.

A leader's "Request changes" comment, a reason for a warning and the editorial review's
approve-with-comment comment (Wagtail's own group approval task) each carry a valid Norwegian
fødselsnummer and a valid Swedish personnummer: no task state, audit log entry,
acknowledgement or mail holds the digits afterwards, and the rest of the text is kept.
"""

import datetime
import json

from django.core import mail
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from stdnum import luhn
from stdnum.no import fodselsnummer
from stdnum.se import personnummer
from wagtail.models import (
    Comment,
    GroupApprovalTask,
    PageLogEntry,
    TaskState,
    WorkflowState,
)

from publishing import free_text
from publishing.models import FastTrackReview, LeaderApprovalTask, WarningAcknowledgement
from publishing.rules import PUBLISH, RuleContext, evaluate, keyed
from tests.governance import EnglishAdminMixin, news_page, reload
from tests.worlds import GovernedWorld


def valid_fodselsnummer(birth=datetime.date(1985, 6, 15)):
    """A valid fødselsnummer for ``birth``: the first individual number (000-499, born in the
    1900s) whose two check digits both come out as single digits."""
    date = birth.strftime("%d%m%y")
    for individual in range(500):
        base = f"{date}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        if len(first) > 1:
            continue
        second = fodselsnummer.calc_check_digit2(base + first)
        if len(second) > 1:
            continue
        number = base + first + second
        if fodselsnummer.is_valid(number):
            return number
    raise AssertionError("no valid fødselsnummer for the date")


def valid_personnummer(birth=datetime.date(1979, 11, 23), serial="238"):
    """A valid Swedish personnummer, ``YYMMDD-NNNC``, its check digit by the Luhn algorithm."""
    digits = birth.strftime("%y%m%d") + serial
    number = f"{digits[:6]}-{digits[6:]}{luhn.calc_check_digit(digits)}"
    assert personnummer.is_valid(number), number
    return number


FNR = valid_fodselsnummer()
PNR = valid_personnummer()
#: What must not be found anywhere: each number as typed and as bare digits.
SECRETS = (FNR, PNR, PNR.replace("-", ""))


class NumbersTests(SimpleTestCase):
    def test_the_numbers_are_valid(self):
        self.assertTrue(fodselsnummer.is_valid(FNR))
        self.assertTrue(personnummer.is_valid(PNR))


class MaskingTests(SimpleTestCase):
    def test_numbers_are_masked_and_the_words_kept(self):
        text = f"Fjern {FNR} og {PNR} fra ingressen, sjekk med Ola."
        masked, kinds = free_text.mask_personal_data(text, "nb")
        for secret in SECRETS:
            self.assertNotIn(secret, masked)
        self.assertEqual(masked, "Fjern *********** og ******-**** fra ingressen, sjekk med Ola.")
        self.assertEqual(kinds, ["national_id"])

    def test_public_contact_points_are_allowed(self):
        text = "Ring sentralbordet på +47 62 48 90 00, ikke 912 34 567."
        masked, _kinds = free_text.mask_personal_data(text, "nb", allow=["+47 62 48 90 00"])
        self.assertIn("+47 62 48 90 00", masked)
        self.assertNotIn("912 34 567", masked)

    def test_log_data_is_masked_at_any_depth_under_free_text_keys_only(self):
        data = {
            "comment": f"Se {FNR}.",
            "reply": {"id": 4, "text": f"Og {PNR}."},
            "workflow": {"title": "Ekstern publisering", "task": {"title": "Leder"}},
            "findings": [{"code": "personal_data.national_id"}],
        }
        masked = free_text.mask_log_data(
            data, lambda text: free_text.mask_personal_data(text, "nb")[0]
        )
        self.assertEqual(masked["comment"], "Se ***********.")
        self.assertEqual(masked["reply"], {"id": 4, "text": "Og ******-****."})
        self.assertEqual(masked["workflow"], data["workflow"])
        self.assertEqual(masked["findings"], data["findings"])
        self.assertIn(FNR, data["comment"], "the caller's data is not changed")


class FreeTextTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def setUp(self):
        super().setUp()
        mail.outbox.clear()

    def committed(self):
        return self.captureOnCommitCallbacks(execute=True)

    def page(self, slug="brøyting", intro="Vi brøyter alle kommunale veier."):
        return news_page(self.g, "Brøyting", slug, affects_staff=False, notice=False, intro=intro)

    def at_leader(self, page):
        with self.committed():
            state = self.g.municipality.external_workflow.start(reload(page), self.g.publisher)
        state.refresh_from_db()
        self.assertEqual(state.current_task_state.task.specific_class, LeaderApprovalTask)
        return state

    def url(self, state, action):
        state.refresh_from_db()
        task_state = state.current_task_state
        return reverse(
            "wagtailadmin_pages:workflow_action",
            args=[task_state.workflow_state.content_object.pk, action, task_state.pk],
        )

    def post_action(self, user, state, action, data, modal=False):
        """``user`` takes ``action`` in the admin as a browser would; mail is sent as at commit."""
        self.login(user)
        url = self.url(state, action)
        extra = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if modal else {"follow": True}
        with self.committed():
            response = self.client.post(url, data, **extra)
        self.assertEqual(response.status_code, 200)
        state.refresh_from_db()
        return response

    def stored_texts(self):
        """Every value the numbers could have been stored in."""
        texts = list(TaskState.objects.values_list("comment", flat=True))
        texts += [json.dumps(data) for data in PageLogEntry.objects.values_list("data", flat=True)]
        texts += list(WarningAcknowledgement.objects.values_list("reason", flat=True))
        return texts

    def mailed_texts(self):
        return [item.message().as_string() + item.subject + item.body for item in mail.outbox]

    def assertNumbersNowhere(self, *, mailed=True):
        if mailed:
            self.assertTrue(mail.outbox, "no mail to check")
        for text in self.stored_texts() + self.mailed_texts():
            for secret in SECRETS:
                self.assertNotIn(secret, text)


class RequestChangesTests(FreeTextTestCase):
    def test_leaders_comment_is_stored_logged_and_mailed_without_the_numbers(self):
        state = self.at_leader(self.page())
        mail.outbox.clear()
        comment = f"Fjern fødselsnummeret {FNR} og personnummeret {PNR} fra ingressen."
        self.post_action(self.g.leader, state, "reject", {"comment": comment})
        self.assertEqual(state.status, WorkflowState.STATUS_NEEDS_CHANGES)
        rejected = state.current_task_state
        self.assertEqual(
            rejected.comment,
            "Fjern fødselsnummeret *********** og personnummeret ******-**** fra ingressen.",
        )
        entry = PageLogEntry.objects.get(action="wagtail.workflow.reject")
        self.assertEqual(entry.data["comment"], rejected.comment)
        (item,) = mail.outbox
        self.assertEqual(item.to, [self.g.publisher.email])
        self.assertIn("Fjern fødselsnummeret *********** og personnummeret", item.body)
        self.assertNumbersNowhere()

    def test_code_that_rejects_directly_is_masked_too(self):
        state = self.at_leader(self.page())
        task_state = state.current_task_state
        with self.committed():
            task_state.task.specific.on_action(
                task_state, self.g.leader, "reject", comment=f"Se {PNR}."
            )
        self.assertEqual(reload(task_state).comment, "Se ******-****.")
        self.assertNumbersNowhere()

    def test_municipalitys_switchboard_stays_and_a_private_number_goes(self):
        state = self.at_leader(self.page())
        comment = "Skriv sentralbordet +47 62 48 90 00, ikke mobilen 912 34 567."
        self.post_action(self.g.leader, state, "reject", {"comment": comment})
        self.assertEqual(
            state.current_task_state.comment,
            "Skriv sentralbordet +47 62 48 90 00, ikke mobilen *** ** ***.",
        )

    def test_the_value_is_never_logged(self):
        state = self.at_leader(self.page())
        with self.assertLogs("publishing.free_text", "INFO") as logged:
            self.post_action(self.g.leader, state, "reject", {"comment": f"Se {FNR}."})
        self.assertIn("national_id", " ".join(logged.output))
        for secret in SECRETS:
            self.assertNotIn(secret, " ".join(logged.output))


class WarningReasonTests(FreeTextTestCase):
    def keys(self, page):
        draft = reload(page).get_latest_revision_as_object()
        findings = [f for f in evaluate(RuleContext(page=draft, purpose=PUBLISH)) if not f.blocks]
        return [key for key, _finding in keyed(findings)]

    def test_reasons_and_comment_are_stored_logged_and_mailed_without_the_numbers(self):
        page = self.page("telefon", intro="Ring Ola på 912 34 567 om brøytingen.")
        state = self.at_leader(page)
        keys = self.keys(page)
        self.assertTrue(keys, "the page has a warning to acknowledge")
        reasons = {
            f"reason__{key}": f"Avklart med innbyggeren ({FNR}, {PNR}), nummeret er offentlig."
            for key in keys
        }
        mail.outbox.clear()
        response = self.post_action(
            self.g.leader,
            state,
            "approve",
            {"comment": f"Godkjent, men fjern {PNR} senere.", **reasons},
            modal=True,
        )
        self.assertEqual(json.loads(response.content)["step"], "success")
        self.assertEqual(state.current_task_state.task.specific_class, GroupApprovalTask)
        acknowledgements = WarningAcknowledgement.objects.filter(page=page)
        self.assertEqual(acknowledgements.count(), len(keys))
        for acknowledgement in acknowledgements:
            self.assertEqual(
                acknowledgement.reason,
                "Avklart med innbyggeren (***********, ******-****), nummeret er offentlig.",
            )
        logged = PageLogEntry.objects.filter(page=page, action="publishing.warning_acknowledged")
        self.assertEqual(logged.count(), len(keys))
        for entry in logged:
            self.assertTrue(entry.data["reason"].startswith("Avklart med innbyggeren (****"))
        leaders = TaskState.objects.get(
            workflow_state=state, task__in=LeaderApprovalTask.objects.values("pk")
        )
        self.assertEqual(leaders.comment, "Godkjent, men fjern ******-**** senere.")
        approved = PageLogEntry.objects.get(
            action="wagtail.workflow.approve", data__workflow__task_state_id=leaders.pk
        )
        self.assertEqual(approved.data["comment"], "Godkjent, men fjern ******-**** senere.")
        # The editorial review is told; the reasons stay out of that mail and out of the history.
        self.assertNumbersNowhere()
        self.login(self.g.editor)
        history = self.client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
        self.assertContains(history, "Avklart med innbyggeren")
        for secret in SECRETS:
            self.assertNotContains(history, secret)


class EditorialReviewTests(FreeTextTestCase):
    def test_approve_with_comment_in_wagtails_group_task_is_masked(self):
        state = self.at_leader(self.page())
        self.post_action(self.g.leader, state, "approve", {"comment": ""})
        self.assertEqual(state.current_task_state.task.specific_class, GroupApprovalTask)
        mail.outbox.clear()
        comment = f"Fint! Husk at {FNR} og {PNR} ikke hører hjemme her."
        self.post_action(self.g.editor, state, "approve", {"comment": comment}, modal=True)
        self.assertEqual(state.status, WorkflowState.STATUS_APPROVED)
        reviewed = TaskState.objects.get(
            workflow_state=state, task__in=GroupApprovalTask.objects.values("pk")
        )
        self.assertEqual(
            reviewed.comment, "Fint! Husk at *********** og ******-**** ikke hører hjemme her."
        )
        entry = PageLogEntry.objects.get(
            action="wagtail.workflow.approve", data__workflow__task_state_id=reviewed.pk
        )
        self.assertEqual(entry.data["comment"], reviewed.comment)
        self.assertEqual(mail.outbox[0].to, [self.g.publisher.email], "the author is told")
        self.assertNumbersNowhere()


class OtherTypedTextTests(FreeTextTestCase):
    def test_page_comments_and_their_log_entries_are_masked(self):
        page = self.page()
        comment = Comment.objects.create(
            page=page, user=self.g.editor, text=f"Hvem er {FNR}?", contentpath="intro"
        )
        comment.log_create(user=self.g.editor)
        self.assertEqual(Comment.objects.get(pk=comment.pk).text, "Hvem er ***********?")
        entry = PageLogEntry.objects.get(action="wagtail.comments.create")
        self.assertEqual(entry.data["comment"]["text"], "Hvem er ***********?")

    def test_fast_track_reason_is_masked(self):
        review = FastTrackReview.objects.create(
            page=self.g.page, published_by=self.g.crisis, reason=f"Stengt vei, ring {PNR}."
        )
        self.assertEqual(FastTrackReview.objects.get(pk=review.pk).reason, review.reason)
        self.assertEqual(review.reason, "Stengt vei, ring ******-****.")

    def test_a_row_without_text_costs_no_lookup(self):
        state = self.at_leader(self.page())
        task_state = state.current_task_state
        with self.assertNumQueries(1):
            task_state.save(update_fields=["status"])
