"""The admin side of the citizens' site: the crisis banner and the feedback inbox.

The crisis banner belongs to the municipality's crisis group: only its members (and superusers)
see the menu entry and may put a banner up, change it or take it down. Every change is logged
in the banner's history by wagtail-modeladmin.

Feedback is routed to the unit that answers for the page: leaders see the answers about their
units and the units below them, anyone with a role in a unit sees that unit's answers, and the
communications group sees all of its municipality's.
"""

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin

from publishing.access.user_scope import municipality_ids, remembered
from publishing.models import (
    CrisisBanner,
    Municipality,
    PageFeedback,
    Role,
)
from publishing.models.municipality import every_municipality, groups_of, municipality_ids_for
from publishing.models.organisation import (
    LEADER_ROLES,
    person_name,
    roles_deputised,
    roles_held,
    subtree_ids,
    units_of,
)
from publishing.registers.display import RegisterInspectView, yes_no_column
from publishing.registers.history import ScopedHistoryView


def crisis_municipalities(user):
    """Municipalities whose crisis banner ``user`` may set: their crisis group's."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    return Municipality.objects.filter(crisis_group__in=user.groups.values("pk"))


class CrisisPermissionHelper(PermissionHelper):
    """The crisis group decides, whatever the model permissions say."""

    def _mine(self, user, obj=None):
        scope = municipality_ids(user, "crisis", crisis_municipalities)
        return obj.municipality_id in scope if obj else bool(scope)

    def user_can_list(self, user):
        return self._mine(user)

    def user_can_create(self, user):
        return self._mine(user)

    def user_can_inspect_obj(self, user, obj):
        return self._mine(user, obj)

    def user_can_edit_obj(self, user, obj):
        return self._mine(user, obj)

    def user_can_delete_obj(self, user, obj):
        return self._mine(user, obj)


class CrisisBannerForm(WagtailAdminModelForm):
    """Only the user's own municipalities; the page linked must be on that site and public."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "municipality" in self.fields:
            scope = crisis_municipalities(self.for_user)
            field = self.fields["municipality"]
            field.queryset = scope
            if scope.count() == 1:
                field.empty_label = None

    def clean(self):
        cleaned = super().clean()
        municipality, page = cleaned.get("municipality"), cleaned.get("link_page")
        if municipality and page:
            root = municipality.site.root_page if municipality.site else None
            if root is None or not page.path.startswith(root.path):
                self.add_error(
                    "link_page",
                    _("Choose a page on %(name)s's own site.") % {"name": municipality.name},
                )
            elif municipality.is_intranet_page(page) or page.get_view_restrictions().exists():
                self.add_error(
                    "link_page", _("Choose a public page: citizens cannot open the intranet.")
                )
            elif not page.live:
                self.add_error("link_page", _("Choose a published page."))
        return cleaned

    def save(self, commit=True):
        if self.for_user is not None:
            self.instance.updated_by = self.for_user
        return super().save(commit)


class CrisisBannerAdmin(ModelAdmin):
    model = CrisisBanner
    menu_label = _("Crisis banner")
    menu_icon = "warning"
    menu_order = 260
    add_to_settings_menu = False
    permission_helper_class = CrisisPermissionHelper
    history_view_class = ScopedHistoryView
    inspect_view_enabled = True
    inspect_view_class = RegisterInspectView
    inspect_view_fields_exclude = ["id"]
    list_display = (
        "headline",
        "level",
        "municipality",
        "showing",
        "updated_at",
        "updated_by_name",
    )

    showing = yes_no_column("is_showing", _("shown now"), order_by="active")

    @admin.display(description=_("updated by"), ordering="updated_by__first_name")
    def updated_by_name(self, obj):
        return person_name(obj.updated_by)

    list_filter = ("active", "level")
    search_fields = ("headline", "message")
    panels = [
        FieldPanel("municipality"),
        FieldPanel("level"),
        FieldPanel("headline"),
        FieldPanel("message"),
        FieldPanel("link_page"),
        FieldPanel("active"),
        FieldPanel("ends_at"),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(municipality__in=crisis_municipalities(request.user))
            .select_related("municipality", "updated_by")
        )

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=CrisisBannerForm)


