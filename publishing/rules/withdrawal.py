"""Withdrawn pages, and pages citizens may have relied on.

A withdrawn page stays at its address and says that it is no longer current, why, and where to
go instead. Withdrawing is a change like any other: it is set in the editor and published
through the workflow, so the leader approves it and every door judges it here. Unpublishing or
deleting a page that has been on the public site takes a reason (``needs_reason``), so that
what citizens could read, and why it went, stays on record.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from publishing.models import BaseInternalNoticePage, GovernedPage, Municipality
from publishing.rules.engine import BLOCK, PUBLISH, SUBMIT, WARN, Finding, rule
from publishing.visible_text import has_visible_text
from publishing.wording import local_datetime


@rule(PUBLISH, SUBMIT)
def withdrawal(context):
    """A withdrawn page says why, and where it sends citizens instead is a live page."""
    page = context.page
    if not page.withdrawn:
        return
    if not has_visible_text(page.withdrawal_reason or ""):
        yield Finding(
            "withdrawal.no_reason",
            BLOCK,
            _("The page is marked as withdrawn but does not say why."),
            _(
                "Under Governance, Withdrawal, write why the page is no longer current: "
                "citizens read it at the top of the page."
            ),
            field="withdrawal_reason",
        )
    target_id = page.withdrawal_see_instead_id
    if target_id is None:
        return
    if target_id == page.pk:
        yield Finding(
            "withdrawal.sends_to_itself",
            BLOCK,
            _("The withdrawn page sends citizens to itself."),
            _("Choose the current page they should read instead, or none."),
            field=FIELD,
        )
        return
    target = page.withdrawal_see_instead
    if instead_elsewhere(page, context.municipality):
        message, fix = ELSEWHERE
        yield Finding("withdrawal.instead_elsewhere", BLOCK, str(message), str(fix), field=FIELD)
    elif target is not None and not (
        context.municipality and context.municipality.citizens_may_read(target, live=False)
    ):
        yield Finding(
            "withdrawal.instead_staff_only",
            BLOCK,
            _(
                "Citizens cannot open the page they are sent to instead: it is on the intranet "
                "or behind a login or a password."
            ),
            _("Choose a page on the public site."),
            field=FIELD,
        )
    elif target is None or not target.live:
        yield Finding(
            "withdrawal.instead_not_live",
            WARN,
            _("The page citizens are sent to instead is not published: they would find nothing."),
            _("Publish that page first, or choose another."),
            field=FIELD,
        )
    elif getattr(target.specific, "withdrawn", False):
        yield Finding(
            "withdrawal.instead_withdrawn",
            WARN,
            _("The page citizens are sent to instead is withdrawn too."),
            _("Choose the page that is current now."),
            field=FIELD,
        )


#: The field that says where a withdrawn page sends citizens instead.
FIELD = "withdrawal_see_instead"

#: Why a withdrawn page may not send citizens to another municipality's site, and what to do:
#: the rule that stops the publish and the page's own field check (drafts too) say the same.
ELSEWHERE = (
    gettext_lazy("The page citizens are sent to instead is on another municipality's site."),
    gettext_lazy("Choose a page on this municipality's public site."),
)


def instead_elsewhere(page, municipality):
    """Whether the page ``page`` sends citizens to instead stands on another site than
    ``municipality``'s (the page's own; None when not known yet: not judged here). A draft may
    not hold it either (``governance.field_errors``)."""
    if municipality is None or page.withdrawal_see_instead_id is None:
        return False
    target = page.withdrawal_see_instead
    if target is None:
        return False  # deleted meanwhile: the rule says it is not published
    return Municipality.objects.for_page(target) != municipality


@rule(PUBLISH, SUBMIT)
def expiry(context):
    """An expiry date takes a page citizens rely on off the site on that day without a word:
    the approver is told, and acknowledges it with a reason like any warning."""
    page = context.page
    if not page.expire_at or page.withdrawn or page.pk is None or not needs_reason(page):
        return
    yield Finding(
        "withdrawal.expires",
        WARN,
        _(
            "The page will be unpublished on %(date)s, and citizens who rely on it will find "
            "nothing there."
        )
        % {"date": local_datetime(page.expire_at)},
        _(
            "If it is only out of date by then, withdraw it instead: it stays at its address and "
            "says why."
        ),
        field="expire_at",
    )


def relied_upon(page, *, descendants=False, live_only=False):
    """The pages among ``page`` (and, with ``descendants``, every page below it) that citizens
    may have relied on: governed pages that have been on the public site (published at least
    once, not a notice to staff, not behind a view restriction). Citizens may have read them,
    linked to them or acted on them, so taking them away (``live_only``: those live now, for an
    unpublish) must say why."""
    pages = Page.objects.filter(pk=page.pk)
    if descendants:
        pages = Page.objects.filter(path__startswith=page.path, depth__gte=page.depth)
    return list(relied_upon_among(pages, live_only=live_only).order_by("path"))


def relied_upon_among(pages, *, live_only=False):
    """``pages`` (a page queryset) narrowed to those ``relied_upon`` names."""
    pages = pages.type(GovernedPage).not_type(BaseInternalNoticePage).public()
    pages = pages.filter(first_published_at__isnull=False)
    return pages.live() if live_only else pages


def needs_reason(page):
    """Whether unpublishing or deleting ``page`` itself must say why (``relied_upon``)."""
    return bool(relied_upon(page))


def removal_refusal(pages, reason):
    """Why removing ``pages`` (``relied_upon``'s answer) is refused when no ``reason`` was
    given, or None. Every door that unpublishes or deletes a page asks this (the admin's views,
    bulk actions, the APIs, code)."""
    if not pages or (reason and has_visible_text(reason)):
        return None
    return _(
        "“%(title)s” has been on the public site: say why it goes. Unpublish or delete it in "
        "the page admin, where you are asked for the reason, or withdraw it instead."
    ) % {"title": pages[0].get_admin_display_title()}


def may_withdraw_instead(user, page):
    """Whether ``user`` may withdraw ``page`` instead of removing it: a governed page they may
    edit that is not withdrawn yet (the withdrawal then goes through the workflow)."""
    return (
        isinstance(page, GovernedPage)
        and not page.withdrawn
        and page.permissions_for_user(user).can_edit()
    )
