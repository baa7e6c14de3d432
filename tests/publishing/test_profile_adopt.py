"""Adopting a Wagtail site that already exists: ``load_profile PATH --site <host name or id>``.

The site is made the plain Wagtail way (a root page of Wagtail's own page type with a few pages
below it, a Site at the municipality's real host name, a workflow and an editors' group of its
own). Adopting it binds Alvdal's profile to it, adds only what the extension needs and leaves
everything the site had as it was. Messages are asserted in the active language (bokmål unless a
test says otherwise), through gettext, as the loader writes them.
"""

import datetime
import io
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PageViewRestriction,
    Revision,
    Site,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from home.models import InternalNoticePage
from publishing.models import Audience, Municipality, Role
from publishing.profiles.loader import ProfileError, load_profile
from publishing.workflow.veto import GovernancePublishBlocked
from tests.factories import (
    CertificateFactory,
    RoleFactory,
    UserFactory,
    line_organisation,
    load_municipality,
)
from tests.governance import Governed, news_page, publish_notice, reload

ALVDAL = Path(settings.PUBLISHING["PROFILE_ROOT"]) / "alvdal"
HOST = "www.alvdal.kommune.no"


def site_fields(site):
    site = Site.objects.get(pk=site.pk)
    return (site.hostname, site.port, site.site_name, site.root_page_id, site.is_default_site)


def page_rows(pages):
    """What a page is, for pages that must be left exactly as they were (``numchild`` aside: the
    root page gets the intranet as a new child)."""
    return list(
        Page.objects.filter(pk__in=[page.pk for page in pages])
        .order_by("pk")
        .values_list(
            "pk",
            "path",
            "depth",
            "title",
            "slug",
            "url_path",
            "live",
            "content_type_id",
            "latest_revision_id",
            "live_revision_id",
            "locked",
            "owner_id",
        )
    )


def snapshot():
    """Every row a profile load may create or change, by model."""
    rows = {}
    for model in (
        Municipality,
        Group,
        Site,
        Page,
        Revision,
        Audience,
        Collection,
        GroupPagePermission,
        GroupCollectionPermission,
        PageViewRestriction,
        Workflow,
        WorkflowPage,
        WorkflowTask,
        Task,
    ):
        rows[model.__name__] = list(model.objects.order_by("pk").values())
    rows["group permissions"] = list(
        Group.permissions.through.objects.order_by("pk").values_list("group_id", "permission_id")
    )
    return rows


