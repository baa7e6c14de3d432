"""Loading municipality profiles: the good, each kind of bad, and loading twice."""

import shutil
import tempfile
import tomllib
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import translation
from wagtail.models import Collection, GroupPagePermission, Page, PageViewRestriction, Site

from publishing.models import Audience, Municipality
from publishing.profiles.loader import ProfileError, load_profile

PROFILES = Path(settings.PUBLISHING["PROFILE_ROOT"])


def snapshot():
    """Counts of everything a profile load may create."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Municipality,
            Group,
            Site,
            Page,
            Audience,
            Collection,
            GroupPagePermission,
            PageViewRestriction,
        )
    }


class ProfileFixture(TestCase):
    """A writable copy of a real profile that a test can break."""

    def setUp(self):
        # Messages are asserted in English unless a test says otherwise; the default is bokmål.
        self.enterContext(translation.override("en"))
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def copy_profile(self, slug="alvdal"):
        folder = self.tmp / slug
        folder.mkdir()
        shutil.copy(PROFILES / slug / "profile.toml", folder / "profile.toml")
        return folder

    def edit(self, folder, old, new):
        path = folder / "profile.toml"
        text = path.read_text(encoding="utf-8")
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


class GoodProfileTests(TestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))

    def test_alvdal_creates_site_groups_audiences_and_a_staff_only_intranet(self):
        report = load_profile(PROFILES / "alvdal")
        municipality = report.municipality
        self.assertEqual(municipality.language, "nb")
        site = municipality.site
        self.assertEqual(site.hostname, "alvdal.localhost")
        self.assertTrue(site.is_default_site)
        self.assertEqual(site.root_page.specific_class.__name__, "HomePage")
        self.assertTrue(site.root_page.live)
        self.assertEqual(
            list(municipality.audiences.values_list("code", flat=True)),
            ["innbyggere", "ansatte", "folkevalgte", "naeringsliv", "media", "besokende"],
        )
        self.assertTrue(municipality.audiences.get(code="ansatte").is_internal)
        restriction = PageViewRestriction.objects.get(page=municipality.intranet_page)
        self.assertEqual(restriction.restriction_type, PageViewRestriction.GROUPS)
        self.assertEqual(list(restriction.groups.all()), [municipality.staff_group])
        self.assertTrue(
            municipality.publishers_group.permissions.filter(codename="access_admin").exists()
        )
        self.assertFalse(
            GroupPagePermission.objects.filter(
                group=municipality.publishers_group, permission__codename="publish_page"
            ).exists(),
            "publishers must go through the workflow, not publish directly",
        )

    def test_avesta_has_its_eight_prioritised_target_groups(self):
        municipality = load_profile(PROFILES / "avesta").municipality
        self.assertEqual(municipality.language, "sv")
        self.assertEqual(municipality.audiences.count(), 8)
        self.assertEqual(municipality.statement_level_roles("political"), ["mayor"])

    def test_two_municipalities_get_two_sites_and_wagtails_placeholder_goes(self):
        load_profile(PROFILES / "alvdal")
        load_profile(PROFILES / "avesta")
        self.assertEqual(
            sorted(Site.objects.values_list("hostname", flat=True)),
            ["alvdal.localhost", "avesta.localhost"],
        )
        self.assertEqual(Site.objects.get(is_default_site=True).hostname, "alvdal.localhost")
        self.assertEqual(Page.objects.filter(depth=2).count(), 2)

    def test_loading_twice_changes_nothing(self):
        load_profile(PROFILES / "alvdal")
        before = snapshot()
        loaded_at = Municipality.objects.get().loaded_at
        report = load_profile(PROFILES / "alvdal")
        self.assertEqual(report.changes, [])
        self.assertEqual(snapshot(), before)
        self.assertEqual(Municipality.objects.get().loaded_at, loaded_at)

    def test_command_reports_up_to_date_on_second_run(self):
        out = []
        for _ in range(2):
            buffer = __import__("io").StringIO()
            call_command("load_profile", str(PROFILES / "alvdal"), stdout=buffer)
            out.append(buffer.getvalue())
        self.assertIn("loaded", out[0])
        self.assertIn("already up to date", out[1])


class ProfileUpdateTests(ProfileFixture):
    def test_changed_audience_and_renamed_group_are_updated_in_place(self):
        folder = self.copy_profile()
        load_profile(folder)
        group_pk = Municipality.objects.get().staff_group.pk
        self.edit(folder, 'name = "Innbyggere"', 'name = "Innbyggjarar"')
        self.edit(folder, 'staff = "Alvdal: Ansatte"', 'staff = "Alvdal: Tilsette"')
        report = load_profile(folder)
        self.assertTrue(report.changes)
        self.assertEqual(Audience.objects.get(code="innbyggere").name, "Innbyggjarar")
        self.assertEqual(Group.objects.get(pk=group_pk).name, "Alvdal: Tilsette")
        self.assertFalse(Group.objects.filter(name="Alvdal: Ansatte").exists())


class BadProfileTests(ProfileFixture):
    """Each bad profile names file and key, and leaves the database exactly as it was."""

    def assertRefused(self, folder, key, words):
        before = snapshot()
        with self.assertRaises(ProfileError) as caught:
            load_profile(folder)
        message = str(caught.exception)
        self.assertIn(str(folder / "profile.toml"), message)
        if key:
            self.assertEqual(caught.exception.key, key)
            self.assertIn(key, message)
        self.assertIn(words, message)
        self.assertEqual(snapshot(), before)
        return caught.exception

    def test_missing_key(self):
        folder = self.copy_profile()
        self.edit(folder, 'hostname = "alvdal.localhost"\n', "")
        self.assertRefused(folder, "municipality.hostname", "is missing")

    def test_wrong_type(self):
        folder = self.copy_profile()
        text = (folder / "profile.toml").read_text()
        target = tomllib.loads(text)["audiences"][2]["lix_target"]
        self.edit(folder, f"lix_target = {target}", 'lix_target = "førti"')
        # The first audience with that target is the one changed; find its index for the key.
        data = tomllib.loads((folder / "profile.toml").read_text())
        index = next(i for i, a in enumerate(data["audiences"]) if a["lix_target"] == "førti")
        self.assertRefused(folder, f"audiences[{index}].lix_target", "expected a whole number")

    def test_wrong_type_in_page_type_targets(self):
        folder = self.copy_profile()
        self.edit(folder, "servicepage = 36", 'servicepage = "lett"')
        self.assertRefused(
            folder, "plain_language.page_type_targets.servicepage", "expected a whole number"
        )

    def test_unknown_role_in_spokesperson_matrix(self):
        folder = self.copy_profile()
        self.edit(folder, 'roles = ["mayor"]', 'roles = ["king"]')
        data = tomllib.loads((folder / "profile.toml").read_text())
        index = next(i for i, s in enumerate(data["statement_levels"]) if s["roles"] == ["king"])
        self.assertRefused(folder, f"statement_levels[{index}].roles[0]", "“king”")

    def test_unknown_key_is_reported_not_ignored(self):
        folder = self.copy_profile()
        self.edit(folder, 'slug = "alvdal"', 'slug = "alvdal"\nhostnme = "x.localhost"')
        self.assertRefused(folder, "municipality.hostnme", "unknown key")

    def test_broken_toml(self):
        folder = self.copy_profile()
        self.edit(folder, 'slug = "alvdal"', 'slug = "alvdal')
        error = self.assertRefused(folder, "", "not valid TOML")
        self.assertIn("line", str(error))

    def test_missing_file(self):
        self.assertRefused(self.tmp / "nowhere", "", "file not found")

    def test_duplicate_audience_code(self):
        folder = self.copy_profile()
        self.edit(folder, 'code = "media"', 'code = "innbyggere"')
        data = tomllib.loads((folder / "profile.toml").read_text())
        index = [a["code"] for a in data["audiences"]].index("innbyggere", 1)
        self.assertRefused(folder, f"audiences[{index}].code", "more than once")

    def test_hostname_of_another_municipality(self):
        load_profile(PROFILES / "avesta")
        folder = self.copy_profile()
        self.edit(folder, 'hostname = "alvdal.localhost"', 'hostname = "avesta.localhost"')
        self.assertRefused(folder, "municipality.hostname", "Avesta kommun")

    def test_fault_late_in_loading_rolls_everything_back(self):
        # The group name clash is only found after the municipality row was written.
        load_profile(PROFILES / "avesta")
        folder = self.copy_profile()
        self.edit(folder, 'crisis = "Alvdal: Kriseledelse"', 'crisis = "Avesta: Medarbetare"')
        self.assertRefused(folder, "groups.crisis", "belongs to another municipality")
        self.assertFalse(Municipality.objects.filter(slug="alvdal").exists())

    def test_message_is_translated(self):
        folder = self.copy_profile()
        self.edit(folder, 'hostname = "alvdal.localhost"\n', "")
        with translation.override("nb"), self.assertRaises(ProfileError) as caught:
            load_profile(folder)
        self.assertIn("mangler", str(caught.exception))

    def test_command_exits_with_the_message(self):
        folder = self.copy_profile()
        self.edit(folder, 'hostname = "alvdal.localhost"\n', "")
        with self.assertRaisesMessage(CommandError, "municipality.hostname: is missing"):
            call_command("load_profile", str(folder))
