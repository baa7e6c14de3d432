"""Small pieces of wording shared by messages in every language."""

from django.utils.translation import pgettext


def quoted(text):
    """``text`` in the quotation marks of the active language: «…» in Norwegian, ”…” in
    Swedish, “…” in English."""
    return pgettext("quotation marks around a quoted text", "“%(text)s”") % {"text": text}
