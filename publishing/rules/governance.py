"""The governance rules from the strategies: internal before external, openness, responsibility,
spokespersons and trained publishers."""

import datetime
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Page, WorkflowState

from publishing.content_checks.visible import has_visible_text
from publishing.memo import remember
from publishing.models import Municipality
from publishing.models.municipality import StaffOnlyCollections
from publishing.models.organisation import Role, RoleAssignment, person_name, unit_of
from publishing.models.pages import BaseInternalNoticePage, Sensitivity
from publishing.rules.bulk import (
    Missing,
    audiences_of,
    facts_of,
    referenced_document_ids,
    references_of,
)
from publishing.rules.engine import (
    BLOCK,
    DIRECT,
    FAST_TRACK,
    PUBLISH,
    SUBMIT,
    WARN,
    Finding,
    RuleContext,
    blocking,
    evaluate,
    rule,
)
from publishing.rules.withdrawal import ELSEWHERE, instead_elsewhere
from publishing.rules.withdrawal import FIELD as WITHDRAWAL_FIELD
from publishing.visible_text import INVISIBLE_ONLY, invisible_only
from publishing.wording import local_datetime

# Each rule reads what it looks up from the context's ``Facts`` when a list prefetched them
# for many pages at once (``rules.bulk``), and from the database otherwise.


def _known(context, kind, key):
    """``key`` among the prefetched ``kind``; ``Missing`` when nothing was prefetched."""
    facts = facts_of(context)
    if facts is None:
        raise Missing(key)
    return facts.get(kind, key)


def _notice_of(context):
    """The internal notice ``context.page`` links, or None."""
    page = context.page
    if not page.internal_notice_id:
        return None
    try:
        return _known(context, "notices", page.internal_notice_id)
    except Missing:
        return page.internal_notice.specific


def _is_notice(page):
    """Whether ``page`` (a specific page, or a base page from the prefetched facts) is an
    internal notice."""
    cls = page.specific_class
    return cls is not None and issubclass(cls, BaseInternalNoticePage)


def _person_of(context, page, name):
    """The user in ``page``'s foreign key ``name`` (``responsible_leader``, ``spokesperson``)."""
    try:
        user = _known(context, "users", getattr(page, f"{name}_id"))
    except Missing:
        return getattr(page, name)
    return user if user is not None else getattr(page, name)


def _unit_of(context, page):
    facts = facts_of(context)
    if facts is not None and page.owning_unit_id in facts.units:
        return facts.units[page.owning_unit_id]
    return unit_of(page)


def _leader_in_line(context, page, day):
    """Whether the page's responsible leader holds a leader role in its unit's line."""
    facts = facts_of(context)
    try:
        if facts is None or page.owning_unit_id not in facts.units:
            raise Missing(page.owning_unit_id)
        return facts.has_leader_in_line(page.owning_unit_id, page.responsible_leader_id, day)
    except Missing:
        return unit_of(page).has_leader_in_line(page.responsible_leader_id, on=day)


def _exempt_without_basis(page):
    """Whether ``page`` is exempt from public access without a (visible) legal basis."""
    return page.sensitivity == Sensitivity.EXEMPT and not has_visible_text(page.exemption_basis)


def _notice_url(page):
    if not page.pk:
        return None
    try:
        return reverse("publishing:create_notice", args=[page.pk])
    except NoReverseMatch:
        return None


def _edit_url(page):
    if not getattr(page, "pk", None):
        return None
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


#: Why a linked notice does not count for a page (``NoticeStanding.reason``); empty: it counts.
NO_NOTICE = "missing"
NOT_A_NOTICE = "not_a_notice"
OTHER_MUNICIPALITY = "other_municipality"
NOT_IN_INTRANET = "not_in_intranet"
NOT_LINKED_BACK = "not_linked_back"
ABOUT_OTHER_PAGE = "about_other_page"
EXPIRED = "expired"
NOT_LIVE = "not_live"
TOO_OLD = "too_old"

#: How many days before the page was submitted (or, without a workflow, published) its notice
#: may have gone live, when the profile says nothing (``[workflow] notice_window_days``).
DEFAULT_NOTICE_WINDOW_DAYS = 14


