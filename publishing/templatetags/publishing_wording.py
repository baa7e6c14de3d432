"""Wording in templates as the Python side words it: ``{{ title|quoted }}``."""

from django import template

from publishing.wording import quoted as _quoted

register = template.Library()


@register.filter
def quoted(text):
    """``text`` in the quotation marks of the active language: «…», ”…” or “…”."""
    return _quoted(text)
