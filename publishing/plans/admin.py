"""The communication plans register in the admin, and the menu entry of the annual wheel.

A plan's form asks Avesta's seven questions in order, one panel per question; activities, goals
and follow-ups are edited inline. Everything a plan points to (unit, audiences, people) comes
from the plan's own municipality. The communications group and the leaders of a municipality
may change its plans; the publishers may read them, since they carry out the activities.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import DeleteView, EditView, InspectView

from publishing.access.user_scope import municipality_ids
from publishing.models import (
    Audience,
    CommunicationPlan,
    Municipality,
    OrganisationUnit,
    PlanStatus,
)
from publishing.models.municipality import GROUP_KEYS, municipality_ids_for
from publishing.models.plans import planning_municipalities
from publishing.people import person_label, show_people_as_people
from publishing.plans.views import VIEW_PERMISSION
from publishing.registers.history import ScopedHistoryView
from publishing.visible_text import has_visible_text


def people_of(municipalities):
    """Active users who belong to one of ``municipalities``: by group or by a role there."""
    municipalities = list(municipalities)
    group_ids = [
        m.group(key).pk for m in municipalities for key in GROUP_KEYS if m.group(key) is not None
    ]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__in=group_ids) | Q(role_assignments__unit__municipality__in=municipalities)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _keeping(people, current_id):
    """``people``, plus the person chosen so far, so that a form shows the truth and saves
    unchanged even after that person has left the municipality's groups."""
    if not current_id:
        return people
    return (
        get_user_model()
        .objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current_id))
        .order_by("first_name", "last_name", "username")
    )


