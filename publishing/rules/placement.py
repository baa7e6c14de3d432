"""Where a page may stand: the judgement of copies, aliases and moves at their destination.

A page that is copied with "publish copies", aliased or moved goes live (or becomes visible) at
its new place without passing the publish veto there, so these decisions judge it there first:
by the publish rules as they apply at the destination (``check_publish(..., location=...)``),
and by two rules of their own: intranet pages never leave the intranet, and a municipality's
intranet is not copied to another site. ``alias_findings`` judges the aliases that go live with a
page when it is published. ``publishing.wagtail_internals.actions`` asks these before Wagtail's
own checks; the publish veto (``publishing.workflow.veto``) asks ``alias_findings``.
"""

from django.utils.translation import gettext as _
from wagtail.models import Page

from publishing.models import GovernedPage, Municipality
from publishing.rules.engine import BLOCK, Finding, blocking, check_publish
from publishing.rules.withdrawal import relied_upon


def intranet_of(page):
    """The municipality whose intranet holds ``page``, or None."""
    for municipality in Municipality.objects.exclude(intranet_page=None).select_related(
        "intranet_page"
    ):
        if municipality.is_intranet_page(page):
            return municipality
    return None


def leaves_intranet(page, destination):
    """True if ``page`` is on an intranet and ``destination`` is outside that intranet."""
    source = intranet_of(page)
    return source is not None and not source.is_intranet_page(destination)


def _pages(page, recursive):
    return list(page.get_descendants(inclusive=True)) if recursive else [page]


def municipality_at(page):
    """The municipality whose public site or intranet holds ``page``, or None."""
    return Municipality.objects.for_page(page) or intranet_of(page)


def crosses_municipalities(page, destination):
    """True if ``destination`` belongs to another municipality than ``page`` (or only one of
    them belongs to any)."""
    source, target = municipality_at(page), municipality_at(destination)
    return getattr(source, "pk", None) != getattr(target, "pk", None)


def _as_published_there(source, *, fresh):
    """The version of ``source`` that would be live at its new place: its live content, or, for a
    fresh publish (a draft going somewhere else), its latest revision."""
    specific = source.specific
    if not isinstance(specific, GovernedPage):
        return None
    if source.live and not fresh:
        return specific
    revision = specific.get_latest_revision()
    return revision.as_object() if revision is not None else specific


def _placement_refusal(pages, destination, *, fresh, user, message):
    """The first page of ``pages`` that may not go live below ``destination``, worded with
    ``message`` (title, reasons), or None. ``fresh`` judges drafts too, as a first publish."""
    for source in pages:
        if not (source.live or fresh):
            continue
        candidate = _as_published_there(source, fresh=fresh and not source.live)
        if candidate is None:
            continue
        blocked = blocking(check_publish(candidate, user=user, location=destination))
        if blocked:
            return message % {
                "title": candidate.title,
                "reasons": " ".join(f.message for f in blocked),
            }
    return None


def _intranet_inside(page):
    """A municipality whose intranet root is ``page`` or below it."""
    for municipality in Municipality.objects.exclude(intranet_page=None).select_related(
        "intranet_page"
    ):
        if municipality.intranet_page.path.startswith(page.path):
            return municipality
    return None


def copy_refusal(page, destination, *, keep_live, recursive, user=None):
    """Why copying ``page`` below ``destination`` must be refused, or ``None``."""
    if leaves_intranet(page, destination):
        return _("Pages on the intranet cannot be copied out of it; staff pages never go public.")
    if recursive:
        inside = _intranet_inside(page)
        if inside is not None and getattr(municipality_at(destination), "pk", None) != inside.pk:
            return _(
                "This section holds the intranet of %(municipality)s, which cannot be copied out "
                "of its site. Copy the sections you need instead."
            ) % {"municipality": inside.name}
    if keep_live:
        return _placement_refusal(
            _pages(page, recursive),
            destination,
            fresh=False,
            user=user,
            message=_("“%(title)s” cannot be published as a copy: %(reasons)s"),
        )
    return None


def alias_refusal(page, destination, *, recursive, user=None):
    """Why an alias of ``page`` below ``destination`` must be refused, or ``None``.

    An alias goes live wherever it stands each time its source is published, so it is judged
    there now: live sources as they are, and, across municipalities, drafts as a first publish
    at the destination would be judged.
    """
    if leaves_intranet(page, destination):
        return _(
            "Intranet pages cannot have aliases outside the intranet: the alias would be public."
        )
    return _placement_refusal(
        _pages(page, recursive),
        destination,
        fresh=crosses_municipalities(page, destination),
        user=user,
        message=_("“%(title)s” cannot have an alias there: %(reasons)s"),
    )


def move_refusal(page, destination, user=None):
    """Why moving ``page`` (with everything below it) below ``destination`` must be refused, or
    ``None``.

    A live page that moves goes live at its new place, so it is judged there; a move to another
    municipality judges drafts too, as a first publish there, for everyone, superusers included.
    """
    if leaves_intranet(page, destination):
        return _("Pages cannot be moved from the intranet to the public site.")
    target = intranet_of(destination)
    if target is not None and _public_aliases(page, target):
        return _(
            "This page has aliases on the public site; moved to the intranet, its staff-only "
            "content would show there. Remove the aliases first."
        )
    if destination.get_view_restrictions().exists():
        relied = relied_upon(page, descendants=True, live_only=True)
        if relied:
            return _(
                "“%(title)s” is on the public site, and behind the restriction there citizens "
                "could no longer open it. Withdraw it, or unpublish it and say why, first."
            ) % {"title": relied[0].get_admin_display_title()}
    return _placement_refusal(
        _pages(page, recursive=True),
        destination,
        fresh=crosses_municipalities(page, destination),
        user=user,
        message=_("“%(title)s” cannot be moved there: %(reasons)s"),
    )


def alias_findings(page, *, user=None, when=None):
    """Blocking findings for the aliases of ``page`` that would go live with it: each is judged
    where it stands, with that place's municipality, intranet and rules."""

    findings = []
    for alias in Page.objects.filter(alias_of_id=page.pk):
        blocked = blocking(check_publish(page, user=user, when=when, location=alias.get_parent()))
        if blocked:
            findings.append(
                Finding(
                    "placement.alias_blocked",
                    BLOCK,
                    _(
                        "The alias of this page at “%(place)s” would go live with it, and may "
                        "not go live there: %(reasons)s"
                    )
                    % {
                        "place": alias.get_parent().title,
                        "reasons": " ".join(f.message for f in blocked),
                    },
                    _("Delete the alias, or fix what stops it, and publish again."),
                )
            )
    return findings


def _public_aliases(page, municipality):
    """Aliases of ``page`` or its descendants that stand outside ``municipality``'s intranet."""
    sources = page.get_descendants(inclusive=True).values("pk")
    return Page.objects.filter(alias_of__in=sources).exclude(
        path__startswith=municipality.intranet_page.path
    )
