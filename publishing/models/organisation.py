"""The line organisation: units, roles, deputies, audiences and publisher certificates."""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publishing.memo import remember
from publishing.models.municipality import Municipality


class UnitKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    SECTOR = "sector", _("Sector")
    UNIT = "unit", _("Unit")


class Role(models.TextChoices):
    """Roles from the strategies' distribution of communication responsibility."""

    MAYOR = "mayor", _("Mayor")
    CHIEF_EXECUTIVE = "chief_executive", _("Chief executive")
    SECTOR_HEAD = "sector_head", _("Sector head")
    UNIT_HEAD = "unit_head", _("Unit head")
    EMPLOYEE = "employee", _("Employee")
    UNION_REPRESENTATIVE = "union_representative", _("Union representative")
    COMMUNICATIONS_EDITOR = "communications_editor", _("Communications editor")


#: Roles that lead a part of the line and may answer for what is published about it.
LEADER_ROLES = frozenset({Role.MAYOR, Role.CHIEF_EXECUTIVE, Role.SECTOR_HEAD, Role.UNIT_HEAD})

# A unit may only sit below a unit of an earlier kind in this order.
_KIND_ORDER = {UnitKind.MUNICIPALITY: 0, UnitKind.SECTOR: 1, UnitKind.UNIT: 2}


def _today():
    return timezone.localdate()


