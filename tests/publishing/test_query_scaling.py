"""The admin's governance views make the same queries for a small and a larger municipality.

The demo plus 60 pages from ``bench.scale_data``'s generator (with more pages in a workflow,
overdue or with feedback than its defaults, so that every list has rows), then 90 pages more:
the dashboard of a leader, a publisher and a communications editor, each governance report with
its CSV and XLSX export, the registers, and the publish check (the rule engine as the veto asks
it, the editor with its governance panel, the panel's endpoint and publishing itself) must make
the same number of queries both times. A count that grows with the data is an N+1 query.
``python -m bench.data_scale`` times the same views on 50,000 pages and 500,000 revisions.
"""

import io
import itertools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, TestCase, tag
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import get_resolver, reverse
from wagtail.admin.views.home import RecentEditsPanel
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html

from bench import scale_data
from bench.scale_data import SLUG_PREFIX, AlreadyGenerated, Generator, Mix
from publishing.dashboard.panels import PANELS, Viewer
from publishing.models import Municipality, OrganisationUnit, Role
from publishing.reports import live_findings, live_text
from publishing.rules import check_publish
from tests.factories import CertificateFactory, DeputyFactory, RoleFactory, UnitFactory
from tests.worlds import DemoWorld

#: More of everything a list shows than the generator's defaults, so 60 pages fill the lists.
BUSY = Mix(in_workflow=0.35, held=0.2, review=0.2, overdue=0.4, feedback=0.4, affects_staff=0.5)
SMALL, GROWTH = 60, 90

REPORTS = ("findings", "review_dates", "approvals")


def check_stale_pages():
    live_text.refresh(Municipality.objects.select_related("site__root_page"))


def generate(pages, seed):
    """``pages`` more generated pages with ten revisions each."""
    Generator(pages, pages * 10, seed=seed, batch_size=50, mix=BUSY).run()


