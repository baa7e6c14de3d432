"""A governed municipality for tests: people in their roles and groups, a notice and a page.

``build_governed(slug)`` loads a municipality's real profile from ``site/<slug>`` (Alvdal's by
default: site, intranet, groups, workflows) and adds a small line organisation with the people
the workflow needs.

A ``TestCase`` class that starts from ``build_governed()`` as it is shares one built per run
instead (``tests/worlds.py``: ``GovernedWorld`` and ``cls.g = cls.world_objects()``); so do the
classes that start from the demo municipalities (``DemoWorld``).
"""

import datetime

from django.utils import timezone

from home.models import InternalNoticePage, NewsIndexPage, NewsPage
from publishing.models import Role
from tests.factories import (
    CertificateFactory,
    DeputyFactory,
    RoleFactory,
    UserFactory,
    line_organisation,
    load_municipality,
)


class Governed:
    """Namespace of the objects a governance test works with."""


def ensure_wagtail_base():
    """Recreate what Wagtail's data migrations make: the locale and the page and collection roots.

    ``TransactionTestCase`` empties every table after each test; content types and permissions
    come back by themselves, these do not.
    """
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")


def build_governed(slug="alvdal", prefix=""):
    """Both municipalities can be built in one test: ``prefix`` keeps their people apart."""
    ensure_wagtail_base()
    g = Governed()
    g.municipality = m = load_municipality(slug)
    g.line = line = line_organisation(m)
    g.home = m.site.root_page.specific
    g.intranet = m.intranet_page.specific
    g.news_index = NewsIndexPage.objects.child_of(g.home).get()
    g.leader = line.unit_head
    g.sector_head = line.sector_head
    g.chief = line.chief
    g.other_head = line.other_head
    g.employee = line.employee
    today = timezone.localdate()

    def certificate(user, passed_days_ago, expires_in_days):
        CertificateFactory(
            user=user,
            municipality=m,
            passed_on=today - datetime.timedelta(days=passed_days_ago),
            expires_on=today + datetime.timedelta(days=expires_in_days),
        )

    g.publisher = UserFactory(username=f"{prefix}publisher")
    RoleFactory(user=g.publisher, unit=line.unit, role=Role.EMPLOYEE)
    certificate(g.publisher, 30, 300)
    g.expired_publisher = UserFactory(username=f"{prefix}expired")
    certificate(g.expired_publisher, 800, -10)
    g.editor = UserFactory(username=f"{prefix}editor")
    RoleFactory(user=g.editor, unit=line.top, role=Role.COMMUNICATIONS_EDITOR)
    certificate(g.editor, 30, 300)
    g.deputy = UserFactory(username=f"{prefix}deputy")
    DeputyFactory(
        assignment=g.leader.role_assignments.get(),
        deputy=g.deputy,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=10),
    )
    g.crisis = UserFactory(username=f"{prefix}crisis")
    g.superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user, keys in (
        (g.publisher, ["publishers", "staff"]),
        (g.expired_publisher, ["publishers", "staff"]),
        (g.editor, ["communications", "publishers", "staff"]),
        (g.leader, ["leaders", "staff"]),
        (g.deputy, ["leaders", "staff"]),
        (g.sector_head, ["leaders", "staff"]),
        (g.other_head, ["leaders", "staff"]),
        (g.crisis, ["crisis", "staff"]),
    ):
        user.groups.add(*[m.group(key) for key in keys])
    # The profile's first public audience (Alvdal's "innbyggere", Avesta's "kommuninvanare") and
    # its first internal one ("ansatte", "medarbetare").
    audiences = m.audiences.order_by("sort_order", "pk")
    g.citizens = audiences.filter(is_internal=False).first()
    g.staff_audience = audiences.filter(is_internal=True).first()
    g.notice = g.intranet.add_child(
        instance=InternalNoticePage(
            title="Nye turnuser i hjemmetjenesten",
            slug="nye-turnuser",
            intro="Fra januar får dere nye turnuser.",
            owning_unit=line.unit,
            responsible_leader=g.leader,
            live=False,
        )
    )
    g.notice.save_revision(user=g.leader)
    g.page = news_page(g, "Hjemmetjenesten får kveldsåpent", "kveldsapent")
    return g


