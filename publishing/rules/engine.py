"""The rule engine: findings, the context a rule looks at, registration and evaluation.

Rules live beside it (``governance``, ``content``); ``publishing.rules`` hands on these names and
loads the rule modules so that their rules are registered.
"""

import contextlib
import contextvars
import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from publishing.models import GovernedPage, Municipality

BLOCK = "block"
WARN = "warn"

#: Why the engine is asked.
EDIT = "edit"  # the editor panel: what would stop this page
SUBMIT = "submit"  # a person submits the page to a workflow
PUBLISH = "publish"  # the page is about to go live (any path)

# How the current publish was started; set by the workflow finish action and the fast track.
DIRECT, WORKFLOW, FAST_TRACK = "direct", "workflow", "fast_track"
_publish_route = contextvars.ContextVar("publishing_route", default=DIRECT)


@contextlib.contextmanager
def publish_route(route):
    """Mark publishes inside the block as coming from ``route`` (workflow, fast track)."""
    token = _publish_route.set(route)
    try:
        yield
    finally:
        _publish_route.reset(token)


def current_route():
    return _publish_route.get()


@dataclass(frozen=True)
class Finding:
    """One thing the engine found. ``message`` and ``fix`` are in the active language.

    ``message`` is for the writer at work on the page (the editor's panel, form errors, the
    report of a page sent back) and may quote the page's text around a finding, partly masked,
    so that they find it. ``summary`` says only what was found and where: reports, exports,
    stored records, the audit log and e-mails to others use it.
    """

    code: str
    severity: str
    message: str
    fix: str = ""
    field: str | None = None
    url: str | None = None
    #: ``message`` without the page's text it quotes; empty when the message quotes none.
    redacted: str = ""

    @property
    def blocks(self):
        return self.severity == BLOCK

    @property
    def summary(self):
        """What was found and where, without quoting the page."""
        return self.redacted or self.message

    def as_log_data(self):
        """What may go into the audit log: the code and severity, never the page's text."""
        return {"code": self.code, "severity": self.severity}


def keyed(findings):
    """``(key, finding)`` pairs with a key that names each finding whatever the language.

    The key is the code, the field and the finding's place among findings of the same code and
    field (``personal_data.phone:intro:1``): messages are translated, these three are not, and
    rules yield their findings in text order. A leader's acknowledgement is stored under it.
    """
    seen = {}
    pairs = []
    for finding in findings:
        base = f"{finding.code}:{finding.field or '-'}"
        seen[base] = seen.get(base, 0) + 1
        pairs.append((f"{base}:{seen[base]}", finding))
    return pairs


@dataclass
class RuleContext:
    """What a rule may look at.

    ``page`` is the specific page as it would be published (a revision's object or an unsaved
    form instance). ``parent`` locates a page that has no tree position yet.
    """

    page: object
    purpose: str = PUBLISH
    user: object = None
    when: datetime.datetime = field(default_factory=timezone.now)
    parent: object = None
    #: Judge the page as if it stood below ``location`` (a copy's or alias's destination).
    location: object = None
    route: str = DIRECT
    scheduled_for: datetime.datetime | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def anchor(self):
        """The tree position the page is judged at."""
        if self.location is not None:
            return self.location
        return self.page if getattr(self.page, "path", "") else self.parent

    @property
    def path(self):
        """The page's tree path, or a path just below ``parent``/``location``."""
        if self.location is None and getattr(self.page, "path", ""):
            return self.page.path
        anchor = self.location if self.location is not None else self.parent
        return anchor.path + "9999" if anchor is not None else ""

    @property
    def municipality(self):
        if "municipality" not in self._cache:
            anchor = self.anchor
            self._cache["municipality"] = (
                Municipality.objects.for_page(anchor) if anchor is not None else None
            )
        return self._cache["municipality"]

    @property
    def in_intranet(self):
        # Asked by most rules of every page a list judges: worked out once per context.
        if "in_intranet" not in self._cache:
            municipality = self.municipality
            self._cache["in_intranet"] = municipality is not None and (
                municipality.is_intranet_path(self.path)
            )
        return self._cache["in_intranet"]

    @property
    def is_external(self):
        """True for pages that citizens would see: anywhere outside an intranet."""
        return not self.in_intranet


_RULES = []


def rule(*purposes):
    """Register a rule function for the given purposes."""

    def register(function):
        _RULES.append((frozenset(purposes), function))
        return function

    return register


def evaluate(context):
    """All findings for ``context``, blocking ones first."""
    if not isinstance(context.page, GovernedPage):
        return []
    findings = []
    for purposes, function in _RULES:
        if context.purpose in purposes:
            findings.extend(function(context))
    return sorted(findings, key=lambda f: f.severity != BLOCK)


def check_publish(
    page, *, user=None, parent=None, when=None, route=None, scheduled_for=None, location=None
):
    """Findings that decide whether ``page`` may go live now (at ``location``, if given)."""
    return evaluate(
        RuleContext(
            page=page,
            purpose=PUBLISH,
            user=user,
            parent=parent,
            location=location,
            when=when or timezone.now(),
            route=route or current_route(),
            scheduled_for=scheduled_for,
        )
    )


def check_submit(page, *, user, parent=None):
    """Findings that decide whether ``user`` may submit ``page`` for publishing."""
    return evaluate(RuleContext(page=page, purpose=SUBMIT, user=user, parent=parent))


def blocking(findings):
    return [finding for finding in findings if finding.blocks]
