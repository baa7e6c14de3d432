"""The governance rules from the strategies: internal before external, openness, responsibility,
spokespersons and trained publishers."""

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models.organisation import Role, RoleAssignment
from ..models.pages import BaseInternalNoticePage, Sensitivity
from . import BLOCK, DIRECT, FAST_TRACK, PUBLISH, SUBMIT, WARN, Finding, rule
from .bulk import Missing, audiences_of, facts_of

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
    return page.owning_unit


def _leader_in_line(context, page, day):
    """Whether the page's responsible leader holds a leader role in its unit's line."""
    facts = facts_of(context)
    try:
        if facts is None or page.owning_unit_id not in facts.units:
            raise Missing(page.owning_unit_id)
        return facts.has_leader_in_line(page.owning_unit_id, page.responsible_leader_id, day)
    except Missing:
        return page.owning_unit.has_leader_in_line(page.responsible_leader, on=day)


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


@rule(PUBLISH, SUBMIT)
def internal_before_external(context):
    """Staff hear first: a public page that affects staff needs its internal notice live first."""
    page = context.page
    if not page.affects_staff or not context.is_external:
        return
    notice = _notice_of(context)
    if notice is None:
        # On submit the workflow's notice task holds the page until a notice is linked and live.
        yield Finding(
            "notice.missing",
            WARN if context.purpose == SUBMIT else BLOCK,
            _("The page affects staff, but no internal notice to staff is linked."),
            _("Create an internal notice on the intranet and link it under Governance."),
            field="internal_notice",
            url=_notice_url(page),
        )
        return
    municipality = context.municipality
    if not _is_notice(notice):
        yield Finding(
            "notice.wrong_type",
            BLOCK,
            _("“%(title)s” is not an internal notice.") % {"title": notice.title},
            _("Link a notice to staff from the intranet."),
            field="internal_notice",
        )
        return
    if municipality is None or not municipality.is_intranet_page(notice):
        yield Finding(
            "notice.not_in_intranet",
            BLOCK,
            _("The internal notice “%(title)s” is not on this municipality's intranet.")
            % {"title": notice.title},
            _("Move the notice to the intranet or link another one."),
            field="internal_notice",
        )
        return
    if context.purpose == SUBMIT:
        # The workflow holds the page until the notice is live; submitting is fine.
        return
    lead = datetime.timedelta(
        minutes=int(municipality.workflow_settings.get("internal_notice_lead_minutes", 0))
    )
    go_live = context.scheduled_for or context.when
    if not notice.live:
        if context.scheduled_for and context.scheduled_for > context.when:
            yield Finding(
                "notice.not_live_scheduled",
                WARN,
                _(
                    "The internal notice “%(title)s” is not live yet. If it is not live by "
                    "%(time)s, the scheduled publishing will be stopped and the leader told."
                )
                % {"title": notice.title, "time": _format(context.scheduled_for)},
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
    if lead and context.route != FAST_TRACK:
        went_live = notice.last_published_at or notice.first_published_at
        if went_live and went_live > go_live - lead:
            yield Finding(
                "notice.too_recent",
                BLOCK,
                _(
                    "The internal notice went live at %(time)s. Staff must have had it for "
                    "%(minutes)s minutes before the public page goes live, that is from %(ready)s."
                )
                % {
                    "time": _format(went_live),
                    "minutes": int(lead.total_seconds() // 60),
                    "ready": _format(went_live + lead),
                },
                _("Wait until then, or schedule the page for that time."),
                field="internal_notice",
            )


@rule(PUBLISH, SUBMIT)
def openness(context):
    """Only open pages reach the public site; exempt content names its legal basis."""
    page = context.page
    if page.sensitivity == Sensitivity.EXEMPT and not page.exemption_basis.strip():
        yield Finding(
            "sensitivity.exempt_without_basis",
            BLOCK,
            _("The page is exempt from public access but names no legal basis."),
            _("Choose the legal basis under Governance, for example “offl. § 13”."),
            field="exemption_basis",
        )
    if context.is_external and page.sensitivity != Sensitivity.OPEN:
        label = page.get_sensitivity_display()
        if context.municipality is not None:
            label = context.municipality.sensitivity_label(page.sensitivity)
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
        documents = private_documents_linked(context.page)
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


def private_documents_linked(page):
    """Documents in collections with a view restriction that ``page`` links anywhere (document
    choosers, rich text links), found the way Wagtail's reference index finds them."""
    from wagtail.documents import get_document_model
    from wagtail.models import CollectionViewRestriction

    document_model = get_document_model()
    ids = referenced_document_ids(page)
    if not ids:
        return []
    restricted = list(CollectionViewRestriction.objects.values_list("collection__path", flat=True))
    return [
        document
        for document in document_model.objects.filter(pk__in=ids).select_related("collection")
        if any(document.collection.path.startswith(path) for path in restricted)
    ]


def referenced_document_ids(page):
    """Ids of the documents ``page`` links anywhere, as Wagtail's reference index finds them
    (in its fields and child objects; no query once those are loaded)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.documents import get_document_model
    from wagtail.models import ReferenceIndex

    document_type = ContentType.objects.get_for_model(get_document_model())
    return {
        int(object_id)
        for type_id, object_id, *_ in ReferenceIndex._extract_references_from_object(page)
        if type_id == document_type.pk and str(object_id).isdigit()
    }


@rule(PUBLISH, SUBMIT)
def no_public_aliases_of_intranet_pages(context):
    """An intranet page with aliases on the public site would publish its text there."""
    page = context.page
    if context.is_external or not page.pk:
        return
    from wagtail.models import Page

    municipality = context.municipality
    intranet = (
        municipality.intranet_page.path
        if municipality is not None and municipality.intranet_page_id
        else None
    )
    facts = facts_of(context)
    if facts is not None and page.pk in facts.aliases:
        outside = any(not intranet or not p.startswith(intranet) for p in facts.aliases[page.pk])
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
            % {"person": _person(_person_of(context, page, "responsible_leader")), "unit": unit},
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
                "person": _person(_person_of(context, page, "spokesperson")),
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
            % {"person": _person(_person_of(context, page, "spokesperson"))},
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
        certificates = list(user.publisher_certificates.filter(municipality=municipality))
    if any(cert.is_valid(today) for cert in certificates):
        return
    if certificates:
        latest = max(certificates, key=lambda cert: cert.expires_on)
        message = _(
            "Your publisher certificate (%(course)s) expired on %(date)s. Only trained "
            "publishers may submit public pages."
        ) % {"course": latest.course, "date": date_format(latest.expires_on)}
        code = "publisher.certificate_expired"
    else:
        message = _("Only trained publishers may submit public pages, and you have no certificate.")
        code = "publisher.no_certificate"
    yield Finding(
        code,
        BLOCK,
        message,
        _("Take the publishing course again, or ask the web editor to submit the page."),
    )


def _person(user):
    return user.get_full_name() or user.get_username()


def _format(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
