"""Dashboard panels on the Wagtail admin home: what waits for the signed-in user.

Four panels, each limited to what concerns the user and their municipality:

- pages awaiting my approval (as responsible leader, active deputy or leader above in the line),
- pages held for an internal notice to staff,
- pages in my units past their review date,
- publisher certificates that expire within 30 days.

A panel that does not apply to the user's role is left out; one that applies but has nothing
says so in one line, so a leader knows nothing waits. Every panel runs a fixed number of
queries, whatever the number of pages, and reads only the rows it shows (``PANEL_LIMIT``) and
a count of the rest. Wagtail's own "Awaiting your review", "Your pages in a workflow" and "Your
most recent edits" are replaced by versions that do the same (see below).
"""

import copy
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_lazy as wagtail_gettext
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import (
    RecentEditsPanel,
    UserObjectsInWorkflowModerationPanel,
    WorkflowObjectsToModeratePanel,
)
from wagtail.models import (
    Page,
    PageLogEntry,
    PagePermissionTester,
    Revision,
    Task,
    TaskState,
    WorkflowState,
    WorkflowTask,
    get_default_page_content_type,
)

from publishing.citizens.admin import feedback_for
from publishing.models import (
    LEADER_ROLES,
    DocumentCheck,
    InternalNoticeTask,
    LeaderApprovalTask,
    PublisherCertificate,
    Role,
    RoleAssignment,
)
from publishing.models.counting import first_rows_and_count, first_union_rows_and_count
from publishing.models.municipality import (
    every_municipality,
    groups_of,
    holding,
    municipality_ids_for,
)
from publishing.models.organisation import (
    person_name,
    roles_deputised,
    roles_held,
    subtree_ids,
    units_of,
)
from publishing.models.pages import governed_page_models, in_trees
from publishing.people import labels_by_id
from publishing.reports.documents import public_collections_q
from publishing.reports.nightly_links import broken_links
from publishing.reports.views import reporting_municipalities, sees_reports
from publishing.rules import PUBLISH, RuleContext, blocking
from publishing.rules.approval import approvable_task_states, capacity_label, load_objects
from publishing.rules.bulk import drafts, evaluate_many
from publishing.rules.documents import summary_of
from publishing.workflow.waiting import limits, waited, waiting_too_long

#: Rows a panel shows before it links to the full list.
PANEL_LIMIT = 10
#: How far ahead the certificate panel looks.
CERTIFICATE_DAYS = 30


@dataclass
class Unit:
    pk: int
    name: str
    parent_id: int | None
    municipality_id: int


@dataclass
class Viewer:
    """Who the signed-in user is in the governance, loaded once per request.

    ``leads`` are the units where the user holds a leader role today, ``deputises`` the units
    whose leader they stand in for today. ``communications`` are the municipalities whose
    communications group (or communications-editor role) the user has; superusers count as
    communications for every municipality.
    """

    user: object
    municipalities: dict = field(default_factory=dict)
    communications: set = field(default_factory=set)
    leaders_group: set = field(default_factory=set)
    publishers_group: set = field(default_factory=set)
    leads: set = field(default_factory=set)
    deputises: set = field(default_factory=set)
    units: dict = field(default_factory=dict)

    @classmethod
    def of(cls, request):
        viewer = getattr(request, "_publishing_viewer", None)
        if viewer is None:
            viewer = request._publishing_viewer = cls.load(request.user)
        return viewer

    @classmethod
    def load(cls, user):
        viewer = cls(user)
        if not user.is_authenticated or not user.is_active:
            return viewer
        today = timezone.localdate()
        visible = municipality_ids_for(user)
        viewer.municipalities = {m.pk: m for m in every_municipality() if m.pk in visible}
        group_ids = groups_of(user)
        for municipality in viewer.municipalities.values():
            if user.is_superuser or municipality.communications_group_id in group_ids:
                viewer.communications.add(municipality.pk)
            if municipality.leaders_group_id in group_ids:
                viewer.leaders_group.add(municipality.pk)
            if municipality.publishers_group_id in group_ids:
                viewer.publishers_group.add(municipality.pk)
        for held in roles_held(user.pk, today):
            if held.role == Role.COMMUNICATIONS_EDITOR:
                viewer.communications.add(held.municipality_id)
            elif held.role in LEADER_ROLES:
                viewer.leads.add(held.unit_id)
        viewer.deputises = {held.unit_id for held in roles_deputised(user.pk, today)}
        viewer.units = {
            unit.pk: Unit(unit.pk, unit.name, unit.parent_id, unit.municipality_id)
            for municipality_id in viewer.municipalities
            for unit in units_of(municipality_id).values()
        }
        return viewer

    @property
    def is_leader(self):
        return bool(self.leads or self.deputises or self.leaders_group)

    @cached_property
    def approvable(self):
        """The in-progress leader approvals the user may approve (``Waiting``), oldest first.

        Read once per request: "Awaiting your approval as leader" and Wagtail's "Awaiting your
        review" list the same tasks.
        """
        states = TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            task__content_type=ContentType.objects.get_for_model(LeaderApprovalTask),
        ).order_by("started_at")
        return approvable_task_states(self.user, states)

    @cached_property
    def scope_units(self):
        """Units the user answers for: where they lead or deputise and every unit below them,
        and all units of the municipalities where they are in communications."""
        scope = subtree_ids(
            [(unit.pk, unit.parent_id) for unit in self.units.values()],
            [pk for pk in self.leads | self.deputises if pk in self.units],
        )
        scope.update(
            unit.pk for unit in self.units.values() if unit.municipality_id in self.communications
        )
        return scope

    def root_paths(self, municipality_ids):
        return [
            self.municipalities[pk].site.root_page.path
            for pk in municipality_ids
            if pk in self.municipalities and self.municipalities[pk].site
        ]

    def unit_name(self, unit_id):
        unit = self.units.get(unit_id)
        return unit.name if unit else ""


