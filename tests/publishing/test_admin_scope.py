"""One admin scope: what an Alvdal user lists or searches in the admin holds nothing of Avesta's,
and the reverse.

Both demo municipalities are loaded (``load_demo``); each gets a staff-only intranet notice and a
draft public page with a probe word in the title, a document and an image in its own collection,
and log entries for them. Every listing and search of the admin (choosers, indexes, the admin
API, reports, site history, and every item of the admin menu) is asked, as a communications
editor, a publisher and a leader of each municipality, with the other municipality's titles as
the query; the other's titles must not appear and the user's own must.
"""

import json

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import RequestFactory, TestCase, tag
from django.urls import reverse
from wagtail.actions.delete_page import DeletePageAction
from wagtail.admin.menu import admin_menu
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.log_actions import log
from wagtail.models import Collection, Page
from wagtail.users.models import UserProfile

from home.models import InternalNoticePage, NewsPage
from publishing.access import admin_scope
from publishing.models import Municipality, OrganisationUnit
from tests.governance import EnglishAdminMixin
from tests.live_admin import editor_fields, post_data
from tests.worlds import DemoWorld

User = get_user_model()
PROBE = "Omfangsprobe"
#: Wagtail refuses a page it will not show with a redirect to the dashboard (and a "no
#: permission" message) or with 403/404; each is a refusal as long as nothing of the page shows.
DENIED = (302, 403, 404)

#: Usernames of the demo people, by municipality and kind of user.
PEOPLE = {
    "alvdal": {"editor": "alvdal.silje", "publisher": "alvdal.lars", "leader": "alvdal.hilde"},
    "avesta": {"editor": "avesta.linnea", "publisher": "avesta.oskar", "leader": "avesta.maria"},
}


def other(slug):
    return "avesta" if slug == "alvdal" else "alvdal"