class OrganisationUnit(models.Model):
    """A node of a municipality's line organisation: the municipality, a sector or a unit."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="units",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)

    class Meta:
        ordering = ["municipality__name", "name"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="publishing_unit_code_unique"
            )
        ]

    def __str__(self):
        return self.name

    def line(self):
        """This unit and every unit above it, nearest first (the unit's line to the top)."""
        units = units_of(self.municipality_id)
        line, seen, unit = [], set(), self
        while unit is not None and unit.pk not in seen:
            line.append(unit)
            seen.add(unit.pk)
            if unit.parent_id is None:
                break
            # A parent outside the municipality's units (bad data) is still followed.
            unit = units.get(unit.parent_id) or unit.parent
        return line

    def ids_below(self):
        """This unit's id and the ids of every unit below it in the line."""
        edges = [(pk, unit.parent_id) for pk, unit in units_of(self.municipality_id).items()]
        return subtree_ids(edges, [self.pk])

    def leader_assignments_in_line(self, on=None):
        """Active leader-role assignments in this unit and every unit above it, nearest first."""
        order = {unit.pk: index for index, unit in enumerate(self.line())}
        found = [a for a in leader_roles(self.municipality_id, on) if a.unit_id in order]
        return sorted(found, key=lambda a: order[a.unit_id])

    def has_leader_in_line(self, user, on=None):
        """True if ``user`` holds a leader role in this unit or a unit above it."""
        user_id = getattr(user, "pk", user)
        return any(a.user_id == user_id for a in self.leader_assignments_in_line(on))

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == UnitKind.MUNICIPALITY:
            if self.parent_id:
                errors["parent"] = _("The municipality is the top of the line and has no parent.")
        elif not self.parent_id:
            errors["parent"] = _("A sector or unit must be part of another unit.")
        elif self.municipality_id and self.parent.municipality_id != self.municipality_id:
            errors["parent"] = _("The parent unit belongs to another municipality.")
        elif _KIND_ORDER[self.parent.kind] >= _KIND_ORDER.get(self.kind, 0):
            errors["parent"] = _("A %(kind)s cannot be placed below a %(parent_kind)s.") % {
                "kind": self.get_kind_display().lower(),
                "parent_kind": self.parent.get_kind_display().lower(),
            }
        elif self.pk and any(u.pk == self.pk for u in self.parent.line()):
            errors["parent"] = _("A unit cannot be placed below itself.")
        if errors:
            raise ValidationError(errors)


def units_of(municipality_id):
    """Every unit of a municipality by id, read once per request (``publishing.memo``)."""
    return remember(
        ("units", municipality_id),
        lambda: {
            unit.pk: unit
            for unit in OrganisationUnit.objects.filter(municipality_id=municipality_id)
        },
        across_requests=True,
    )


def unit_of(page):
    """The owning unit of ``page`` (None without one), read once per request by its id: every
    copy of the page in the request (the form's, the revision's, the one saved) shares it."""
    unit_id = getattr(page, "owning_unit_id", None)
    if unit_id is None:
        return None
    return remember(
        ("unit", unit_id),
        lambda: OrganisationUnit.objects.select_related("municipality").get(pk=unit_id),
        across_requests=True,
    )


def leader_roles(municipality_id, on=None):
    """The leader-role assignments in force on ``on`` (today) in a municipality, with their
    units, read once per request."""
    on = on or _today()
    return remember(
        ("leader_roles", municipality_id, on),
        lambda: list(
            RoleAssignment.objects.active(on)
            .leaders()
            .filter(unit__municipality_id=municipality_id)
            .select_related("unit")
        ),
        across_requests=True,
    )


class HeldRole(NamedTuple):
    """A role someone holds, or stands in for, on a day: its unit, role and municipality, and
    the id of the role assignment (the covered leader's, for a deputy)."""

    unit_id: int
    role: str
    municipality_id: int
    assignment_id: int


def roles_held(user_id, on=None):
    """The ``HeldRole`` of each role ``user_id`` holds on ``on`` (today), read once per version
    of the organisation (``publishing.memo``)."""
    return _kept_roles(
        "roles_held",
        user_id,
        on,
        lambda on: (
            RoleAssignment.objects.active(on)
            .filter(user_id=user_id)
            .values_list("unit_id", "role", "unit__municipality_id", "pk")
        ),
    )


def roles_deputised(user_id, on=None):
    """The ``HeldRole`` of each leader role ``user_id`` stands in for on ``on`` (today), read
    once per version of the organisation (``publishing.memo``)."""
    return _kept_roles(
        "roles_deputised",
        user_id,
        on,
        lambda on: (
            Deputyship.objects.active(on)
            .filter(deputy_id=user_id)
            .values_list(
                "assignment__unit_id",
                "assignment__role",
                "assignment__unit__municipality_id",
                "assignment_id",
            )
        ),
    )


def _kept_roles(kind, user_id, on, rows_on):
    on = on or _today()
    return remember(
        (kind, user_id, on),
        lambda: tuple(HeldRole(*row) for row in rows_on(on).order_by()),
        across_requests=True,
    )


def subtree_ids(edges, roots):
    """The ids of ``roots`` and of every unit below them, from ``(id, parent id)`` pairs."""
    children = {}
    for pk, parent_id in edges:
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), list(roots)
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, on=None):
        """Assignments in force on ``on`` (today by default)."""
        on = on or _today()
        return self.filter(
            models.Q(starts_on__isnull=True) | models.Q(starts_on__lte=on),
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on),
        )

    def leaders(self):
        return self.filter(role__in=LEADER_ROLES)


