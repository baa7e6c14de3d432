"""Plain Wagtail yardsticks: ``home.NewsPage``'s content and template (and its fields), none of
its governance."""

from types import MappingProxyType

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Page

from home.blocks import BodyBlock


def _today():
    return timezone.localdate()


class PlainNewsPage(Page):
    """A plain Wagtail page with the news page's fields (date, intro, body) and template.

    The yardstick of the public side's promise: a governed page renders with the same number of
    queries as this page, and about as fast.

    The shared templates also ask every page for its stored credit and its sensitivity. This page
    answers as a page without governance does (no credit, no sensitivity) instead of failing
    the lookup: each failed template lookup on a page costs Django a ``dir(page)`` (0.1 ms or
    more here), which would slow the yardstick and flatter the governed page.
    """

    public_credit = MappingProxyType({})
    sensitivity = None

    date = models.DateField("news date", default=_today)
    intro = models.TextField("introduction", blank=True)
    body = StreamField(BodyBlock(), verbose_name="body", blank=True)

    # The editor shows the same content fields as the news page's (the admin's yardstick).
    content_panels = [*Page.content_panels, "date", "intro", "body"]

    template = "home/news_page.html"
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types = []


class PlainFieldsNewsPage(Page):
    """``PlainNewsPage`` with the governed news page's fields too, as plain Wagtail fields.

    The same unit, leader, audiences, sensitivity, notice, plan and review date, in the same
    tabs, but no governance: no rules, no veto, no side panel, Wagtail's own form. Against it,
    the admin's benchmark tells what governance *does* from what its fields cost Wagtail
    (choices drawn, foreign keys validated and saved).
    """

    public_credit = MappingProxyType({})

    date = models.DateField("news date", default=_today)
    intro = models.TextField("introduction", blank=True)
    body = StreamField(BodyBlock(), verbose_name="body", blank=True)
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owning_unit = models.ForeignKey(
        "publishing.OrganisationUnit", null=True, on_delete=models.PROTECT, related_name="+"
    )
    audiences = ParentalManyToManyField("publishing.Audience", blank=True, related_name="+")
    sensitivity = models.CharField(max_length=10, default="open")
    exemption_basis = models.CharField(max_length=120, blank=True)
    affects_staff = models.BooleanField(default=False)
    internal_notice = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    communication_plan = models.ForeignKey(
        "publishing.CommunicationPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_by = models.DateField(null=True, blank=True)

    edit_handler = TabbedInterface(
        [
            ObjectList([*Page.content_panels, "date", "intro", "body"], heading="Content"),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldPanel("owning_unit"),
                            FieldPanel("responsible_leader"),
                            FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
                            FieldPanel("review_by"),
                            FieldPanel("communication_plan"),
                        ],
                        heading="Responsibility",
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("sensitivity"),
                            FieldPanel("exemption_basis"),
                            FieldPanel("affects_staff"),
                            PageChooserPanel("internal_notice"),
                        ],
                        heading="Openness and staff",
                    ),
                ],
                heading="Governance",
            ),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    template = "home/news_page.html"
    parent_page_types = ["home.NewsIndexPage"]
    subpage_types = []