class CommunicationPlanForm(WagtailAdminModelForm):
    """The plan form: choices from the plan's municipality, and an active plan fully answered.

    A plan keeps the municipality it was made in. A user who plans for one municipality gets it
    set; a superuser chooses, and everything else the plan names must belong to that choice.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            scope = Municipality.objects.filter(pk=self.instance.municipality_id)
        elif self.for_user is not None:
            scope = planning_municipalities(self.for_user)
        else:
            scope = Municipality.objects.none()
        scope = list(scope)
        self.scope = scope
        municipality_field = self.fields["municipality"]
        municipality_field.queryset = Municipality.objects.filter(pk__in=[m.pk for m in scope])
        municipality_field.empty_label = None if len(scope) == 1 else municipality_field.empty_label
        if len(scope) == 1:
            # A disabled field takes its value from the initial data, never from the request.
            self.initial["municipality"] = scope[0].pk
            municipality_field.disabled = True
        people = people_of(scope)
        audiences = Audience.objects.filter(municipality__in=scope)
        self.fields["owning_unit"].queryset = OrganisationUnit.objects.filter(
            municipality__in=scope
        ).order_by("name")
        self.fields["audiences"].queryset = audiences
        self.fields["responsible"].queryset = _keeping(people, self.instance.responsible_id)
        show_people_as_people(self.fields["responsible"])
        activities = self.formsets.get("activities")
        if activities is not None:
            # The formset builds its forms lazily, so a subclass set here reaches them all,
            # including the empty form the "Add activity" button copies.
            activities.form = _scoped_activity_form(activities.form, people, audiences)

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality")
        if municipality is not None and len(self.scope) > 1:
            self._check_same_municipality(municipality, cleaned)
        if cleaned.get("status") in (PlanStatus.ACTIVE, PlanStatus.COMPLETED):
            self._check_answered(cleaned)
        return cleaned

    def _check_same_municipality(self, municipality, cleaned):
        """With several municipalities to choose from, keep every choice in the chosen one."""
        message = _("Choose from the plan's own municipality, %(name)s.") % {
            "name": municipality.name
        }
        if any(a.municipality_id != municipality.pk for a in cleaned.get("audiences") or []):
            self.add_error("audiences", message)
        people = people_of([municipality])
        responsible = cleaned.get("responsible")
        if responsible is not None and not people.filter(pk=responsible.pk).exists():
            self.add_error("responsible", message)
        for form in self._kept_forms("activities") or []:
            owner = form.cleaned_data.get("owner")
            if owner is not None and not people.filter(pk=owner.pk).exists():
                form.add_error("owner", message)
            if any(
                a.municipality_id != municipality.pk for a in form.cleaned_data.get("audiences", [])
            ):
                form.add_error("audiences", message)

    def _check_answered(self, cleaned):
        """An active plan answers the seven questions; a completed one has been followed up."""
        required = {
            "what": _("An active plan says what we want to do (question 1)."),
            "why": _("An active plan says why we do it (question 2)."),
            "audiences": _("An active plan names whom we want to reach (question 3)."),
            "follow_up_method": _("An active plan says how we follow up (question 7)."),
        }
        for name, message in required.items():
            if name in self.fields and not _answered(cleaned.get(name)):
                self.add_error(name, message)
        if not any(
            _answered(cleaned.get(name)) for name in ("should_know", "should_feel", "should_do")
        ):
            self.add_error(
                "should_know",
                _("An active plan says what the audiences should know, feel or do (question 4)."),
            )
        activities, goals = self._kept_forms("activities"), self._kept_forms("goals")
        if activities is not None and not activities:
            self.add_error(
                None, _("An active plan has at least one activity: who does what, and when.")
            )
        if goals is not None and not goals:
            self.add_error(None, _("An active plan has at least one measurable goal."))
        follow_ups = self._kept_forms("follow_ups")
        if cleaned.get("status") == PlanStatus.COMPLETED and follow_ups == []:
            self.add_error(
                None, _("A completed plan has a follow-up: what we learnt for next time.")
            )

    def _kept_forms(self, name):
        """The valid, not deleted forms of formset ``name``; None if it has errors or is absent."""
        formset = self.formsets.get(name)
        if formset is None or not formset.is_valid():
            return None
        return [
            form
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


def _answered(value):
    """Whether a plan's answer is given: a text a reader sees (not spaces or invisible
    characters only), or a chosen audience."""
    return has_visible_text(value) if isinstance(value, str) else bool(value)


def _scoped_activity_form(base, people, audiences):
    labels = {}  # one lookup of the people's roles for every activity's form

    class ScopedActivityForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["owner"].queryset = _keeping(people, self.instance.owner_id)
            show_people_as_people(self.fields["owner"], labels=labels)
            self.fields["audiences"].queryset = audiences

    ScopedActivityForm.__name__ = base.__name__
    return ScopedActivityForm


class PlanPermissionHelper(PermissionHelper):
    """Model permissions, narrowed to the plans of the user's municipalities.

    Reading follows the registers (``Municipality.objects.for_user``); changing follows
    ``planning_municipalities``, which also lets leaders plan. (The registers' helper in
    ``wagtail_hooks`` is not reused: that module imports this one.)
    """

    def _in(self, user, scope, obj):
        return obj.municipality_id in municipality_ids(user, scope.__name__, scope)

    def _visible(self, user, obj):
        return obj.municipality_id in municipality_ids_for(user)

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and self._in(user, planning_municipalities, obj)

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and self._in(
            user, planning_municipalities, obj
        )

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and self._visible(user, obj)


class _OwnMunicipalityOnly:
    """A plan of another municipality is not found, rather than forbidden: its title stays
    private."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not self.model_admin.get_queryset(request).filter(pk=self.instance.pk).exists()
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PlanEditView(_OwnMunicipalityOnly, EditView):
    pass


class PlanDeleteView(_OwnMunicipalityOnly, DeleteView):
    pass


class PlanHistoryView(_OwnMunicipalityOnly, ScopedHistoryView):
    pass


class PlanInspectView(_OwnMunicipalityOnly, InspectView):
    """The plan as a readable document: the seven answers, goals and results, activities,
    follow-ups, and the pages that link to it."""

    def get_context_data(self, **kwargs):
        plan = self.instance
        pages = []
        for page in plan.linked_pages():
            pages.append(
                {
                    "page": page,
                    "type": page.specific_class._meta.verbose_name,
                    "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    "live": page.live,
                    "draft_only": page.communication_plan_id != plan.pk,
                }
            )
        year = (plan.starts_on or plan.created_at).year
        context = {
            "plan": plan,
            "activities": plan.activities.select_related("owner").prefetch_related("audiences"),
            "goals": plan.goals.all(),
            "follow_ups": plan.follow_ups.all(),
            "linked_pages": pages,
            "wheel_url": f"{reverse('publishing:annual_wheel')}?year={year}"
            f"&municipality={plan.municipality_id}",
            "user_can_edit": self.permission_helper.user_can_edit_obj(self.request.user, plan),
        }
        context.update(kwargs)
        return super().get_context_data(**context)