# --- feedback ---------------------------------------------------------------------------------


def feedback_scope(user):
    """``(everything, municipality ids, unit ids)``: the feedback ``user`` answers for is all of
    it, or that of these municipalities (communications) and of these units (see the module
    docstring). Worked out once per request."""

    def compute():
        if not user.is_authenticated or not user.is_active:
            return False, set(), set()
        if user.is_superuser:
            return True, set(), set()
        groups = groups_of(user)
        communications = {m.pk for m in every_municipality() if m.communications_group_id in groups}
        # A deputy answers for the units of the leader they stand in for.
        unit_ids = set()
        for held in roles_held(user.pk) + roles_deputised(user.pk):
            if held.role == Role.COMMUNICATIONS_EDITOR:
                communications.add(held.municipality_id)
            elif held.role in LEADER_ROLES:
                units = units_of(held.municipality_id).values()
                unit_ids |= subtree_ids([(u.pk, u.parent_id) for u in units], [held.unit_id])
            else:
                unit_ids.add(held.unit_id)
        return False, communications, unit_ids

    return remembered(user, "feedback", compute)


def feedback_for(user):
    """The feedback ``user`` is responsible for (see the module docstring)."""
    everything, communications, unit_ids = feedback_scope(user)
    if everything:
        return PageFeedback.objects.all()
    return PageFeedback.objects.filter(Q(municipality__in=communications) | Q(unit__in=unit_ids))


class FeedbackPermissionHelper(PermissionHelper):
    """Answers are read and marked handled by those responsible; nobody writes them here."""

    def _mine(self, user, obj):
        everything, communications, unit_ids = feedback_scope(user)
        return everything or obj.municipality_id in communications or obj.unit_id in unit_ids

    def user_can_list(self, user):
        return user.is_superuser or bool(municipality_ids_for(user))

    def user_can_create(self, user):
        return False

    def user_can_inspect_obj(self, user, obj):
        return self._mine(user, obj)

    def user_can_edit_obj(self, user, obj):
        return self._mine(user, obj)

    def user_can_delete_obj(self, user, obj):
        # Deleting is for the communications group (for example a comment that should not
        # be kept); the unit marks an answer handled instead.
        return user.is_superuser or obj.municipality_id in municipality_ids(
            user, "communications group", communications_group_municipalities
        )


def communications_group_municipalities(user):
    """The municipalities whose communications group ``user`` is in."""
    return Municipality.objects.filter(communications_group__in=user.groups.values("pk"))


class FeedbackHandledForm(WagtailAdminModelForm):
    def save(self, commit=True):
        if self.for_user is not None and self.instance.handled:
            self.instance.handled_by = self.for_user
        return super().save(commit)


class PageFeedbackAdmin(ModelAdmin):
    model = PageFeedback
    menu_label = _("Feedback")
    menu_icon = "comment"
    menu_order = 255
    permission_helper_class = FeedbackPermissionHelper
    history_view_class = ScopedHistoryView
    inspect_view_enabled = True
    inspect_view_class = RegisterInspectView
    inspect_view_fields = ("page", "unit", "found", "comment", "masked", "created_at", "handled")
    list_display = ("created_at", "page", "found_it", "comment_start", "unit", "is_handled")
    found_it = yes_no_column("found", _("found what they looked for"))
    is_handled = yes_no_column("handled", _("handled"))
    list_select_related = ("page", "unit")
    list_filter = ("handled", "found", ("unit", RelatedOnlyFieldListFilter))
    search_fields = ("comment", "page__title")
    panels = [FieldPanel("handled"), FieldPanel("handled_note")]

    def comment_start(self, obj):
        return Truncator(obj.comment).chars(80)

    comment_start.short_description = _("comment")

    def get_queryset(self, request):
        return feedback_for(request.user).select_related("page", "unit")

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=FeedbackHandledForm)
