"""Multi-tenant: a third municipality is a profile and one command; municipalities stay apart.

Adding a municipality is a profile file and one command; its users,
units and workflows are separate from the others', and a leader of one municipality can neither
see nor approve the other's pages. Both real demo municipalities are loaded (``load_demo``), so
the isolation tests run against the same data a reviewer sees in the demo.
"""

import io
import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from wagtail.models import (
    Collection,
    GroupPagePermission,
    Page,
    PageViewRestriction,
    Revision,
    Site,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
)

from publishing.models import (
    Audience,
    CrisisBanner,
    GovernedPage,
    LeaderApprovalTask,
    Municipality,
    OrganisationUnit,
    PageFeedback,
)
from publishing.models.municipality import GROUP_KEYS
from tests.governance import EnglishAdminMixin, reload, warning_reasons
from tests.live_admin import editor_fields, post_data
from tests.worlds import DemoWorld

User = get_user_model()
DENIED = (302, 403, 404)


def load_demo():
    call_command("load_demo", quiet_logins=True, stdout=io.StringIO())


def snapshot(municipality):
    """Everything a profile load could touch for ``municipality``, as comparable values."""
    m = Municipality.objects.get(pk=municipality.pk)
    groups = [m.group(key) for key in GROUP_KEYS]
    home = m.site.root_page
    pages = Page.objects.descendant_of(home, inclusive=True)
    return {
        "municipality": (
            m.name,
            m.slug,
            m.profile_digest,
            m.site_id,
            m.intranet_page_id,
            m.external_workflow_id,
            m.intranet_workflow_id,
            tuple(g.pk for g in groups),
        ),
        "site": tuple(
            Site.objects.filter(pk=m.site_id).values_list(
                "hostname", "port", "root_page_id", "site_name", "is_default_site"
            )
        ),
        "groups": {
            g.pk: (g.name, sorted(g.permissions.values_list("pk", flat=True))) for g in groups
        },
        "page_permissions": sorted(
            GroupPagePermission.objects.filter(group__in=groups).values_list(
                "group_id", "page_id", "permission_id"
            )
        ),
        "pages": sorted(pages.values_list("pk", "path", "title", "live")),
        "revisions": Revision.page_revisions.filter(
            object_id__in=[str(p) for p in pages.values_list("pk", flat=True)]
        ).count(),
        "restrictions": sorted(
            (r.page_id, tuple(sorted(r.groups.values_list("pk", flat=True))))
            for r in PageViewRestriction.objects.filter(page__in=pages)
        ),
        "units": sorted(m.units.values_list("pk", "code", "name", "parent_id")),
        "audiences": sorted(
            Audience.objects.filter(municipality=m).values_list(
                "pk", "code", "name", "lix_target", "is_internal", "sort_order"
            )
        ),
        "workflows": sorted(
            (w.pk, w.name, tuple(t.pk for t in w.tasks))
            for w in Workflow.objects.filter(
                pk__in=[m.external_workflow_id, m.intranet_workflow_id]
            )
        ),
        "workflow_pages": sorted(
            WorkflowPage.objects.filter(page__in=pages).values_list("page_id", "workflow_id")
        ),
        "members": sorted(User.objects.filter(groups__in=groups).values_list("pk", "groups")),
    }


