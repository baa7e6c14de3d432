"""Admin integration of the governed-publishing extension.

The governance registers (units, roles, deputies, audiences, certificates) use
wagtail-modeladmin, as the project's stack prescribes; every list, form and object view is scoped
to the municipalities the signed-in user belongs to.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from .forms import MunicipalityScopedForm
from .models import (
    Audience,
    Deputyship,
    Municipality,
    OrganisationUnit,
    PublisherCertificate,
    RoleAssignment,
)


class MunicipalityPermissionHelper(PermissionHelper):
    """Model permissions, narrowed to objects of the user's own municipalities."""

    municipality_lookup = "municipality"

    def _in_scope(self, user, obj):
        value = obj
        for part in self.municipality_lookup.split("__"):
            value = getattr(value, part)
        return Municipality.objects.for_user(user).filter(pk=value.pk).exists()

    def user_can_edit_obj(self, user, obj):
        return super().user_can_edit_obj(user, obj) and self._in_scope(user, obj)

    def user_can_delete_obj(self, user, obj):
        return super().user_can_delete_obj(user, obj) and self._in_scope(user, obj)

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and self._in_scope(user, obj)


class MunicipalityScopedAdmin(ModelAdmin):
    """A register that only shows the signed-in user's municipalities."""

    municipality_lookup = "municipality"
    permission_helper_class = MunicipalityPermissionHelper
    inspect_view_enabled = True
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
    list_display = ("user", "role", "unit", "starts_on", "ends_on")
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
    list_display = ("deputy", "assignment", "starts_on", "ends_on")
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
    list_display = ("name", "lix_target", "is_internal", "municipality")
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
    list_display = ("user", "course", "passed_on", "expires_on", "municipality")
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
    )