@tag("slow")
class QueryScalingTests(DemoWorld, TestCase):
    """The demo and 60 generated pages; ``grow()`` adds 90 more inside a test."""

    maxDiff = None
    seeds = itertools.count(2)

    @classmethod
    def setUpTestData(cls):
        generate(SMALL, seed=1)
        users = get_user_model().objects.in_bulk(
            ["alvdal.anders", "alvdal.lars", "alvdal.silje"], field_name="username"
        )
        cls.leader = users["alvdal.anders"]  # chief executive: leader above every unit
        cls.publisher = users["alvdal.lars"]
        cls.editor = users["alvdal.silje"]  # communications editor
        cls.people = (cls.leader, cls.publisher, cls.editor)
        cls.alvdal = Municipality.objects.get(slug="alvdal")

    def grow(self):
        generate(GROWTH, seed=next(self.seeds))

    def queries(self, action):
        """The number of queries of ``action()`` after a first run that fills what a process
        keeps (content types, the sites, the organisation until it changes: growing it changes
        it)."""
        action()
        with CaptureQueriesContext(connection) as captured:
            action()
        return len(captured)

    def assertSameQueries(self, measure, grow=None):
        """``measure()`` returns ``{name: (queries, rows)}``. After ``grow()`` each name must
        make the same number of queries, and some list must have grown (or the test proves
        nothing)."""
        before = measure()
        (grow or self.grow)()
        after = measure()
        self.assertEqual(
            {name: queries for name, (queries, _rows) in after.items()},
            {name: queries for name, (queries, _rows) in before.items()},
        )
        grown = [name for name in before if after[name][1] > before[name][1]]
        self.assertTrue(grown, f"no list grew: {before} → {after}")

    def login(self, user):
        """Sign ``user`` in, outside what is measured (it costs more when the user changes)."""
        if self.client.session.get("_auth_user_id") != str(user.pk):
            self.client.force_login(user)

    def get(self, user, url, **params):
        self.assertEqual(self.client.session.get("_auth_user_id"), str(user.pk))
        response = self.client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200, url)
        if response.streaming:
            return b"".join(response.streaming_content)
        return response.content

    def test_the_tree_stays_valid(self):
        self.assertEqual(Page.find_problems(), ([], [], [], [], []))
        output = io.StringIO()
        call_command("fixtree", stdout=output)
        self.assertIn("No problems found", output.getvalue())

    def test_a_second_run_of_the_command_is_refused(self):
        with self.assertRaisesMessage(AlreadyGenerated, "does not run twice"):
            scale_data.generate(pages=1, revisions=1)

    def test_generated_pages_open_as_wagtail_pages_and_live_ones_may_be_live(self):
        pages = Page.objects.filter(slug__startswith=SLUG_PREFIX).specific()
        self.assertEqual(len(pages), SMALL)
        self.assertEqual(
            sum(page.revisions.count() for page in pages), SMALL * 10, "ten revisions a page"
        )
        for page in pages:
            draft = page.get_latest_revision_as_object()
            self.assertEqual(draft.title, page.title)
            draft.full_clean()
            if page.live:
                self.assertFalse([f.code for f in check_publish(page) if f.blocks], page.title)

    def test_admin_home(self):
        """The whole dashboard. Wagtail's "Your most recent edits" is measured apart: it reads
        the log, its five pages, one query per page type among them, their workflows and the
        site for their addresses, so its count moves with the mix of page types, never above
        five queries plus one per page shown (asserted), not with the number of pages."""
        limit = getattr(settings, "WAGTAILADMIN_RECENT_EDITS_LIMIT", 5)

        def measure():
            counts = {}
            for user in self.people:
                html = b""

                def home(user=user):
                    nonlocal html
                    html = self.get(user, reverse("wagtailadmin_home"))

                self.login(user)
                with override_settings(WAGTAILADMIN_RECENT_EDITS_LIMIT=0):
                    counts[user.username] = (self.queries(home), len(html))
                request = RequestFactory().get("/admin/")
                request.user = user
                recent = self.queries(
                    lambda request=request: RecentEditsPanel().render_html({"request": request})
                )
                self.assertLessEqual(recent, 5 + limit, user)
            return counts

        self.assertSameQueries(measure)

    def test_each_governance_panel(self):
        def measure():
            counts = {}
            for user in self.people:
                for cls in PANELS:
                    panel = cls(Viewer.load(user))
                    if not panel.applies():
                        continue

                    def render(cls=cls, user=user):
                        cls(Viewer.load(user)).render_html({})

                    counts[f"{user.username} {cls.__name__}"] = (
                        self.queries(render),
                        len(panel.items),
                    )
            return counts

        self.assertSameQueries(measure)

    def test_reports_and_their_exports(self):
        """Every report for the communications editor, with its exports; the leader's view of
        each (leaders see the same municipality, through their own group)."""
        cases = [(self.editor, name, export) for name in REPORTS for export in ("", "csv", "xlsx")]
        cases += [(self.leader, name, "") for name in REPORTS]

        def measure():
            counts = {}
            for user, name, export in cases:
                body = b""

                def fetch(user=user, name=name, export=export):
                    nonlocal body
                    if (user, name, export) == cases[0]:
                        # The first view judges the pages (the others read what it kept).
                        live_findings.changed_now()
                    params = {"export": export} if export else {}
                    body = self.get(user, reverse(f"publishing_reports:{name}"), **params)

                key = f"{user.username} {name} {export or 'html'}"
                self.login(user)
                counts[key] = (self.queries(fetch), len(body))
            return counts

        # Generated pages are written in bulk, past the signal that has the worker check each
        # live page's text when it goes live: check them as the worker would.
        self.assertSameQueries(
            measure,
            grow=lambda: (self.grow(), check_stale_pages()),
        )

    def test_the_workers_text_check_of_live_pages(self):
        """Checking a batch of live pages' text (the worker's task) costs the same queries
        for 60 pages as for 150."""

        def measure():
            ids = list(live_text.live_pages(self.alvdal).values_list("pk", flat=True))
            return {"check": (self.queries(lambda: live_text.check_pages(ids)), len(ids))}

        self.assertSameQueries(measure)

    def grow_registers(self):
        """More pages, and more units, roles, deputies and certificates for the registers."""
        self.grow()
        top = OrganisationUnit.objects.get(municipality=self.alvdal, parent=None)
        for n in range(5):
            unit = UnitFactory(municipality=self.alvdal, parent=top, kind="sector")
            head = RoleFactory(unit=unit, role=Role.SECTOR_HEAD)
            RoleFactory(unit=unit, role=Role.EMPLOYEE)
            DeputyFactory(assignment=head)
            CertificateFactory(user=head.user, municipality=self.alvdal, course=f"Kurs {n}")

    def test_register_listings(self):
        def measure():
            counts = {}
            # Every register the extension registers (their listings' URL names).
            names = [n for n in get_resolver().reverse_dict if str(n).endswith("modeladmin_index")]
            for name in sorted(n for n in names if n.startswith("publishing_")):
                # The crisis banner is the crisis group's; the chief executive is in it.
                user = self.leader if "crisisbanner" in name else self.editor
                html = b""

                def listing(user=user, name=name):
                    nonlocal html
                    html = self.get(user, reverse(name))

                self.login(user)
                counts[name] = (self.queries(listing), len(html))
            return counts

        self.assertSameQueries(measure, grow=self.grow_registers)

    def test_publish_check_the_governance_panel_and_publishing(self):
        """The rule engine as the publish veto asks it, the editor with its governance panel
        and the panel's endpoint on the unsaved form, for one page; publishing from the
        editor, for another (publishing changes the page, so the first is left alone)."""
        checked, published = [
            page.specific
            for page in Page.objects.filter(
                slug__startswith=SLUG_PREFIX,
                live=True,
                path__startswith=self.alvdal.site.root_page.path,
                content_type__model="servicepage",
            ).order_by("pk")[:2]
        ]

        self.login(self.editor)

        def editor_form(page):
            html = self.get(self.editor, reverse("wagtailadmin_pages:edit", args=[page.pk]))
            return querydict_from_html(html.decode(), form_id="page-edit-form")

        edit_url = reverse("wagtailadmin_pages:edit", args=[checked.pk])
        report_url = reverse("publishing:governance_report", args=[checked.pk])
        form = editor_form(checked)
        publish_url = reverse("wagtailadmin_pages:edit", args=[published.pk])
        publish = editor_form(published)
        publish["action-publish"] = "action-publish"
        draft = checked.get_latest_revision_as_object()
        revisions = checked.revisions.count()

        def post(url, data, status):
            response = self.client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
            self.assertEqual(response.status_code, status, url)

        def measure():
            return {
                "check_publish": (self.queries(lambda: check_publish(draft, user=self.editor)), 0),
                "editor": (self.queries(lambda: self.get(self.editor, edit_url)), 0),
                "panel endpoint": (self.queries(lambda: post(report_url, form, 200)), 0),
                "publish": (self.queries(lambda: post(publish_url, publish, 302)), 0),
                "pages": (0, Page.objects.count()),
            }

        self.assertSameQueries(measure)
        self.assertTrue(type(published).objects.get(pk=published.pk).live)
        self.assertEqual(checked.revisions.count(), revisions)
