"""Small text filters for the citizens' pages."""

import re

from django import template

register = template.Library()

#: A space between two digits: inside a postcode ("774 81") or a phone number ("62 48 90 00").
SPACE_IN_NUMBER = re.compile(r"(?<=\d) (?=\d)")


@register.filter
def keep_numbers_together(value):
    """``value`` with the spaces inside numbers made no-break, so that a postcode or a phone
    number never breaks across lines on a narrow screen."""
    return SPACE_IN_NUMBER.sub("\u00a0", str(value))
