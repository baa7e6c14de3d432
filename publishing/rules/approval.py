"""Line approval: who may approve a page in the workflow, and why.

Only the page's responsible leader, an active deputy of that leader's role, or a leader above
them in the unit tree approves, and nobody approves a revision they edited themselves.

Four eyes is about who wrote what citizens will read: a revision counts as an edit when it
changes the page's content compared with the revision before it. Saves that change only
bookkeeping (linking the internal notice, the review date; ``models.pages.NOT_READ_BY_CITIZENS``)
do not, so the leader who links a notice to her service's page may still approve the page.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, IntegerField, JSONField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page, Revision, TaskState, get_default_page_content_type

from publishing import memo
from publishing.models import Municipality
from publishing.models.municipality import every_municipality, groups_of
from publishing.models.organisation import (
    LEADER_ROLES,
    Deputyship,
    leader_roles,
    person_name,
    roles_deputised,
    roles_held,
    unit_of,
    units_of,
)
from publishing.models.pages import changes_what_citizens_read

AS_LEADER, AS_DEPUTY, AS_LINE = "leader", "deputy", "line"

#: The capacities in which someone approves, in words, in the order they are asked.
CAPACITY_LABELS = {
    AS_LEADER: gettext_lazy("responsible leader"),
    AS_DEPUTY: gettext_lazy("deputy"),
    AS_LINE: gettext_lazy("leader above in the line"),
}


def capacity_label(capacity):
    """The capacity in which someone approves, in words."""
    return CAPACITY_LABELS.get(capacity, capacity or "")


@dataclass(frozen=True)
class Approval:
    """Whether a user may approve, in which capacity, and if not, why not."""

    allowed: bool
    capacity: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Obstacle:
    """Why someone cannot approve, as the editor shows it: a refusal of the line approval
    (``Approval.reason``) or a finding that blocks the page, with its fix."""

    message: str
    fix: str = ""
    url: str | None = None

    @classmethod
    def of(cls, finding):
        return cls(finding.message, finding.fix, finding.url)


def _leader_assignments(page, on):
    """The responsible leader's active leader roles in the owning unit's line, nearest first."""
    unit = unit_of(page)
    assignments = [
        a for a in unit.leader_assignments_in_line(on) if a.user_id == page.responsible_leader_id
    ]
    return assignments, unit.line()


def approver_ids(page, on=None):
    """User ids who may approve ``page`` on ``on``, mapped to their capacity."""
    on = on or timezone.localdate()
    if not page.responsible_leader_id or not page.owning_unit_id:
        return {}
    if getattr(page, "path", ""):
        municipality = Municipality.objects.for_page(page)
        if municipality is not None and unit_of(page).municipality_id != municipality.pk:
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
    above = {unit.pk for unit in line[[u.pk for u in line].index(nearest_unit) + 1 :]}
    for assignment in leader_roles(unit_of(page).municipality_id, on):
        if assignment.unit_id in above:
            approvers.setdefault(assignment.user_id, AS_LINE)
    return approvers


def approvers(page, on=None):
    """The users who may approve ``page``, as a queryset."""
    return get_user_model().objects.filter(pk__in=approver_ids(page, on), is_active=True)


def _previous_content():
    """The content of the revision before each revision of a queryset (as ``Revision.
    get_previous``), or ``None`` for a page's first revision."""

    return Subquery(
        Revision.objects.filter(
            base_content_type_id=OuterRef("base_content_type_id"),
            object_id=OuterRef("object_id"),
        )
        .filter(
            Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
            | Q(created_at__lt=OuterRef("created_at"))
        )
        .order_by("-created_at", "-pk")
        .values("content")[:1],
        output_field=JSONField(),
    )


def pages_with_content_edits(revisions):
    """Ids of the pages among ``revisions`` (a revision queryset) where a revision changed what
    citizens read compared with the revision before it; one query."""

    edited = set()
    rows = revisions.annotate(previous_content=_previous_content()).values_list(
        "object_id", "content", "previous_content"
    )
    for object_id, content, previous in rows:
        if int(object_id) not in edited and changes_what_citizens_read(previous, content):
            edited.add(int(object_id))
    return edited