class NewMunicipalityTests(DemoWorld, EnglishAdminMixin, TestCase):
    """A third municipality (Tynset) from a copy of Alvdal's profile and ``load_profile``."""

    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.avesta = Municipality.objects.get(slug="avesta")

    def setUp(self):
        super().setUp()
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory())) / "tynset"
        self.folder.mkdir()

    def write_profile(self, **overrides):
        """Alvdal's real profile, renamed to Tynset (``overrides`` undo single renames)."""
        text = (Path(settings.BASE_DIR) / "site" / "alvdal" / "profile.toml").read_text("utf-8")
        renames = {
            'slug = "alvdal"': 'slug = "tynset"',
            '"Alvdal kommune"': '"Tynset kommune"',
            'hostname = "alvdal.localhost"': 'hostname = "tynset.localhost"',
            "is_default_site = true": "is_default_site = false",
            '"Alvdal: ': '"Tynset: ',
        }
        for old, new in renames.items():
            self.assertIn(old, text)  # the copy really changes what it claims to change
            text = text.replace(old, overrides.get(old, new))
        (self.folder / "profile.toml").write_text(text, "utf-8")

    def test_third_municipality_is_a_profile_and_one_command(self):
        before = {m.slug: snapshot(m) for m in (self.alvdal, self.avesta)}
        old_groups = set(Group.objects.values_list("pk", flat=True))
        old_pages = set(Page.objects.values_list("pk", flat=True))
        old_workflows = set(Workflow.objects.values_list("pk", flat=True))
        old_audiences = set(Audience.objects.values_list("pk", flat=True))
        self.write_profile()

        out = io.StringIO()
        call_command("load_profile", str(self.folder), stdout=out)
        self.assertIn("Tynset kommune", out.getvalue())
        self.assertIn("  + ", out.getvalue())  # it reports what it created

        tynset = Municipality.objects.get(slug="tynset")
        self.assertEqual(tynset.name, "Tynset kommune")
        # Its own Site and home page, not the default site (Alvdal stays the default).
        site = tynset.site
        self.assertEqual(site.hostname, "tynset.localhost")
        self.assertFalse(site.is_default_site)
        self.assertTrue(Site.objects.get(pk=self.alvdal.site_id).is_default_site)
        home = site.root_page.specific
        self.assertNotIn(home.pk, old_pages)
        self.assertEqual(home.depth, 2)
        self.assertTrue(home.live)
        self.assertEqual(home.title, "Tynset kommune")
        self.assertEqual(Site.find_for_request(self.request_for("tynset.localhost")), site)
        # Its own intranet, restricted to its own staff group only.
        intranet = tynset.intranet_page
        self.assertNotIn(intranet.pk, old_pages)
        self.assertEqual(intranet.get_parent().pk, home.pk)
        restriction = PageViewRestriction.objects.get(page=intranet)
        self.assertEqual(restriction.restriction_type, PageViewRestriction.GROUPS)
        self.assertEqual(list(restriction.groups.all()), [tynset.staff_group])
        response = self.client.get(
            intranet.url_path[len(home.url_path) - 1 :], HTTP_HOST="tynset.localhost"
        )
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])
        # Its own five groups, none shared with Alvdal or Avesta.
        groups = [tynset.group(key) for key in GROUP_KEYS]
        self.assertEqual(len({g.pk for g in groups}), len(GROUP_KEYS))
        self.assertFalse({g.pk for g in groups} & old_groups)
        self.assertTrue(all(g.name.startswith("Tynset: ") for g in groups))
        # Page permissions of its groups only on its own tree.
        for perm in GroupPagePermission.objects.filter(group__in=groups):
            self.assertTrue(perm.page.path.startswith(home.path), perm)
        # Its own audiences (same codes as Alvdal's, new rows).
        audiences = Audience.objects.filter(municipality=tynset)
        self.assertEqual(
            sorted(audiences.values_list("code", flat=True)),
            sorted(
                Audience.objects.filter(municipality=self.alvdal).values_list("code", flat=True)
            ),
        )
        self.assertFalse(set(audiences.values_list("pk", flat=True)) & old_audiences)
        # Its own workflows, on its own pages, reviewed by its own communications group.
        for workflow in (tynset.external_workflow, tynset.intranet_workflow):
            self.assertNotIn(workflow.pk, old_workflows)
            self.assertTrue(workflow.name.startswith("Tynset: "))
        self.assertEqual(home.get_workflow(), tynset.external_workflow)
        self.assertEqual(intranet.get_workflow(), tynset.intranet_workflow)
        review = tynset.external_workflow.tasks[3].specific
        self.assertEqual(list(review.groups.all()), [tynset.communications_group])
        # Its own collection.
        self.assertTrue(Collection.objects.filter(name="Tynset kommune").exists())
        # Units are not part of a profile: the new municipality starts with none of its own and
        # certainly none of the others'.
        self.assertFalse(tynset.units.exists())
        # Nothing of Alvdal's or Avesta's changed.
        for m in (self.alvdal, self.avesta):
            self.assertEqual(snapshot(m), before[m.slug], m.slug)

        # Loading the same file again changes nothing.
        out = io.StringIO()
        call_command("load_profile", str(self.folder), stdout=out)
        self.assertIn("Tynset kommune", out.getvalue())
        self.assertNotIn("  + ", out.getvalue())

    def request_for(self, host):
        from django.test import RequestFactory

        return RequestFactory().get("/", HTTP_HOST=host)

    def test_new_municipalitys_units_are_its_own_in_the_register(self):
        self.write_profile()
        call_command("load_profile", str(self.folder), stdout=io.StringIO())
        tynset = Municipality.objects.get(slug="tynset")
        editor = User.objects.create_user("tynset.editor", "editor@example.org")
        editor.groups.add(tynset.communications_group, tynset.staff_group)
        self.login(editor)
        url = reverse("publishing_organisationunit_modeladmin_create")
        form = self.client.get(url)
        self.assertEqual(form.status_code, 200)
        choices = form.context["form"].fields["municipality"].queryset
        self.assertEqual(list(choices), [tynset])
        response = self.client.post(
            url,
            {
                "municipality": tynset.pk,
                "name": "Tynset kommune",
                "code": "tynset",
                "kind": "municipality",
            },
        )
        self.assertEqual(response.status_code, 302)
        unit = OrganisationUnit.objects.get(municipality=tynset, code="tynset")
        # The unit cannot be created in Alvdal by Tynset's editor.
        count = OrganisationUnit.objects.count()
        self.client.post(
            url,
            {"municipality": self.alvdal.pk, "name": "Kuppet", "code": "kuppet", "kind": "unit"},
        )
        self.assertEqual(OrganisationUnit.objects.count(), count)
        # Tynset's register lists its unit and none of Alvdal's; Alvdal's editor sees the reverse.
        index = reverse("publishing_organisationunit_modeladmin_index")
        listing = self.client.get(index).context["object_list"]
        self.assertEqual([u.pk for u in listing], [unit.pk])
        self.login(User.objects.get(username="alvdal.silje"))
        listing = list(self.client.get(index).context["object_list"])
        self.assertNotIn(unit, listing)
        self.assertIn(
            OrganisationUnit.objects.get(municipality=self.alvdal, code="alvdal"), listing
        )

    def test_copy_that_keeps_alvdals_groups_is_refused_and_changes_nothing(self):
        self.write_profile(**{'"Alvdal: ': '"Alvdal: '})
        before = snapshot(self.alvdal)
        with self.assertRaisesMessage(CommandError, "groups.staff"):
            call_command("load_profile", str(self.folder), stdout=io.StringIO())
        self.assertFalse(Municipality.objects.filter(slug="tynset").exists())
        self.assertEqual(snapshot(self.alvdal), before)

    def test_copy_that_keeps_alvdals_hostname_is_refused_and_changes_nothing(self):
        self.write_profile(**{'hostname = "alvdal.localhost"': 'hostname = "alvdal.localhost"'})
        before = snapshot(self.alvdal)
        with self.assertRaisesMessage(CommandError, "municipality.hostname"):
            call_command("load_profile", str(self.folder), stdout=io.StringIO())
        self.assertFalse(Municipality.objects.filter(slug="tynset").exists())
        self.assertEqual(snapshot(self.alvdal), before)


