"""People shown as people: "Hilde Sandvik – Enhetsleder, Hjemmetjenesten", never a username.

Django shows a user by username, which nobody in a municipality knows anyone by. Wherever a person
is chosen or shown (the responsible-leader picker, the registers, dashboards and reports), the
admin uses :func:`person_label`: the person's name with the role they hold and the unit they hold
it in. A person with several roles is shown by the most senior one (a unit head who is also an
employee elsewhere is shown as the unit head).
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from publishing import memo
from publishing.memo import remember
from publishing.models.organisation import ROLE_SENIORITY, main_roles, person_name

__all__ = [
    "ROLE_SENIORITY",
    "active_names",
    "labels_by_id",
    "person_label",
    "person_labels",
    "person_name",
    "show_people_as_people",
]


def label(user, assignment=None):
    """``"Name – Role, Unit"`` for ``user`` holding ``assignment``; the name alone without one."""
    if assignment is None:
        return person_name(user)
    return _("%(name)s – %(role)s, %(unit)s") % {
        "name": person_name(user),
        "role": assignment.get_role_display(),
        "unit": assignment.unit.name,
    }


def person_labels(users, *, on=None):
    """``{user_id: label}`` for ``users``, with two queries at most whatever their number."""
    users = [user for user in users if user is not None]
    roles = main_roles([user.pk for user in users], on=on)
    return {user.pk: label(user, roles.get(user.pk)) for user in users}


#: People's labels and names kept in the process (about a hundred bytes each); a store that
#: would grow past this is emptied first.
PEOPLE_KEPT = 20_000


def labels_by_id(user_ids, *, on=None):
    """``{user_id: label}`` for the people with ``user_ids``, in the active language.

    Each person's label is kept in the process for the organisation's version (people, their
    roles and units are part of it, ``publishing.memo``), the day and the language; only the
    people not seen before are read (two queries).
    """
    ids = frozenset(user_id for user_id in user_ids if user_id)
    if not ids:
        return {}
    on = on or timezone.localdate()
    language = get_language()
    return remember(("labels", ids, on, language), lambda: _kept_labels(ids, on, language))


def _kept_labels(ids, on, language):
    return memo.kept_lookup(
        "person_labels",
        {user_id: (user_id, on, language) for user_id in ids},
        lambda missing: {
            user_id: ((user_id, on, language), label)
            for user_id, label in person_labels(
                get_user_model().objects.filter(pk__in=missing), on=on
            ).items()
        },
        PEOPLE_KEPT,
    )


def active_names(user_ids):
    """``{user_id: name}`` of the active people among ``user_ids``, each kept in the process
    for the organisation's version like a label (one query for the people not seen before)."""
    ids = frozenset(user_id for user_id in user_ids if user_id)
    if not ids:
        return {}
    found = memo.kept_lookup(
        "person_names",
        {user_id: user_id for user_id in ids},
        lambda missing: {
            user.pk: (user.pk, (person_name(user), user.is_active))
            for user in get_user_model().objects.filter(pk__in=missing)
        },
        PEOPLE_KEPT,
    )
    return {user_id: name for user_id, (name, active) in found.items() if active}


def person_label(user, *, on=None):
    """``"Hilde Sandvik – Enhetsleder, Hjemmetjenesten"`` for one person ("" for nobody)."""
    if user is None:
        return ""
    return person_labels([user], on=on)[user.pk]


def show_people_as_people(field, *, labels=None, on=None):
    """Make a user choice field label its choices with :func:`person_label`.

    The labels of all choices are read together the first time the field is drawn, so a list
    of a hundred people costs two queries, not two hundred. Fields with the same choices (one
    per form of a formset) share them by passing the same ``labels`` dict.
    """
    labels = {} if labels is None else labels

    def label_from_instance(user):
        # The choices' users are the ones Django is reading: only their roles are read here.
        if "roles" not in labels:
            labels["roles"] = main_roles(field.queryset.values("pk"), on=on)
        return label(user, labels["roles"].get(user.pk))

    field.label_from_instance = label_from_instance
    return field
