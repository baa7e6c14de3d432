"""Editor layout for governed page types."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import ObjectList, TabbedInterface
from wagtail.models import Page

from .models.pages import GovernedPage


def governed_edit_handler(content_panels):
    """Tabs for a governed page: content, governance, promote and settings."""
    return TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(GovernedPage.governance_panels, heading=_("Governance")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