class IsolationTests(DemoWorld, EnglishAdminMixin, TestCase):
    """Alvdal's people against Avesta's pages, workflow, registers and dashboard (and back).

    Every denial is paired with the same request by the Avesta counterpart succeeding, so a
    denial that happens for an unrelated reason (a wrong URL, a missing page) would fail.
    """

    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.avesta = Municipality.objects.get(slug="avesta")
        users = {u.username: u for u in User.objects.all()}
        cls.hilde = users["alvdal.hilde"]  # Alvdal unit head (leaders)
        cls.silje = users["alvdal.silje"]  # Alvdal communications editor
        cls.lars = users["alvdal.lars"]  # Alvdal certified publisher
        cls.marit = users["alvdal.marit"]  # Alvdal mayor (crisis group)
        cls.linnea = users["avesta.linnea"]  # Avesta communications editor
        cls.oskar = users["avesta.oskar"]  # Avesta certified publisher
        cls.eva = users["avesta.eva"]  # Avesta mayor (crisis group)
        cls.avesta_home = cls.avesta.site.root_page
        governed = [
            p
            for p in Page.objects.descendant_of(cls.avesta_home).live().specific()
            if isinstance(p, GovernedPage)
            and not cls.avesta.is_intranet_page(p)
            and not getattr(p, "affects_staff", False)
            and p.responsible_leader_id
        ]
        cls.page = governed[0]
        cls.leader = cls.page.responsible_leader  # Avesta's leader for this page
        cls.notice = next(
            p
            for p in Page.objects.descendant_of(cls.avesta.intranet_page).specific()
            if isinstance(p, GovernedPage)
        )

    def status(self, user, url, method="get", data=None):
        self.login(user)
        return getattr(self.client, method)(url, data or {}).status_code

    # --- pages ------------------------------------------------------------------------------

    def test_alvdal_leader_cannot_explore_or_edit_avestas_pages(self):
        explore = reverse("wagtailadmin_explore", args=[self.avesta.intranet_page.pk])
        edit = reverse("wagtailadmin_pages:edit", args=[self.notice.pk])
        # Avesta's own leader may (leaders write intranet notices).
        self.assertEqual(self.status(self.leader, explore), 200)
        self.assertEqual(self.status(self.leader, edit), 200)
        self.assertIn(self.status(self.hilde, explore), DENIED)
        self.assertIn(self.status(self.hilde, edit), DENIED)
        # The public tree, likewise: Avesta's editor may, Alvdal's editor may not.
        for url in (
            reverse("wagtailadmin_explore", args=[self.avesta_home.pk]),
            reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
        ):
            self.assertEqual(self.status(self.linnea, url), 200, url)
            self.assertIn(self.status(self.silje, url), DENIED, url)
            self.assertIn(self.status(self.hilde, url), DENIED, url)

    def test_alvdal_leaders_explorer_root_lists_no_avesta_page(self):
        url = reverse("wagtailadmin_explore_root")
        self.login(self.hilde)
        content = self.client.get(url, follow=True).content.decode()
        self.assertNotIn(self.notice.title, content)
        self.assertNotIn(self.avesta.intranet_page.title, content)
        self.login(self.leader)
        content = self.client.get(url, follow=True).content.decode()
        self.assertIn(self.avesta.intranet_page.title, content)

    def test_alvdal_leaders_page_search_finds_no_avesta_page(self):
        url = reverse("wagtailadmin_pages:search")
        for page in (self.page, self.notice):
            query = max(page.title.split(), key=len)
            self.login(self.linnea)
            self.assertIn(page.pk, self.search_results(url, query))
            self.login(self.hilde)
            self.assertNotIn(page.pk, self.search_results(url, query))

    def search_results(self, url, query):
        response = self.client.get(url, {"q": query})
        self.assertEqual(response.status_code, 200)
        return [p.pk for p in response.context["pages"]]

    # --- workflow ---------------------------------------------------------------------------

    def submit(self):
        state = self.avesta.external_workflow.start(reload(self.page), self.oskar)
        state.refresh_from_db()
        return state

    def approver(self, task_state):
        """An Avesta leader who may approve (the page's own leader edited it: four eyes)."""
        task = task_state.task.specific
        leaders = User.objects.filter(groups=self.avesta.leaders_group).order_by("username")
        approver = next(u for u in leaders if task.approval(self.page, u).allowed)
        self.assertFalse(task.approval(self.page, self.hilde).allowed)
        return approver

    def act(self, user, task_state, action="approve"):
        self.login(user)
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[self.page.pk, action, task_state.pk]
        )
        return self.client.post(url, {"comment": ""})

    def test_alvdal_leader_cannot_approve_an_avesta_page(self):
        state = self.submit()
        task_state = state.current_task_state
        self.assertEqual(task_state.task.specific_class, LeaderApprovalTask)
        for user in (self.hilde, self.marit):  # a unit head and the mayor of Alvdal
            response = self.act(user, task_state)
            self.assertIn(response.status_code, DENIED)
            task_state.refresh_from_db()
            self.assertEqual(task_state.status, TaskState.STATUS_IN_PROGRESS, user)
        self.assertFalse(
            TaskState.objects.filter(workflow_state=state, finished_by__in=[self.hilde, self.marit])
        )
        # The page's own leader in Avesta can: the same request moves it on.
        self.act(self.approver(task_state), task_state)
        task_state.refresh_from_db()
        self.assertEqual(task_state.status, TaskState.STATUS_APPROVED)

    def test_alvdal_leader_cannot_approve_from_the_editor_form_either(self):
        # The editor's own form with an approval in it, as the footer button sends it: refused
        # before the form is read, and nothing saved in her name.
        state = self.submit()
        task_state = state.current_task_state
        approver = self.approver(task_state)
        self.login(approver)
        edit = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        fields = editor_fields(self.client.get(edit).content.decode(), reload(self.page))
        review = {
            "comment": "",
            "revision": reload(self.page).latest_revision_id,
            "acknowledgements": warning_reasons(self.page),
        }
        data = {
            **post_data(fields),
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "workflow-action-extra-data": json.dumps(review),
        }
        revisions = Revision.page_revisions.filter(object_id=str(self.page.pk)).count()
        for user in (self.hilde, self.marit):
            self.login(user)
            response = self.client.post(edit, data)
            self.assertIn(response.status_code, DENIED)
            task_state.refresh_from_db()
            self.assertEqual(task_state.status, TaskState.STATUS_IN_PROGRESS, user)
        self.assertEqual(
            Revision.page_revisions.filter(object_id=str(self.page.pk)).count(), revisions
        )
        # Avesta's leader sends the same form: the page moves on.
        self.login(approver)
        self.client.post(edit, data)
        task_state.refresh_from_db()
        self.assertEqual(task_state.status, TaskState.STATUS_APPROVED)

    def test_alvdal_people_cannot_link_a_notice_to_or_fast_track_an_avesta_page(self):
        notice = reverse("publishing:create_notice", args=[self.page.pk])
        fast = reverse("publishing:fast_track", args=[self.page.pk])
        revisions = Revision.page_revisions.filter(object_id=str(self.page.pk)).count()
        self.assertIn(self.status(self.hilde, notice, "post", {"title": "X", "intro": "Y"}), DENIED)
        self.assertIn(self.status(self.marit, fast, "post", {"reason": "Krise"}), DENIED)
        self.assertEqual(
            Revision.page_revisions.filter(object_id=str(self.page.pk)).count(), revisions
        )
        self.assertEqual(self.status(self.eva, fast), 200)  # Avesta's own crisis group may

    def test_alvdal_editor_cannot_do_avestas_editorial_review_or_publish(self):
        state = self.submit()
        self.act(self.approver(state.current_task_state), state.current_task_state)
        state.refresh_from_db()
        review = state.current_task_state
        self.assertEqual(review.task.specific.groups.get(), self.avesta.communications_group)
        revisions = Revision.page_revisions.filter(object_id=str(self.page.pk)).count()
        response = self.act(self.silje, review)
        self.assertIn(response.status_code, DENIED)
        review.refresh_from_db()
        self.assertEqual(review.status, TaskState.STATUS_IN_PROGRESS)
        self.assertEqual(
            Revision.page_revisions.filter(object_id=str(self.page.pk)).count(), revisions
        )
        self.act(self.linnea, review)
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_APPROVED)

    # --- dashboard --------------------------------------------------------------------------

    def test_dashboard_shows_avestas_waiting_page_only_to_avesta(self):
        state = self.submit()
        url = reverse("wagtailadmin_home")
        self.login(self.approver(state.current_task_state))
        self.assertContains(self.client.get(url), self.page.title)
        for user in (self.hilde, self.silje, self.marit):
            self.login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, self.page.title)

    # --- registers --------------------------------------------------------------------------

    def assert_register_scoped(self, url_name, avesta_user, alvdal_user, obj, detail=True):
        """Avesta's user finds ``obj`` in the register; Alvdal's user neither lists nor opens it."""
        url = reverse(url_name)
        self.login(avesta_user)
        response = self.client.get(url)
        self.assertIn(obj, response.context["view"].queryset, url_name)
        self.login(alvdal_user)
        response = self.client.get(url)
        self.assertIn(response.status_code, (200, *DENIED), url_name)
        if response.status_code == 200:
            self.assertNotIn(obj, response.context["view"].queryset, url_name)
            self.assertFalse(
                response.context["view"].queryset.filter(**self.avesta_filter(obj)).exists(),
                url_name,
            )
        if detail:
            for view in ("edit", "inspect", "history"):
                name = url_name.replace("_index", f"_{view}")
                target = reverse(name, args=[obj.pk])
                self.assertEqual(self.status(avesta_user, target), 200, name)
                self.assertIn(self.status(alvdal_user, target), DENIED, name)

    def avesta_filter(self, obj):
        """A lookup for every row of Avesta's in ``obj``'s register."""
        return {
            OrganisationUnit: {"municipality": self.avesta},
            Audience: {"municipality": self.avesta},
            PageFeedback: {"municipality": self.avesta},
            CrisisBanner: {"municipality": self.avesta},
        }.get(type(obj), {"unit__municipality": self.avesta})

    def test_alvdal_does_not_see_avestas_governance_registers(self):
        unit = OrganisationUnit.objects.get(municipality=self.avesta, code="hemtjansten")
        assignment = self.avesta_role(unit)
        audience = Audience.objects.filter(municipality=self.avesta).first()
        for alvdal_user in (self.hilde, self.silje):
            detail = alvdal_user == self.silje
            for url_name, obj in (
                ("publishing_organisationunit_modeladmin_index", unit),
                ("publishing_roleassignment_modeladmin_index", assignment),
                ("publishing_audience_modeladmin_index", audience),
            ):
                self.assert_register_scoped(url_name, self.linnea, alvdal_user, obj, detail)

    def avesta_role(self, unit):
        from publishing.models import RoleAssignment

        return RoleAssignment.objects.filter(unit=unit).select_related("user").first()

    def test_alvdal_does_not_see_avestas_feedback(self):
        feedback = PageFeedback.objects.create(
            page=self.page,
            municipality=self.avesta,
            unit=self.page.owning_unit,
            found=False,
            comment="Sidan saknar öppettiderna för hemtjänsten.",
        )
        for alvdal_user in (self.silje, self.hilde):
            self.assert_register_scoped(
                "publishing_pagefeedback_modeladmin_index",
                self.linnea,
                alvdal_user,
                feedback,
                alvdal_user == self.silje,
            )

    def test_alvdal_crisis_group_does_not_see_avestas_crisis_banner(self):
        banner = CrisisBanner.objects.create(
            municipality=self.avesta,
            headline="Vattenläcka i centrala Avesta",
            message="Koka vattnet före användning.",
        )
        self.assert_register_scoped(
            "publishing_crisisbanner_modeladmin_index",
            self.eva,
            self.marit,
            banner,
        )

    # --- publishers -------------------------------------------------------------------------

    def test_alvdal_publisher_cannot_create_under_avestas_home(self):
        model = type(self.page)._meta
        parent = self.page.get_parent()  # a parent that allows this page type
        add = reverse("wagtailadmin_pages:add", args=[model.app_label, model.model_name, parent.pk])
        add_subpage = reverse("wagtailadmin_pages:add_subpage", args=[self.avesta_home.pk])
        self.assertEqual(self.status(self.oskar, add_subpage), 200)
        self.assertEqual(self.status(self.oskar, add), 200)
        pages = Page.objects.count()
        for user in (self.lars, self.silje):
            self.assertIn(self.status(user, add_subpage), DENIED)
            self.assertIn(self.status(user, add), DENIED)
            status = self.status(
                user, add, "post", {"title": "Kuppet", "slug": "kuppet", "action-publish": "1"}
            )
            self.assertIn(status, DENIED)
        self.assertEqual(Page.objects.count(), pages)

    def test_alvdal_editor_cannot_publish_an_avesta_page(self):
        page = reload(self.page)
        page.title = "Endret fra Alvdal"
        page.save_revision(user=self.oskar)
        revisions = Revision.page_revisions.filter(object_id=str(page.pk)).count()
        edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
        for user in (self.silje, self.lars):
            status = self.status(
                user, edit, "post", {"title": "Endret fra Alvdal", "action-publish": "1"}
            )
            self.assertIn(status, DENIED)
        self.assertEqual(Revision.page_revisions.filter(object_id=str(page.pk)).count(), revisions)
        self.assertNotEqual(reload(self.page).title, "Endret fra Alvdal")
        # Avesta's editor holds publish permission on the page; Alvdal's editor holds it only
        # on Alvdal's tree.
        self.assertTrue(page.permissions_for_user(self.linnea).can_publish())
        self.assertFalse(page.permissions_for_user(self.silje).can_publish())
        self.assertFalse(page.permissions_for_user(self.silje).can_edit())
