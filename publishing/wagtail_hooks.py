"""Admin integration of the governed-publishing extension.

Wagtail loads this module at start-up. The features that register hooks of their own are
imported here so that their hooks are registered with it: the admin scope (choosers, the admin
API; ``publishing.access.admin_scope``), the dashboard's home page panels
(``publishing.dashboard.panels``), the Reports menu and its URLs (``publishing.reports.views``)
and the annual wheel's menu item (``publishing.plans.admin``).

The governance registers (units, roles, deputies, audiences, certificates) use
wagtail-modeladmin, as the project's stack prescribes; every list, form and object view is scoped
to the municipalities the signed-in user belongs to.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.models import Page, get_page_models
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from publishing import audit, memo
from publishing.access import admin_scope
from publishing.access.user_scope import municipality_ids
from publishing.archive import admin as archive_admin  # noqa: F401 (its hooks)
from publishing.citizens.admin import CrisisBannerAdmin, PageFeedbackAdmin
from publishing.dashboard import panels as dashboard_panels  # noqa: F401 (its hooks)
from publishing.editor import removal  # noqa: F401 (its hooks)
from publishing.editor.forms import MunicipalityScopedForm
from publishing.editor.userbar import swap_content_checker
from publishing.editor.views import GovernedPageViewSet, OneAtATimePageViewSet
from publishing.images import wagtail_hooks as images_hooks  # noqa: F401 (its hooks)
from publishing.models import (
    Audience,
    Deputyship,
    GovernedPage,
    Municipality,
    OrganisationUnit,
    PublisherCertificate,
    RoleAssignment,
)
from publishing.models.municipality import municipality_ids_for
from publishing.notifications import preferences as mail_preferences  # noqa: F401 (its hooks)
from publishing.plans.admin import CommunicationPlanAdmin
from publishing.registers.display import RegisterInspectView, person_column, yes_no_column
from publishing.registers.editing import RegisterEditView
from publishing.registers.history import ScopedHistoryView
from publishing.reports import documents as document_report  # noqa: F401 (its hooks)
from publishing.reports import external_links as external_links_report  # noqa: F401 (its hooks)
from publishing.reports import views as reports  # noqa: F401 (its hooks)
from publishing.rules import blocking, check_publish
from publishing.rules.approval import may_fast_track
from publishing.rules.placement import alias_refusal, copy_refusal, move_refusal
from publishing.urls import admin as publishing_urls
from publishing.wagtail_internals import admin_listings, delete_confirmation


class MunicipalityPermissionHelper(PermissionHelper):
    """Model permissions, narrowed to objects of the user's own municipalities."""

    municipality_lookup = "municipality"

    def _in_scope(self, obj, ids):
        *path, last = self.municipality_lookup.split("__")
        value = obj
        for part in path:
            value = getattr(value, part)  # the listing selects these related rows
        return getattr(value, f"{last}_id") in ids

    def _editable(self, user):
        return municipality_ids(user, "editable_by", Municipality.objects.editable_by)

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and self._in_scope(obj, self._editable(user))

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and self._in_scope(obj, self._editable(user))

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and self._in_scope(
            obj, municipality_ids_for(user)
        )


class MunicipalityScopedAdmin(ModelAdmin):
    """A register that only shows the signed-in user's municipalities."""

    municipality_lookup = "municipality"
    permission_helper_class = MunicipalityPermissionHelper
    history_view_class = ScopedHistoryView
    edit_view_class = RegisterEditView
    inspect_view_enabled = True
    inspect_view_class = RegisterInspectView
    inspect_view_fields_exclude = ["id"]
    panels = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission_helper.municipality_lookup = self.municipality_lookup

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                **{f"{self.municipality_lookup}__in": Municipality.objects.for_user(request.user)}
            )
        )

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=MunicipalityScopedForm)


class OrganisationUnitAdmin(MunicipalityScopedAdmin):
    model = OrganisationUnit
    menu_label = _("Units")
    menu_icon = "group"
    list_display = ("name", "kind", "parent", "municipality")
    list_select_related = ("parent", "municipality")
    list_filter = ("municipality", "kind")
    search_fields = ("name", "code")
    panels = [
        FieldPanel("municipality"),
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("kind"),
        FieldPanel("parent"),
    ]