class RoleAssignment(models.Model):
    """A person holding a role in a unit, optionally for a limited period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        OrganisationUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["unit__name", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="publishing_role_assignment_unique"
            )
        ]

    def __str__(self):
        return _("%(person)s, %(role)s, %(unit)s") % {
            "person": person_name(self.user),
            "role": self.get_role_display(),
            "unit": self.unit,
        }

    @property
    def is_leader_role(self):
        return self.role in LEADER_ROLES

    def is_active(self, on=None):
        on = on or _today()
        return (self.starts_on is None or self.starts_on <= on) and (
            self.ends_on is None or self.ends_on >= on
        )

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})


class DeputyshipQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or _today()
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class Deputyship(models.Model):
    """A person standing in for a leader's role for a date range (both days included)."""

    assignment = models.ForeignKey(
        RoleAssignment,
        verbose_name=_("leader role covered"),
        on_delete=models.CASCADE,
        related_name="deputyships",
        limit_choices_to={"role__in": sorted(LEADER_ROLES)},
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.CASCADE,
        related_name="deputyships",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    objects = DeputyshipQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")

    def __str__(self):
        return _("%(deputy)s for %(assignment)s, %(start)s–%(end)s") % {
            "deputy": person_name(self.deputy),
            "assignment": self.assignment,
            "start": self.starts_on,
            "end": self.ends_on,
        }

    def is_active(self, on=None):
        on = on or _today()
        return self.starts_on <= on <= self.ends_on

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date is before the start date.")
        if self.assignment_id and self.deputy_id:
            if self.assignment.user_id == self.deputy_id:
                errors["deputy"] = _("A leader cannot be their own deputy.")
            if not self.assignment.is_leader_role:
                errors["assignment"] = _("Only leader roles have deputies.")
        if errors:
            raise ValidationError(errors)


class Audience(models.Model):
    """A target group from the municipality's strategy, with its reading target."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="audiences",
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    lix_target = models.PositiveSmallIntegerField(
        _("reading target (LIX)"),
        help_text=_("Texts for this audience should have a LIX at or below this value."),
    )
    is_internal = models.BooleanField(
        _("internal audience"),
        default=False,
        help_text=_("Staff and others inside the organisation."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["municipality__name", "sort_order", "name"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="publishing_audience_code_unique"
            )
        ]

    def __str__(self):
        return self.name


class PublisherCertificate(models.Model):
    """Proof that a person has passed the municipality's web-publishing course."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="publisher_certificates",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="publisher_certificates",
    )
    course = models.CharField(_("course"), max_length=200)
    passed_on = models.DateField(_("passed on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["-expires_on"]
        verbose_name = _("publisher certificate")
        verbose_name_plural = _("publisher certificates")

    def __str__(self):
        return _("%(person)s: %(course)s (until %(date)s)") % {
            "person": person_name(self.user),
            "course": self.course,
            "date": self.expires_on,
        }

    def is_valid(self, on=None):
        on = on or _today()
        return self.passed_on <= on <= self.expires_on

    def expires_within(self, days, on=None):
        on = on or _today()
        return on <= self.expires_on <= on + datetime.timedelta(days=days)

    def clean(self):
        super().clean()
        if self.passed_on and self.expires_on and self.expires_on <= self.passed_on:
            raise ValidationError(
                {"expires_on": _("The certificate must expire after it was passed.")}
            )


def person_name(user):
    """The person's full name, or the username when no name is recorded ("" for nobody)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


#: Most senior first: the role a person with several is shown by, and the order of leaders in a
#: unit's line (the chief executive heads the administration that answers for a service; the
#: mayor, the political head, comes after).
ROLE_SENIORITY = [
    Role.CHIEF_EXECUTIVE,
    Role.MAYOR,
    Role.SECTOR_HEAD,
    Role.UNIT_HEAD,
    Role.COMMUNICATIONS_EDITOR,
    Role.UNION_REPRESENTATIVE,
    Role.EMPLOYEE,
]


def main_roles(user_ids, *, leaders_only=False, on=None):
    """``{user_id: assignment}``: each person's most senior role held today (one query).

    ``user_ids`` may be a queryset of ids, read by the same query."""
    if not isinstance(user_ids, models.QuerySet):
        user_ids = set(user_ids)
    assignments = RoleAssignment.objects.active(on).filter(user_id__in=user_ids)
    if leaders_only:
        assignments = assignments.filter(role__in=LEADER_ROLES)
    rank = {role: position for position, role in enumerate(ROLE_SENIORITY)}
    chosen = {}
    for assignment in assignments.select_related("unit"):
        current = chosen.get(assignment.user_id)
        key = (rank.get(assignment.role, len(rank)), assignment.unit.name)
        if current is None or key < (rank.get(current.role, len(rank)), current.unit.name):
            chosen[assignment.user_id] = assignment
    return chosen