@dataclass(frozen=True)
class NoticeStanding:
    """Whether the internal notice a page links counts for it now, and what the leader and the
    editor are shown about it: when it went live, on whose intranet, to which audiences."""

    notice: object = None
    reason: str = NO_NOTICE
    went_live: datetime.datetime | None = None
    #: The municipality whose intranet holds the notice (None: on no intranet).
    intranet_of: object = None
    #: Ids of the pages the notice names as the pages it is about.
    about: frozenset = frozenset()
    #: The notice counts only if it went live at or after this moment (None: not checked).
    earliest: datetime.datetime | None = None
    #: When the page was submitted for approval (None: it is not in a workflow now).
    submitted_at: datetime.datetime | None = None
    window_days: int = DEFAULT_NOTICE_WINDOW_DAYS

    @property
    def counts(self):
        return self.notice is not None and not self.reason

    @property
    def on_own_intranet(self):
        """No notice, or an internal notice on the intranet of the page's own municipality
        (whether it counts yet or not)."""
        return self.reason not in (NOT_A_NOTICE, OTHER_MUNICIPALITY, NOT_IN_INTRANET)

    def audiences(self):
        """To whom the notice speaks (its audiences), read when asked."""
        notice = self.notice
        if notice is None or not hasattr(notice, "audiences"):
            return []
        return list(notice.audiences.all())

    def why_not(self):
        """Why the notice does not count, in plain words; empty when it counts."""
        notice = self.notice
        title = notice.title if notice is not None else ""
        if self.reason == NO_NOTICE:
            return _("No internal notice to staff is linked.")
        if self.reason == NOT_A_NOTICE:
            return _("“%(title)s” is not an internal notice.") % {"title": title}
        if self.reason == OTHER_MUNICIPALITY:
            return _(
                "The internal notice “%(title)s” is on the intranet of %(other)s, not of this "
                "municipality: its staff have not been told."
            ) % {"title": title, "other": self.intranet_of.name}
        if self.reason == NOT_IN_INTRANET:
            return _("The internal notice “%(title)s” is not on this municipality's intranet.") % {
                "title": title
            }
        if self.reason == NOT_LINKED_BACK:
            return _(
                "The internal notice “%(title)s” does not name this page: it may be about "
                "something else."
            ) % {"title": title}
        if self.reason == ABOUT_OTHER_PAGE:
            return _("The internal notice “%(title)s” is about another page, not this one.") % {
                "title": title
            }
        if self.reason == EXPIRED:
            return _("The internal notice “%(title)s” expired at %(time)s.") % {
                "title": title,
                "time": local_datetime(notice.expire_at) if notice.expire_at else "–",
            }
        if self.reason == NOT_LIVE:
            return _("The internal notice “%(title)s” is not live yet.") % {"title": title}
        if self.reason == TOO_OLD:
            return _(
                "The internal notice “%(title)s” went live at %(time)s, too long ago to be about "
                "this change: it counts only if it went live after %(earliest)s (%(days)s days "
                "before the page was submitted or published)."
            ) % {
                "title": title,
                "time": local_datetime(self.went_live),
                "earliest": local_datetime(self.earliest),
                "days": self.window_days,
            }
        return ""


def _notice_window(municipality):
    if municipality is None:
        return DEFAULT_NOTICE_WINDOW_DAYS
    days = municipality.workflow_settings.get("notice_window_days")
    return DEFAULT_NOTICE_WINDOW_DAYS if days is None else int(days)


def _notice_about(context, notice):
    """Ids of the pages ``notice`` names as the pages it is about (its live version)."""
    facts = facts_of(context)
    if facts is not None and notice.pk in facts.notice_about:
        return frozenset(facts.notice_about[notice.pk])
    if not hasattr(notice, "about_pages"):
        notice = notice.specific
    return frozenset(notice.about_pages.values_list("pk", flat=True))


