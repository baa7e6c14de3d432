"""Withdrawn pages, and pages citizens may have relied on.

A withdrawn page stays at its address and says that it is no longer current, why, and where to
go instead. Withdrawing is a change like any other: it is set in the editor and published
through the workflow, so the leader approves it and every door judges it here. Unpublishing or
deleting a page that has been on the public site takes a reason (``needs_reason``), so that
what citizens could read, and why it went, stays on record.
"""

from django.utils.translation import gettext as _

from publishing.models import BaseInternalNoticePage, GovernedPage
from publishing.rules.engine import BLOCK, PUBLISH, SUBMIT, WARN, Finding, rule
from publishing.visible_text import has_visible_text


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
            field="withdrawal_see_instead",
        )
        return
    target = page.withdrawal_see_instead
    if target is None or not target.live:
        yield Finding(
            "withdrawal.instead_not_live",
            WARN,
            _("The page citizens are sent to instead is not published: they would find nothing."),
            _("Publish that page first, or choose another."),
            field="withdrawal_see_instead",
        )
    elif getattr(target.specific, "withdrawn", False):
        yield Finding(
            "withdrawal.instead_withdrawn",
            WARN,
            _("The page citizens are sent to instead is withdrawn too."),
            _("Choose the page that is current now."),
            field="withdrawal_see_instead",
        )


def needs_reason(page):
    """Whether unpublishing or deleting ``page`` must say why: a governed page that has been on
    the public site (published at least once, not a notice to staff, not behind a view
    restriction). Citizens may have read it, linked to it or acted on it."""
    page = page.specific
    return (
        isinstance(page, GovernedPage)
        and not isinstance(page, BaseInternalNoticePage)
        and page.first_published_at is not None
        and not page.get_view_restrictions().exists()
    )
