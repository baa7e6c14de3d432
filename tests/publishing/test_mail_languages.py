"""Every mail the product sends reads in bokmål, nynorsk and Swedish, with no English in it."""

import datetime
import re
from types import SimpleNamespace

from django.test import SimpleTestCase

from publishing.notifications.mail import render
from tests.e2e.story import english_words

LANGUAGES = ("nb", "nn", "sv")
QUOTES = {"nb": ("«", "»"), "nn": ("«", "»"), "sv": ("”", "”")}

#: Every mail, with what its template is given (a Norwegian page, a leader, a comment).
MAILS = {
    "approval_requested": {"requested_by": "Silje Moe"},
    "changes_requested": {
        "person": "Hilde Sandvik",
        "task": "Godkjenning",
        "comment": "Ta med åpningstidene.",
        "automatic": False,
    },
    "fast_track_review": {},
    "notice_live": {},
    "review_reminder": {
        "pages": [
            {
                "title": "Nytt bibliotek",
                "review_by": datetime.date(2027, 3, 1),
                "edit_url": "http://x/1/",
            },
            {
                "title": "Skoleskyss",
                "review_by": datetime.date(2027, 3, 2),
                "edit_url": "http://x/2/",
            },
        ],
        "count": 2,
    },
    "scheduled_blocked": {"codes": ["Ingen melding til ansatte er publisert"]},
}


class MailLanguageTests(SimpleTestCase):
    def test_every_mail_in_every_nordic_language(self):
        for template, extra in MAILS.items():
            for language in LANGUAGES:
                with self.subTest(template=template, language=language):
                    context = {
                        "user": SimpleNamespace(get_short_name=lambda: "Ola", get_username=None),
                        "title": "Nytt bibliotek",
                        "url": "http://alvdal.localhost:8000/admin/pages/1/edit/",
                        "preferences_url": "http://alvdal.localhost:8000/admin/account/",
                        **extra,
                    }
                    subject, body = render(template, context, language)
                    text = re.sub(r"https?://\S+", "", f"{subject}\n{body}")
                    self.assertEqual(english_words(text), [], text)
                    self.assertIn("Nytt bibliotek", text)
                    if "«Nytt bibliotek»" in text or "”Nytt bibliotek”" in text:
                        opening, closing = QUOTES[language]
                        self.assertIn(f"{opening}Nytt bibliotek{closing}", text)
                    self.assertNotRegex(text, r"[“\"]Nytt bibliotek")