def submitted_at(page):
    """When ``page`` was submitted for the approval it waits in or has just passed: the start of
    its latest workflow that is in progress, waits for changes or was approved after the page
    was last published. None for a page published without a workflow."""

    if not getattr(page, "pk", None):
        return None
    state = (
        WorkflowState.objects.for_instance(page)
        .filter(
            status__in=(
                WorkflowState.STATUS_IN_PROGRESS,
                WorkflowState.STATUS_NEEDS_CHANGES,
                WorkflowState.STATUS_APPROVED,
            )
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if state is None:
        return None
    if state.status == WorkflowState.STATUS_APPROVED and (
        page.last_published_at and page.last_published_at >= state.created_at
    ):
        return None  # that approval was published; this version was not submitted
    return state.created_at


def _submitted_at(context):
    facts = facts_of(context)
    if facts is not None and context.page.pk in facts.submitted:
        return facts.submitted[context.page.pk]
    return submitted_at(context.page)


def _judged_as_live(context):
    """Whether ``context`` judges a live page as it stands (a report of live pages, from its
    kept results) rather than a version about to go live. Such a page passed the notice's
    expiry and window when it went live; the report shows only whether the notice still is
    about it, on its intranet and live."""
    facts = facts_of(context)
    return facts is not None and context.page.pk in facts.text


def notice_standing(context):
    """Does the internal notice ``context.page`` links count for it now?

    The one answer the rule, the governance panel, the approval view and the reports use. A
    notice counts when it is an internal notice on the intranet of the page's own municipality,
    it names the page as a page it is about (linked both ways), it is live and not past its
    expiry time (``expire_at``, whatever ``live`` says until the expiry job has run), and it
    went live after the page was submitted for approval or at most ``notice_window_days`` (from
    the profile) before; a page published without a workflow counts from its publishing.
    """
    cached = context._cache.get("notice_standing")
    if cached is not None and cached[0] is context.page:
        return cached[1]
    standing = _standing(context)
    context._cache["notice_standing"] = (context.page, standing)
    return standing


def _standing(context):
    page = context.page
    notice = _notice_of(context)
    if notice is None:
        return NoticeStanding()
    if not _is_notice(notice):
        return NoticeStanding(notice, NOT_A_NOTICE)
    municipality = context.municipality
    went_live = notice.last_published_at or notice.first_published_at
    if municipality is None or not municipality.is_intranet_page(notice):
        other = _intranet_holding(context, notice)
        reason = OTHER_MUNICIPALITY if other is not None else NOT_IN_INTRANET
        return NoticeStanding(notice, reason, went_live, intranet_of=other)
    about = _notice_about(context, notice)
    found = {"went_live": went_live, "intranet_of": municipality, "about": about}
    if page.pk is None or page.pk not in about:
        return NoticeStanding(notice, ABOUT_OTHER_PAGE if about else NOT_LINKED_BACK, **found)
    live = _judged_as_live(context)
    expired = notice.expire_at and notice.expire_at <= context.when
    if not live and (getattr(notice, "expired", False) or expired):
        return NoticeStanding(notice, EXPIRED, **found)
    if not notice.live:
        return NoticeStanding(notice, NOT_LIVE, **found)
    window = _notice_window(municipality)
    submitted = None if live else _submitted_at(context)
    earliest = None
    if not live:
        earliest = (submitted or context.scheduled_for or context.when) - datetime.timedelta(
            days=window
        )
    if earliest is not None and went_live is not None and went_live < earliest:
        return NoticeStanding(
            notice, TOO_OLD, **found, earliest=earliest, submitted_at=submitted, window_days=window
        )
    return NoticeStanding(
        notice, "", **found, earliest=earliest, submitted_at=submitted, window_days=window
    )


def _intranet_holding(context, notice):
    """The municipality whose intranet holds ``notice``, or None."""
    facts = facts_of(context)
    if facts is not None and facts.municipalities:
        candidates = facts.municipalities
    else:
        candidates = Municipality.objects.filter(intranet_page__isnull=False).select_related(
            "intranet_page"
        )
    return next((m for m in candidates if m.is_intranet_page(notice)), None)


@rule(PUBLISH, SUBMIT)
def internal_before_external(context):
    """Staff hear first: a public page that affects staff needs its internal notice live first,
    a notice about this page, on its municipality's intranet (``notice_standing``)."""
    page = context.page
    if not page.affects_staff or not context.is_external:
        return
    standing = notice_standing(context)
    notice = standing.notice
    reason = standing.reason
    submitting = context.purpose == SUBMIT
    if reason == NO_NOTICE:
        # On submit the workflow's notice task holds the page until a notice is linked and live.
        yield Finding(
            "notice.missing",
            WARN if submitting else BLOCK,
            _("The page affects staff, but no internal notice to staff is linked."),
            _("Create an internal notice on the intranet and link it under Governance."),
            field="internal_notice",
            url=_notice_url(page),
        )
        return
    if reason == NOT_A_NOTICE:
        yield Finding(
            "notice.wrong_type",
            BLOCK,
            standing.why_not(),
            _("Link a notice to staff from the intranet."),
            field="internal_notice",
        )
        return
    if reason in (OTHER_MUNICIPALITY, NOT_IN_INTRANET):
        yield Finding(
            (
                "notice.other_municipality"
                if reason == OTHER_MUNICIPALITY
                else "notice.not_in_intranet"
            ),
            BLOCK,
            standing.why_not(),
            _("Link a notice on this municipality's intranet, or create one from this page."),
            field="internal_notice",
            url=_notice_url(page) if reason == OTHER_MUNICIPALITY else None,
        )
        return
    if reason in (NOT_LINKED_BACK, ABOUT_OTHER_PAGE):
        # On submit the notice task holds the page until its notice names it.
        yield Finding(
            f"notice.{reason}",
            WARN if submitting else BLOCK,
            standing.why_not(),
            _(
                "Open the notice and choose this page under “About the pages” if the notice is "
                "about it, then publish the notice; otherwise create a notice from this page."
            ),
            field="internal_notice",
            url=_edit_url(notice),
        )
        return
    if submitting:
        # The workflow holds the page until the notice is live; submitting is fine.
        return
    municipality = context.municipality
    if reason == EXPIRED:
        yield Finding(
            "notice.expired",
            BLOCK,
            _("Staff must hear it first: %(why)s") % {"why": standing.why_not()},
            _("Publish the notice again without the expiry time, or create a new notice."),
            field="internal_notice",
            url=_edit_url(notice),
        )
        return
    if reason == NOT_LIVE:
        if context.scheduled_for and context.scheduled_for > context.when:
            yield Finding(
                "notice.not_live_scheduled",
                WARN,
                _(
                    "The internal notice “%(title)s” is not live yet. If it is not live by "
                    "%(time)s, the scheduled publishing will be stopped and the leader told."
                )
                % {"title": notice.title, "time": local_datetime(context.scheduled_for)},
                _("Publish the internal notice before the scheduled time."),
                field="internal_notice",
                url=_edit_url(notice),
            )
            return
        yield Finding(
            "notice.not_live",
            BLOCK,
            _("Staff must hear it first: the internal notice “%(title)s” is not live yet.")
            % {"title": notice.title},
            _("Publish the internal notice on the intranet first, then publish this page."),
            field="internal_notice",
            url=_edit_url(notice),
        )
        return
    if reason == TOO_OLD:
        yield Finding(
            "notice.too_old",
            BLOCK,
            standing.why_not(),
            _("Publish the notice again with what is new, or create a new notice from this page."),
            field="internal_notice",
            url=_edit_url(notice),
        )
        return
    if context.scheduled_for and notice.expire_at and notice.expire_at <= context.scheduled_for:
        yield Finding(
            "notice.expires_before_schedule",
            WARN,
            _(
                "The internal notice “%(title)s” expires at %(expires)s, before the page is to "
                "go live at %(time)s; the scheduled publishing will then be stopped."
            )
            % {
                "title": notice.title,
                "expires": local_datetime(notice.expire_at),
                "time": local_datetime(context.scheduled_for),
            },
            _("Remove the notice's expiry time or move it after the page's."),
            field="internal_notice",
            url=_edit_url(notice),
        )
    lead = datetime.timedelta(
        minutes=int(municipality.workflow_settings.get("internal_notice_lead_minutes", 0))
    )
    go_live = context.scheduled_for or context.when
    if lead and context.route != FAST_TRACK:
        went_live = standing.went_live
        if went_live and went_live > go_live - lead:
            yield Finding(
                "notice.too_recent",
                BLOCK,
                _(
                    "The internal notice went live at %(time)s. Staff must have had it for "
                    "%(minutes)s minutes before the public page goes live, that is from %(ready)s."
                )
                % {
                    "time": local_datetime(went_live),
                    "minutes": int(lead.total_seconds() // 60),
                    "ready": local_datetime(went_live + lead),
                },
                _("Wait until then, or schedule the page for that time."),
                field="internal_notice",
            )


@rule(PUBLISH, SUBMIT)
def openness(context):
    """Only open pages reach the public site; exempt content names its legal basis."""
    page = context.page
    if _exempt_without_basis(page):
        yield Finding(
            "sensitivity.exempt_without_basis",
            BLOCK,
            _("The page is exempt from public access but names no legal basis."),
            _("Choose the legal basis under Governance, for example “offl. § 13”."),
            field="exemption_basis",
        )
    if context.is_external and page.sensitivity != Sensitivity.OPEN:
        label = page.sensitivity_label(context.municipality)
        yield Finding(
            "sensitivity.not_open",
            BLOCK,
            _("A page marked “%(label)s” cannot be published on the public site.")
            % {"label": label},
            _("Move it to the intranet, or set the sensitivity to open if the content is open."),
            field="sensitivity",
        )


@rule(PUBLISH, SUBMIT)
def no_staff_documents_on_public_pages(context):
    """A public page must not link a document from a staff-only collection: citizens cannot
    open it, and the link would show the document's title to everyone."""
    if not context.is_external:
        return
    facts = facts_of(context)
    if facts is not None and context.page.pk in facts.private_documents:
        documents = facts.private_documents[context.page.pk]
    else:
        documents = private_documents_linked(context.page, references_of(context))
    for document in documents:
        yield Finding(
            "documents.private_on_public_page",
            BLOCK,
            _(
                "The page links “%(title)s”, a document only staff may open; its title would "
                "show on the public site."
            )
            % {"title": document.title},
            _("Remove the link, or move the document to a public collection if it is open."),
        )


def private_documents_linked(page, references=None):
    """Documents in collections with a view restriction that ``page`` links anywhere (document
    choosers, rich text links), found the way Wagtail's reference index finds them."""

    document_model = get_document_model()
    ids = referenced_document_ids(page, references)
    if not ids:
        return []
    staff_only = StaffOnlyCollections()
    return [
        document
        for document in document_model.objects.filter(pk__in=ids).select_related("collection")
        if staff_only.holds(document.collection)
    ]


@rule(PUBLISH, SUBMIT)
def no_public_aliases_of_intranet_pages(context):
    """An intranet page with aliases on the public site would publish its text there."""
    page = context.page
    if context.is_external or not page.pk:
        return

    municipality = context.municipality
    intranet = (
        municipality.intranet_page.path
        if municipality is not None and municipality.intranet_page_id
        else None
    )
    facts = facts_of(context)
    if facts is not None and page.pk in facts.aliases:
        outside = any(
            municipality is None or not municipality.is_intranet_path(path)
            for path in facts.aliases[page.pk]
        )
    else:
        aliases = Page.objects.filter(alias_of_id=page.pk)
        if intranet:
            aliases = aliases.exclude(path__startswith=intranet)
        outside = aliases.exists()
    if outside:
        yield Finding(
            "alias.outside_intranet",
            BLOCK,
            _("This intranet page has aliases on the public site, where its text would show."),
            _("Delete the aliases outside the intranet, then publish."),
        )


@rule(PUBLISH, SUBMIT)
def responsibility(context):
    """A public page names the leader who owns the service, the unit and the audiences."""
    page = context.page
    municipality = context.municipality
    unit = _unit_of(context, page) if page.owning_unit_id else None
    if unit is not None and municipality is not None and unit.municipality_id != municipality.pk:
        yield Finding(
            "responsibility.unit_of_other_municipality",
            BLOCK,
            _("The owning unit %(unit)s belongs to another municipality.") % {"unit": unit},
            _("Choose a unit of this municipality under Governance."),
            field="owning_unit",
        )
    if page.owning_unit_id is None:
        yield Finding(
            "responsibility.no_unit",
            BLOCK,
            _("The page has no owning unit."),
            _("Choose the unit that provides the service under Governance."),
            field="owning_unit",
        )
    if page.responsible_leader_id is None:
        yield Finding(
            "responsibility.no_leader",
            BLOCK,
            _("The page has no responsible leader."),
            _("Choose the leader who owns the service under Governance."),
            field="responsible_leader",
        )
    elif page.owning_unit_id and not _leader_in_line(
        context, page, timezone.localdate(context.when)
    ):
        yield Finding(
            "responsibility.leader_not_in_line",
            BLOCK,
            _("%(person)s holds no leader role in %(unit)s or above it in the line.")
            % {
                "person": person_name(_person_of(context, page, "responsible_leader")),
                "unit": unit,
            },
            _("Choose the leader who owns the service."),
            field="responsible_leader",
        )
    if context.is_external and page.pk is not None and not audiences_of(context):
        yield Finding(
            "responsibility.no_audience",
            BLOCK,
            _("The page names no audience."),
            _("Tick the audiences the page is written for under Governance."),
            field="audiences",
        )


# The statement levels of the spokesperson matrix that are about one unit rather than the whole
# municipality: the unit head speaks for the unit, employees give facts from their own unit.
_UNIT_LEVELS = {"unit", "factual"}


@rule(PUBLISH, SUBMIT)
def spokesperson(context):
    """A press release quotes someone who holds the role its statement level asks for."""
    page = context.page
    level = getattr(page, "statement_level", None)
    if level is None or not hasattr(page, "spokesperson_id"):
        return
    if page.spokesperson_id is None:
        yield Finding(
            "spokesperson.missing",
            BLOCK,
            _("The press release names no spokesperson."),
            _("Choose who speaks for the municipality."),
            field="spokesperson",
        )
        return
    municipality = context.municipality
    if municipality is None:
        return
    allowed = set(municipality.statement_level_roles(level))
    held = _roles_held(context, page, municipality, unit_only=level in _UNIT_LEVELS)
    if not held & allowed:
        yield Finding(
            "spokesperson.wrong_role",
            BLOCK,
            _("%(person)s cannot speak at the level “%(level)s”. It needs: %(roles)s.")
            % {
                "person": person_name(_person_of(context, page, "spokesperson")),
                "level": page.get_statement_level_display(),
                "roles": ", ".join(municipality.role_label(role) for role in sorted(allowed)),
            },
            _("Choose a spokesperson with that role, or change the statement level."),
            field="spokesperson",
        )
    elif Role.UNION_REPRESENTATIVE in held and not (held - {Role.UNION_REPRESENTATIVE}) & allowed:
        yield Finding(
            "spokesperson.union_representative",
            WARN,
            _("%(person)s speaks as a union representative, for the staff.")
            % {"person": person_name(_person_of(context, page, "spokesperson"))},
            _("The press release will say so; make sure the text does too."),
            field="spokesperson",
        )


def _roles_held(context, page, municipality, *, unit_only):
    """The roles the spokesperson holds in the municipality (in the owning unit, for the
    statement levels about one unit) on the day of the context."""
    day = timezone.localdate(context.when)
    facts = facts_of(context)
    try:
        if facts is None:
            raise Missing(page.spokesperson_id)
        units = facts.units
        return {
            a.role
            for a in facts.active_roles(page.spokesperson_id, day)
            if a.unit_id in units
            and units[a.unit_id].municipality_id == municipality.pk
            and (not unit_only or not page.owning_unit_id or a.unit_id == page.owning_unit_id)
        }
    except Missing:
        assignments = RoleAssignment.objects.active(day).filter(
            user_id=page.spokesperson_id, unit__municipality=municipality
        )
        if unit_only and page.owning_unit_id:
            assignments = assignments.filter(unit_id=page.owning_unit_id)
        return set(assignments.values_list("role", flat=True))


@rule(PUBLISH, SUBMIT)
def trained_publisher(context):
    """Only people who passed the publishing course submit or publish public pages."""
    user = context.user
    if user is None or user.is_superuser or not context.is_external:
        return
    if context.purpose == PUBLISH and context.route != DIRECT:
        # Workflow approvals and the crisis fast track were submitted or started by someone else.
        return
    municipality = context.municipality
    if municipality is None:
        return
    today = timezone.localdate(context.when)
    facts = facts_of(context)
    if facts is not None and user.pk in facts.certificate_users:
        certificates = facts.certificates.get((user.pk, municipality.pk), [])
    else:
        certificates = remember(
            ("certificates", user.pk, municipality.pk),
            lambda: list(user.publisher_certificates.filter(municipality=municipality)),
            across_requests=True,
        )
    if any(cert.is_valid(today) for cert in certificates):
        return
    if certificates:
        latest = max(certificates, key=lambda cert: cert.expires_on)
        message = _(
            "Your publisher certificate (%(course)s) expired on %(date)s. Only trained "
            "publishers may submit public pages."
        ) % {"course": latest.course, "date": date_format(latest.expires_on)}
        code = "publisher.certificate_expired"
        fix = _("Take the publishing course again, or ask the web editor to submit the page.")
    else:
        message = _("Only trained publishers may submit public pages, and you have no certificate.")
        code = "publisher.no_certificate"
        fix = _("Take the publishing course, or ask the web editor to submit the page.")
    yield Finding(code, BLOCK, message, fix)


def notice_gate_findings(page):
    """Blocking findings of the internal-before-external rule for ``page`` as it stands now: what
    holds a page at the workflow's internal-notice gate.

    The gate waits for a live notice only; a lead time is the final publish's business, since
    nothing would check again once the lead time has passed.
    """
    context = RuleContext(page=page, purpose=PUBLISH)
    return [
        f
        for f in blocking(evaluate(context))
        if f.code.startswith("notice.") and f.code != "notice.too_recent"
    ]


def field_errors(page):
    """Errors in a governed page's own fields that hold for drafts too, keyed by field name.

    The page form shows them when a draft is saved: an exempt page without its legal basis, a
    responsible leader outside the unit's line, an internal notice that is no notice (or the
    page itself). The same predicates and words as the rules that stop a publish; whether the
    page may go live is the rules' question, not this one's.
    """
    errors = {}
    if _exempt_without_basis(page):
        errors["exemption_basis"] = [
            _("The page is exempt from public access but names no legal basis.")
            + " "
            + _("Choose the legal basis under Governance, for example “offl. § 13”.")
        ] + ([INVISIBLE_ONLY] if invisible_only(page.exemption_basis) else [])
    context = RuleContext(page=page)
    if (
        page.responsible_leader_id
        and page.owning_unit_id
        and not _leader_in_line(context, page, timezone.localdate())
    ):
        errors["responsible_leader"] = [
            _("%(person)s holds no leader role in %(unit)s or above it in the line.")
            % {"person": person_name(page.responsible_leader), "unit": unit_of(page)}
            + " "
            + _("Choose the leader who owns the service.")
        ]
    if page.internal_notice_id:
        notice = page.internal_notice.specific
        if not _is_notice(notice):
            errors["internal_notice"] = [
                NoticeStanding(notice, NOT_A_NOTICE).why_not()
                + " "
                + _("Link a notice to staff from the intranet.")
            ]
        elif page.pk is not None and notice.pk == page.pk:
            errors["internal_notice"] = [_("A page cannot be its own internal notice.")]
    if instead_elsewhere(page, context.municipality):
        message, fix = ELSEWHERE
        errors[WITHDRAWAL_FIELD] = [f"{message} {fix}"]
    return errors
