"""The intranet index and the notice to staff that a site gets when it has none of its own.

Governed pages that affect staff wait for a live notice to staff on the municipality's intranet,
so every site needs the two page types. A site that defines its own (as a subclass of
``BaseInternalNoticePage`` and any page type for the index) names them in the
``INTRANET_INDEX_MODEL`` and ``INTERNAL_NOTICE_MODEL`` settings; these two are then never offered
in the admin. They are the defaults of those settings, so a site that names none uses them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from publishing.conf import is_configured_model, page_model
from publishing.models.pages import BaseInternalNoticePage, governed_edit_handler


class StaffIntranetPage(Page):
    """The root of the staff-only intranet, behind page privacy for the staff group (the
    profile loader creates it below the home page)."""

    max_count_per_parent = 1
    template = "publishing/default_pages/staff_intranet_page.html"

    class Meta:
        verbose_name = _("intranet")

    @classmethod
    def can_create_at(cls, parent):
        return is_configured_model("INTRANET_INDEX_MODEL", cls) and super().can_create_at(parent)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notice_model = page_model("INTERNAL_NOTICE_MODEL")
        context["notices"] = (
            notice_model.objects.live().child_of(self).order_by("-first_published_at")
            if notice_model is not None
            else []
        )
        return context


class StaffNoticePage(BaseInternalNoticePage):
    """A notice to staff. External pages that affect staff wait until their notice is live."""

    # The workflow's "create a notice" form fills the title and ``intro``.
    intro = models.TextField(_("What staff need to know"), blank=True)
    body = RichTextField(_("text"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("about_pages"),
    ]
    edit_handler = governed_edit_handler(content_panels)
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types = []
    template = "publishing/default_pages/staff_notice_page.html"

    class Meta(BaseInternalNoticePage.Meta):
        verbose_name = _("internal notice")

    @classmethod
    def can_create_at(cls, parent):
        """Only when it is the configured notice type, and only in the configured intranet."""
        if not is_configured_model("INTERNAL_NOTICE_MODEL", cls):
            return False
        intranet_model = page_model("INTRANET_INDEX_MODEL")
        return (
            intranet_model is not None
            and issubclass(parent.specific_class, intranet_model)
            and super().can_create_at(parent)
        )
