"""The governance side panel in the page editor and its live endpoint on the unsaved form.

A publisher sees, while writing, what would stop the page and who will approve it; the endpoint
answers for the form as it is in the browser, saves nothing, and answers only users who may edit
the page (or add it below its parent).
"""

import re

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.db import connection
from django.test import TestCase, tag
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from home.models import NewsPage
from tests.e2e import ChromiumMixin, keep_screenshot
from tests.e2e.story import translated
from tests.factories import CertificateFactory, UserFactory, load_municipality
from tests.governance import EnglishAdminMixin, build_governed, publish_notice, reload
from tests.live_admin import panel_report
from tests.worlds import GovernedWorld

#: A fødselsnummer with valid check digits (python-stdnum agrees).
FODSELSNUMMER = "15108695088"
MASKED = "151086*****"
GOVERNANCE_PANEL = 'data-side-panel="governance"'
#: Enough queries for a news page with its governance (one of them names the responsible
#: leader's role and unit, two more decide whether its notice counts: the pages the notice is
#: about and when the page was submitted); a guard against per-item query loops.
MAX_REPORT_QUERIES = 48


def page_form_data(page, **overrides):
    """The editor's form as the browser posts it, for ``page`` with ``overrides``."""
    data = {
        "title": page.title,
        "slug": page.slug,
        "date": "2026-11-22",
        "intro": page.intro,
        "body": streamfield([]),
        "comments": inline_formset([]),
        "owning_unit": page.owning_unit_id or "",
        "responsible_leader": page.responsible_leader_id or "",
        "audiences": [a.pk for a in page.audiences.all()] if page.pk else [],
        "sensitivity": page.sensitivity,
        "exemption_basis": "",
        "affects_staff": "on" if page.affects_staff else "",
        "internal_notice": page.internal_notice_id or "",
        "review_by": "2027-11-22",
    }
    data.update(overrides)
    audiences = data.pop("audiences")
    # nested_form_data would spread a list over numbered keys; a multiple choice is one key.
    return {**nested_form_data({k: v for k, v in data.items() if v != ""}), "audiences": audiences}


