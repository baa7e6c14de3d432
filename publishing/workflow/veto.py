"""The publish veto on every path that makes a page live, and the guards beside it.

Wagtail has no single documented veto point: the editor, the create view, workflow approval,
bulk publish, scheduled publishing, revert, the admin API, the v3 API and ``revision.publish()``
all end in ``PublishPageRevisionAction.execute``; copy with "publish copies", alias creation
and moves make pages live or visible without it. This module decides (``publish_findings``, the
refusals of copies, aliases and moves, what a refused scheduled publish leaves behind);
``publishing.wagtail_internals.actions`` puts the decisions into Wagtail's actions.
"""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.publish_page_revision import (
    PublishPagePermissionError,
)
from wagtail.models import Page

from publishing import audit
from publishing.models import GovernedPage, Municipality
from publishing.notifications.mail import notify_scheduled_block
from publishing.rules import BLOCK, Finding, blocking, check_publish, current_route

logger = logging.getLogger(__name__)

SCHEDULED_LOG_ACTION = "wagtail.publish.scheduled"


class GovernancePublishBlocked(PublishPagePermissionError):
    """Publishing refused by a governance rule; ``findings`` says which and how to fix it."""

    def __init__(self, findings):
        self.findings = list(findings)
        super().__init__(" ".join(finding.message for finding in self.findings))


def publish_findings(action):
    """The blocking findings for a ``PublishPageRevisionAction`` about to run."""
    page = action.revision.as_object()
    if not isinstance(page, GovernedPage):
        return []
    now = timezone.now()
    scheduled_for = page.go_live_at if page.go_live_at and page.go_live_at > now else None
    blocked = blocking(
        check_publish(
            page, user=action.user, when=now, route=current_route(), scheduled_for=scheduled_for
        )
    )
    # Wagtail updates the page's aliases as part of the publish: they go live where they stand.
    return blocked or alias_findings(page, user=action.user, when=now)


def stop_scheduled(action, blocked):
    """A blocked scheduled publish stays unpublished; the rest of the schedule still runs."""
    revision = action.revision
    revision.approved_go_live_at = None
    revision.save(update_fields=["approved_go_live_at"])
    audit.record(
        action.object,
        audit.SCHEDULED_BLOCKED,
        findings=blocked,
        data={"route": "scheduled"},
        revision=revision,
    )
    logger.warning(
        "Scheduled publishing of page %s stopped by governance rules: %s",
        action.object.pk,
        ", ".join(finding.code for finding in blocked),
    )

    notify_scheduled_block(action.object.specific, blocked)


# --- copy, alias and move ---------------------------------------------------------------------


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