class GovernancePanel(Component):
    """A dashboard panel listing what waits for the signed-in user."""

    name = ""
    order = 100
    heading = ""
    empty_message = ""
    template_name = ""

    def __init__(self, viewer):
        self.viewer = viewer

    def applies(self):
        """Whether the panel concerns the user's role at all (if not, it is left out)."""
        raise NotImplementedError

    def get_items(self):
        raise NotImplementedError

    def more_url(self):
        """Where the full list is, when the panel shows only the first rows."""
        return None

    @cached_property
    def items(self):
        return self.get_items()

    @property
    def total(self):
        """How many rows there are in all; a panel that loads only the rows it shows says."""
        return len(self.items)

    def get_context_data(self, parent_context=None):
        items, total = self.items, self.total
        return {
            "panel": self,
            "items": items[:PANEL_LIMIT],
            "total": total,
            "more": total > PANEL_LIMIT,
            "more_url": self.more_url() if total > PANEL_LIMIT else None,
            "request": parent_context.get("request") if parent_context else None,
        }


@dataclass
class ApprovalRow:
    page: object
    unit: str
    capacity: str
    submitted_by: str
    since: datetime.datetime
    edit_url: str
    preview_url: str
    #: Working days waited (weekends and public holidays not counted), and whether that is past
    #: the municipality's reminder (``workflow.waiting``).
    waited: int = 0
    overdue: bool = False


class AwaitingApprovalPanel(GovernancePanel):
    """Pages whose leader-approval step waits for the user: as responsible leader, active
    deputy or leader above in the line. Pages the user edited themselves are counted apart:
    another leader must approve them (four eyes)."""

    name = "governance-awaiting-approval"
    order = 120
    heading = _("Awaiting your approval as leader")
    empty_message = _("No pages wait for your approval.")
    template_name = "publishing/dashboard/awaiting_approval.html"

    def applies(self):
        return self.viewer.is_leader

    @property
    def waiting(self):
        return self.viewer.approvable

    @property
    def own_edits(self):
        return sum(1 for waiting in self.waiting if waiting.edited_by_user)

    @property
    def total(self):
        return len(self.waiting) - self.own_edits

    def get_items(self):
        # The rows the panel shows; ``total`` counts them all. Only these are loaded.
        shown = [waiting for waiting in self.waiting if not waiting.edited_by_user]
        rows = []
        municipalities = list(self.viewer.municipalities.values())
        for waiting in load_objects(shown[:PANEL_LIMIT]):
            page, state = waiting.page, waiting.task_state
            if page is None or state is None:
                continue  # deleted since the list was read
            municipality = holding(page.path, municipalities)
            days = waited(state.started_at, municipality)
            rows.append(
                ApprovalRow(
                    page=page,
                    unit=self.viewer.unit_name(getattr(page, "line_unit_id", None)),
                    capacity=capacity_label(waiting.capacity),
                    submitted_by=person_name(state.workflow_state.requested_by),
                    since=state.started_at,
                    edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    preview_url=reverse(
                        "wagtailadmin_pages:workflow_preview", args=[page.pk, state.task_id]
                    ),
                    waited=days,
                    overdue=days >= limits(municipality)[0],
                )
            )
        return rows

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["own_edits"] = self.own_edits
        return context