def edited_by(page, user, since=None):
    """True if ``user`` saved a revision of ``page`` (after ``since``, if given) that changed
    what citizens read; saves that change only bookkeeping, such as linking the internal
    notice, are no edit.

    ``since`` is the live revision's time: what is live was approved before, so a leader who
    wrote the live version may approve the changes others made to it since."""
    if user is None or not page.pk:
        return False
    revisions = page.revisions.filter(user=user)
    if since is not None:
        revisions = revisions.filter(created_at__gt=since)
    return bool(pages_with_content_edits(revisions))


def can_approve(user, page, since=None, on=None):
    """May ``user`` approve ``page``? ``since``: the live revision's time (see ``edited_by``)."""
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
            % {"leader": person_name(leader) or "–"},
        )
    if edited_by(page, user, since=since):
        return Approval(
            False,
            capacity,
            _("You edited this page yourself; another leader must approve it (four eyes)."),
        )
    return Approval(True, capacity)


def may_fast_track(user, page):
    """Members of the municipality's crisis group (and superusers) may use the fast track."""
    if user.is_superuser:
        return True
    municipality = Municipality.objects.for_page(page)
    # The user's groups as kept for the organisation's version: asked on every editor page.
    return bool(
        municipality
        and municipality.crisis_group_id
        and municipality.crisis_group_id in groups_of(user)
    )


def crisis_submission(workflow_state, municipality=None):
    """Whether ``workflow_state`` was started by a member of its page's municipality's crisis
    group (``municipality``, when the caller knows it): in a crisis nothing waits its turn, so
    every leader who may approve is asked at once (the responsible leader, an active deputy and
    the leaders above), whatever mail they chose, and the step counts as waiting too long from
    the start."""
    if municipality is None:
        page = workflow_state.content_object
        municipality = Municipality.objects.for_page(page) if isinstance(page, Page) else None
    return workflow_state.pk in crisis_submissions([(workflow_state, municipality)])


def crisis_submissions(states):
    """The ids of the workflow states among ``states`` (pairs of a workflow state and its page's
    municipality) that are crisis submissions (``crisis_submission``), in one query."""
    wanted = {
        (state.requested_by_id, municipality.crisis_group_id)
        for state, municipality in states
        if state.requested_by_id and municipality is not None and municipality.crisis_group_id
    }
    if not wanted:
        return set()
    memberships = get_user_model().groups.through.objects.filter(
        user_id__in={user for user, _group in wanted},
        group_id__in={group for _user, group in wanted},
    )
    members = set(memberships.values_list("user_id", "group_id"))
    return {
        state.pk
        for state, municipality in states
        if municipality is not None
        and (state.requested_by_id, municipality.crisis_group_id) in members
    }


def may_review_fast_track(user, review):
    """May ``user`` confirm a fast-tracked page afterwards? Those who may approve the page (the
    responsible leader, an active deputy, a leader above) and superusers, never the person who
    published it (four eyes). A refusal without a reason is no business of the user's."""
    if not (user.is_superuser or user.pk in approver_ids(review.page.specific)):
        return Approval(False)
    if review.published_by_id == user.pk:
        return Approval(
            False, reason=_("You published this page yourself; another leader must review it.")
        )
    return Approval(True)


def able_approvers(page, task):
    """``{user: capacity}`` for the active people who may approve ``page`` at ``task`` (a
    ``LeaderApprovalTask``) now: the responsible leader, an active deputy and the leaders above
    in the line, less anyone the step refuses (four eyes)."""
    capacities = approver_ids(page.get_latest_revision_as_object())
    users = get_user_model().objects.filter(pk__in=capacities, is_active=True)
    return {user: capacities[user.pk] for user in users if task.approval(page, user).allowed}


def may_decide_now(user, page):
    """Whether ``user`` may act on the workflow step ``page`` waits at (approve it or ask for
    changes), as that step's task decides it: the leader's step by the line, the editorial
    review by its group."""
    task_state = page.current_workflow_task_state
    if task_state is None:
        return False
    return bool(task_state.task.specific.get_actions(page, user))


def may_see_changes(user, page):
    """May ``user`` see what ``page``'s latest version changes against the live one? Those who
    may edit the page and those who decide on it at its workflow step; nobody else (the page
    of another municipality, a draft's text)."""
    return page.permissions_for_user(user).can_edit() or may_decide_now(user, page)


# --- many pages at once ---------------------------------------------------------------------
#
# ``approver_ids`` answers for one page in about twenty queries. Lists (the dashboard, Wagtail's
# "awaiting your review") ask about every waiting page, so the functions below answer the same
# question for many pages in a fixed number of queries: they read the responsible leader and
# owning unit from each page's latest revision, load the units, the leaders' roles and the
# user's own roles and deputyships once, and walk the line in Python.


