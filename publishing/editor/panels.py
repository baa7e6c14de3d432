"""Editor layout for governed page types."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.models import Page

from publishing.models.pages import GovernedPage

#: The municipality's "vær varsom" checklist, last on the content tab where the writing ends.
#: ``submit_checklist`` is a field of the form only (``GovernedPageForm``), never of the page.
checklist_panel = MultiFieldPanel(
    [FieldPanel("submit_checklist")],
    heading=_("Before you submit"),
    help_text=_(
        "The municipality's checklist for everything we publish. Confirm each item when you "
        "submit the page for approval; saving a draft does not need it."
    ),
    classname="publishing-checklist",
)


def governed_edit_handler(content_panels):
    """Tabs for a governed page: content (ending with the checklist), governance, promote and
    settings."""
    return TabbedInterface(
        [
            ObjectList([*content_panels, checklist_panel], heading=_("Content")),
            ObjectList(GovernedPage.governance_panels, heading=_("Governance")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
