"""The project layout: the site folder and the municipalities' inputs (the shape of the
extension's own imports is tests/test_architecture.py's)."""

import importlib.util
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase


class SiteFolderTests(SimpleTestCase):
    def test_site_folder_is_not_a_package(self):
        self.assertFalse((Path(settings.BASE_DIR) / "site" / "__init__.py").exists())

    def test_site_name_still_means_the_standard_library(self):
        import site

        self.assertTrue(hasattr(site, "getsitepackages"), "the stdlib 'site' module was shadowed")
        self.assertNotIn(str(settings.BASE_DIR / "site"), str(getattr(site, "__file__", "")))
        with self.assertRaises(ModuleNotFoundError):
            importlib.util.find_spec("site.alvdal")

    def test_each_municipality_has_a_profile_and_demo_inputs(self):
        for slug in ("alvdal", "avesta"):
            folder = Path(settings.PUBLISHING["PROFILE_ROOT"]) / slug
            self.assertTrue((folder / "profile.toml").is_file(), slug)
            self.assertTrue((folder / "demo.toml").is_file(), slug)
