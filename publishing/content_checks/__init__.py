"""Text checks for publishing, in plain Python: text in, findings out.

This package must not import Django (``tests/test_layout.py`` checks it), so that it is fast,
testable on its own and reusable. Messages for people are added by the Django side
(``publishing.rules.content``), keyed by each finding's ``kind`` and ``subtype``.

- ``personal_data.scan(text, lang, allow=...)``: national ID numbers with checksums, phone
  numbers, e-mail, bank accounts, postal addresses, GDPR art. 9/10 words and names near them.
- ``plain_language.analyze(text, lang, ...)``: LIX and its band, long sentences, officialese,
  passive voice, vague link texts, all caps, long paragraphs.
"""

from publishing.content_checks.base import (  # noqa: F401
    MAX_INPUT_CHARS,
    InputTooLarge,
    PersonalDataFinding,
    Span,
    mask,
)
