"""What a version changes against the live page, field by field: an approver decides with the
difference in front of her (the leader's approval dialog, the editorial review, the editor of a
page in a workflow, and a page of its own that the approval mail links to).

Wagtail's revision comparison does the work (``wagtail.admin.compare``: StreamField blocks, rich
text, inline panels and relations); this puts the governance fields first and says "new page"
when nothing of the page is live.
"""

import re
from dataclasses import dataclass, field

from wagtail.admin.panels import get_edit_handler

#: Fields an approver weighs first: whether the page is withdrawn, who answers for it, for whom,
#: how sensitive, and the notice to staff; in this order, before the page's content.
GOVERNANCE_FIELDS = (
    "withdrawn",
    "withdrawal_reason",
    "withdrawal_see_instead",
    "responsible_leader",
    "owning_unit",
    "audiences",
    "sensitivity",
    "exemption_basis",
    "affects_staff",
    "internal_notice",
)


#: What Wagtail's difference marks as added or removed (a word, an item or a whole block).
MARKED = re.compile(r'class="[^"]*\b(?:addition|deletion)\b')


@dataclass
class Changes:
    """The fields ``revision`` changes against ``live`` (None: a new page), as Wagtail's
    comparison objects (``field_label()``, ``htmldiff()``, child comparisons)."""

    revision: object
    live: object = None
    comparisons: list = field(default_factory=list)

    @property
    def new_page(self):
        return self.live is None

    @property
    def governance(self):
        return [c for c in self.comparisons if field_name(c) in GOVERNANCE_FIELDS]

    @property
    def content(self):
        return [c for c in self.comparisons if field_name(c) not in GOVERNANCE_FIELDS]


def field_name(comparison):
    """The model field a comparison compares (None for one that compares no single field)."""
    model_field = getattr(comparison, "field", None)
    return getattr(model_field, "name", None)


def shows_a_change(comparison):
    """Whether ``comparison`` shows a reader anything added or removed. Rich text stored
    without the editor's block keys gets new ones when the editor saves it unchanged, and
    Wagtail then counts the field as changed although its difference marks nothing."""
    if not getattr(comparison, "is_field", False):
        return True
    return MARKED.search(str(comparison.htmldiff())) is not None


def live_version(page):
    """The page as it is live, or None when nothing of it is live."""
    if not page.live:
        return None
    if page.live_revision_id:
        return page.live_revision.as_object()
    return page


def changes_against_live(page, revision=None, request=None):
    """What ``revision`` (the page's latest by default) changes against the live page."""
    page = page.specific
    revision = revision or page.get_latest_revision()
    if revision is None:
        return Changes(revision=None, live=live_version(page))
    proposed = revision.as_object()
    live = live_version(page)
    if live is None:
        return Changes(revision=revision)
    comparators = (
        get_edit_handler(type(page))
        .get_bound_panel(instance=page, request=request, form=None)
        .get_comparison()
    )
    changed = [
        c
        for c in (comparator(live, proposed) for comparator in comparators)
        if c.has_changed() and shows_a_change(c)
    ]
    order = {name: index for index, name in enumerate(GOVERNANCE_FIELDS)}
    # Governance fields first, in their order; the content as the editor shows it.
    changed.sort(key=lambda c: order.get(field_name(c), len(order)))
    return Changes(revision=revision, live=live, comparisons=changed)
