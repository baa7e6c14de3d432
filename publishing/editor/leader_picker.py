"""The responsible-leader picker: the leaders of the page's unit first, by name, searchable.

A municipality has dozens of leaders; a web editor knows the service, not the username of the
person who answers for it. The picker lists "Hilde Sandvik – Enhetsleder, Hjemmetjenesten", the
leaders in the line of the chosen owning unit first (nearest first: the unit head before the
sector head before the chief executive), then every other leader by name. A search box above it
narrows the list as one types, and choosing another owning unit reorders it at once
(``leader-select.js``); without scripts the list is ordered for the unit the page had.
"""

from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from publishing.models.organisation import leader_roles, units_of
from publishing.people import ROLE_SENIORITY, labels_by_id, person_name


class LeaderSelect(forms.Select):
    """A select of leaders grouped by the owning unit's line, with a search box above it."""

    template_name = "publishing/widgets/leader_select.html"

    class Media:
        css = {"all": ["publishing/css/leader-select.css"]}
        js = ["publishing/js/leader-select.js"]

    def __init__(self, attrs=None, lines=None):
        super().__init__(attrs)
        #: ``{unit id: [leader ids]}``, or a callable that gives it when the widget is drawn.
        self.lines = lines or {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["lines"] = self.lines() if callable(self.lines) else self.lines
        context["widget"]["lines_id"] = f"{context['widget']['attrs'].get('id', name)}-lines"
        return context


def leader_lines(municipality, on=None):
    """``{unit_id: [leader ids]}``: the leaders in each unit's line, nearest unit first (from
    the organisation the request has read already)."""
    units = units_of(municipality.pk)
    rank = {role: position for position, role in enumerate(ROLE_SENIORITY)}
    leaders_by_unit = {}
    for assignment in sorted(leader_roles(municipality.pk, on), key=lambda a: rank[a.role]):
        leaders_by_unit.setdefault(assignment.unit_id, []).append(assignment.user_id)
    lines = {}
    for unit_id in units:
        line, seen, current = [], set(), unit_id
        while current is not None and current not in seen:
            seen.add(current)
            line.extend(user for user in leaders_by_unit.get(current, []) if user not in line)
            current = units[current].parent_id if current in units else None
        lines[unit_id] = line
    return lines


class _Picker:
    """The picker's choices, labels and lines for one form, worked out the first time the
    widget is drawn: a form that is only validated (a save, the side panel's check) needs the
    field's queryset, not the names, roles and lines of every leader."""

    def __init__(self, field, municipality, unit_id, on):
        self.field, self.municipality, self.unit_id, self.on = field, municipality, unit_id, on

    @cached_property
    def lines(self):
        return leader_lines(self.municipality, self.on)

    @cached_property
    def people(self):
        return list(self.field.queryset)

    @cached_property
    def labels(self):
        # Kept for the organisation's version: the editor is opened again and again.
        kept = labels_by_id([user.pk for user in self.people], on=self.on)
        return {user.pk: kept.get(user.pk) or person_name(user) for user in self.people}

    def line_ids(self):
        """``{unit id: [leader ids]}`` as the widget's script reads it."""
        return {str(unit): line for unit, line in self.lines.items()}

    def choices(self):
        """The grouped choices (the widget iterates them more than once while it is drawn)."""
        return self._choices

    @cached_property
    def _choices(self):
        labels, people = self.labels, self.people
        by_name = sorted(people, key=lambda user: labels[user.pk].casefold())
        first = self.lines.get(self.unit_id, []) if self.unit_id else []
        in_line = [user for user_id in first for user in people if user.pk == user_id]
        others = [user for user in by_name if user.pk not in first]
        choices = [("", "---------")]
        if not in_line:
            choices.extend((user.pk, labels[user.pk]) for user in others)
            return choices
        unit = units_of(self.municipality.pk)[self.unit_id].name
        choices.append(
            (
                _("Leaders in the line of %(unit)s") % {"unit": unit},
                [(user.pk, labels[user.pk]) for user in in_line],
            )
        )
        choices.append((_("Other leaders"), [(user.pk, labels[user.pk]) for user in others]))
        return choices


def use_leader_picker(field, municipality, unit_id=None, on=None):
    """Give the ``responsible_leader`` form field the grouped, labelled, searchable picker."""
    picker = _Picker(field, municipality, unit_id, on)
    field.widget = LeaderSelect(
        attrs={
            "data-leader-select": "",
            "data-line-label": _("Leaders in the line of %(unit)s"),
            "data-others-label": _("Other leaders"),
        },
        lines=picker.line_ids,
    )
    field.widget.choices = CallableChoiceIterator(picker.choices)
    field.label_from_instance = lambda user: picker.labels.get(user.pk) or str(user)
    return field
