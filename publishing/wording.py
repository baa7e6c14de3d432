"""Small pieces of wording shared by messages in every language."""

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import pgettext


def quoted(text):
    """``text`` in the quotation marks of the active language: «…» in Norwegian, ”…” in
    Swedish, “…” in English."""
    return pgettext("quotation marks around a quoted text", "“%(text)s”") % {"text": text}


def field_label(page, name, form=None, *, in_sentence=False):
    """What the editor calls ``page``'s field ``name``, in the active language: the form's label
    when a form is given, else the field's verbose name, else the name in words ("" for no name).
    Capitalised as a label stands alone, or as it reads inside a sentence (``in_sentence``)."""
    if not name:
        return ""
    if form is not None and name in form.fields and form.fields[name].label:
        label = str(form.fields[name].label)
    else:
        try:
            label = str(page._meta.get_field(name).verbose_name)
        except (FieldDoesNotExist, AttributeError):  # a rule may name a field the type lacks
            label = name.replace("_", " ")
    return label if in_sentence else capfirst(label)


def local_datetime(moment):
    """``moment`` in the site's time zone, written as the active language writes a date and time
    ("5. desember 2026 kl. 14.07")."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
