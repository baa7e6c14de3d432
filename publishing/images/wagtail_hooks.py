"""Registration of people in images with Wagtail (imported by ``publishing.wagtail_hooks``).

The records' permission policy, the admin views (``views.viewset``) with their menu item under
*Governance* beside the registers, the audit log's "Consent withdrawn", and the renditions
without metadata (``renditions.install``).
"""

import functools

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.permissions import register_permission_policy

from publishing.dashboard.panels import Viewer
from publishing.images import renditions
from publishing.images.panels import ImagesWithoutConsentPanel
from publishing.images.permissions import ImagePeoplePermissionPolicy
from publishing.images.views import viewset
from publishing.images.withdrawal import WITHDRAWN_ACTION
from publishing.models import ImagePeople, OrganisationUnit

register_permission_policy(ImagePeople, ImagePeoplePermissionPolicy(ImagePeople))
renditions.install()

#: Where *People in images* stands in the Governance menu: after the registers and plans.
MENU_ORDER = 100


@hooks.register("register_admin_viewset")
def register_people_in_images():
    return viewset


@hooks.register("register_log_actions")
def register_consent_log_actions(actions):
    actions.register_action(WITHDRAWN_ACTION, _("Consent withdrawn"), _("Consent withdrawn"))


def _is_governance_menu(item):
    """Whether ``item`` is the Governance menu of the registers (it holds the units')."""
    menu = getattr(item, "menu", None)
    if menu is None:
        return False
    return any(
        getattr(getattr(entry, "model_admin", None), "model", None) is OrganisationUnit
        for entry in menu.registered_menu_items
    )


@functools.cache
def people_menu_item():
    return viewset.get_menu_item(order=MENU_ORDER)


@hooks.register("construct_main_menu")
def people_in_images_under_governance(request, menu_items):
    """*People in images* in the Governance menu, for whoever may record them; on its own
    when the person sees no Governance menu."""
    item = people_menu_item()
    if not item.is_shown(request):
        return
    for index, entry in enumerate(menu_items):
        if _is_governance_menu(entry):
            menu_items[index] = SubmenuMenuItem(
                entry.label,
                Menu(items=[*entry.menu.registered_menu_items, item]),
                name=entry.name,
                icon_name=entry.icon_name,
                classname=entry.classname,
                order=entry.order,
                attrs=entry.attrs,
            )
            return
    menu_items.append(item)


@hooks.register("construct_homepage_panels")
def images_without_consent_panel(request, panels):
    """The leader's dashboard lists live pages showing people whose consent no longer holds."""
    viewer = Viewer.of(request)
    if not viewer.municipalities:
        return
    panel = ImagesWithoutConsentPanel(viewer)
    if panel.applies():
        panels.append(panel)
