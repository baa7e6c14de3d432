"""The news feed and the sitemap list live, public pages only: the intranet never appears."""

from xml.etree import ElementTree

from django.test import TestCase

from tests.governance import news_page, publish_notice, reload
from tests.worlds import GovernedWorld

CANARY = "Nye turnuser i hjemmetjenesten"  # the internal notice's title (build_governed)


class FeedAndSitemapTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        publish_notice(g)  # live, but on the staff-only intranet
        cls.news = news_page(g, "Biblioteket åpner søndager", "bibliotek", affects_staff=False)
        cls.news.get_latest_revision().publish()
        cls.draft = news_page(g, "Utkast om budsjettet", "budsjett", affects_staff=False)
        cls.host = g.municipality.site.hostname

    def get(self, url):
        return self.client.get(url, HTTP_HOST=self.host)

    def test_feed_lists_live_public_news_in_the_municipalitys_language(self):
        index = reload(self.g.news_index)
        response = self.get(index.url + "feed/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/rss+xml"))
        channel = ElementTree.fromstring(response.content).find("channel")  # noqa: S314 (our own feed)
        self.assertEqual(channel.findtext("language"), "nb")
        titles = [item.findtext("title") for item in channel.findall("item")]
        self.assertEqual(titles, ["Biblioteket åpner søndager"])
        link = channel.find("item").findtext("link")
        self.assertTrue(link.endswith(reload(self.news).url), link)
        self.assertNotIn(CANARY, response.content.decode())

    def test_news_index_announces_its_feed(self):
        index = reload(self.g.news_index)
        self.assertContains(
            self.get(index.url), f'type="application/rss+xml" title="{index.title}"'
        )

    def test_sitemap_has_public_pages_and_no_intranet(self):
        response = self.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn(reload(self.news).url.rstrip("/"), content)
        self.assertNotIn(self.g.intranet.slug, content)
        self.assertNotIn("budsjett", content)  # the draft
        self.assertNotIn(CANARY, content)
