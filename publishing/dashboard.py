"""Dashboard panels on the Wagtail admin home: what waits for the signed-in user.

Four panels, each limited to what concerns the user and their municipality:

- pages awaiting my approval (as responsible leader, active deputy or leader above in the line),
- pages held for an internal notice to staff,
- pages in my units past their review date,
- publisher certificates that expire within 30 days.

A panel that does not apply to the user's role is left out; one that applies but has nothing
says so in one line, so a leader knows nothing waits. Every panel runs a fixed number of
queries, whatever the number of pages.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import Page, TaskState, get_default_page_content_type, get_page_models

from .models import (
    LEADER_ROLES,
    Deputyship,
    GovernedPage,
    InternalNoticeTask,
    LeaderApprovalTask,
    Municipality,
    OrganisationUnit,
    PublisherCertificate,
    Role,
    RoleAssignment,
)
from .models.organisation import subtree_ids
from .rules.approval import AS_DEPUTY, AS_LEADER, AS_LINE, approvable_task_states

#: Rows a panel shows before it links to the full list.
PANEL_LIMIT = 10
#: How far ahead the certificate panel looks.
CERTIFICATE_DAYS = 30

CAPACITY_LABELS = {
    AS_LEADER: _("responsible leader"),
    AS_DEPUTY: _("deputy"),
    AS_LINE: _("leader above in the line"),
}


def capacity_label(capacity):
    """The capacity in which someone approves, in words."""
    return CAPACITY_LABELS.get(capacity, capacity or "")


def person_name(user):
    """A person's full name, or their username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def governed_page_models():
    """The concrete page types that carry governance fields (``review_by``, ``owning_unit``)."""
    return [model for model in get_page_models() if issubclass(model, GovernedPage)]


def in_trees(paths):
    """A filter for pages below any of the tree ``paths`` (nothing if there are none)."""
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return query


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
        viewer.municipalities = {
            m.pk: m for m in Municipality.objects.for_user(user).select_related("site__root_page")
        }
        group_ids = set(user.groups.values_list("pk", flat=True))
        for municipality in viewer.municipalities.values():
            if user.is_superuser or municipality.communications_group_id in group_ids:
                viewer.communications.add(municipality.pk)
            if municipality.leaders_group_id in group_ids:
                viewer.leaders_group.add(municipality.pk)
            if municipality.publishers_group_id in group_ids:
                viewer.publishers_group.add(municipality.pk)
        for unit_id, role, municipality_id in (
            RoleAssignment.objects.active(today)
            .filter(user=user)
            .values_list("unit_id", "role", "unit__municipality_id")
        ):
            if role == Role.COMMUNICATIONS_EDITOR:
                viewer.communications.add(municipality_id)
            elif role in LEADER_ROLES:
                viewer.leads.add(unit_id)
        viewer.deputises = set(
            Deputyship.objects.active(today)
            .filter(deputy=user)
            .values_list("assignment__unit_id", flat=True)
        )
        viewer.units = {
            pk: Unit(pk, name, parent_id, municipality_id)
            for pk, name, parent_id, municipality_id in OrganisationUnit.objects.filter(
                municipality__in=list(viewer.municipalities)
            ).values_list("pk", "name", "parent_id", "municipality_id")
        }
        return viewer

    @property
    def is_leader(self):
        return bool(self.leads or self.deputises or self.leaders_group)

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

    def get_context_data(self, parent_context=None):
        items = self.items
        return {
            "panel": self,
            "items": items[:PANEL_LIMIT],
            "total": len(items),
            "more": len(items) > PANEL_LIMIT,
            "more_url": self.more_url() if len(items) > PANEL_LIMIT else None,
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

    @cached_property
    def waiting(self):
        states = TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            task__content_type=ContentType.objects.get_for_model(LeaderApprovalTask),
        ).order_by("started_at")
        return approvable_task_states(self.viewer.user, states)

    @property
    def own_edits(self):
        return sum(1 for waiting in self.waiting if waiting.edited_by_user)

    def get_items(self):
        rows = []
        for waiting in self.waiting:
            if waiting.edited_by_user:
                continue
            page, state = waiting.page, waiting.task_state
            content = page.latest_revision.content if page.latest_revision else {}
            rows.append(
                ApprovalRow(
                    page=page,
                    unit=self.viewer.unit_name(content.get("owning_unit")),
                    capacity=capacity_label(waiting.capacity),
                    submitted_by=person_name(state.workflow_state.requested_by),
                    since=state.started_at,
                    edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    preview_url=reverse(
                        "wagtailadmin_pages:workflow_preview", args=[page.pk, state.task_id]
                    ),
                )
            )
        return rows

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["own_edits"] = self.own_edits
        return context


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

    def get_items(self):
        states = list(
            TaskState.objects.filter(
                status=TaskState.STATUS_IN_PROGRESS,
                task__content_type=ContentType.objects.get_for_model(InternalNoticeTask),
                workflow_state__base_content_type=get_default_page_content_type(),
            )
            .select_related("workflow_state")
            .order_by("started_at")
        )
        if not states:
            return []
        pages = (
            Page.objects.filter(in_trees(self.viewer.root_paths(self.municipality_ids)))
            .select_related("latest_revision")
            .in_bulk([int(state.workflow_state.object_id) for state in states])
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

    def get_items(self):
        today = timezone.localdate()
        scope = self.viewer.scope_units
        if not scope:
            return []
        pages = []
        for model in governed_page_models():  # one query per page type, not per page
            pages.extend(
                model.objects.live()
                .filter(review_by__lt=today, owning_unit_id__in=scope)
                .select_related("responsible_leader")
            )
        pages.sort(key=lambda page: (page.review_by, page.title))
        return [
            OverdueRow(
                page=page,
                unit=self.viewer.unit_name(page.owning_unit_id),
                leader=person_name(page.responsible_leader),
                review_by=page.review_by,
                days_overdue=(today - page.review_by).days,
                edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
            )
            for page in pages
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

    def get_items(self):
        from .citizen_admin import feedback_for

        return list(
            feedback_for(self.viewer.user)
            .filter(handled=False)
            .select_related("page", "unit")
            .order_by("-created_at")
        )

    def more_url(self):
        try:
            return reverse("publishing_pagefeedback_modeladmin_index") + "?handled__exact=0"
        except NoReverseMatch:
            return None


PANELS = (
    AwaitingApprovalPanel,
    HeldForNoticePanel,
    OverdueReviewPanel,
    ExpiringCertificatesPanel,
    FeedbackPanel,
)


def panels_for(request):
    """The governance panels that apply to the signed-in user."""
    viewer = Viewer.of(request)
    if not viewer.municipalities:
        return []
    return [panel for panel in (cls(viewer) for cls in PANELS) if panel.applies()]


@hooks.register("construct_homepage_panels")
def add_governance_panels(request, panels):
    panels.extend(panels_for(request))