class AdoptFixture(TestCase):
    """A site made without the extension: Wagtail pages, a Site, a workflow and a group."""

    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        cls.home = root.add_child(instance=Page(title="Velkommen til Alvdal", slug="alvdal-web"))
        cls.home.save_revision().publish()
        cls.children = []
        for title, slug in (
            ("Tjenester", "tjenester"),
            ("Politikk", "politikk"),
            ("Om kommunen", "om-kommunen"),
        ):
            child = cls.home.add_child(instance=Page(title=title, slug=slug))
            child.save_revision().publish()
            cls.children.append(child)
        draft = cls.children[0].add_child(instance=Page(title="Barnehage", slug="barnehage"))
        draft.save_revision()
        cls.children.append(draft)
        cls.site = Site.objects.create(
            hostname=HOST,
            port=443,
            root_page=cls.home,
            site_name="Alvdal kommune – nettsted",
            is_default_site=False,
        )
        # The site's own editors and their own approval workflow, on its root page.
        cls.editors = Group.objects.create(name="Nettredaktører")
        cls.editors.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=cls.editors,
                page=cls.home,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        cls.workflow = Workflow.objects.create(name="Godkjenning av nettredaktør")
        task = GroupApprovalTask.objects.create(name="Nettredaktøren godkjenner")
        task.groups.set([cls.editors])
        WorkflowTask.objects.create(workflow=cls.workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(page=cls.home, workflow=cls.workflow)

    def own_things(self):
        """What the site had before adoption, all of which must stay as it was."""
        return {
            "site": site_fields(self.site),
            "other sites": list(Site.objects.exclude(pk=self.site.pk).order_by("pk").values_list()),
            "pages": page_rows([self.home, *self.children]),
            "workflow": list(Workflow.objects.filter(pk=self.workflow.pk).values_list()),
            "workflow tasks": list(
                WorkflowTask.objects.filter(workflow=self.workflow).values_list(
                    "task_id", "sort_order"
                )
            ),
            "workflow pages": list(
                WorkflowPage.objects.filter(workflow=self.workflow).values_list("page_id")
            ),
            "editors": (
                self.editors.name,
                sorted(self.editors.permissions.values_list("pk", flat=True)),
                sorted(
                    GroupPagePermission.objects.filter(group=self.editors).values_list(
                        "page_id", "permission_id"
                    )
                ),
            ),
        }


class AdoptTests(AdoptFixture):
    def test_adopt_by_host_name_keeps_the_site_and_adds_what_is_missing(self):
        before = self.own_things()
        pages_before = Page.objects.count()
        report = load_profile(ALVDAL, site=HOST)
        municipality = Municipality.objects.get(slug="alvdal")
        self.assertEqual(report.municipality, municipality)
        self.assertEqual(municipality.site_id, self.site.pk)
        self.assertEqual(self.own_things(), before)
        self.assertEqual(Site.objects.get(pk=self.site.pk).root_page.specific_class, Page)

        # The intranet is the one page added, below the site's own root page, for staff only.
        self.assertEqual(Page.objects.count(), pages_before + 1)
        self.assertEqual(reload(self.home).numchild, 4)
        intranet = municipality.intranet_page
        self.assertEqual(intranet.get_parent().pk, self.home.pk)
        self.assertEqual((intranet.slug, intranet.title), ("intranett", "Intranett"))
        self.assertTrue(intranet.live)
        restriction = PageViewRestriction.objects.get(page=intranet)
        self.assertEqual(restriction.restriction_type, PageViewRestriction.GROUPS)
        self.assertEqual(list(restriction.groups.all()), [municipality.staff_group])

        # Groups, collections and audiences from the profile.
        self.assertEqual(municipality.staff_group.name, "Alvdal: Ansatte")
        self.assertEqual(municipality.communications_group.name, "Alvdal: Kommunikasjon")
        self.assertTrue(
            GroupPagePermission.objects.filter(
                group=municipality.publishers_group, page=self.home
            ).exists()
        )
        collection = Collection.objects.get(name="Alvdal kommune")
        self.assertTrue(collection.get_children().filter(name="Intranett").exists())
        self.assertEqual(municipality.audiences.count(), 6)

        # The extension's workflows exist; the site's root page stays in its own workflow, the
        # intranet (new, the extension's own) is in the intranet workflow.
        self.assertIsNotNone(municipality.external_workflow)
        self.assertFalse(WorkflowPage.objects.filter(workflow=municipality.external_workflow))
        self.assertEqual(reload(self.home).get_workflow(), self.workflow)
        self.assertEqual(reload(intranet).get_workflow(), municipality.intranet_workflow)
        self.assertEqual(len(report.kept), 1)
        self.assertIn(self.workflow.name, report.kept[0])
        self.assertIn("--replace-workflows", report.kept[0])
        self.assertIn(
            gettext("bound to the existing site %(site)s")
            % {"site": gettext("“%(host)s” (id %(id)s)") % {"host": HOST, "id": self.site.pk}},
            report.changes,
        )

    def test_adopt_by_id(self):
        report = load_profile(ALVDAL, site=str(self.site.pk))
        self.assertEqual(report.municipality.site_id, self.site.pk)
        self.assertEqual(site_fields(self.site)[0], HOST)

    def test_second_run_changes_nothing(self):
        load_profile(ALVDAL, site=HOST)
        before = snapshot()
        report = load_profile(ALVDAL, site=str(self.site.pk))
        self.assertEqual(report.changes, [])
        self.assertEqual(snapshot(), before)

    def test_the_report_speaks_the_language_of_whoever_loads_it(self):
        # Alvdal's workflows are named in bokmål; a Swedish-speaking operator reads Swedish.
        with translation.override("sv"):
            report = load_profile(ALVDAL, site=HOST)
        workflow_notes = [note for note in report.changes if "publisering" in note]
        self.assertTrue(workflow_notes)
        for note in workflow_notes:
            self.assertTrue(note.startswith("arbetsflöde"), note)
            self.assertIn("ekstern publisering", " ".join(workflow_notes))

    def test_loading_again_without_the_site_option_still_leaves_the_site_alone(self):
        # An operator who reloads every profile (``load_profile site/*``) forgets the option.
        load_profile(ALVDAL, site=HOST)
        before = snapshot()
        report = load_profile(ALVDAL)
        self.assertEqual(report.changes, [])
        self.assertEqual(snapshot(), before)
        self.assertEqual(report.municipality.site, self.site)

    def test_replace_workflows_assigns_the_extensions_workflow_and_leaves_the_old_one(self):
        section = self.children[1]
        WorkflowPage.objects.create(page=section, workflow=self.workflow)
        before = self.own_things()
        report = load_profile(ALVDAL, site=HOST, replace_workflows=True)
        municipality = report.municipality
        self.assertEqual(reload(self.home).get_workflow(), municipality.external_workflow)
        # The old workflow and its tasks are as they were; a section with its own keeps it.
        after = self.own_things()
        self.assertEqual(after["workflow"], before["workflow"])
        self.assertEqual(after["workflow tasks"], before["workflow tasks"])
        self.assertEqual(after["workflow pages"], [(section.pk,)])
        self.assertEqual(reload(section).get_workflow(), self.workflow)
        self.assertEqual(after["pages"], before["pages"])
        self.assertEqual(after["site"], before["site"])
        self.assertEqual(
            report.kept,
            [
                gettext("%(page)s keeps its own workflow %(workflow)s")
                % {"page": section.title, "workflow": self.workflow.name}
            ],
        )
        # Replaced once; the next run, with or without the flag, changes nothing.
        state = snapshot()
        self.assertEqual(load_profile(ALVDAL, site=HOST, replace_workflows=True).changes, [])
        self.assertEqual(load_profile(ALVDAL, site=HOST).changes, [])
        self.assertEqual(snapshot(), state)

    def test_a_site_in_wagtails_inherited_workflow_keeps_it_too(self):
        WorkflowPage.objects.filter(page=self.home).delete()
        moderators = Workflow.objects.create(name="Moderators approval (test)")
        WorkflowPage.objects.update_or_create(
            page=Page.get_first_root_node(), defaults={"workflow": moderators}
        )
        report = load_profile(ALVDAL, site=HOST)
        self.assertEqual(reload(self.home).get_workflow(), moderators)
        self.assertFalse(WorkflowPage.objects.filter(page=self.home).exists())
        self.assertIn(moderators.name, report.kept[0])

    def test_a_site_in_no_workflow_gets_the_extensions(self):
        WorkflowPage.objects.all().delete()
        report = load_profile(ALVDAL, site=HOST)
        self.assertEqual(reload(self.home).get_workflow(), report.municipality.external_workflow)
        self.assertEqual(report.kept, [])

    def test_an_existing_group_of_the_profiles_name_is_used_and_keeps_its_permissions(self):
        staff = Group.objects.create(name="Alvdal: Ansatte")
        change_user = Permission.objects.get(content_type__app_label="auth", codename="change_user")
        staff.permissions.add(change_user)
        municipality = load_profile(ALVDAL, site=HOST).municipality
        self.assertEqual(municipality.staff_group, staff)
        self.assertIn(change_user, staff.permissions.all())


class AdoptErrorTests(AdoptFixture):
    """Each refusal says what is wrong in the active language, and nothing is changed."""

    def assertRefused(self, message, **options):
        before = snapshot()
        with self.assertRaises(ProfileError) as caught:
            load_profile(ALVDAL, **options)
        self.assertIn(message, str(caught.exception))
        self.assertEqual(snapshot(), before, "a refused adoption changes nothing")
        return caught.exception

    def test_no_site_with_that_host_name(self):
        error = self.assertRefused(
            gettext("there is no site with the host name “%(host)s”")
            % {"host": "alvdal.example.org"},
            site="alvdal.example.org",
        )
        self.assertEqual(error.key, "--site")

    def test_no_site_with_that_id(self):
        self.assertRefused(
            gettext("there is no site with the id %(id)s") % {"id": 9999}, site="9999"
        )

    def test_host_name_on_several_ports_asks_for_the_id(self):
        other = Site.objects.create(hostname=HOST, port=80, root_page=self.home, site_name="x")
        listing = ", ".join(
            gettext("id %(id)s on port %(port)s") % {"id": site.pk, "port": site.port}
            for site in (other, self.site)
        )
        self.assertRefused(
            gettext(
                "%(count)s sites have the host name “%(host)s”, on different ports: %(sites)s; "
                "give the id of the one to use"
            )
            % {"count": 2, "host": HOST, "sites": listing},
            site=HOST,
        )
        # The id, or the host name with its port, says which.
        self.assertEqual(load_profile(ALVDAL, site=f"{HOST}:443").municipality.site, self.site)

    def test_site_of_another_municipality(self):
        avesta = load_municipality("avesta")
        self.assertRefused(
            gettext("the site %(site)s is already the site of %(other)s")
            % {
                "site": gettext("“%(host)s” (id %(id)s)")
                % {"host": avesta.site.hostname, "id": avesta.site_id},
                "other": avesta.name,
            },
            site=str(avesta.site_id),
        )
        self.assertFalse(Municipality.objects.filter(slug="alvdal").exists())

    def test_municipality_bound_to_another_site(self):
        alvdal = load_municipality("alvdal")  # the loader's own new site
        error = self.assertRefused(
            gettext("%(name)s already has the site %(site)s, and a municipality has only one site")
            % {
                "name": alvdal.name,
                "site": gettext("“%(host)s” (id %(id)s)")
                % {"host": "alvdal.localhost", "id": alvdal.site_id},
            },
            site=HOST,
        )
        self.assertEqual(error.key, "municipality.slug")

    def test_a_page_with_the_intranets_slug(self):
        self.home.add_child(instance=Page(title="Intranett (gammelt)", slug="intranett"))
        self.assertRefused(
            gettext(
                "the page “%(title)s” below %(home)s already has the slug “%(slug)s”; "
                "choose another intranet_slug"
            )
            % {"title": "Intranett (gammelt)", "home": self.home.title, "slug": "intranett"},
            site=HOST,
        )

    def test_messages_follow_the_active_language(self):
        for language in ("sv", "nn", "en"):
            with translation.override(language):
                self.assertRefused(
                    gettext("there is no site with the id %(id)s") % {"id": 9999}, site="9999"
                )


class AdoptCommandTests(AdoptFixture):
    def test_call_command_with_site(self):
        before = self.own_things()
        out = io.StringIO()
        call_command("load_profile", str(ALVDAL), site=HOST, stdout=out)
        municipality = Municipality.objects.get(slug="alvdal")
        self.assertEqual(municipality.site_id, self.site.pk)
        self.assertEqual(self.own_things(), before)
        text = out.getvalue()
        self.assertIn(gettext("%(name)s: loaded") % {"name": municipality.name}, text)
        self.assertIn(self.workflow.name, text)

        out = io.StringIO()
        call_command("load_profile", str(ALVDAL), site=str(self.site.pk), stdout=out)
        self.assertIn(
            gettext("%(name)s: already up to date") % {"name": municipality.name}, out.getvalue()
        )

    def test_call_command_replace_workflows(self):
        call_command(
            "load_profile", str(ALVDAL), site=HOST, replace_workflows=True, stdout=io.StringIO()
        )
        municipality = Municipality.objects.get(slug="alvdal")
        self.assertEqual(reload(self.home).get_workflow(), municipality.external_workflow)

    def test_command_errors(self):
        with self.assertRaisesMessage(
            CommandError,
            gettext("there is no site with the host name “%(host)s”") % {"host": "x.no"},
        ):
            call_command("load_profile", str(ALVDAL), site="x.no", stdout=io.StringIO())
        with self.assertRaisesMessage(
            CommandError, gettext("--site adopts one site: give one profile folder with it")
        ):
            call_command("load_profile", str(ALVDAL), str(ALVDAL), site=HOST, stdout=io.StringIO())
        with self.assertRaisesMessage(
            CommandError, gettext("--replace-workflows is only for adopting a site with --site")
        ):
            call_command("load_profile", str(ALVDAL), replace_workflows=True, stdout=io.StringIO())
        self.assertFalse(Municipality.objects.exists())

    def test_without_site_the_loader_still_makes_its_own_site(self):
        call_command("load_profile", str(ALVDAL), stdout=io.StringIO())
        municipality = Municipality.objects.get(slug="alvdal")
        self.assertNotEqual(municipality.site_id, self.site.pk)
        self.assertEqual(municipality.site.hostname, "alvdal.localhost")
        self.assertEqual(municipality.site.root_page.specific_class.__name__, "HomePage")
        self.assertEqual(reload(self.home).get_workflow(), self.workflow)


class AdoptedGovernanceTests(AdoptFixture):
    """After adoption the publish veto governs the municipality's pages under the adopted site."""

    def test_governed_page_under_the_adopted_site(self):
        municipality = load_profile(ALVDAL, site=HOST).municipality
        g = Governed()
        g.municipality = municipality
        g.line = line_organisation(municipality)
        g.leader = g.line.unit_head
        g.publisher = UserFactory(username="publisher")
        RoleFactory(user=g.publisher, unit=g.line.unit, role=Role.EMPLOYEE)
        today = timezone.localdate()
        CertificateFactory(
            user=g.publisher,
            municipality=municipality,
            passed_on=today - datetime.timedelta(days=30),
            expires_on=today + datetime.timedelta(days=300),
        )
        g.publisher.groups.add(municipality.publishers_group, municipality.staff_group)
        g.leader.groups.add(municipality.leaders_group, municipality.staff_group)
        g.citizens = municipality.audiences.filter(is_internal=False).first()
        g.news_index = self.children[0]  # "Tjenester", a plain Wagtail page of the site
        g.notice = municipality.intranet_page.add_child(
            instance=InternalNoticePage(
                title="Nye turnuser i hjemmetjenesten",
                slug="nye-turnuser",
                intro="Fra januar får dere nye turnuser.",
                owning_unit=g.line.unit,
                responsible_leader=g.leader,
                live=False,
            )
        )
        g.notice.save_revision(user=g.leader)
        page = news_page(g, "Hjemmetjenesten får kveldsåpent", "kveldsapent")
        self.assertEqual(Municipality.objects.for_page(page), municipality)

        blocked = gettext(
            "Staff must hear it first: the internal notice “%(title)s” is not live yet."
        ) % {"title": g.notice.title}
        with self.assertRaisesMessage(GovernancePublishBlocked, blocked):
            reload(page).get_latest_revision().publish(user=None)
        self.assertFalse(reload(page).live)

        publish_notice(g)
        reload(page).get_latest_revision().publish(user=None)
        self.assertTrue(reload(page).live)
        self.assertEqual(reload(page).get_parent().pk, self.children[0].pk)
