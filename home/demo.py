"""Demo content for the municipalities in ``site/*/demo.toml``: deterministic and idempotent.

Everything is looked up by a natural key (unit code, username, page slug) before it is created,
so loading twice changes nothing, and pages an editor has since changed are left alone.
"""

import datetime
import tomllib
from html import escape
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page
from wagtail.rich_text import RichText
from wagtail.users.models import UserProfile

from publishing.citizens.sites import forget_site
from publishing.models import (
    Audience,
    CommunicationPlan,
    Deputyship,
    Municipality,
    OrganisationUnit,
    PlanActivity,
    PlanFollowUp,
    PlanGoal,
    PublisherCertificate,
    RoleAssignment,
)
from publishing.profiles.loader import load_profile, read_profile

from .models import (
    AccessibilityStatementPage,
    InternalNoticePage,
    NewsIndexPage,
    NewsPage,
    PressReleasePage,
    ServicePage,
    StandardPage,
)

DEMO_FILENAME = "demo.toml"
#: The password of every demo account. Demo accounts exist only with dev or test settings.
DEMO_PASSWORD = "demo-publisering"  # noqa: S105 (a published demo password, dev only)


class DemoError(Exception):
    """Demo input that does not fit: names the file and the entry."""


def demo_folders():
    """Municipality folders that have both a profile and demo content, in name order."""
    root = Path(settings.PUBLISHING["PROFILE_ROOT"])
    return sorted(
        p.parent for p in root.glob(f"*/{DEMO_FILENAME}") if (p.parent / "profile.toml").exists()
    )


def load_demo(folder, port=None, language=None):
    """Load one municipality's profile and demo content; return ``(municipality, created)``.

    ``port`` is the one the site is served on: Wagtail builds the full URLs of the sitemap,
    feeds, footer and mails from the Site record, so without it they lead to port 80.
    ``language`` shows the municipality in another of its country's languages than its profile
    says (Alvdal in nynorsk): the public site and its people's admin speak it until the demo is
    loaded again without it.
    """
    if not getattr(settings, "PUBLISHING_DEMO_USERS", False):
        raise DemoError(
            "Demo users have known passwords and are only created with development settings "
            "(PUBLISHING_DEMO_USERS = True)."
        )
    path = Path(folder) / DEMO_FILENAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DemoError(f"{path}: {error}") from None
    with transaction.atomic():
        slug = read_profile(folder)[1]["municipality"]["slug"]
        before = Municipality.objects.filter(slug=slug).values_list("language", flat=True).first()
        municipality = load_profile(folder).municipality
        if language and language != municipality.language:
            municipality.language = language
            municipality.save(update_fields=["language"])
        forget_site(municipality.site_id)
        if port and municipality.site.port != port:
            municipality.site.port = port
            municipality.site.save(update_fields=["port"])
        changed = before not in (None, municipality.language)
        loader = _DemoLoader(municipality, path, language_changed=changed)
        loader.run(data)
    return municipality, loader.created


