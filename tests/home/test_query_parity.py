"""The public side costs nothing extra: a governed news page renders with the same number of
queries as a plain Wagtail page with the same content and template.

The yardstick is ``bench.plainsite.PlainNewsPage`` (installed by the test settings only): the
news page's ``date``, ``intro`` and ``body`` and its template, none of its governance. Both pages
sit in the same news index of the same site and are fetched anonymously, each warmed once
(Wagtail's site and content-type caches, any cached per-site lookup), then counted.
"""

import datetime
import re
from collections import Counter

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.rich_text import RichText

from bench.plainsite.models import PlainNewsPage
from publishing.models import Role
from tests.governance import news_page, publish_notice, reload
from tests.worlds import GovernedWorld

TITLE = "Biblioteket åpner på søndager"
INTRO = "Fra 1. februar kan du låne bøker på søndager mellom klokka 12 og 16."
BODY = [
    ("heading", "Hvem kan komme"),
    ("paragraph", RichText("<p>Alle er velkomne. Du trenger lånekort for å låne bøker.</p>")),
    ("paragraph", RichText("<p>Spør gjerne de ansatte om hjelp til å finne en bok.</p>")),
]
DATE = datetime.date(2026, 11, 20)


def short(sql):
    """A query without its column list, to read in a failure message."""
    return re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql, count=1)


def shape(sql):
    """A query with its values and the page's own table left out, to pair queries across pages."""
    sql = re.sub(r'"(home_newspage|plainsite_plainnewspage)"', '"<page>"', short(sql))
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def extra_queries(governed, plain):
    """The governed page's queries that the plain page does not run, as a numbered list."""
    unmatched = Counter(shape(q["sql"]) for q in plain)
    lines = []
    for n, query in enumerate(governed, 1):
        if unmatched[shape(query["sql"])] > 0:
            unmatched[shape(query["sql"])] -= 1
        else:
            lines.append(f"  {n}. {short(query['sql'])}")
    return "\n".join(lines) or "  (none: the plain page runs more)"


class QueryParityTests(GovernedWorld, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = g = cls.world_objects()
        publish_notice(g)
        # Fully governed: unit, leader, audiences, affects staff with its live internal notice.
        cls.governed = news_page(g, TITLE, "sondagsapent", intro=INTRO, body=BODY, date=DATE)
        cls.governed.get_latest_revision().publish()
        cls.plain = g.news_index.add_child(
            instance=PlainNewsPage(
                title=TITLE, slug="sondagsapent-plain", date=DATE, intro=INTRO, body=BODY
            )
        )
        cls.plain.save_revision().publish()
        cls.host = g.municipality.site.hostname

    def render_counted(self, page):
        url = reload(page).url
        self.assertEqual(self.client.get(url, HTTP_HOST=self.host).status_code, 200)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, HTTP_HOST=self.host)
        self.assertEqual(response.status_code, 200)
        return response, queries.captured_queries

    def test_governed_news_page_renders_with_the_queries_of_a_plain_page(self):
        plain_response, plain = self.render_counted(self.plain)
        governed_response, governed = self.render_counted(self.governed)
        # The same content on both; who answers for it (the governance footer) on the governed
        # page only: the unit and the leader's role in the municipality's words.
        for response in (plain_response, governed_response):
            self.assertContains(response, TITLE)
            self.assertContains(response, "søndager mellom klokka 12 og 16")
        unit = self.g.line.unit.name
        role = self.g.municipality.role_label(Role.UNIT_HEAD)
        self.assertContains(governed_response, unit)
        self.assertContains(governed_response, role)
        self.assertNotContains(plain_response, unit)
        self.assertEqual(
            len(governed),
            len(plain),
            f"\nThe governed news page ran {len(governed)} queries, the plain page {len(plain)}."
            f" Only on the governed page:\n{extra_queries(governed, plain)}",
        )