class CommunicationPlanAdmin(ModelAdmin):
    """The register of communication plans (Avesta's "Kommunikationsplan")."""

    model = CommunicationPlan
    inspect_view_enabled = True
    menu_label = _("Communication plans")
    menu_icon = "clipboard-list"
    permission_helper_class = PlanPermissionHelper
    edit_view_class = PlanEditView
    delete_view_class = PlanDeleteView
    history_view_class = PlanHistoryView
    inspect_view_class = PlanInspectView
    index_template_name = "publishing/plans/index.html"
    inspect_template_name = "publishing/plans/inspect.html"
    list_display = ("title", "status", "period", "owning_unit", "responsible_person")
    list_filter = ("status",)
    search_fields = ("title", "what", "why")
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("municipality"),
                FieldPanel("owning_unit"),
                FieldPanel("responsible"),
                FieldPanel("status"),
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
            ],
            heading=_("The plan"),
        ),
        MultiFieldPanel(
            [FieldPanel("what", heading=_("What we want to do"))],
            heading=_("1. What do we want to do?"),
        ),
        MultiFieldPanel(
            [FieldPanel("why", heading=_("Why we do it"))],
            heading=_("2. Why do we do it?"),
        ),
        MultiFieldPanel(
            [
                FieldPanel(
                    "audiences", heading=_("Audiences"), widget=forms.CheckboxSelectMultiple
                ),
                FieldPanel("whom_details", heading=_("More about them")),
            ],
            heading=_("3. Whom do we want to reach?"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("should_know", heading=_("They should know")),
                FieldPanel("should_feel", heading=_("They should feel")),
                FieldPanel("should_do", heading=_("They should do")),
            ],
            heading=_("4. What should they know, feel and do?"),
        ),
        InlinePanel(
            "activities",
            heading=_("5. Which activities? 6. Who does what, and when?"),
            label=_("activity"),
            panels=[
                FieldPanel("title"),
                FieldPanel("channel"),
                FieldPanel("owner"),
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
                FieldPanel(
                    "audiences",
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Leave empty to reach the plan's audiences."),
                ),
                FieldPanel("description"),
                FieldPanel("done"),
            ],
        ),
        MultiFieldPanel(
            [FieldPanel("follow_up_method", heading=_("How we follow up"))],
            heading=_("7. How do we follow up?"),
        ),
        InlinePanel(
            "goals",
            heading=_("Measurable goals"),
            label=_("goal"),
            panels=[
                FieldPanel("description"),
                FieldRowPanel([FieldPanel("measure"), FieldPanel("target")]),
                FieldRowPanel([FieldPanel("result"), FieldPanel("achieved")]),
            ],
        ),
        InlinePanel(
            "follow_ups",
            heading=_("Follow-up: what we learnt"),
            label=_("follow-up"),
            panels=[FieldPanel("date"), FieldPanel("note")],
        ),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=CommunicationPlanForm)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("owning_unit", "responsible")
        )

    def period(self, obj):
        """The plan's dates as the reader's language writes them ("4. januar 2027")."""
        days = [date_format(day, "DATE_FORMAT") for day in (obj.starts_on, obj.ends_on) if day]
        return " – ".join(days) or "–"

    period.short_description = _("period")

    def responsible_person(self, obj):
        return person_label(obj.responsible) if obj.responsible else "–"

    responsible_person.short_description = _("responsible")


class AnnualWheelMenuItem(MenuItem):
    """“Annual wheel” under Reports, for everyone who may read the plans."""

    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_annual_wheel_menu_item():
    # Registered here, next to the plans register it belongs to; ``wagtail_hooks`` imports this
    # module, so the hook is in place when the admin menus are built.
    return AnnualWheelMenuItem(
        _("Annual wheel"),
        reverse_lazy("publishing:annual_wheel"),
        name="annual-wheel",
        icon_name="calendar-alt",
        order=900,
    )