class AdminScopeTests(DemoWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.m = {slug: Municipality.objects.get(slug=slug) for slug in PEOPLE}
        cls.users = {
            slug: {kind: User.objects.get(username=name) for kind, name in people.items()}
            for slug, people in PEOPLE.items()
        }
        cls.probes = {}
        for slug, municipality in cls.m.items():
            author = cls.users[slug]["editor"]
            leader = cls.users[slug]["leader"]
            unit = leader.role_assignments.select_related("unit").first().unit
            intranet = municipality.intranet_page.specific
            notice = intranet.add_child(
                instance=InternalNoticePage(
                    title=f"{PROBE} {slug} intranettnotis",
                    slug=f"probe-{slug}-notice",
                    intro="Bare for ansatte.",
                    owning_unit=unit,
                    responsible_leader=leader,
                    live=False,
                )
            )
            notice.save_revision(user=leader)
            log(notice, "wagtail.edit", user=leader)
            home = municipality.site.root_page
            draft = home.add_child(
                instance=Page(title=f"{PROBE} {slug} utkast", slug=f"probe-{slug}", live=False)
            )
            draft.save_revision(user=author)
            log(draft, "wagtail.edit", user=author)
            own = Collection.objects.get(name=municipality.name)
            document = get_document_model().objects.create(
                title=f"{PROBE} {slug} dokument",
                collection=own,
                file=ContentFile(b"x", f"probe-{slug}.txt"),
            )
            log(document, "wagtail.create", user=author)
            image = get_image_model().objects.create(
                title=f"{PROBE} {slug} bilde",
                collection=own,
                file=get_test_image_file(filename=f"probe-{slug}.png"),
            )
            log(image, "wagtail.create", user=author)
            log(unit, "wagtail.edit", user=author)
            cls.probes[slug] = {
                "notice": notice,
                "draft": draft,
                "document": document,
                "image": image,
                "unit": unit,
            }

    # --- what counts as whose -----------------------------------------------------------------

    def titles_of(self, slug):
        """Titles that are ``slug``'s alone: its probes and every page of its tree, its home (the
        municipality's name) included."""
        municipality = self.m[slug]
        home = municipality.site.root_page
        pages = Page.objects.descendant_of(home, inclusive=True).values_list("title", flat=True)
        theirs = set(pages) | {str(p) for key, p in self.probes[slug].items() if key != "unit"}
        mine = set(
            Page.objects.descendant_of(self.m[other(slug)].site.root_page).values_list(
                "title", flat=True
            )
        )
        # Titles both municipalities use ("Nyheter", "Kontakt") say nothing of either.
        return {t for t in theirs - mine if len(t) >= 8}

    def probe_titles(self, slug):
        return {str(p) for key, p in self.probes[slug].items() if key != "unit"}

    def assert_none_of(self, slug, content, url):
        for title in self.titles_of(slug):
            for form in {title, _escaped(title), _json_escaped(title)}:
                self.assertNotIn(form, content, f"{url} shows {slug}'s “{title}”")

    def get(self, user, url, data=None):
        self.login(user)
        response = self.client.get(url, data or {})
        content = response.content.decode()
        if response.status_code == 200 and response.get("Content-Type", "").startswith(
            "application/json"
        ):
            content = json.dumps(response.json(), ensure_ascii=False)
        return response, content

    # --- the fixed list -------------------------------------------------------------------------

    def listing_urls(self, slug):
        """(url, query, titles the user must see there) for every listing and search."""
        own = self.probes[slug]
        q = {"q": PROBE}
        return [
            (reverse("wagtailadmin_choose_page"), {}, set()),
            (
                reverse("wagtailadmin_choose_page_child", args=[self.m[slug].site.root_page_id]),
                {},
                {str(own["draft"])},
            ),
            (
                reverse("wagtailadmin_choose_page_child", args=[self.m[slug].intranet_page_id]),
                {},
                {str(own["notice"])},
            ),
            (
                reverse("wagtailadmin_choose_page_search"),
                q,
                {str(own["draft"]), str(own["notice"])},
            ),
            (reverse("wagtailadmin_choose_page_external_link"), {}, set()),
            (reverse("wagtailadmin_choose_page_email_link"), {}, set()),
            (reverse("wagtailadmin_pages:search"), q, set()),
            (reverse("wagtailadmin_explore_root"), {}, set()),
            (reverse("wagtaildocs_chooser:choose"), {}, {str(own["document"])}),
            (reverse("wagtaildocs_chooser:choose_results"), q, {str(own["document"])}),
            (reverse("wagtailimages_chooser:choose"), {}, {str(own["image"])}),
            (reverse("wagtailimages_chooser:choose_results"), q, {str(own["image"])}),
            (reverse("wagtaildocs:index"), q, set()),
            (reverse("wagtailimages:index"), q, set()),
            (reverse("wagtailsnippets:index"), {}, set()),
            (reverse("wagtailadmin_api:pages:listing"), {"search": PROBE}, set()),
            (reverse("wagtailadmin_api:pages:listing"), {"limit": 20, "offset": 0}, set()),
            (reverse("wagtailadmin_api:documents:listing"), {"search": PROBE}, set()),
            (reverse("wagtailadmin_api:images:listing"), {"search": PROBE}, set()),
            (reverse("wagtailadmin_reports:site_history"), {}, set()),
            (reverse("wagtailadmin_reports:site_history_results"), {"label": PROBE}, set()),
            (reverse("wagtailadmin_reports:locked_pages"), {}, set()),
            (reverse("wagtailadmin_reports:aging_pages"), {}, set()),
            (reverse("wagtailadmin_reports:page_types_usage"), {}, set()),
            (reverse("wagtailadmin_reports:workflow"), {}, set()),
            (reverse("wagtailadmin_reports:workflow_tasks"), {}, set()),
        ]

    @tag("slow")
    def test_every_listing_shows_own_and_none_of_the_others(self):
        for slug, people in self.users.items():
            for kind, user in people.items():
                for url, data, expected in self.listing_urls(slug):
                    with self.subTest(slug=slug, kind=kind, url=url, data=data):
                        response, content = self.get(user, url, data)
                        self.assertIn(response.status_code, (200, 302, 403), url)
                        self.assert_none_of(other(slug), content, url)
                        if response.status_code == 200 and kind == "editor":
                            for title in expected:
                                self.assertIn(_escaped(title), content, url)

    def test_own_editor_finds_own_probes_through_the_admin_api_and_site_history(self):
        for slug, people in self.users.items():
            editor = people["editor"]
            response, content = self.get(
                editor, reverse("wagtailadmin_api:pages:listing"), {"search": PROBE}
            )
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                {item["title"] for item in response.json()["items"]},
                {str(self.probes[slug]["draft"]), str(self.probes[slug]["notice"])},
            )
            response, content = self.get(
                editor, reverse("wagtailadmin_reports:site_history_results")
            )
            self.assertEqual(response.status_code, 200)
            for key in ("draft", "notice"):
                self.assertIn(_escaped(str(self.probes[slug][key])), content, slug)

    def test_a_deleted_pages_history_stays_with_its_municipality(self):
        for slug in self.users:
            draft = self.probes[slug]["draft"]
            title = str(draft)
            DeletePageAction(
                Page.objects.get(pk=draft.pk), user=self.users[slug]["editor"]
            ).execute()
            url = reverse("wagtailadmin_reports:site_history_results")
            for kind, user in self.users[other(slug)].items():
                _response, theirs = self.get(user, url)
                self.assertNotIn(_escaped(title), theirs, (slug, kind))

    def test_the_workflow_reports_filters_name_only_own_workflows_and_tasks(self):
        for slug, people in self.users.items():
            theirs = f"{self.m[other(slug)].name.split()[0]}:"  # "Avesta: Redaktionell granskning"
            for url_name in ("workflow", "workflow_tasks"):
                _response, content = self.get(
                    people["editor"], reverse(f"wagtailadmin_reports:{url_name}")
                )
                self.assertNotIn(theirs, content, (slug, url_name))
                self.assertIn(f"{self.m[slug].name.split()[0]}:", content, (slug, url_name))

    def test_page_types_usage_counts_only_own_pages(self):
        for slug, people in self.users.items():
            self.client.force_login(people["editor"])
            response = self.client.get(reverse("wagtailadmin_reports:page_types_usage"))
            counts = {item.model: item.count for item in response.context["object_list"]}
            own = NewsPage.objects.descendant_of(self.m[slug].site.root_page).count()
            self.assertGreater(own, 0)
            self.assertEqual(counts.get("newspage"), own, slug)

    def test_browsing_into_the_others_tree_in_the_chooser_is_not_found(self):
        for slug, people in self.users.items():
            theirs = self.m[other(slug)]
            for kind, user in people.items():
                for page_id in (theirs.site.root_page_id, theirs.intranet_page_id):
                    url = reverse("wagtailadmin_choose_page_child", args=[page_id])
                    response, content = self.get(user, url)
                    self.assertEqual(response.status_code, 404, (slug, kind, url))
                    self.assertNotIn(Page.objects.get(pk=page_id).title, content)
                # The chooser's root lists the user's own home and not the other's.
                response, content = self.get(user, reverse("wagtailadmin_choose_page"))
                self.assertNotIn(f">{theirs.site.root_page.title}<", content)

    def test_page_history_of_the_others_page_is_refused(self):
        for slug, people in self.users.items():
            for kind, user in people.items():
                for key in ("draft", "notice"):
                    page = self.probes[other(slug)][key]
                    url = reverse("wagtailadmin_pages:history", args=[page.pk])
                    self.login(user)
                    response = self.client.get(url, follow=True)
                    self.assertIn(
                        response.redirect_chain[0][1]
                        if response.redirect_chain
                        else response.status_code,
                        DENIED,
                        (slug, kind, key),
                    )
                    self.assertNotEqual(response.request["PATH_INFO"], url)
                    self.assertNotIn(page.title, response.content.decode())
            own = self.probes[slug]["draft"]
            response, _content = self.get(
                people["editor"], reverse("wagtailadmin_pages:history", args=[own.pk])
            )
            self.assertEqual(response.status_code, 200)

    def test_bulk_actions_name_and_act_on_none_of_the_others_pages(self):
        for slug, people in self.users.items():
            theirs = [self.probes[other(slug)][key] for key in ("draft", "notice")]
            own = self.probes[slug]["draft"]
            for action in ("delete", "unpublish", "publish", "move"):
                url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
                for kind, user in people.items():
                    self.login(user)
                    ids = "&".join(f"id={page.pk}" for page in [*theirs, own])
                    for query in (ids, "id=all", f"id=all&q={PROBE}"):
                        with self.subTest(slug=slug, kind=kind, action=action, query=query):
                            response = self.client.get(f"{url}?{query}&next=/admin/")
                            content = response.content.decode()
                            for page in theirs:
                                self.assertNotIn(page.title, content)
            # Their ids sent with the action change nothing of theirs.
            self.login(people["editor"])
            url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
            self.client.post(f"{url}?id={theirs[0].pk}&next=/admin/", {})
            self.assertTrue(Page.objects.filter(pk=theirs[0].pk).exists())

    def test_a_page_id_of_the_others_typed_into_the_editor_is_refused_unseen(self):
        for slug, people in self.users.items():
            editor = people["editor"]
            own = NewsPage.objects.descendant_of(self.m[slug].site.root_page).live().first()
            theirs = self.probes[other(slug)]["notice"]
            self.login(editor)
            url = reverse("wagtailadmin_pages:edit", args=[own.pk])
            fields = dict(post_data(editor_fields(self.client.get(url).content.decode(), own)))
            for name in ("internal_notice", "withdrawal_see_instead"):
                with self.subTest(slug=slug, field=name):
                    response = self.client.post(url, {**fields, name: str(theirs.pk)})
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(name, response.context["form"].errors)
                    self.assertNotIn(theirs.title, response.content.decode())

    def test_the_choosers_top_row_is_all_sites_in_the_readers_language(self):
        for slug, says in (("alvdal", "Alle nettsteder"), ("avesta", "Alla webbplatser")):
            editor = self.users[slug]["editor"]
            self.login(editor)  # in English
            profile = UserProfile.get_for_user(editor)
            profile.preferred_language = self.m[slug].language
            profile.save()
            response = self.client.get(
                reverse("wagtailadmin_choose_page"), HTTP_ACCEPT_LANGUAGE=self.m[slug].language
            )
            html = response.json()["html"]
            self.assertIn(says, html)
            self.assertNotIn(">Root<", html.replace(" ", "").replace("\n", ""))

    def test_bulk_ids_that_are_no_page_ids_are_not_found(self):
        self.login(self.users["alvdal"]["editor"])
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
        for query in ("id=abc", "id=1.5", "id=", "id=all&childOf=99999", "id=all&childOf=abc"):
            with self.subTest(query=query):
                response = self.client.get(f"{url}?{query}&next=/admin/")
                self.assertEqual(response.status_code, 404)
        for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            url = reverse("wagtail_bulk_action", args=[app, model, "delete"])
            with self.subTest(model=model):
                response = self.client.get(f"{url}?id=abc&next=/admin/")
                self.assertEqual(response.status_code, 404)

    def test_superuser_sees_both(self):
        root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
            "scope.root", "root@example.org", "pw"
        )
        response, content = self.get(root, reverse("wagtailadmin_choose_page_search"), {"q": PROBE})
        for slug in PEOPLE:
            for key in ("draft", "notice"):
                self.assertIn(_escaped(str(self.probes[slug][key])), content)

    # --- the admin menu, walked ------------------------------------------------------------------

    def menu_urls(self, user):
        request = RequestFactory().get("/admin/")
        request.user = user
        urls = []

        def walk(items):
            for item in items:
                menu = getattr(item, "menu", None)
                if menu is not None:
                    walk(menu.menu_items_for_request(request))
                url = getattr(item, "url", "")
                if url and url.startswith("/admin/") and "logout" not in url:
                    urls.append(url)

        walk(admin_menu.menu_items_for_request(request))
        return sorted(set(urls))

    @tag("slow")
    def test_every_admin_menu_listing_holds_none_of_the_others(self):
        seen = set()
        for slug, people in self.users.items():
            for kind, user in people.items():
                urls = self.menu_urls(user)
                self.assertTrue(urls, (slug, kind))
                for url in urls:
                    seen.add(url)
                    for data in ({}, {"q": PROBE}):
                        with self.subTest(slug=slug, kind=kind, url=url, data=data):
                            response, content = self.get(user, url, data)
                            self.assertLess(response.status_code, 500, url)
                            self.assert_none_of(other(slug), content, url)
        # The walk reached the listings this scope is about.
        for name in ("wagtailadmin_reports:site_history", "wagtaildocs:index"):
            self.assertIn(reverse(name), seen, name)


