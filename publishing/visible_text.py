"""Required texts are visible texts: the message and the check that forms and models share.

What counts as visible is decided in plain Python (``content_checks.visible``); this module adds
the words people read when a required text holds only spaces or invisible characters.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from publishing.content_checks.visible import has_visible_text, visible_or_empty  # noqa: F401

#: Shown at a required field whose value a reader would see as empty although it is not.
INVISIBLE_ONLY = _(
    "There are only spaces or invisible characters here, and they do not count. Write the "
    "text in words."
)


def invisible_only(value):
    """Whether ``value`` was written (is not empty) but holds nothing a reader sees."""
    return bool(value) and not has_visible_text(value)


def require_visible(value, field=None):
    """Raise ``ValidationError`` (for ``field``, when given) unless ``value`` has visible text.

    For models saved by the project's own code, where no form has checked the value first.
    """
    if has_visible_text(value):
        return
    error = ValidationError(INVISIBLE_ONLY, code="invisible")
    raise ValidationError({field: error}) if field else error


def visible_text_errors(instance, names):
    """``{name: message}`` for each of ``instance``'s fields ``names`` that holds text but none
    a reader sees, for a model's ``clean()``. (Empty required fields are the form's business.)"""
    return {
        name: ValidationError(INVISIBLE_ONLY, code="invisible")
        for name in names
        if invisible_only(getattr(instance, name, ""))
    }