class WaitingTooLongPanel(GovernancePanel):
    """For the communications group: every leader's approval in its municipalities that has
    waited past the reminder, oldest first, with who it waits for."""

    name = "governance-waiting-too-long"
    order = 125
    heading = _("Approvals waiting too long")
    empty_message = _("No approval has waited past the reminder.")
    template_name = "publishing/dashboard/waiting_too_long.html"

    def applies(self):
        return bool(self.viewer.communications)

    @cached_property
    def counted(self):
        """The ``PANEL_LIMIT`` steps that have waited longest past the reminder, and how many
        wait past it (``waiting_too_long``: a fixed number of queries)."""
        municipalities = [
            m for pk, m in self.viewer.municipalities.items() if pk in self.viewer.communications
        ]
        return waiting_too_long(municipalities, limit=PANEL_LIMIT)

    @property
    def total(self):
        return self.counted[1]

    def get_items(self):
        steps = self.counted[0]
        leader_of = {}
        for model in governed_page_models():
            leader_of.update(
                model.objects.filter(pk__in=[step.page.pk for step in steps]).values_list(
                    "pk", "responsible_leader_id"
                )
            )
        leaders = labels_by_id(leader_of.values())
        return [
            WaitingRow(
                page=step.page,
                leader=leaders.get(leader_of.get(step.page.pk), ""),
                since=step.task_state.started_at,
                waited=step.waited,
                escalated=step.escalated,
                edit_url=reverse("wagtailadmin_pages:edit", args=[step.page.pk]),
            )
            for step in steps
        ]


@dataclass
class WaitingRow:
    page: object
    leader: str
    since: datetime.datetime
    waited: int
    escalated: bool
    edit_url: str


@dataclass
class HeldRow:
    page: object
    unit: str
    since: datetime.datetime
    edit_url: str
    notice: object = None
    notice_url: str = ""
    create_notice_url: str = ""


class HeldForNoticePanel(GovernancePanel):
    """Pages in the user's municipality waiting for their internal notice to staff to go live,
    with a link to create the notice or to open the one that is linked."""

    name = "governance-held-for-notice"
    order = 130
    heading = _("Waiting for an internal notice to staff")
    empty_message = _("No pages wait for an internal notice.")
    template_name = "publishing/dashboard/held_for_notice.html"

    @cached_property
    def municipality_ids(self):
        viewer = self.viewer
        if viewer.user.is_superuser:
            return set(viewer.municipalities)
        return viewer.communications | viewer.leaders_group | viewer.publishers_group

    def applies(self):
        return bool(self.municipality_ids)

    @cached_property
    def counted(self):
        """The ``PANEL_LIMIT`` pages held longest and how many are held, in the user's
        municipalities: one query, whatever the number held."""
        mine = Page.objects.filter(
            in_trees(self.viewer.root_paths(self.municipality_ids)),
            pk=Cast(OuterRef("workflow_state__object_id"), IntegerField()),
        )
        held = TaskState.objects.filter(
            Exists(mine),
            status=TaskState.STATUS_IN_PROGRESS,
            task__content_type=ContentType.objects.get_for_model(InternalNoticeTask),
            workflow_state__base_content_type=get_default_page_content_type(),
        )
        return first_rows_and_count(
            held.select_related("workflow_state").order_by("started_at", "pk"), PANEL_LIMIT
        )

    @property
    def total(self):
        return self.counted[1]

    def get_items(self):
        # Only the rows shown are loaded, with their latest revisions.
        states = self.counted[0]
        if not states:
            return []
        pages = Page.objects.select_related("latest_revision").in_bulk(
            [int(state.workflow_state.object_id) for state in states]
        )
        content = {
            pk: (page.latest_revision.content if page.latest_revision else {})
            for pk, page in pages.items()
        }
        notices = Page.objects.in_bulk(
            [c["internal_notice"] for c in content.values() if c.get("internal_notice")]
        )
        rows = []
        for state in states:
            page = pages.get(int(state.workflow_state.object_id))
            if page is None:
                continue
            notice = notices.get(content[page.pk].get("internal_notice"))
            rows.append(
                HeldRow(
                    page=page,
                    unit=self.viewer.unit_name(content[page.pk].get("owning_unit")),
                    since=state.started_at,
                    edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    notice=notice,
                    notice_url=(
                        reverse("wagtailadmin_pages:edit", args=[notice.pk]) if notice else ""
                    ),
                    create_notice_url=(
                        "" if notice else reverse("publishing:create_notice", args=[page.pk])
                    ),
                )
            )
        return rows


@dataclass
class OverdueRow:
    page: object
    unit: str
    leader: str
    review_by: datetime.date
    days_overdue: int
    edit_url: str


