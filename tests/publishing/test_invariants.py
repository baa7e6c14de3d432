"""Stateful property test: people of both municipalities do things in random order through
Wagtail's own actions, and after every step what the rules promise still holds.

Steps: create, edit, publish (as anyone, refused or not), schedule, unpublish, revert, move, copy
(as draft or live), alias and delete pages, and publish, unpublish and expire notices. After each
step:

- every page that went live in the step (new, republished, moved, or an alias updated with its
  source) affects staff only with a notice that counts for it at that moment: live, not expired,
  on its own municipality's intranet and about this page;
- no internal or exempt page is live outside an intranet, and every intranet is restricted to
  its own staff;
- no live page stands on one municipality's site with an owning unit of the other;
- the admin lists none of one municipality's pages to the other's editor, publisher or leader.

CI runs a bounded number of examples; ``make fuzz`` runs many more (``FUZZ_EXAMPLES``). The test
prints how many examples and steps ran.
"""

import datetime
import io
import os
import sys

from django.db import transaction
from django.test import TestCase, tag
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from wagtail.actions.copy_page import CopyPageAction
from wagtail.actions.create_alias import CreatePageAliasAction
from wagtail.actions.delete_page import DeletePageAction
from wagtail.actions.move_page import MovePageAction
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.models import Page, PageViewRestriction

from home.models import InternalNoticePage, NewsPage
from publishing.access.admin_scope import scoped_pages
from publishing.models import GovernedPage, Municipality
from tests.governance import build_governed, link_both_ways, reload

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
STEPS = int(os.environ.get("FUZZ_STEPS", "25"))
HOMES = ("alvdal", "avesta")
#: Wagtail's and our refusals: a refused step is a normal outcome, not a failure.
REFUSED = (Exception,)


def _snapshot():
    """(path, live revision) of every live page, to see what went live in a step."""
    return {
        pk: (path, revision)
        for pk, path, revision in Page.objects.live().values_list("pk", "path", "live_revision_id")
    }


def _municipality_at(page, municipalities):
    for municipality in municipalities:
        if page.path.startswith(municipality.site.root_page.path):
            return municipality
    return None


def _notice_counts(page, municipality, now):
    """Whether ``page`` has a notice that counts for it now, judged here without the rules."""
    notice_id = page.internal_notice_id
    if notice_id is None:
        return False
    notice = InternalNoticePage.objects.filter(pk=notice_id).first()
    if notice is None or not notice.live:
        return False
    if notice.expire_at is not None and notice.expire_at <= now:
        return False
    if not notice.path.startswith(municipality.intranet_page.path):
        return False
    about = set(notice.about_pages.values_list("pk", flat=True))
    return bool(about & {page.pk, page.alias_of_id})


