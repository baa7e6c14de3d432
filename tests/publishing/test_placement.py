"""Pages are judged where they will be live: moves, aliases and copies across municipalities,
aliases of drafts when their source publishes, and copies of restricted sections."""

from unittest import mock

from django.test import TestCase
from wagtail.actions.copy_page import CopyPageAction, CopyPagePermissionError
from wagtail.actions.create_alias import CreatePageAliasAction, CreatePageAliasPermissionError
from wagtail.actions.move_page import MovePageAction, MovePagePermissionError
from wagtail.models import Page, PageViewRestriction

from home.models import NewsIndexPage
from publishing.workflow.veto import GovernancePublishBlocked
from tests.governance import (
    EnglishAdminMixin,
    load_municipality,
    publish_notice,
    reload,
)
from tests.worlds import GovernedWorld


class PlacementTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()
        cls.avesta = load_municipality("avesta")
        cls.avesta_news = NewsIndexPage.objects.child_of(cls.avesta.site.root_page).get()

    def published_page(self):
        publish_notice(self.g)
        page = reload(self.g.page)
        page.get_latest_revision().publish(user=self.g.editor)
        self.assertTrue(reload(page).live)
        return reload(page)


class MoveAcrossMunicipalitiesTests(PlacementTestCase):
    def test_a_live_page_cannot_move_to_the_other_municipalitys_site(self):
        page = self.published_page()
        with self.assertRaisesMessage(MovePagePermissionError, "cannot be moved there"):
            MovePageAction(
                page, self.avesta_news, pos="last-child", user=self.g.superuser
            ).execute()
        page = reload(page)
        self.assertTrue(page.path.startswith(self.g.home.path), "it stays where it was")
        self.assertTrue(page.live)

    def test_a_draft_cannot_move_there_either_and_a_move_at_home_is_allowed(self):
        draft = reload(self.g.page)
        with self.assertRaisesMessage(MovePagePermissionError, "another municipality"):
            MovePageAction(
                draft, self.avesta_news, pos="last-child", user=self.g.superuser
            ).execute()
        # Within its own municipality the page moves freely, live or not.
        archive = self.g.home.add_child(instance=NewsIndexPage(title="Arkiv", slug="arkiv"))
        MovePageAction(reload(draft), archive, pos="last-child", user=self.g.superuser).execute()
        self.assertEqual(reload(draft).get_parent().pk, archive.pk)

    def test_moving_a_parent_takes_the_question_with_its_descendants(self):
        self.published_page()
        with self.assertRaisesMessage(MovePagePermissionError, "cannot be moved there"):
            MovePageAction(
                reload(self.g.news_index),
                self.avesta.site.root_page,
                pos="last-child",
                user=self.g.superuser,
            ).execute()


class AliasTests(PlacementTestCase):
    def test_an_alias_of_a_draft_on_the_other_site_is_refused(self):
        draft = reload(self.g.page)
        self.assertFalse(draft.live)
        with self.assertRaisesMessage(CreatePageAliasPermissionError, "cannot have an alias"):
            CreatePageAliasAction(
                draft, parent=self.avesta_news, update_slug="alias", user=self.g.superuser
            ).execute()
        self.assertFalse(Page.objects.filter(alias_of=draft).exists())

    def test_an_alias_made_before_the_rule_is_judged_when_its_source_publishes(self):
        # An alias placed on the other site (by an older version, or straight in the database)
        # would go live with its source: the publish is refused and says where.
        draft = reload(self.g.page)
        with mock.patch("publishing.wagtail_internals.actions.alias_refusal", return_value=None):
            alias = draft.create_alias(parent=self.avesta_news, update_slug="alias-fra-alvdal")
        self.assertFalse(alias.live)
        publish_notice(self.g)
        with self.assertRaisesMessage(GovernancePublishBlocked, "The alias of this page"):
            reload(draft).get_latest_revision().publish(user=self.g.editor)
        self.assertFalse(reload(alias).live)
        self.assertFalse(reload(draft).live)
        # Without the alias the page publishes.
        reload(alias).delete()
        reload(draft).get_latest_revision().publish(user=self.g.editor)
        self.assertTrue(reload(draft).live)

    def test_an_alias_at_home_of_a_live_page_is_allowed(self):
        page = self.published_page()
        alias = CreatePageAliasAction(
            page, parent=self.g.news_index, update_slug="kveld-alias", user=self.g.superuser
        ).execute()
        self.assertTrue(alias.live)


class CopyTests(PlacementTestCase):
    def test_copying_a_site_with_its_intranet_to_the_other_municipality_is_refused(self):
        with self.assertRaisesMessage(CopyPagePermissionError, "cannot be copied out of its site"):
            CopyPageAction(
                reload(self.g.home),
                to=self.avesta.site.root_page,
                recursive=True,
                keep_live=False,
                update_attrs={"slug": "kopi", "title": "Kopi"},
                user=self.g.superuser,
            ).execute()
        self.assertFalse(Page.objects.filter(slug="kopi").exists())

    def test_a_copied_section_keeps_the_view_restrictions_of_pages_inside_it(self):
        restriction = PageViewRestriction.objects.create(
            page=reload(self.g.page), restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set([self.g.municipality.staff_group])
        copy = CopyPageAction(
            reload(self.g.news_index),
            to=self.g.home,
            recursive=True,
            keep_live=False,
            update_attrs={"slug": "nyheter-kopi", "title": "Nyheter (kopi)"},
            user=self.g.superuser,
        ).execute()
        copied_page = copy.get_children().get(slug=self.g.page.slug)
        copied = PageViewRestriction.objects.filter(page=copied_page)
        self.assertEqual(copied.count(), 1)
        self.assertEqual(list(copied.get().groups.all()), [self.g.municipality.staff_group])