class OverdueReviewPanel(GovernancePanel):
    """Live pages in the user's units whose review date has passed."""

    name = "governance-overdue-reviews"
    order = 140
    heading = _("Past their review date in your units")
    empty_message = _("No pages in your units are past their review date.")
    template_name = "publishing/dashboard/overdue_reviews.html"

    def applies(self):
        return bool(self.viewer.leads or self.viewer.deputises or self.viewer.communications)

    @cached_property
    def counted(self):
        """The most overdue ``PANEL_LIMIT`` pages and how many there are, in one query
        whatever the number of pages and page types (a ``UNION ALL`` over the governed types,
        counted as it is read), so the panel reads ten pages whether a thousand are due."""
        today = timezone.localdate()
        scope = self.viewer.scope_units
        if not scope:
            return [], 0
        due = [
            model.objects.live().filter(review_by__lt=today, owning_unit_id__in=scope).order_by()
            for model in governed_page_models()
        ]
        if not due:
            return [], 0
        union = (
            due[0]
            .values_list(*self.FIELDS)
            .union(*(each.values_list(*self.FIELDS) for each in due[1:]), all=True)
        )
        return first_union_rows_and_count(
            union, self.FIELDS, ("review_by", "title", "pk"), PANEL_LIMIT
        )

    #: What a row shows of a page (not its text); ``pk`` is each type's link to its page.
    FIELDS = ("review_by", "title", "pk", "draft_title", "owning_unit_id", "responsible_leader_id")

    @property
    def total(self):
        return self.counted[1]

    def get_items(self):
        today = timezone.localdate()
        rows = self.counted[0]
        leaders = labels_by_id([row["responsible_leader_id"] for row in rows])
        return [
            OverdueRow(
                page=Page(pk=row["pk"], title=row["title"], draft_title=row["draft_title"]),
                unit=self.viewer.unit_name(row["owning_unit_id"]),
                leader=leaders.get(row["responsible_leader_id"], ""),
                review_by=row["review_by"],
                days_overdue=(today - row["review_by"]).days,
                edit_url=reverse("wagtailadmin_pages:edit", args=[row["pk"]]),
            )
            for row in rows
        ]

    def more_url(self):
        try:
            return reverse("publishing_reports:review_dates") + "?overdue=true"
        except NoReverseMatch:
            return None


class ExpiringCertificatesPanel(GovernancePanel):
    """Publisher certificates that expire within 30 days: of the people in the user's units
    (leaders), of the whole municipality (communications), and the user's own."""

    name = "governance-expiring-certificates"
    order = 150
    heading = _("Publisher certificates expiring within 30 days")
    empty_message = _("No publisher certificates expire in the next 30 days.")
    template_name = "publishing/dashboard/expiring_certificates.html"

    def applies(self):
        viewer = self.viewer
        return bool(viewer.leads or viewer.deputises or viewer.communications) or bool(self.items)

    def get_items(self):
        viewer = self.viewer
        today = timezone.localdate()
        people_in_units = RoleAssignment.objects.active(today).filter(
            unit_id__in=viewer.scope_units,
            user=OuterRef("user"),
            unit__municipality=OuterRef("municipality"),
        )
        renewed = PublisherCertificate.objects.filter(
            user=OuterRef("user"),
            municipality=OuterRef("municipality"),
            expires_on__gt=OuterRef("expires_on"),
        )
        return list(
            PublisherCertificate.objects.filter(
                expires_on__gte=today,
                expires_on__lte=today + datetime.timedelta(days=CERTIFICATE_DAYS),
            )
            .filter(
                Q(municipality_id__in=viewer.communications)
                | Q(Exists(people_in_units))
                | Q(user=viewer.user)
            )
            .exclude(Exists(renewed))  # a newer certificate has already replaced it
            .select_related("user", "municipality")
            .order_by("expires_on", "user__last_name", "user__first_name")
        )

    def more_url(self):
        try:
            return reverse("publishing_publishercertificate_modeladmin_index")
        except NoReverseMatch:
            return None


class FeedbackPanel(GovernancePanel):
    """Citizens' answers about pages of the user's units that nobody has handled yet."""

    name = "governance-feedback"
    order = 160
    heading = _("Feedback from citizens on your pages")
    empty_message = _("No unhandled feedback on your units' pages.")
    template_name = "publishing/dashboard/feedback.html"

    def applies(self):
        viewer = self.viewer
        return bool(viewer.leads or viewer.deputises or viewer.communications)

    @cached_property
    def unhandled(self):

        return feedback_for(self.viewer.user).filter(handled=False)

    @property
    def total(self):
        return self.unhandled.count()

    def get_items(self):
        # The newest answers the panel shows, not every unhandled one.
        return list(
            self.unhandled.select_related("page", "unit").order_by("-created_at")[:PANEL_LIMIT]
        )

    def more_url(self):
        try:
            return reverse("publishing_pagefeedback_modeladmin_index") + "?handled__exact=0"
        except NoReverseMatch:
            return None