class RoleAssignmentAdmin(MunicipalityScopedAdmin):
    model = RoleAssignment
    municipality_lookup = "unit__municipality"
    menu_label = _("Roles")
    menu_icon = "user"
    list_display = ("person", "role", "unit", "starts_on", "ends_on")
    person = person_column("user", _("person"), "user__first_name")
    list_select_related = ("user", "unit")
    list_filter = ("role", "unit__municipality")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    panels = [
        FieldPanel("user"),
        FieldPanel("unit"),
        FieldPanel("role"),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
    ]


class DeputyshipAdmin(MunicipalityScopedAdmin):
    model = Deputyship
    municipality_lookup = "assignment__unit__municipality"
    menu_label = _("Deputies")
    menu_icon = "user"
    list_display = ("deputy_name", "assignment", "starts_on", "ends_on")
    deputy_name = person_column("deputy", _("deputy"), "deputy__first_name")
    list_select_related = ("deputy", "assignment__user", "assignment__unit")
    search_fields = ("deputy__username", "deputy__first_name", "deputy__last_name")
    panels = [
        FieldPanel("assignment"),
        FieldPanel("deputy"),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
    ]


class AudienceAdmin(MunicipalityScopedAdmin):
    model = Audience
    menu_label = _("Audiences")
    menu_icon = "view"
    list_display = ("name", "lix_target", "internal", "municipality")
    internal = yes_no_column("is_internal", _("internal"))
    list_select_related = ("municipality",)
    list_filter = ("municipality",)
    search_fields = ("name", "code")
    panels = [
        FieldPanel("municipality"),
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("description"),
        FieldPanel("lix_target"),
        FieldPanel("is_internal"),
        FieldPanel("sort_order"),
    ]


class PublisherCertificateAdmin(MunicipalityScopedAdmin):
    model = PublisherCertificate
    menu_label = _("Publisher certificates")
    menu_icon = "success"
    list_display = ("person", "course", "passed_on", "expires_on", "municipality")
    person = person_column("user", _("person"), "user__first_name")
    list_select_related = ("user", "municipality")
    list_filter = ("municipality",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "course")
    panels = [
        FieldPanel("municipality"),
        FieldPanel("user"),
        FieldPanel("course"),
        FieldPanel("passed_on"),
        FieldPanel("expires_on"),
    ]


@modeladmin_register
class GovernanceAdminGroup(ModelAdminGroup):
    menu_label = _("Governance")
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (
        OrganisationUnitAdmin,
        RoleAssignmentAdmin,
        DeputyshipAdmin,
        AudienceAdmin,
        PublisherCertificateAdmin,
        CommunicationPlanAdmin,
    )


modeladmin_register(CrisisBannerAdmin)
modeladmin_register(PageFeedbackAdmin)


# --- workflow, veto and audit integration -----------------------------------------------------


@hooks.register("register_log_actions")
def register_governance_log_actions(actions):
    audit.register_actions(actions)


@hooks.register("register_admin_urls")
def register_publishing_urls():
    return [path("publishing/", include(publishing_urls, namespace="publishing"))]


@hooks.register("register_admin_viewset")
def register_page_viewsets():
    """Every governed page type gets the editor views that explain a refused publish; every
    other page type (Wagtail's own base class aside) the views that take POSTs one at a time."""
    return [
        (GovernedPageViewSet if issubclass(model, GovernedPage) else OneAtATimePageViewSet)(
            name=f"governed_{model._meta.app_label}_{model._meta.model_name}", model=model
        )
        for model in get_page_models()
        if model is not Page
    ]