class ScopeFunctionTests(DemoWorld, TestCase):
    """The scope itself, without views."""

    @classmethod
    def setUpTestData(cls):
        cls.alvdal = Municipality.objects.get(slug="alvdal")
        cls.avesta = Municipality.objects.get(slug="avesta")
        cls.silje = User.objects.get(username="alvdal.silje")

    def test_pages(self):
        pages = admin_scope.scoped_pages(Page.objects.all(), self.silje)
        ids = set(pages.values_list("pk", flat=True))
        self.assertIn(self.alvdal.intranet_page_id, ids)
        self.assertIn(self.alvdal.site.root_page_id, ids)
        self.assertIn(Page.get_first_root_node().pk, ids)
        self.assertFalse(
            ids
            & set(
                Page.objects.descendant_of(self.avesta.site.root_page, inclusive=True).values_list(
                    "pk", flat=True
                )
            )
        )

    def test_collections_and_register_objects(self):
        collections = admin_scope.scoped_objects(Collection.objects.all(), self.silje)
        names = set(collections.values_list("name", flat=True))
        self.assertIn(self.alvdal.name, names)
        self.assertNotIn(self.avesta.name, names)
        units = admin_scope.scoped_objects(OrganisationUnit.objects.all(), self.silje)
        self.assertEqual({u.municipality_id for u in units}, {self.alvdal.pk})
        self.assertEqual(admin_scope.municipality_lookup(OrganisationUnit), "municipality")

    def test_remembered_per_request(self):
        user = User.objects.get(username="alvdal.silje")
        admin_scope.page_scope_q(user)
        admin_scope.collection_scope_q(user)
        with self.assertNumQueries(0):
            admin_scope.page_scope_q(user)
            admin_scope.collection_scope_q(user)


def _escaped(text):
    from django.utils.html import escape

    return escape(text)


def _json_escaped(text):
    return json.dumps(text, ensure_ascii=False)[1:-1]