class DocumentsWithFindingsPanel(GovernancePanel):
    """Public documents the checks found blocking personal data in, or could not read: to the
    person who uploaded them and to whoever answers for that person's unit."""

    name = "governance-documents"
    order = 170
    heading = _("Documents that stop pages from being published")
    empty_message = _("No public document of yours or your units has findings that block.")
    template_name = "publishing/dashboard/documents.html"

    def applies(self):
        viewer = self.viewer
        return bool(
            viewer.publishers_group or viewer.leads or viewer.deputises or viewer.communications
        )

    @cached_property
    def flagged(self):
        viewer = self.viewer
        municipalities = [
            m
            for pk, m in viewer.municipalities.items()
            if pk in viewer.publishers_group
            or pk in viewer.communications
            or any(unit.municipality_id == pk for unit in viewer.units.values())
        ]
        uploaders = Q(document__uploaded_by_user=viewer.user)
        if viewer.scope_units:
            colleagues = RoleAssignment.objects.active(timezone.localdate()).filter(
                unit_id__in=viewer.scope_units
            )
            uploaders |= Q(document__uploaded_by_user__in=colleagues.values("user_id"))
        return (
            DocumentCheck.objects.current()
            .filter(public_collections_q(municipalities), uploaders)
            .filter(Q(blocking_count__gt=0) | Q(status=DocumentCheck.UNREADABLE))
        )

    @property
    def total(self):
        return self.flagged.count()

    def get_items(self):
        checks = list(
            self.flagged.select_related("document__uploaded_by_user").order_by("-finished_at")[
                :PANEL_LIMIT
            ]
        )
        for check in checks:
            check.summary = summary_of(check)
        return checks

    def more_url(self):
        # The report is for leaders and communications; a publisher has no more to follow.
        if not reporting_municipalities(self.viewer.user).exists():
            return None
        return reverse("publishing_document_reports:documents") + "?blocks=true"


class BrokenLinksPanel(GovernancePanel):
    """Broken links to other sites on the live pages of the user's units (leaders and their
    deputies) or of the whole municipality (communications), as the nightly check found them:
    each link on each page, the longest broken first."""

    name = "governance-broken-links"
    order = 175
    heading = _("Broken links on your unit's pages")
    empty_message = _("No live page of your units links to another site that is broken.")
    template_name = "publishing/dashboard/broken_links.html"

    def applies(self):
        viewer = self.viewer
        return bool(viewer.leads or viewer.deputises or viewer.communications)

    @cached_property
    def counted(self):
        """The rows shown and how many there are: the report's rows
        (``nightly_links.broken_links``: pages citizens may read now) of the user's units."""
        scope = self.viewer.scope_units
        if not scope:
            return [], 0
        rows = broken_links(list(self.viewer.municipalities.values()), units=scope)
        rows.sort(key=lambda row: (row.since or timezone.now(), row.page, row.url))
        return rows, len(rows)

    @property
    def total(self):
        return self.counted[1]

    def get_items(self):
        return self.counted[0][:PANEL_LIMIT]

    def more_url(self):
        try:
            return reverse("publishing_link_reports:external_links")
        except NoReverseMatch:
            return None

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        # The report is for leaders and communications: a deputy outside them has no more.
        # Asked as the Reports menu asks it, once a request.
        request = context["request"]
        sees = (
            sees_reports(request)
            if request is not None
            else reporting_municipalities(self.viewer.user).exists()
        )
        context["report_url"] = self.more_url() if context["items"] and sees else None
        if not context["report_url"]:
            context["more_url"] = None
        return context


PANELS = (
    AwaitingApprovalPanel,
    WaitingTooLongPanel,
    HeldForNoticePanel,
    OverdueReviewPanel,
    ExpiringCertificatesPanel,
    FeedbackPanel,
    DocumentsWithFindingsPanel,
    BrokenLinksPanel,
)


def panels_for(request):
    """The governance panels that apply to the signed-in user."""
    viewer = Viewer.of(request)
    if not viewer.municipalities:
        return []
    return [panel for panel in (cls(viewer) for cls in PANELS) if panel.applies()]


# --- Wagtail's own workflow panels, bounded ------------------------------------------------------
#
# Wagtail's "Awaiting your review" and "Your pages in a workflow" list every task and workflow,
# and "Awaiting your review" asks each row's task for its actions and steps: for a leader
# approval that is the line approval and the whole rule engine on the draft, some forty
# queries a row. A municipality with hundreds of pages in workflows would wait seconds for
# its dashboard. The two panels below show the same rows and actions with the same templates,
# the newest ``PANEL_LIMIT`` of them, in a fixed number of queries, and say how many there
# are in all.


def _showing(html, shown, total):
    """``html`` followed by "Showing 10 of 250." when not every row is shown."""
    if total <= shown:
        return html

    note = gettext("Showing %(shown)s of %(total)s.") % {"shown": shown, "total": total}
    return format_html('{}<p class="w-help-text w-pl-5">{}</p>', html, note)