@dataclass(frozen=True)
class LineFacts:
    """What line approval reads from a page: its tree path and, from its latest revision, its
    responsible leader and owning unit."""

    page_id: int
    path: str
    responsible_leader_id: int | None
    owning_unit_id: int | None


#: The two keys line approval reads from a page's latest revision, read by the database (see
#: ``with_line_keys``) so that lists need not load and parse every revision's whole content.
LINE_KEYS = {
    "line_leader_id": ("responsible_leader", "latest_revision__content"),
    "line_unit_id": ("owning_unit", "latest_revision__content"),
}


def with_line_keys(pages):
    """``pages`` (a base page queryset) with the latest revision's responsible leader and
    owning unit annotated, and the revisions' content left unread."""

    return (
        pages.select_related("latest_revision", "live_revision")
        .defer("latest_revision__content", "live_revision__content")
        .annotate(**{name: KeyTransform(*key) for name, key in LINE_KEYS.items()})
    )


#: At most this many revisions' line keys are kept (then they are read afresh).
LINE_KEYS_KEPT = 100_000


def revision_line_keys(revisions):
    """``{revision id: (responsible leader id, owning unit id)}`` for ``revisions``, pairs of a
    revision's id and its ``created_at``; a revision that no longer exists is left out.

    The database reads the two keys out of each revision's whole stored content (at 50,000
    pages, about 20 µs a revision: 15–30 ms for a chief executive's waiting pages), so what has
    been read is kept in the process (``memo.kept_store``), by the revision's id and creation
    time. Wagtail writes a revision's content when it makes the revision; where it writes it
    again, overwriting a page's latest revision (``save_revision(overwrite_revision=...)``), it
    gives the revision a new ``created_at``, which is part of the key. Nothing else rewrites
    these two keys of a revision. What is kept goes with the organisation's version: a change
    of units or roles, or ``memo.new_version()`` after a data fix that rewrites revisions in
    place, empties it in every process.
    """

    def read(revision_ids):
        rows = Revision.objects.filter(pk__in=revision_ids).values_list(
            "pk", "created_at", *(KeyTransform(key, "content") for key, _path in LINE_KEYS.values())
        )
        # Kept under the time read with the content: a revision overwritten since its page was
        # read is kept under its new time.
        return {pk: ((pk, created_at), (leader, unit)) for pk, created_at, leader, unit in rows}

    wanted = {revision_id: (revision_id, created_at) for revision_id, created_at in revisions}
    return memo.kept_lookup("revision_line_keys", wanted, read, LINE_KEYS_KEPT)


def _facts_without_revision(page_ids):
    """``LineFacts`` of the pages among ``page_ids`` that have no revision, from their own rows
    (one query per page type)."""
    return {
        page.pk: LineFacts(
            page.pk,
            page.path,
            getattr(page, "responsible_leader_id", None),
            getattr(page, "owning_unit_id", None),
        )
        for page in Page.objects.filter(pk__in=page_ids, latest_revision=None).specific()
    }


