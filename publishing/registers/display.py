"""Registers that read as words in the person's language: their columns and detail pages.

Django's admin shows a person by username, a yes/no value as an icon whose text alternative is
"True" or "False" in English, and field names in lower case with the row's database id. The
registers show a person by name (with role and unit on a detail page), "Yes" or "No", labels
as labels, and no ids.
"""

from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail_modeladmin.views import InspectView

from publishing.models.organisation import person_name
from publishing.people import person_label


def person_column(attribute, label, order_by):
    """A register column showing the person in ``attribute`` by name, never by username."""

    def column(self, obj):
        return person_name(getattr(obj, attribute))

    column.short_description = label
    column.admin_order_field = order_by
    return column


def yes_no_column(attribute, label, order_by=None):
    """A register column showing a yes/no value (a field or a method) as "Yes" or "No"."""

    def column(self, obj):
        value = getattr(obj, attribute)
        if callable(value):
            value = value()
        return _("Yes") if value else _("No")

    column.short_description = label
    column.admin_order_field = order_by or attribute
    return column


class RegisterInspectView(InspectView):
    """A register entry's detail page: capitalised labels, people by name, role and unit, and
    yes/no values in words."""

    def get_field_label(self, field_name, field=None):
        return capfirst(super().get_field_label(field_name, field))

    def get_field_display_value(self, field_name, field=None):
        value = getattr(self.instance, field_name, None)
        if isinstance(value, get_user_model()):
            return person_label(value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return super().get_field_display_value(field_name, field)
