"""Whose collections are whose is read for every municipality at once: the same answer as
asking each on its own, in three queries however many municipalities share the installation."""

from django.contrib.auth.models import Permission
from django.test import TestCase
from wagtail.models import Collection, GroupCollectionPermission

from publishing import memo
from publishing.models.municipality import (
    collection_paths_of,
    every_collection_paths,
    every_municipality,
)
from tests.factories import load_municipality


class CollectionPathsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.municipalities = [load_municipality(slug) for slug in ("alvdal", "avesta")]
        # An adopted site's own collection, granted to Avesta's publishers only.
        adopted = Collection.get_first_root_node().add_child(name="Avesta bildbank")
        GroupCollectionPermission.objects.create(
            group=cls.municipalities[1].publishers_group,
            collection=adopted,
            permission=Permission.objects.get(codename="add_image"),
        )
        cls.adopted = adopted

    def test_all_at_once_agrees_with_each_on_its_own(self):
        together = collection_paths_of(self.municipalities)
        for municipality in self.municipalities:
            alone = collection_paths_of([municipality])
            self.assertEqual(together[municipality.pk], alone[municipality.pk])
            self.assertTrue(together[municipality.pk], municipality.slug)
        alvdal, avesta = self.municipalities
        self.assertIn(self.adopted.path, together[avesta.pk])
        self.assertNotIn(self.adopted.path, together[alvdal.pk])
        self.assertFalse(set(together[alvdal.pk]) & set(together[avesta.pk]))

    def test_read_once_per_request_in_three_queries(self):
        with memo.scope():
            every_municipality()
            with self.assertNumQueries(3):
                every_collection_paths()
            with self.assertNumQueries(0):
                for municipality in every_municipality():
                    municipality.collection_paths()
