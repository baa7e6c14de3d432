"""People in templates as they are shown everywhere else: ``{{ user|person_name }}``."""

from django import template

from publishing.models.organisation import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user):
    """The person's full name, or their username when no name is recorded ("" for nobody)."""
    return _person_name(user)
