"""Line approval: who may approve a page in the workflow, and why.

Only the page's responsible leader, an active deputy of that leader's role, or a leader above
them in the unit tree approves, and nobody approves a revision they edited themselves.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models.organisation import Deputyship, RoleAssignment

AS_LEADER, AS_DEPUTY, AS_LINE = "leader", "deputy", "line"


@dataclass(frozen=True)
class Approval:
    """Whether a user may approve, in which capacity, and if not, why not."""

    allowed: bool
    capacity: str | None = None
    reason: str = ""


def _leader_assignments(page, on):
    """The responsible leader's active leader roles in the owning unit's line, nearest first."""
    line = page.owning_unit.line()
    assignments = list(
        RoleAssignment.objects.active(on)
        .leaders()
        .filter(user_id=page.responsible_leader_id, unit__in=[unit.pk for unit in line])
        .select_related("unit")
    )
    order = {unit.pk: index for index, unit in enumerate(line)}
    return sorted(assignments, key=lambda a: order[a.unit_id]), line


def approver_ids(page, on=None):
    """User ids who may approve ``page`` on ``on``, mapped to their capacity."""
    on = on or timezone.localdate()
    if not page.responsible_leader_id or not page.owning_unit_id:
        return {}
    if getattr(page, "path", ""):
        from ..models import Municipality

        municipality = Municipality.objects.for_page(page)
        if municipality is not None and page.owning_unit.municipality_id != municipality.pk:
            # A unit of another municipality never makes its leaders approvers here.
            return {}
    assignments, line = _leader_assignments(page, on)
    if not assignments:
        return {}
    approvers = {page.responsible_leader_id: AS_LEADER}
    for deputyship in Deputyship.objects.active(on).filter(assignment__in=assignments):
        approvers.setdefault(deputyship.deputy_id, AS_DEPUTY)
    # Leaders above: leader roles in the units above the one where the leader holds the role.
    nearest_unit = assignments[0].unit_id
    above = [unit.pk for unit in line[[u.pk for u in line].index(nearest_unit) + 1 :]]
    for user_id in (
        RoleAssignment.objects.active(on)
        .leaders()
        .filter(unit__in=above)
        .values_list("user_id", flat=True)
    ):
        approvers.setdefault(user_id, AS_LINE)
    return approvers


def approvers(page, on=None):
    """The users who may approve ``page``, as a queryset."""
    return get_user_model().objects.filter(pk__in=approver_ids(page, on), is_active=True)


def edited_by(page, user, since=None):
    """True if ``user`` saved a revision of ``page`` (since ``since``, if given)."""
    revisions = page.revisions.filter(user=user)
    if since is not None:
        revisions = revisions.filter(created_at__gte=since)
    return revisions.exists()


def can_approve(user, page, since=None, on=None):
    """May ``user`` approve ``page``? ``since`` is when the current workflow started."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Approval(False, reason=_("Sign in to approve."))
    capacity = approver_ids(page, on).get(user.pk)
    if capacity is None:
        leader = page.responsible_leader
        return Approval(
            False,
            reason=_(
                "Only the responsible leader (%(leader)s), an active deputy or a leader above "
                "them in the line may approve this page."
            )
            % {"leader": (leader.get_full_name() or leader.get_username()) if leader else "–"},
        )
    if edited_by(page, user, since=since):
        return Approval(
            False,
            capacity,
            _("You edited this page yourself; another leader must approve it (four eyes)."),
        )
    return Approval(True, capacity)