class SidePanelTestCase(GovernedWorld, EnglishAdminMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.g = cls.world_objects()

    def report_url(self, page):
        return reverse("publishing:governance_report", args=[page.pk])

    def new_report_url(self):
        return reverse(
            "publishing:governance_report_new", args=["home", "newspage", self.g.news_index.pk]
        )


class PanelInEditorTests(SidePanelTestCase):
    def test_the_editor_opens_without_waiting_for_the_report(self):
        self.login(self.g.publisher)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.g.page.pk]))
        self.assertContains(response, GOVERNANCE_PANEL)
        self.assertContains(response, 'data-side-panel-toggle="governance"')
        self.assertContains(response, self.report_url(self.g.page))
        self.assertContains(response, "publishing/js/governance-panel.js")
        panel = self.panel_html(response)
        self.assertIn("data-governance-loading", panel)
        self.assertNotIn("data-governance-fragment", panel)

    def test_edit_view_shows_the_panel_with_notice_sensitivity_and_approvers(self):
        self.login(self.g.publisher)
        panel = self.loaded(self.g.page)
        # The page affects staff and its notice is not live: that blocks publishing.
        self.assertIn("Staff and internal notice", panel)
        self.assertIn("<dt>Internal notice</dt><dd>“Nye turnuser i hjemmetjenesten”</dd>", panel)
        self.assertIn("<dt>Counts for this page</dt><dd>No</dd>", panel)
        self.assertIn("<dt>Went live</dt><dd>Not live</dd>", panel)
        self.assertIn("Blocks publishing", panel)
        self.assertIn("Publish the internal notice on the intranet first", panel)
        # Sensitivity and who approves: the leader, the active deputy, the leaders above.
        self.assertIn("<dt>Sensitivity</dt>", panel)
        self.assertIn(f"{self.g.leader.get_full_name()} (responsible leader)", panel)
        self.assertIn(f"{self.g.deputy.get_full_name()} (deputy)", panel)
        self.assertIn(f"{self.g.sector_head.get_full_name()} (leader above", panel)

    def test_edit_view_flags_a_saved_draft_with_a_national_id(self):
        page = self.g.page
        page.intro = f"Søkeren har fødselsnummer {FODSELSNUMMER}."
        page.save_revision(user=self.g.publisher)
        self.login(self.g.publisher)
        panel = self.loaded(page)
        self.assertIn("A national identity number in introduction", panel)
        self.assertIn("Remove it: identity numbers are never published.", panel)
        self.assertIn('data-governance-field="intro"', panel)
        self.assertNotIn(FODSELSNUMMER, panel)

    def test_notice_live_shows_live_status_and_no_notice_block(self):
        publish_notice(self.g)
        self.login(self.g.publisher)
        panel = self.loaded(self.g.page)
        self.assertIn("<dt>Counts for this page</dt><dd>Yes</dd>", panel)
        self.assertIn("<dt>Went live</dt><dd>", panel)
        self.assertIn("on the intranet of Alvdal kommune", panel)
        self.assertNotIn('data-finding-code="notice.not_live"', panel)

    def test_create_view_shows_the_panel_with_what_publishing_needs(self):
        self.login(self.g.publisher)
        response = self.client.get(
            reverse("wagtailadmin_pages:add", args=["home", "newspage", self.g.news_index.pk])
        )
        self.assertContains(response, GOVERNANCE_PANEL)
        self.assertContains(response, self.new_report_url())
        draft = NewsPage(title="Ny side", slug="ny-side", sensitivity="open")
        panel = self.client.post(self.new_report_url(), page_form_data(draft)).content.decode()
        self.assertIn('data-finding-code="responsibility.no_unit"', panel)
        self.assertIn("The page has no responsible leader.", panel)
        self.assertIn('data-governance-field="responsible_leader"', panel)

    def test_panel_markup_is_accessible(self):
        self.login(self.g.publisher)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.g.page.pk]))
        self.assertIn('aria-live="polite"', self.panel_html(response))
        panel = self.loaded(self.g.page)
        self.assertIn("<h3", panel)
        self.assertIn('<ul class="publishing-governance-report__findings">', panel)
        # Severity is written out, not only coloured.
        self.assertIn("Blocks publishing", panel)

    def test_after_a_new_page_is_autosaved_the_panel_follows_the_saved_page(self):
        # Wagtail swaps the create view's side panels for the edit view's once autosave has
        # created the page; the panel then asks the endpoint of the saved page.
        self.login(self.g.publisher)
        url = reverse("wagtailadmin_pages:edit", args=[self.g.page.pk])
        response = self.client.get(url, {"_w_hydrate_create_view": "1"})
        self.assertContains(
            response, "data-w-teleport-target-value=\"[data-side-panel='governance']\""
        )
        self.assertContains(response, self.report_url(self.g.page))

    def test_autosave_answers_without_the_panel(self):
        self.login(self.g.publisher)
        url = reverse("wagtailadmin_pages:edit", args=[self.g.page.pk])
        data = page_form_data(self.g.page, intro="Endret tekst.")
        response = self.client.post(url, data, HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("data-governance-panel", response.content.decode())

    def loaded(self, page):
        """The report the panel loads once the editor of ``page`` is shown."""
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        page = reload(page).get_latest_revision_as_object()
        return panel_report(self.client, response.content.decode(), page)

    def panel_html(self, response):
        html = response.content.decode()
        start = html.index("data-governance-panel")
        return html[start : html.index("</div>", html.index("data-governance-report", start))]


class ReportEndpointTests(SidePanelTestCase):
    def test_an_incomplete_post_is_refused_with_a_reason_not_an_error(self):
        page = self.g.page
        self.login(self.g.publisher)
        data = page_form_data(page)
        for broken in ({"body-count": None}, {"body-count": "abc"}):
            with self.subTest(broken=broken):
                posted = {
                    key: value for key, value in data.items() if broken.get(key, 0) is not None
                }
                posted.update({k: v for k, v in broken.items() if v is not None})
                response = self.client.post(self.report_url(page), posted)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "could not be checked", status_code=400)

    def test_unsaved_national_id_is_flagged_and_nothing_is_saved(self):
        page = self.g.page
        revisions = Revision.page_revisions.filter(object_id=str(page.pk)).count()
        latest = page.latest_revision_id
        self.login(self.g.publisher)
        data = page_form_data(
            page,
            body=streamfield(
                [("paragraph", rich_text(f"<p>Ring oss. Fødselsnummer {FODSELSNUMMER}.</p>"))]
            ),
        )
        response = self.client.post(self.report_url(page), data)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('data-finding-code="personal_data.national_id"', html)
        self.assertIn("A national identity number in body", html)
        self.assertIn(MASKED, html)
        self.assertNotIn(FODSELSNUMMER, html)
        self.assertIn("Blocks publishing", html)
        self.assertIn('data-governance-field="body"', html)
        page = reload(page)
        self.assertEqual(Revision.page_revisions.filter(object_id=str(page.pk)).count(), revisions)
        self.assertEqual(page.latest_revision_id, latest)
        self.assertNotIn(FODSELSNUMMER, str(page.get_latest_revision().content))

    def test_report_follows_the_unsaved_governance_fields(self):
        self.login(self.g.publisher)
        data = page_form_data(self.g.page, affects_staff="", internal_notice="")
        html = self.client.post(self.report_url(self.g.page), data).content.decode()
        self.assertIn("The page does not affect staff; no internal notice is needed.", html)
        self.assertNotIn('data-finding-code="notice.', html)
        data = page_form_data(self.g.page, responsible_leader="", owning_unit="", audiences=[])
        html = self.client.post(self.report_url(self.g.page), data).content.decode()
        self.assertIn('data-finding-code="responsibility.no_leader"', html)
        self.assertIn('data-finding-code="responsibility.no_audience"', html)

    def test_plain_language_against_the_audience_target(self):
        self.login(self.g.publisher)
        long_sentence = "Kommunen " + " ".join(["vurderer"] * 24 + ["saken"] * 8) + "."
        data = page_form_data(
            self.g.page,
            intro="Søknaden ble behandlet av kommunen. " + long_sentence,
        )
        html = self.client.post(self.report_url(self.g.page), data).content.decode()
        self.assertIn("Readability (LIX)", html)
        self.assertIn(f"target {self.g.citizens.lix_target} or lower", html)
        self.assertIn("Introduction: a sentence of 33 words", html)
        self.assertIn("passive “ble behandlet”", html)

    def test_publish_button_in_the_posted_data_publishes_nothing(self):
        publish_notice(self.g)
        self.login(self.g.editor)
        data = page_form_data(self.g.page, **{"action-publish": "action-publish"})
        response = self.client.post(self.report_url(self.g.page), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(reload(self.g.page).live)

    def test_new_page_is_checked_without_creating_it(self):
        self.login(self.g.publisher)
        count = NewsPage.objects.count()
        draft = NewsPage(title="Ny side", slug="ny-side", sensitivity="open")
        data = page_form_data(draft, intro=f"Fødselsnummer {FODSELSNUMMER} i teksten.")
        response = self.client.post(self.new_report_url(), data)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('data-finding-code="personal_data.national_id"', html)
        self.assertIn('data-finding-code="responsibility.no_unit"', html)
        self.assertEqual(NewsPage.objects.count(), count)

    def test_only_post(self):
        self.login(self.g.publisher)
        self.assertEqual(self.client.get(self.report_url(self.g.page)).status_code, 405)

    def test_query_count_stays_bounded(self):
        self.login(self.g.publisher)
        data = page_form_data(self.g.page)
        self.client.post(self.report_url(self.g.page), data)  # warm caches (content types)
        with CaptureQueriesContext(connection) as queries:
            self.client.post(self.report_url(self.g.page), data)
        self.assertLessEqual(len(queries), MAX_REPORT_QUERIES)


class ReportPermissionTests(SidePanelTestCase):
    def test_anonymous_is_sent_to_login(self):
        response = self.client.post(self.report_url(self.g.page), {})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_user_who_may_not_edit_the_page_is_refused(self):
        # Leaders work on the intranet; they do not edit the public news.
        self.login(self.g.leader)
        response = self.client.post(self.report_url(self.g.page), page_form_data(self.g.page))
        self.assertEqual(response.status_code, 403)
        # The panel's script asks as XMLHttpRequest; the answer is the same.
        response = self.client.post(
            self.report_url(self.g.page),
            page_form_data(self.g.page),
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        self.assertEqual(response.status_code, 403)
        response = self.client.post(self.new_report_url(), page_form_data(self.g.page))
        self.assertEqual(response.status_code, 403)

    def test_publisher_of_the_other_municipality_is_refused(self):
        avesta = load_municipality("avesta")
        outsider = UserFactory(username="avesta-publisher")
        outsider.groups.add(avesta.group("publishers"), avesta.group("staff"))
        CertificateFactory(user=outsider, municipality=avesta)
        self.login(outsider)
        response = self.client.post(self.report_url(self.g.page), page_form_data(self.g.page))
        self.assertEqual(response.status_code, 403)
        response = self.client.post(self.new_report_url(), page_form_data(self.g.page))
        self.assertEqual(response.status_code, 403)

    def test_a_page_that_is_not_governed_is_not_found(self):
        self.login(self.g.superuser)
        response = self.client.post(self.report_url(self.g.news_index), {})
        self.assertEqual(response.status_code, 404)


@tag("browser")
class PanelInChromiumTests(ChromiumMixin, StaticLiveServerTestCase):
    """The panel refreshes itself from the unsaved form as the publisher types."""

    def test_typed_national_id_is_flagged_before_saving(self):
        # In bokmål, as the README shows it and as Norwegian publishers work.
        def tr(message):
            return translated("nb", message)

        g = build_governed()
        page, base = self.signed_in(g.publisher, language="nb")
        edit_url = f"{base}/admin/pages/{g.page.pk}/edit/"
        page.goto(edit_url)
        page.locator('[data-side-panel-toggle="governance"]').click()
        panel = page.locator('[data-side-panel="governance"]')
        panel.get_by_text(tr("Who will approve")).wait_for()
        self.assertEqual(panel.locator('[data-finding-code^="personal_data"]').count(), 0)
        with page.expect_response(lambda r: "governance-report" in r.url) as answer:
            page.locator("#id_intro").fill(
                f"Fra 1. januar har hjemmetjenesten åpent til klokka 22. Søkeren har "
                f"fødselsnummer {FODSELSNUMMER}."
            )
        self.assertEqual(answer.value.status, 200)
        finding = panel.locator('[data-finding-code="personal_data.national_id"]')
        finding.wait_for()
        self.assertIn(tr("Blocks publishing"), finding.inner_text())
        self.assertIn(tr("A national identity number"), finding.inner_text())
        self.assertNotIn(FODSELSNUMMER, panel.inner_text())
        self.assertEqual(page.url, edit_url, "the form was not submitted")
        counter = page.locator(
            '[data-side-panel-toggle="governance"] [data-side-panel-toggle-counter]'
        )
        self.assertEqual(counter.inner_text().strip(), "2")
        # "Go to" opens the field the finding is in.
        go_to = tr("Go to %(field)s").split("%")[0]
        finding.get_by_role("button", name=re.compile("^" + re.escape(go_to))).click()
        self.assertEqual(page.evaluate("document.activeElement.id"), "id_intro")
        keep_screenshot(page, "governance-panel", "editor-governance-panel.png")

    def test_the_report_comes_by_itself_and_again_after_a_failure(self):
        """The editor opens before its report; a report that could not be had is asked for
        again, and the error never sits beside "Checking the page …"."""
        g = build_governed()
        page, base = self.signed_in(g.publisher, language="nb")
        failures = []

        def fail_once(route):
            if not failures:
                failures.append(route.request.url)
                route.fulfill(status=500, body="")
            else:
                route.continue_()

        page.route("**/governance-report/**", fail_once)
        page.goto(f"{base}/admin/pages/{g.page.pk}/edit/")
        page.locator('[data-side-panel-toggle="governance"]').click()
        panel = page.locator('[data-side-panel="governance"]')
        panel.locator("[data-governance-error]").wait_for(state="visible")
        self.assertFalse(panel.locator("[data-governance-loading]").is_visible())
        # Asked for again without any typing: the report replaces the error.
        panel.locator("[data-governance-fragment]").wait_for(timeout=15_000)
        self.assertFalse(panel.locator("[data-governance-error]").is_visible())
        self.assertEqual(len(failures), 1)
        counter = page.locator(
            '[data-side-panel-toggle="governance"] [data-side-panel-toggle-counter]'
        )
        blocking = panel.locator("[data-governance-fragment]").get_attribute("data-blocking")
        self.assertEqual(counter.inner_text().strip(), blocking)
