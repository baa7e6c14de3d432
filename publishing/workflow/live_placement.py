"""Defence in depth: every live page judged again where it stands, as if it went live today.

The publish veto and the guards on copy, alias and move stop a page from going live where the
rules forbid it. This module asks the same question afterwards, of everything that is live: a
page that got there another way (an import, a database change, an older version of this
package, a rule that changed) is found. ``manage.py check_live_placement`` runs it daily and mails
each municipality's communications group what it found.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from wagtail.models import Page, PageViewRestriction

from publishing.models import GovernedPage, Municipality
from publishing.rules import blocking, check_publish


@dataclass
class Problem:
    """A live page that would not be allowed to go live where it stands today."""

    page: Page
    municipality: Municipality | None
    reasons: list = field(default_factory=list)  # plain sentences, never the page's text
    url: str = ""  # where to fix it, filled in for mails


def _staff_only(page, municipality):
    """True if ``page`` (or a page above it) is restricted to ``municipality``'s staff."""
    restrictions = PageViewRestriction.objects.filter(
        page__in=page.get_ancestors(inclusive=True), restriction_type=PageViewRestriction.GROUPS
    )
    return restrictions.filter(groups=municipality.staff_group_id).exists()


def _intranet_problems(municipality):
    if municipality.intranet_page_id is None or municipality.staff_group_id is None:
        return []
    intranet = municipality.intranet_page
    if _staff_only(intranet, municipality):
        return []
    return [
        Problem(
            intranet,
            municipality,
            [_("The intranet is not restricted to the municipality's staff: anyone can read it.")],
        )
    ]


def live_pages_of(municipality):
    """Every live page on ``municipality``'s site (its intranet included), aliases too."""
    root = municipality.site.root_page
    return Page.objects.live().descendant_of(root, inclusive=True).order_by("path")


def judge(municipalities=None):
    """The live pages of ``municipalities`` (default: all) that would not be allowed to go live
    where they stand today, with the reasons."""
    scope = Municipality.objects.select_related("site__root_page", "intranet_page").order_by("pk")
    if municipalities is not None:
        scope = scope.filter(pk__in=[m.pk for m in municipalities])
    problems = []
    for municipality in scope:
        if municipality.site is None:
            continue
        problems.extend(_intranet_problems(municipality))
        for page in live_pages_of(municipality).specific().iterator():
            if not isinstance(page, GovernedPage):
                continue
            blocked = blocking(check_publish(page))
            if blocked:
                problems.append(
                    Problem(page, municipality, [finding.summary for finding in blocked])
                )
    return problems