class _LineIndex:
    """The organisation as line approval needs it, loaded once for many pages."""

    def __init__(self, facts, on):

        unit_ids = {f.owning_unit_id for f in facts if f.owning_unit_id}
        leader_ids = {f.responsible_leader_id for f in facts if f.responsible_leader_id}
        municipalities = every_municipality()
        # The units of the municipalities the pages' units belong to, from the kept organisation.
        self.units, wanted = {}, set()
        for municipality in municipalities:
            units = units_of(municipality.pk)
            if not unit_ids.isdisjoint(units):
                wanted.add(municipality.pk)
                self.units.update(
                    (pk, (unit.parent_id, unit.municipality_id)) for pk, unit in units.items()
                )
        self.leader_roles = {}
        for municipality_id in wanted:
            for role in leader_roles(municipality_id, on):
                if role.user_id in leader_ids:
                    self.leader_roles.setdefault(role.user_id, []).append((role.pk, role.unit_id))
        # Same order as ``MunicipalityQuerySet.for_page``: the first site root holding the page.
        self.roots = [
            (municipality.site.root_page.path, municipality.pk)
            for municipality in municipalities
            if municipality.site
        ]

    def line(self, unit_id):
        units, unit = [], unit_id
        while unit is not None and unit in self.units and unit not in units:
            units.append(unit)
            unit = self.units[unit][0]
        return units

    def municipality_of(self, path):
        for root_path, municipality_id in self.roots:
            if path.startswith(root_path):
                return municipality_id
        return None

    def capacity(self, facts, user_id, leads_units, deputy_for):
        """The capacity in which ``user_id`` may approve, as ``approver_ids`` decides it."""
        leader, unit = facts.responsible_leader_id, facts.owning_unit_id
        if not leader or not unit or unit not in self.units:
            return None
        if facts.path:
            municipality = self.municipality_of(facts.path)
            if municipality is not None and self.units[unit][1] != municipality:
                return None
        line = self.line(unit)
        position = {unit_id: index for index, unit_id in enumerate(line)}
        held = sorted(
            (position[unit_id], pk)
            for pk, unit_id in self.leader_roles.get(leader, [])
            if unit_id in position
        )
        if not held:
            return None
        if user_id == leader:
            return AS_LEADER
        if any(pk in deputy_for for _index, pk in held):
            return AS_DEPUTY
        if leads_units.intersection(line[held[0][0] + 1 :]):
            return AS_LINE
        return None


def _own_roles(user, on):
    """The leader roles ``user`` holds on ``on`` and those they stand in for as a deputy
    (``HeldRole``s)."""
    held = [held for held in roles_held(user.pk, on) if held.role in LEADER_ROLES]
    return held, roles_deputised(user.pk, on)


def _own_line(user, on, roles=None):
    """The units where ``user`` holds a leader role on ``on``, and the leader roles (assignment
    ids) they stand in for as a deputy; ``roles``: ``_own_roles(user, on)`` when known."""
    held, deputised = roles or _own_roles(user, on)
    return {role.unit_id for role in held}, {role.assignment_id for role in deputised}


def _roots_out_of_line(roles):
    """The root paths of the sites of municipalities where none of ``roles`` (someone's
    ``_own_roles``) lies: no page below them is theirs to approve (the line approval asks a
    leader of the page's own municipality). A root that holds, or lies below, a root of their
    own municipalities is kept, so that no page of theirs is left out."""
    own = {role.municipality_id for some in roles for role in some}
    roots = {
        municipality.pk: municipality.site.root_page.path
        for municipality in every_municipality()
        if municipality.site
    }
    own_roots = [path for pk, path in roots.items() if pk in own]
    return [
        path
        for pk, path in roots.items()
        if pk not in own
        and not any(path.startswith(mine) or mine.startswith(path) for mine in own_roots)
    ]


def approver_capacities(user, facts, on=None, own_line=None):
    """``{page id: capacity}`` for the pages in ``facts`` that ``user`` may approve.

    The same answer as ``approver_ids(page).get(user.pk)`` for each page, from the kept
    organisation (``publishing.memo``): no query once it is kept, whatever the number of
    pages. ``own_line`` is ``_own_line(user, on)`` when known.
    """
    facts = list(facts)
    if not facts or user is None or not user.is_authenticated:
        return {}
    on = on or timezone.localdate()
    index = _LineIndex(facts, on)
    leads_units, deputy_for = own_line or _own_line(user, on)
    capacities = {}
    for item in facts:
        capacity = index.capacity(item, user.pk, leads_units, deputy_for)
        if capacity is not None:
            capacities[item.page_id] = capacity
    return capacities


def edited_since_live(user, pages):
    """Ids of ``pages`` whose content ``user`` changed since their live revision (four eyes).

    ``pages`` are base pages or their ids; the same test as ``edited_by(page, user,
    since=<live revision's time>)``, in one query whatever the number of pages.
    """

    ids = [str(getattr(page, "pk", page)) for page in pages]
    if not ids or user is None or not user.is_authenticated:
        return set()
    live_at = Subquery(
        Page.objects.filter(pk=Cast(OuterRef("object_id"), IntegerField()))
        .order_by()
        .values("live_revision__created_at")[:1]
    )
    revisions = (
        Revision.objects.filter(
            base_content_type=get_default_page_content_type(), object_id__in=ids, user=user
        )
        .annotate(live_at=live_at)
        .filter(Q(live_at__isnull=True) | Q(created_at__gt=F("live_at")))
    )
    return pages_with_content_edits(revisions)


