"""Site search finds the site's live, public pages and never the intranet."""

from django.test import TestCase

from tests.governance import news_page, publish_notice
from tests.worlds import GovernedWorld


class SearchTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        publish_notice(g)  # "Nye turnuser i hjemmetjenesten", live on the staff-only intranet
        news = news_page(
            g,
            "Biblioteket åpner søndager",
            "bibliotek",
            affects_staff=False,
            intro="Biblioteket holder åpent hver søndag fra mars.",
        )
        news.get_latest_revision().publish()
        news_page(g, "Utkast om biblioteket", "utkast", affects_staff=False)  # a draft
        cls.host = g.municipality.site.hostname

    def search(self, query, **params):
        return self.client.get("/search/", {"q": query, **params}, HTTP_HOST=self.host)

    def test_finds_live_public_pages_in_the_sites_language(self):
        response = self.search("biblioteket")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'lang="nb"')
        self.assertContains(response, "Biblioteket åpner søndager")
        self.assertNotContains(response, "Utkast om biblioteket")
        self.assertEqual(response.context["results"].paginator.count, 1)

    def test_intranet_words_find_nothing(self):
        for words in ("turnuser", "Nye turnuser i hjemmetjenesten"):
            with self.subTest(words=words):
                response = self.search(words)
                self.assertEqual(response.context["results"].paginator.count, 0)
                self.assertNotContains(response, "Nye turnuser i hjemmetjenesten</a>")

    def test_empty_and_odd_queries_answer_calmly(self):
        self.assertIsNone(self.search("").context["results"])
        self.assertEqual(self.search("biblioteket", page="abc").status_code, 200)
        self.assertEqual(self.search("x" * 5000).context["query"], "x" * 200)
