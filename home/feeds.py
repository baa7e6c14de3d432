"""The news feed of a municipality's news index (RSS 2.0), for citizens, media and aggregators.

Only what the index itself lists: live, public news and press releases, newest first.
"""

from django.contrib.syndication.views import Feed

from publishing.models import Municipality

FEED_LENGTH = 20


class NewsFeed(Feed):
    """RSS for one news index page; built per request with the index it belongs to."""

    def __init__(self, index):
        super().__init__()
        self.index = index
        municipality = Municipality.objects.for_page(index)
        self.language = municipality.language if municipality else None

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.index

    def title(self, index):
        site = index.get_site()
        name = site.site_name if site and site.site_name else ""
        return f"{index.title} – {name}" if name else index.title

    def link(self, index):
        return index.get_full_url(self.request)

    def description(self, index):
        return index.intro or index.title

    def items(self, index):
        return index.news_items()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at