@dataclass
class Waiting:
    """A page waiting in a leader-approval task that a user may approve, and in what capacity.

    ``edited_by_user`` is true when the user changed the page's content since it was last live
    (``edited_since_live``): then another leader must approve it (four eyes). A chief executive
    may approve hundreds of pages while a list shows ten: the ids and times are known for all,
    the task state and page are loaded for the ones a list shows (``load_objects``), or one by
    one when asked for without it.
    """

    task_state_id: int
    page_id: int
    started_at: object
    capacity: str
    edited_by_user: bool
    _task_state: object = None
    _page: object = None

    @property
    def task_state(self):
        if self._task_state is None:
            load_objects([self])
        return self._task_state

    @property
    def page(self):
        """The base page, with ``line_leader_id`` and ``line_unit_id`` of its latest revision."""
        if self._page is None:
            load_objects([self])
        return self._page


def load_objects(waiting):
    """Load the task states and pages of ``waiting`` (``Waiting``s), two queries for all."""
    missing = [w for w in waiting if w._task_state is None or w._page is None]
    if not missing:
        return waiting
    states = TaskState.objects.select_related(
        "workflow_state", "workflow_state__requested_by", "task"
    ).in_bulk([w.task_state_id for w in missing])
    pages = with_line_keys(Page.objects.all()).in_bulk([w.page_id for w in missing])
    for w in missing:
        w._task_state = states.get(w.task_state_id)
        w._page = pages.get(w.page_id)
    return waiting


def approvable_task_states(user, task_states, on=None):
    """The task states among ``task_states`` whose page ``user`` may approve, as ``Waiting``.

    ``task_states`` is a queryset of in-progress leader-approval task states. Runs a fixed
    number of queries (about ten) whatever the number of task states. Each ``Waiting.page``
    is a base page with ``line_leader_id`` and ``line_unit_id`` from its latest revision
    (``with_line_keys``); the revisions' content is not loaded.

    Every waiting page is judged from a few columns; only the task states and pages the user
    may approve are loaded as objects (a chief executive may approve hundreds of a thousand).
    """

    if user is None or not user.is_authenticated or not user.is_active:
        return []
    on = on or timezone.localdate()
    roles = _own_roles(user, on)
    own_line = _own_line(user, on, roles)
    if not any(own_line):
        # Only a leader (the responsible one or one above) or a deputy approves: someone who
        # holds no leader role and stands in for none approves nothing, whatever waits.
        return []
    # Only the steps of pages the user could approve in any capacity: not in another
    # municipality. The pages are asked as a subquery of these steps, not as a list of ids (a
    # chief executive's may be thousands long).
    task_states = task_states.filter(
        workflow_state__base_content_type=get_default_page_content_type()
    )
    for root_path in _roots_out_of_line(roles):
        task_states = task_states.exclude(
            Exists(
                Page.objects.filter(
                    pk=Cast(OuterRef("workflow_state__object_id"), IntegerField()),
                    path__startswith=root_path,
                )
            )
        )
    page_of, started = {}, {}
    for pk, object_id, started_at in task_states.values_list(
        "pk", "workflow_state__object_id", "started_at"
    ):
        page_of[pk], started[pk] = int(object_id), started_at
    if not page_of:
        return []
    pages = Page.objects.filter(
        pk__in=Subquery(
            task_states.order_by().values(page_id=Cast("workflow_state__object_id", IntegerField()))
        )
    )
    rows = list(
        pages.order_by().values_list(
            "pk", "path", "latest_revision_id", "latest_revision__created_at"
        )
    )
    keys = revision_line_keys((row[2], row[3]) for row in rows if row[2])
    facts, without = {}, set()
    for pk, path, revision_id, _created_at in rows:
        if revision_id in keys:
            facts[pk] = LineFacts(pk, path, *keys[revision_id])
        else:
            without.add(pk)
    if without:
        facts.update(_facts_without_revision(without))
    capacities = approver_capacities(user, facts.values(), on, own_line)
    # In the order of ``task_states``, which the values above kept.
    wanted = [pk for pk, page_id in page_of.items() if page_id in capacities]
    if not wanted:
        return []
    edited = edited_since_live(user, {page_of[pk] for pk in wanted})
    return [
        Waiting(pk, page_of[pk], started[pk], capacities[page_of[pk]], page_of[pk] in edited)
        for pk in wanted
    ]
