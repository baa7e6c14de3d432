"""Which pages citizens may read: one answer, whether a list or one page asks.

The public site's lists, the withdrawal's "read this instead", the archive's captures and its
missed publishes all ask ``Municipality.citizen_pages`` (a set of pages) or
``Municipality.citizens_may_read`` (one page). Here every page of both demo sites, in every state
the tests can put it in (live or not, under a view restriction or not, on the intranet or not), is
asked both ways, and the answers must agree.
"""

from django.test import TestCase
from wagtail.models import Page, PageViewRestriction

from publishing.models import Municipality
from publishing.rules.bulk import restricted_paths
from publishing.workflow import removal
from tests.worlds import DemoWorld


class CitizenPagesTests(DemoWorld, TestCase):
    def assert_one_answer(self):
        restricted = restricted_paths()
        pages = list(Page.objects.order_by("path"))
        checked = 0
        for municipality in Municipality.objects.select_related("site__root_page", "intranet_page"):
            for live in (True, False):
                listed = set(municipality.citizen_pages(live=live).values_list("pk", flat=True))
                for page in pages:
                    expected = page.pk in listed
                    for known in (None, restricted):
                        with self.subTest(
                            municipality=municipality.slug, page=page.url_path, live=live
                        ):
                            self.assertEqual(
                                municipality.citizens_may_read(page, live=live, restricted=known),
                                expected,
                            )
                    checked += 1
        return checked

    def test_every_page_of_both_sites_as_the_demo_has_them(self):
        self.assertGreater(self.assert_one_answer(), 100)

    def test_with_pages_unpublished_and_restricted(self):
        for municipality in Municipality.objects.all():
            citizens = list(municipality.citizen_pages().exclude(depth__lte=2).order_by("path"))
            self.assertGreater(len(citizens), 4, municipality.slug)
            # Every third page unpublished, every fifth behind a password or a login.
            with removal.because("Testen tar siden bort."):
                for page in citizens[::3]:
                    page.specific.unpublish()
            for index, page in enumerate(citizens[1::5]):
                restriction = (
                    PageViewRestriction.PASSWORD if index % 2 else PageViewRestriction.LOGIN
                )
                PageViewRestriction.objects.create(
                    page=page, restriction_type=restriction, password="hemmelig"
                )
        self.assert_one_answer()
        # Another site's page is never this municipality's to show.
        alvdal, avesta = (Municipality.objects.get(slug=slug) for slug in ("alvdal", "avesta"))
        for page in avesta.citizen_pages()[:5]:
            self.assertFalse(alvdal.citizens_may_read(page))