@hooks.register("before_bulk_action")
def hold_back_blocked_pages_from_bulk_publish(request, action_type, objects, action_view):
    """Bulk publish publishes what may go live and names what may not, with the reasons.

    A page whose own draft, or (with descendants) one of whose drafts below it, is blocked is
    left out of the batch with its subtree; the rest is published.
    """
    if action_type != "publish":
        return None
    include_descendants = action_view.cleaned_form.cleaned_data.get("include_descendants")
    for page in list(objects):
        if page.workflow_in_progress:
            # Publishing it here would cancel the workflow and skip the leader's approval.
            messages.error(
                request,
                format_html(
                    "{}: {}",
                    page.get_admin_display_title(),
                    _("is in a workflow; it is published when the workflow is approved."),
                ),
            )
            objects.remove(page)
            continue
        candidates = [page]
        if include_descendants:
            candidates += list(page.get_descendants().not_live().specific())
        for candidate in candidates:
            revision = candidate.get_latest_revision()
            draft = revision.as_object() if revision else candidate.specific
            blocked = blocking(check_publish(draft, user=request.user))
            if not blocked:
                continue
            audit.record(
                candidate,
                audit.BLOCKED,
                user=request.user,
                findings=blocked,
                data={"route": "bulk"},
            )
            messages.error(
                request,
                format_html(
                    "{}: {}",
                    candidate.get_admin_display_title(),
                    " ".join(finding.message for finding in blocked),
                ),
            )
            objects.remove(page)
            break
    if not objects:
        return redirect(action_view.next_url)
    return None


@hooks.register("after_bulk_action")
def forget_organisation_after_bulk_user_action(request, action_type, objects, action_view):
    """Wagtail's bulk action that marks people active or inactive writes with
    ``QuerySet.update()``, which sends no signal: the organisation kept in every process
    (who may approve, people's names and labels) is read anew, as after any save of a user."""
    if issubclass(action_view.model, get_user_model()):
        memo.forget()


def _refuse(request, page, reason):
    """Show a governance refusal in the editor of ``page`` instead of a generic error."""
    if not reason:
        return None
    messages.error(request, reason)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_copy_page")
def explain_refused_copy(request, page):
    if request.method != "POST":
        return None
    destination = _page_from_post(request, "new_parent_page") or page.get_parent()
    recursive = bool(request.POST.get("copy_subpages"))
    if request.POST.get("alias"):
        reason = alias_refusal(page, destination, recursive=recursive, user=request.user)
    else:
        reason = copy_refusal(
            page,
            destination,
            keep_live=bool(request.POST.get("publish_copies")),
            recursive=recursive,
            user=request.user,
        )
    return _refuse(request, page, reason)


@hooks.register("before_move_page")
def explain_refused_move(request, page, destination):
    return _refuse(request, page, move_refusal(page, destination))


def _page_from_post(request, name):
    value = request.POST.get(name)
    if not value or not str(value).isdigit():
        return None
    return Page.objects.filter(pk=int(value)).first()


class FastTrackMenuItem(ActionMenuItem):
    """“Crisis: publish notice and page” for the crisis group, on governed pages."""

    label = _("Crisis: publish notice and page now")
    name = "action-fast-track"
    icon_name = "warning"
    order = 60

    def is_shown(self, context):
        page = context.get("page")
        return (
            context["view"] == "edit"
            and isinstance(page, GovernedPage)
            and may_fast_track(context["request"].user, page)
        )

    def get_url(self, context):
        return reverse("publishing:fast_track", args=[context["page"].pk])


@hooks.register("register_page_action_menu_item")
def register_fast_track_menu_item():
    return FastTrackMenuItem()


# Our content checks (vague link texts, images without alt text or with a file name for one) join
# Wagtail's in the userbar and in the editor's Checks panel.
hooks.register("construct_wagtail_userbar", swap_content_checker)


@hooks.register("insert_global_admin_css")
def admin_css():
    """The extension's admin pages on narrow screens: long words wrap, wide tables scroll."""
    return format_html('<link rel="stylesheet" href="{}">', static("publishing/css/admin.css"))


# --- admin scope --------------------------------------------------------------------------------
# Choosers, the admin API, reports and site history list only the user's own municipalities'
# pages, documents, images and objects: the hooks are registered in admin_scope, the listings
# without a hook are narrowed by admin_listings. The registers' "By municipality" filters offer
# the user's own municipalities only.
admin_listings.install()
delete_confirmation.install()  # the site name typed to delete many pages, checked in words
admin_scope.scope_list_filters(
    OrganisationUnitAdmin, RoleAssignmentAdmin, AudienceAdmin, PublisherCertificateAdmin
)