class _DemoLoader:
    def __init__(self, municipality, path, language_changed=False):
        self.municipality = municipality
        self.language_changed = language_changed
        self.path = path
        self.units = {}
        self.users = {}
        self.notices = {}
        self.plans = {}
        self.created = []

    def fail(self, key, message):
        raise DemoError(f"{self.path}: {key}: {message}")

    # --- organisation -------------------------------------------------------------------------

    def run(self, data):
        for i, item in enumerate(data.get("units", [])):
            self.unit(item, f"units[{i}]")
        for i, item in enumerate(data.get("people", [])):
            self.person(item, f"people[{i}]")
        for i, item in enumerate(data.get("people", [])):
            if "deputy_for" in item:
                self.deputy(item, f"people[{i}].deputy_for")
        # Plans before pages: pages name the plan they belong to.
        for i, item in enumerate(data.get("plans", [])):
            self.plan(item, f"plans[{i}]")
        home = self.municipality.site.root_page.specific
        intranet = self.municipality.intranet_page
        news_index = NewsIndexPage.objects.child_of(home).first()
        # Notices first: external pages that affect staff may only go live after their notice.
        for i, item in enumerate(data.get("internal_notices", [])):
            self.notices[item["slug"]] = self.page(
                InternalNoticePage, intranet, item, f"internal_notices[{i}]"
            )
        for i, item in enumerate(data.get("news", [])):
            self.page(NewsPage, news_index, item, f"news[{i}]")
        for i, item in enumerate(data.get("press_releases", [])):
            self.page(PressReleasePage, news_index, item, f"press_releases[{i}]")
        for i, item in enumerate(data.get("services", [])):
            self.page(ServicePage, home, item, f"services[{i}]")
        for i, item in enumerate(data.get("standard_pages", [])):
            self.page(StandardPage, home, item, f"standard_pages[{i}]")
        if "accessibility_statement" in data:
            self.page(
                AccessibilityStatementPage,
                home,
                data["accessibility_statement"],
                "accessibility_statement",
            )
        # Where a withdrawn page sends citizens instead: a page loaded above, named by its slug.
        for i, item in enumerate(data.get("news", [])):
            if "withdrawal_see_instead" in item:
                self.send_instead(news_index, home, item, f"news[{i}].withdrawal_see_instead")

    def unit(self, item, key):
        parent = None
        if item.get("parent"):
            parent = self.units.get(item["parent"]) or self.fail(
                key, f"unknown parent {item['parent']!r}"
            )
        unit, created = OrganisationUnit.objects.update_or_create(
            municipality=self.municipality,
            code=item["code"],
            defaults={"name": item["name"], "kind": item["kind"], "parent": parent},
        )
        unit.full_clean()
        self.units[unit.code] = unit
        if created:
            self.created.append(f"unit {unit.name}")

    def person(self, item, key):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=item["username"],
            defaults={
                "first_name": item["first_name"],
                "last_name": item["last_name"],
                "email": item["email"],
            },
        )
        if created or self.language_changed:
            # The admin speaks the municipality's language to its people; each can change it
            # under Account, and a reload keeps their choice unless the demo's language changes.
            profile = UserProfile.get_for_user(user)
            profile.preferred_language = self.municipality.language
            profile.save()
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.created.append(f"user {user.username}")
        for group_key in item.get("groups", []):
            try:
                user.groups.add(self.municipality.group(group_key))
            except KeyError:
                self.fail(f"{key}.groups", f"unknown group key {group_key!r}")
        for role in item.get("roles", []):
            unit = self.units.get(role["unit"]) or self.fail(
                f"{key}.roles", f"unknown unit {role['unit']!r}"
            )
            RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role["role"])
        if "certificate" in item:
            cert = item["certificate"]
            PublisherCertificate.objects.update_or_create(
                user=user,
                municipality=self.municipality,
                course=cert["course"],
                defaults={
                    "passed_on": _date(cert["passed_on"]),
                    "expires_on": _date(cert["expires_on"]),
                },
            )
        self.users[user.username] = user

    def deputy(self, item, key):
        spec = item["deputy_for"]
        leader = self.user(spec["username"], key)
        unit = self.units.get(spec["unit"]) or self.fail(key, f"unknown unit {spec['unit']!r}")
        assignment = RoleAssignment.objects.filter(
            user=leader, unit=unit, role=spec["role"]
        ).first()
        if assignment is None:
            self.fail(key, f"{leader.username} has no {spec['role']} role in {unit.code}")
        Deputyship.objects.get_or_create(
            assignment=assignment,
            deputy=self.users[item["username"]],
            starts_on=_date(spec["starts_on"]),
            ends_on=_date(spec["ends_on"]),
        )

    def user(self, username, key):
        return self.users.get(username) or self.fail(key, f"unknown person {username!r}")

    def audiences(self, codes, key):
        found = list(Audience.objects.filter(municipality=self.municipality, code__in=codes))
        if len(found) != len(set(codes)):
            self.fail(key, "unknown audience code")
        return found

    # --- communication plans -------------------------------------------------------------------

    def plan(self, item, key):
        """A communication plan with its activities, goals and follow-ups, found by title.

        A plan that exists is left as it is, like the pages: an editor may have changed it.
        """
        existing = CommunicationPlan.objects.filter(
            municipality=self.municipality, title=item["title"]
        ).first()
        if existing is not None:
            self.plans[existing.title] = existing
            return existing
        plan = CommunicationPlan(
            municipality=self.municipality,
            title=item["title"],
            owning_unit=self.units.get(item["unit"]) or self.fail(f"{key}.unit", item["unit"]),
            responsible=self.user(item["responsible"], f"{key}.responsible"),
            status=item.get("status", "draft"),
            starts_on=_date(item["starts_on"]),
            ends_on=_date(item["ends_on"]),
            **{
                name: item.get(name, "")
                for name in (
                    "what",
                    "why",
                    "whom_details",
                    "should_know",
                    "should_feel",
                    "should_do",
                    "follow_up_method",
                )
            },
        )
        plan.audiences.set(self.audiences(item.get("audiences", []), f"{key}.audiences"))
        activities = []
        for i, spec in enumerate(item.get("activities", [])):
            where = f"{key}.activities[{i}]"
            activity = PlanActivity(
                title=spec["title"],
                description=spec.get("description", ""),
                channel=spec["channel"],
                owner=self.user(spec["owner"], f"{where}.owner") if "owner" in spec else None,
                starts_on=_date(spec["starts_on"]),
                ends_on=_date(spec["ends_on"]) if "ends_on" in spec else None,
                done=spec.get("done", False),
            )
            activity.audiences.set(self.audiences(spec.get("audiences", []), f"{where}.audiences"))
            activities.append(activity)
        plan.activities = activities
        plan.goals = [
            PlanGoal(
                description=spec["goal"],
                measure=spec["measure"],
                target=spec["target"],
                result=spec.get("result", ""),
                achieved=spec.get("achieved"),
            )
            for spec in item.get("goals", [])
        ]
        plan.follow_ups = [
            PlanFollowUp(date=_date(spec["date"]), note=spec["note"])
            for spec in item.get("follow_ups", [])
        ]
        try:
            plan.full_clean()
            for child in [*activities, *plan.goals.all(), *plan.follow_ups.all()]:
                child.full_clean(exclude=["plan"])
        except ValidationError as error:
            self.fail(key, "; ".join(error.messages))
        plan.save()
        self.plans[plan.title] = plan
        self.created.append(f"plan {plan.title}")
        return plan

    # --- pages -------------------------------------------------------------------------------

    def page(self, model, parent, item, key):
        existing = model.objects.child_of(parent).filter(slug=item["slug"]).first()
        if existing is not None:
            return existing
        fields = {"title": item["title"], "slug": item["slug"]}
        if "intro" in item:
            fields["intro"] = item["intro"]
        if "body" in item:
            fields["body"] = [("paragraph", RichText(_paragraphs(item["body"])))]
        for name in _RICH_TEXT_FIELDS:
            if name in item:
                fields[name] = _paragraphs(item[name])
        for name in _PLAIN_FIELDS:
            if name in item:
                fields[name] = item[name]
        for name in _DATE_FIELDS:
            if name in item:
                fields[name] = _date(item[name])
        if "date" in item:
            fields["date"] = _date(item["date"])
        if "withdrawal_reason" in item:
            # A page that is no longer current: published withdrawn, with its reason.
            fields["withdrawn"] = True
            fields["withdrawal_reason"] = item["withdrawal_reason"]
        if "spokesperson" in item:
            fields["spokesperson"] = self.user(item["spokesperson"], f"{key}.spokesperson")
            fields["statement_level"] = item["statement_level"]
        fields["owning_unit"] = self.units.get(item["unit"]) or self.fail(
            f"{key}.unit", item["unit"]
        )
        fields["responsible_leader"] = self.user(item["leader"], f"{key}.leader")
        fields["affects_staff"] = item.get("affects_staff", False)
        if item.get("plan"):
            fields["communication_plan"] = self.plans.get(item["plan"]) or self.fail(
                f"{key}.plan", f"unknown plan {item['plan']!r}"
            )
        if item.get("internal_notice"):
            fields["internal_notice"] = self.notices.get(item["internal_notice"]) or self.fail(
                f"{key}.internal_notice", f"unknown notice {item['internal_notice']!r}"
            )
        page = model(**fields)
        audiences = list(
            Audience.objects.filter(
                municipality=self.municipality, code__in=item.get("audiences", [])
            )
        )
        if len(audiences) != len(set(item.get("audiences", []))):
            self.fail(f"{key}.audiences", "unknown audience code")
        page.audiences.set(audiences)
        if item.get("live", True) and "date" in item:
            page.first_published_at = timezone.make_aware(
                datetime.datetime.combine(fields["date"], datetime.time(9, 0))
            )
        page.live = False
        parent.add_child(instance=page)
        page.full_clean()
        if "internal_notice" in fields:
            self.link_back(fields["internal_notice"], page)
        revision = page.save_revision(user=fields["responsible_leader"])
        if item.get("live", True):
            revision.publish(user=None)
        self.created.append(f"page {page.title}")
        return page

    def send_instead(self, parent, home, item, key):
        """The withdrawn page ``item`` sends citizens to the page whose slug it names,
        published again if it was live (once: loading again changes nothing)."""
        page = NewsPage.objects.child_of(parent).get(slug=item["slug"])
        slug = item["withdrawal_see_instead"]
        target = Page.objects.descendant_of(home).filter(slug=slug).first()
        if target is None:
            self.fail(key, f"no page with the slug {slug!r}")
        if page.withdrawal_see_instead_id == target.pk:
            return
        draft = page.get_latest_revision_as_object()
        draft.withdrawal_see_instead = target
        revision = draft.save_revision(user=page.responsible_leader)
        if page.live:
            revision.publish(user=None)

    def link_back(self, notice, page):
        """The notice names ``page`` as a page it is about (a notice counts for a page only
        when they are linked both ways), published again if it was live."""
        notice = type(notice).objects.get(pk=notice.pk)
        draft = notice.get_latest_revision_as_object()
        if page.pk in {p.pk for p in draft.about_pages.all()}:
            return
        draft.about_pages.add(page)
        revision = draft.save_revision(user=notice.responsible_leader)
        if notice.live:
            revision.publish(user=None)


_RICH_TEXT_FIELDS = (
    "rights",
    "duties",
    "how_to_apply",
    "contact",
    "non_compliance",
    "disproportionate_burden",
    "outside_scope",
    "feedback_contact",
)
_PLAIN_FIELDS = (
    "compliance_status",
    "assessment_method",
    "enforcement_body",
    "enforcement_url",
    "uustatus_url",
)
_DATE_FIELDS = ("assessed_on", "prepared_on", "reviewed_on")


def _paragraphs(value):
    items = [value] if isinstance(value, str) else value
    return "".join(f"<p>{escape(text)}</p>" for text in items)


def _date(value):
    """A TOML date, or an ISO date string, as a ``datetime.date``."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