def workflow_tasks_with_status(workflow_states):
    """``{workflow state id: [tasks with .status and .status_display]}``, the answer of
    ``WorkflowState.all_tasks_with_status()`` for each, in two queries."""

    states = {state.pk: state for state in workflow_states}
    steps = {}
    for step in (
        WorkflowTask.objects.filter(
            workflow_id__in={s.workflow_id for s in states.values()}, task__active=True
        )
        .select_related("task")
        .order_by("sort_order")
    ):
        steps.setdefault(step.workflow_id, []).append(step.task)
    rows = list(
        TaskState.objects.filter(workflow_state_id__in=states)
        .order_by("-started_at", "-id")
        .values_list(
            "workflow_state_id", "task_id", "status", "revision_id", "revision__created_at"
        )
    )
    latest = {}
    if getattr(settings, "WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT", False):
        # Only the task states of the newest revision that any task state of the workflow
        # state was created on count (as ``_get_applicable_task_states``).
        for state_id, _task, _status, revision_id, created in rows:
            if state_id not in latest or (created, revision_id) > latest[state_id]:
                latest[state_id] = (created, revision_id)
    status = {}
    for state_id, task_id, value, revision_id, _created in rows:
        if state_id in latest and latest[state_id][1] != revision_id:
            continue
        status.setdefault((state_id, task_id), value)  # newest first: the first one counts
    labels = dict(TaskState.STATUS_CHOICES)
    # Wagtail's own label, in Wagtail's translations (not one of ours to translate).
    not_started = wagtail_gettext("Not started")
    result = {}
    for pk, state in states.items():
        tasks = []
        for task in steps.get(state.workflow_id, []):
            task = copy.copy(task)
            task.status = status.get((pk, task.pk))
            task.status_display = labels.get(task.status, not_started)
            tasks.append(task)
        result[pk] = tasks
    return result


class _RowPermissions(PagePermissionTester):
    """Wagtail's permission tester for one dashboard row, told in advance whether the task the
    page waits in lets the user open the editor.

    Wagtail asks the current task (``user_can_access_editor``) for every row; the leader
    approval and internal-notice tasks answer with the whole line approval on the page's
    draft, some forty queries. The panels know the answer from one bulk line approval.
    """

    def __init__(self, user, page, may_open):
        super().__init__(user, page)
        self.may_open = may_open

    def can_edit(self):
        # Wagtail's ``can_edit``, with the workflow task's answer already known.
        if not self.user.is_active or self.page_is_root:
            return False
        if self.user.is_superuser or "change" in self.permissions:
            return True
        if "add" in self.permissions and self.page.owner_id == self.user.pk:
            return True
        return self.may_open


def _know_permissions(user, pages, approvable=None):
    """Let each of ``pages`` (base pages) answer ``permissions_for_user(user)`` without asking
    its workflow task page by page: their in-progress workflows are loaded at once, and for
    pages waiting in a task that asks the line approval, one bulk line approval answers.

    ``approvable``: the user's ``Viewer.approvable`` when the request knows it already (every
    leader approval in progress that the user may approve); those tasks are not judged again.
    """

    pages = {page.pk: page for page in pages}
    if not pages:
        return
    states = {
        int(state.object_id): state
        for state in WorkflowState.objects.active()
        .filter(
            base_content_type=get_default_page_content_type(),
            object_id__in=[str(pk) for pk in pages],
        )
        .select_related("current_task_state__task")
    }
    line_tasks = {
        task.pk: model
        for model in (LeaderApprovalTask, InternalNoticeTask)
        for task in model.objects.only("pk")
    }
    # {task state id: page id} of the pages waiting in a task that asks the line approval.
    asking = {
        state.current_task_state_id: pk
        for pk, state in states.items()
        if state.status == WorkflowState.STATUS_IN_PROGRESS
        and state.current_task_state is not None
        and state.current_task_state.task_id in line_tasks
    }
    known = None if approvable is None else {w.task_state_id for w in approvable}
    to_judge = [
        task_state_id
        for task_state_id, pk in asking.items()
        if known is None
        or line_tasks[states[pk].current_task_state.task_id] is not LeaderApprovalTask
    ]
    may_approve = {
        w.page_id for w in approvable_task_states(user, TaskState.objects.filter(pk__in=to_judge))
    }
    if known is not None:
        may_approve.update(pk for task_state_id, pk in asking.items() if task_state_id in known)
    asked = set(asking.values())
    for pk, page in pages.items():
        page._current_workflow_states = [states[pk]] if pk in states else []
        if pk in asked:
            tester = _RowPermissions(user, page, pk in may_approve)
            page.permissions_for_user = lambda who, tester=tester, page=page: (
                tester if who == tester.user else type(page).permissions_for_user(page, who)
            )