def news_page(
    g, title, slug, *, affects_staff=True, notice=True, author=None, parent=None, **fields
):
    """A draft news page in ``g``'s news index (or below ``parent``), affecting staff and linked
    to ``g.notice``."""
    fields.setdefault("intro", "Fra 1. januar har hjemmetjenesten åpent til klokka 22.")
    page = NewsPage(
        title=title,
        slug=slug,
        owning_unit=g.line.unit,
        responsible_leader=g.leader,
        affects_staff=affects_staff,
        internal_notice=g.notice if notice else None,
        live=False,
        **fields,
    )
    page.audiences.set([g.citizens])
    (parent or g.news_index).add_child(instance=page)
    page.save_revision(user=author or g.publisher)
    if notice:
        link_both_ways(g.notice, page)
    return page


def link_both_ways(notice, page):
    """``notice`` names ``page`` as a page it is about, in its row and its latest and live
    revisions (as if its editor had chosen the page before it was published): without it the
    notice does not count for the page."""
    from wagtail.models import Revision

    notice = type(notice).objects.get(pk=notice.pk)
    notice.about_pages.add(page)
    notice.save(update_fields=["about_pages"])
    for revision in Revision.objects.filter(
        pk__in={notice.latest_revision_id, notice.live_revision_id} - {None}
    ):
        about = set(revision.content.get("about_pages") or [])
        revision.content["about_pages"] = sorted(about | {page.pk})
        revision.save(update_fields=["content"])


def notice_at_leader(g, number, about=()):
    """A new internal notice of ``g``'s leader about the pages ``about``, waiting in the
    intranet workflow for her deputy's (or the line's) approval."""
    notice = g.intranet.add_child(
        instance=InternalNoticePage(
            title=f"Til ansatte: endring {number}",
            slug=f"endring-{number}",
            intro="Fra januar endres vaktordningen.",
            owning_unit=g.line.unit,
            responsible_leader=g.leader,
            live=False,
        )
    )
    notice.audiences.set([g.staff_audience])
    notice.about_pages.set(about)
    notice.save_revision(user=g.leader)
    notice.get_workflow().start(reload(notice), g.leader)
    return reload(notice)


def publish_notice(g):
    """Publish ``g``'s notice and do the worker's part at once: the pages held for it move on.

    (A test's transaction never commits, so the queued release would not run by itself; mails
    still wait for the commit, which ``captureOnCommitCallbacks`` stands in for.)
    """
    from publishing.models.workflow import release_pages_held_by

    g.notice.refresh_from_db()
    g.notice.get_latest_revision().publish(user=None)
    release_pages_held_by(g.notice.pk)
    g.notice.refresh_from_db()


def unpublish_notice(g):
    g.notice.refresh_from_db()
    g.notice.unpublish()
    g.notice.refresh_from_db()


def checklist_ticks(g):
    """Form data that ticks every item of ``g``'s "vær varsom" checklist, as a submit needs."""
    return {"submit_checklist": [item["code"] for item in g.municipality.checklist]}


def warning_reasons(page, reason="Avklart med ansvarlig enhet."):
    """``acknowledgements`` for ``LeaderApprovalTask.on_action``: a reason for every warning of
    ``page``'s latest revision, as the leader writes them in the approval modal."""
    from publishing.workflow.review import LeaderReview

    return {row.key: reason for row in LeaderReview.of(page).warnings}


def reload(page):
    return type(page).objects.get(pk=page.pk)


class EnglishAdminMixin:
    """Test-case mixin: messages in English, and users signed in with English as admin language.

    The site's default language is bokmål; tests that read messages say which language they
    expect.
    """

    def setUp(self):
        super().setUp()
        from django.utils import translation

        self.enterContext(translation.override("en"))
        # The locale middleware activates the request's language for the rest of the thread;
        # asking for English keeps lazy messages read after a request in English too.
        self.client.defaults.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def login(self, user):
        from wagtail.users.models import UserProfile

        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
        self.client.force_login(user)


def allow_deleting(municipality, *page_types, after_years=0):
    """Let the municipality's archive rules allow deleting pages of ``page_types`` (model names)
    that have been public, ``after_years`` after they were last public: the tests of what happens
    when a page is deleted (without such a rule it cannot be)."""
    rule = {"page_types": list(page_types), "after_years": after_years, "basis": ""}
    municipality.profile = {**municipality.profile, "archive_retention": [rule]}
    municipality.save(update_fields=["profile"])
