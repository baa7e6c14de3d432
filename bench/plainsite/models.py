"""``PlainNewsPage``: ``home.NewsPage``'s content and template, none of its governance."""

from types import MappingProxyType

from django.db import models
from django.utils import timezone
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