class _AsShown:
    """``obj`` as a template reads it, with some attributes answered differently.

    Wagtail's "Awaiting your review" names ``task_state.revision.user`` as "Task submitted
    by": whoever saved the revision the task started on, such as a leader who only linked the
    internal notice. The panel hands it the task state with a revision whose ``user`` is the
    person who submitted the page for the workflow (``WorkflowState.requested_by``), as our own
    panels and mails name them; the models themselves are left as they are.
    """

    def __init__(self, obj, **answers):
        self._obj = obj
        vars(self).update(answers)

    def __getattr__(self, name):
        return getattr(self._obj, name)


class AwaitingReviewPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "Awaiting your review": the newest tasks the user may act on, with their
    steps and actions, in a fixed number of queries. Leader approvals come from the same bulk
    line approval as the governance panels, and "Approve" is offered only when nothing blocks
    the draft, as in the editor. "Task submitted by" names the person who submitted the page
    for the workflow, not whoever saved its latest revision (``_AsShown``)."""

    total = 0

    def get_context_data(self, parent_context):

        request = parent_context["request"]
        user = request.user
        context = {"states": [], "request": request, "csrf_token": parent_context["csrf_token"]}
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            return context
        tasks = list(Task.objects.filter(active=True).specific())
        leader_tasks = [task.pk for task in tasks if isinstance(task, LeaderApprovalTask)]
        waiting = {w.task_state_id: w for w in Viewer.of(request).approvable}
        others = TaskState.objects.none()
        for task in tasks:
            if task.pk not in leader_tasks:
                others = others | task.get_task_states_user_can_moderate(user=user)
        others = others.filter(workflow_state__base_content_type=get_default_page_content_type())
        other_rows, other_total = first_rows_and_count(
            others.order_by("-started_at").values("started_at", "pk"), PANEL_LIMIT
        )
        newest = sorted(
            [(w.started_at, pk) for pk, w in waiting.items()]
            + [(row["started_at"], row["pk"]) for row in other_rows],
            reverse=True,
        )[:PANEL_LIMIT]
        self.total = len(waiting) + other_total
        states = (
            TaskState.objects.filter(pk__in=[pk for _started, pk in newest])
            .select_related(
                "revision",
                "workflow_state",
                "workflow_state__workflow",
                "workflow_state__requested_by",
                "task",
            )
            .annotate(previous_revision_id=Revision.objects.previous_revision_id_subquery())
            .order_by("-started_at", "-pk")
        )
        states = list(states)
        pages = Page.objects.select_related("latest_revision").in_bulk(
            {int(state.workflow_state.object_id) for state in states}
        )
        _know_permissions(user, pages.values(), Viewer.of(request).approvable)
        specific_tasks = {task.pk: task for task in tasks}
        steps = workflow_tasks_with_status([state.workflow_state for state in states])
        # Approve only what may be published: the rule engine on the drafts of the leader
        # approvals shown, all at once.
        may_approve = [
            pk
            for pk in {int(s.workflow_state.object_id) for s in states if s.pk in waiting}
            if pk in pages and not waiting_edited(waiting, states, pk)
        ]
        built = drafts([pages[pk] for pk in may_approve])
        contexts = {pk: RuleContext(page=draft, purpose=PUBLISH) for pk, draft in built.items()}
        blocked = {
            pk
            for pk, findings in zip(contexts, evaluate_many(contexts.values()), strict=True)
            if blocking(findings)
        }
        for state in states:
            obj = pages.get(int(state.workflow_state.object_id))
            if obj is None:
                continue
            state.task = specific_tasks.get(state.task_id, state.task)
            if state.pk in waiting:
                actions = []
                if not waiting[state.pk].edited_by_user:
                    actions.append(("reject", _("Request changes"), True))
                    if obj.pk not in blocked:
                        actions.append(("approve", _("Approve"), True))
            else:
                actions = state.task.get_actions(obj, user)
            revision = _AsShown(state.revision, user=state.workflow_state.requested_by)
            context["states"].append(
                {
                    "obj": obj,
                    "revision": revision,
                    "previous_revision_id": state.previous_revision_id,
                    "live_revision_id": obj.live_revision_id,
                    "task_state": _AsShown(state, revision=revision),
                    "actions": actions,
                    "workflow_tasks": steps.get(state.workflow_state_id, []),
                    "workflow_action_url_name": "wagtailadmin_pages:workflow_action",
                    "workflow_preview_url_name": (
                        "wagtailadmin_pages:workflow_preview" if obj.is_previewable() else None
                    ),
                    "revisions_compare_url_name": "wagtailadmin_pages:revisions_compare",
                }
            )
        return context

    def render_html(self, parent_context=None):
        html = super().render_html(parent_context)
        return _showing(html, min(self.total, PANEL_LIMIT), self.total)


def waiting_edited(waiting, states, page_id):
    """Whether the user edited the page of a leader approval shown (four eyes: no actions)."""
    return any(
        waiting[s.pk].edited_by_user
        for s in states
        if s.pk in waiting and int(s.workflow_state.object_id) == page_id
    )


class YourPagesInWorkflowPanel(UserObjectsInWorkflowModerationPanel):
    """Wagtail's "Your pages in a workflow": the newest ``PANEL_LIMIT`` in-progress workflows
    the user asked for or whose pages they own, and how many there are in all."""

    total = 0

    def get_context_data(self, parent_context):

        request = parent_context["request"]
        context = {"request": request, "workflow_states": []}
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            return context
        owned = Q(base_content_type_id=get_default_page_content_type().id) & Exists(
            Page.objects.filter(
                owner=request.user,
                id=Cast(OuterRef("object_id"), output_field=IntegerField()),
            )
        )
        states = WorkflowState.objects.active().filter(owned | Q(requested_by=request.user))
        # Ordered by a subquery of each state's current step, then the shown rows loaded with
        # their steps and pages: joined for the order, the database reads every step there is.
        started = Subquery(
            TaskState.objects.filter(pk=OuterRef("current_task_state_id")).values("started_at")[:1]
        )
        newest, self.total = first_rows_and_count(
            states.annotate(started=started).order_by(F("started").desc(), "-pk").values("pk"),
            PANEL_LIMIT,
        )
        ids = [row["pk"] for row in newest]
        shown = (
            WorkflowState.objects.prefetch_related(
                "content_object", "content_object__latest_revision"
            )
            .select_related("current_task_state", "current_task_state__task")
            .in_bulk(ids)
        )
        context["workflow_states"] = [
            shown[pk] for pk in ids if pk in shown and shown[pk].content_object
        ]
        _know_permissions(
            request.user,
            [s.content_object for s in context["workflow_states"]],
            Viewer.of(request).approvable,
        )
        return context

    def render_html(self, parent_context=None):
        html = super().render_html(parent_context)
        return _showing(html, min(self.total, PANEL_LIMIT), self.total)


#: How many of the user's newest edits "Your most recent edits" reads first.
RECENT_EDITS_WINDOW = 500


def recently_edited(user, limit):
    """``[{"page_id", "latest_date"}]``: the ``limit`` pages ``user`` edited last, newest
    first, as Wagtail's "Your most recent edits" finds them.

    Wagtail groups all of the user's edits by page (a communications editor's may be 70,000
    entries: 40–80 ms at 50,000 pages). The pages edited last all lie among the user's newest
    edits: when the newest ``RECENT_EDITS_WINDOW`` hold ``limit`` pages, those are the answer,
    each with its latest edit, since any other page was last edited before all of them. Only
    someone who edited fewer pages than that in their newest edits is asked the whole way.
    """
    edits = PageLogEntry.objects.filter(user=user, action="wagtail.edit")
    newest = edits.order_by("-timestamp", "-pk").values("pk")[:RECENT_EDITS_WINDOW]
    last = list(
        PageLogEntry.objects.filter(pk__in=Subquery(newest))
        .values("page_id")
        .annotate(latest_date=Max("timestamp"))
        .order_by("-latest_date")[:limit]
    )
    if len(last) < limit:
        last = list(
            edits.values("page_id")
            .annotate(latest_date=Max("timestamp"))
            .order_by("-latest_date")[:limit]
        )
    return last


class NewestEditsPanel(RecentEditsPanel):
    """Wagtail's "Your most recent edits", reading the user's newest edits rather than all of
    them (``recently_edited``); the same pages, in the same order, shown the same way."""

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        context = Component.get_context_data(self, parent_context)
        edits = recently_edited(
            request.user, getattr(settings, "WAGTAILADMIN_RECENT_EDITS_LIMIT", 5)
        )
        pages = (
            Page.objects.specific()
            .prefetch_workflow_states()
            .annotate_approved_schedule()
            .in_bulk([edit["page_id"] for edit in edits])
        )
        context["last_edits"] = [
            (edit["latest_date"], pages[edit["page_id"]])
            for edit in edits
            if edit["page_id"] in pages
        ]
        context["request"] = request
        return context


#: Wagtail's panels (by name) and what replaces them on the dashboard.
BOUNDED = {
    WorkflowObjectsToModeratePanel.name: AwaitingReviewPanel,
    UserObjectsInWorkflowModerationPanel.name: YourPagesInWorkflowPanel,
    RecentEditsPanel.name: NewestEditsPanel,
}


@hooks.register("construct_homepage_panels")
def add_governance_panels(request, panels):
    for index, panel in enumerate(panels):
        replacement = BOUNDED.get(getattr(panel, "name", None))
        if replacement is not None and type(panel) is not replacement:
            panels[index] = replacement()
    panels.extend(panels_for(request))