class GovernanceMachine(RuleBasedStateMachine):
    worlds = None  # {"alvdal": Governed, "avesta": Governed}, set by the test case
    runs = {"examples": 0, "steps": 0, "refused": 0}

    pages = Bundle("pages")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.municipalities = list(Municipality.objects.select_related("site__root_page"))
        self.runs["examples"] += 1
        self.counter = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------------------------

    def world(self, home):
        return self.worlds[home]

    def people(self, home):
        g = self.world(home)
        return [g.publisher, g.editor, g.leader, g.crisis, g.superuser]

    def step(self, action):
        """Run ``action``; check what went live in it."""
        self.runs["steps"] += 1
        before = _snapshot()
        try:
            with transaction.atomic():
                action()
        except REFUSED:
            self.runs["refused"] += 1
        after = _snapshot()
        went_live = [pk for pk, state in after.items() if before.get(pk) != state]
        now = timezone.now()
        for page in Page.objects.filter(pk__in=went_live).specific():
            if not isinstance(page, GovernedPage) or not getattr(page, "affects_staff", False):
                continue
            municipality = _municipality_at(page, self.municipalities)
            if municipality is None or page.path.startswith(municipality.intranet_page.path):
                continue
            assert _notice_counts(page, municipality, now), (
                f"{page.title!r} went live on {municipality.slug} affecting staff without a "
                "notice that counts for it"
            )

    # --- pages --------------------------------------------------------------------------------

    @rule(
        target=pages,
        home=st.sampled_from(HOMES),
        affects_staff=st.booleans(),
        linked=st.booleans(),
        sensitivity=st.sampled_from(["open", "open", "internal", "exempt"]),
    )
    def create(self, home, affects_staff, linked, sensitivity):
        g = self.world(home)
        self.counter += 1
        page = NewsPage(
            title=f"Sak {home} {self.counter}",
            slug=f"sak-{home}-{self.counter}",
            intro="Kommunen endrer åpningstidene fra neste måned.",
            owning_unit=g.line.unit,
            responsible_leader=g.leader,
            affects_staff=affects_staff,
            internal_notice=g.notice,
            sensitivity=sensitivity,
            exemption_basis="offl. § 13" if sensitivity == "exempt" else "",
            live=False,
        )
        g.news_index.add_child(instance=page)
        page.audiences.set([g.citizens])
        page.save_revision(user=g.publisher)
        if linked:
            link_both_ways(g.notice, page)
        return page.pk

    @rule(page=pages, who=st.integers(0, 4), home=st.sampled_from(HOMES))
    def publish(self, page, who, home):
        user = self.people(home)[who]

        def action():
            revision = Page.objects.get(pk=page).specific.get_latest_revision()
            revision.publish(user=user)

        self.step(action)

    @rule(
        page=pages, affects_staff=st.booleans(), sensitivity=st.sampled_from(["open", "internal"])
    )
    def edit(self, page, affects_staff, sensitivity):
        def action():
            draft = Page.objects.get(pk=page).specific.get_latest_revision_as_object()
            draft.affects_staff = affects_staff
            draft.sensitivity = sensitivity
            draft.save_revision(user=None)

        self.step(action)

    @rule(page=pages)
    def schedule(self, page):
        def action():
            draft = Page.objects.get(pk=page).specific.get_latest_revision_as_object()
            draft.go_live_at = timezone.now() - datetime.timedelta(minutes=1)
            revision = draft.save_revision(user=None)
            revision.approved_go_live_at = draft.go_live_at
            revision.save(update_fields=["approved_go_live_at"])
            from django.core.management import call_command

            call_command("publish_scheduled", stdout=io.StringIO())

        self.step(action)

    @rule(page=pages)
    def unpublish(self, page):
        self.step(
            lambda: UnpublishPageAction(Page.objects.get(pk=page), user=None).execute(
                skip_permission_checks=True
            )
        )

    @rule(page=pages)
    def revert(self, page):
        def action():
            specific = Page.objects.get(pk=page).specific
            first = specific.revisions.order_by("created_at", "pk").first()
            first.publish(user=None, previous_revision=first)

        self.step(action)

    @rule(page=pages, home=st.sampled_from(HOMES), where=st.sampled_from(["news", "intranet"]))
    def move(self, page, home, where):
        g = self.world(home)
        destination = g.news_index if where == "news" else g.intranet
        self.step(
            lambda: MovePageAction(
                Page.objects.get(pk=page), destination, pos="last-child", user=g.superuser
            ).execute()
        )

    @rule(page=pages, home=st.sampled_from(HOMES), keep_live=st.booleans())
    def copy(self, page, home, keep_live):
        g = self.world(home)
        self.counter += 1
        self.step(
            lambda: CopyPageAction(
                Page.objects.get(pk=page),
                to=g.news_index,
                update_attrs={"slug": f"kopi-{self.counter}", "title": f"Kopi {self.counter}"},
                keep_live=keep_live,
                user=g.superuser,
            ).execute()
        )

    @rule(page=pages, home=st.sampled_from(HOMES))
    def alias(self, page, home):
        g = self.world(home)
        self.counter += 1
        self.step(
            lambda: CreatePageAliasAction(
                Page.objects.get(pk=page),
                parent=g.news_index,
                update_slug=f"alias-{self.counter}",
                user=g.superuser,
            ).execute()
        )

    @rule(page=pages)
    def delete(self, page):
        def action():
            found = Page.objects.filter(pk=page).first()
            if found is not None:
                DeletePageAction(found, user=None).execute(skip_permission_checks=True)

        self.step(action)

    # --- notices ------------------------------------------------------------------------------

    @rule(home=st.sampled_from(HOMES))
    def publish_notice(self, home):
        g = self.world(home)
        self.step(lambda: reload(g.notice).get_latest_revision().publish(user=g.leader))

    @rule(home=st.sampled_from(HOMES))
    def unpublish_notice(self, home):
        g = self.world(home)
        self.step(
            lambda: UnpublishPageAction(reload(g.notice), user=None).execute(
                skip_permission_checks=True
            )
        )

    @rule(home=st.sampled_from(HOMES))
    def expire_notice(self, home):
        g = self.world(home)
        past = timezone.now() - datetime.timedelta(minutes=5)
        self.step(lambda: InternalNoticePage.objects.filter(pk=g.notice.pk).update(expire_at=past))

    # --- what always holds --------------------------------------------------------------------

    @invariant()
    def nothing_private_is_public_and_nothing_is_on_the_wrong_site(self):
        for municipality in self.municipalities:
            intranet = municipality.intranet_page
            assert PageViewRestriction.objects.filter(
                page__in=intranet.get_ancestors(inclusive=True),
                groups=municipality.staff_group_id,
            ).exists(), f"the intranet of {municipality.slug} is open"
            root = municipality.site.root_page
            for page in Page.objects.live().descendant_of(root).specific():
                if not isinstance(page, GovernedPage):
                    continue
                inside = page.path.startswith(intranet.path)
                assert inside or page.sensitivity not in ("internal", "exempt"), (
                    f"{page.title!r} ({page.sensitivity}) is live outside the intranet"
                )
                unit = page.owning_unit
                assert unit is None or unit.municipality_id == municipality.pk, (
                    f"{page.title!r} is live on {municipality.slug} with another's unit"
                )

    @invariant()
    def no_listing_shows_one_municipality_to_the_other(self):
        from django.contrib.auth import get_user_model

        for home in HOMES:
            g = self.world(home)
            theirs = self.world(HOMES[1 - HOMES.index(home)]).municipality
            root = theirs.site.root_page
            for person in (g.editor, g.publisher, g.leader):
                fresh = get_user_model().objects.get(pk=person.pk)  # nothing remembered
                listed = scoped_pages(Page.objects.all(), fresh)
                assert not listed.descendant_of(root, inclusive=True).exists(), (
                    f"{home}'s {fresh.username} is shown pages of {theirs.slug}"
                )


@tag("slow")
class GovernanceInvariantTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.worlds = {home: build_governed(home, prefix=home) for home in HOMES}

    def test_the_promises_hold_after_every_step(self):
        GovernanceMachine.worlds = self.worlds
        GovernanceMachine.runs.update(examples=0, steps=0, refused=0)
        run_state_machine_as_test(
            GovernanceMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=EXAMPLES <= 50,
                suppress_health_check=list(HealthCheck),
            ),
        )
        runs = GovernanceMachine.runs
        sys.stderr.write(
            f"\nstateful invariants: {runs['examples']} examples, {runs['steps']} steps, "
            f"{runs['refused']} refused\n"
        )
        self.assertGreater(runs["steps"], 0)
