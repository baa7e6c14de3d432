"""The governance side panel of the page editor: what would stop this page, and who decides.

While the publisher writes, the panel shows the personal data found in the page, its plain
language against the audience's reading target, whether staff must hear it first through an
internal notice, its sensitivity and who will approve it. It asks the one rule engine
(``publishing.rules``) with purpose EDIT, plus PUBLISH for what would block publishing, and
refreshes itself through ``publishing.editor.governance_report`` on the unsaved form.
"""

import re
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.ui.side_panels import BaseSidePanel
from wagtail.models import WorkflowState

from publishing.documents.checking import queue_missing
from publishing.models.organisation import unit_of
from publishing.people import active_names, labels_by_id
from publishing.rules import BLOCK, EDIT, PUBLISH, RuleContext, evaluate
from publishing.rules.approval import CAPACITY_LABELS, approver_ids, capacity_label
from publishing.rules.bulk import referenced_document_ids, references_of
from publishing.rules.categories import SECTIONS, section_of
from publishing.rules.content import page_text, reading_target
from publishing.rules.governance import notice_standing
from publishing.visible_text import visible_or_empty
from publishing.wording import field_label, local_datetime

#: How many long sentences or passive verbs the panel lists before it says "and N more".
MAX_NOTES = 5
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class ReportItem:
    """A finding as the panel shows it: with the label of the field it is in."""

    code: str
    severity: str
    message: str
    fix: str
    url: str | None
    field: str | None
    where: str

    @property
    def blocks(self):
        return self.severity == BLOCK


@dataclass
class Section:
    """One heading of the panel: facts, findings and advice about one part of governance."""

    key: str
    title: str
    ok_text: str = ""
    facts: list = field(default_factory=list)  # (label, value)
    findings: list = field(default_factory=list)  # ReportItem
    notes_title: str = ""
    notes: list = field(default_factory=list)  # str
    more_notes: int = 0

    @property
    def blocking(self):
        return sum(1 for item in self.findings if item.blocks)


@dataclass
class GovernanceReport:
    """Everything the panel shows, built from one page as the editor holds it."""

    sections: list
    blocking_count: int
    warning_count: int

    @property
    def summary(self):
        if self.blocking_count:
            text = ngettext(
                "%(count)s finding blocks publishing.",
                "%(count)s findings block publishing.",
                self.blocking_count,
            ) % {"count": self.blocking_count}
        else:
            text = _("Nothing blocks publishing.")
        if self.warning_count:
            text += " " + ngettext(
                "%(count)s warning.", "%(count)s warnings.", self.warning_count
            ) % {"count": self.warning_count}
        return text


def _future(moment):
    return moment if moment and moment > timezone.now() else None


def run_rules(page, *, user, parent=None, municipality=None):
    """EDIT findings plus those that would block publishing, once each, blocking ones first.

    Both evaluations share one cache, so the page's text is extracted and its municipality
    looked up once.
    """
    cache = {}
    if municipality is not None:
        cache["municipality"] = municipality
    edit = RuleContext(page=page, purpose=EDIT, user=user, parent=parent, _cache=cache)
    findings = evaluate(edit)
    publish = RuleContext(
        page=page,
        purpose=PUBLISH,
        user=user,
        parent=parent,
        scheduled_for=_future(getattr(page, "go_live_at", None)),
        _cache=cache,
    )
    seen = {(f.code, f.message, f.field) for f in findings}
    for finding in evaluate(publish):
        if (finding.code, finding.message, finding.field) not in seen:
            findings.append(finding)
    return sorted(findings, key=lambda f: f.severity != BLOCK), edit


#: The code prefix of the findings about the user's own publisher certificate
#: (``rules.governance.trained_publisher``).
CERTIFICATE_FINDINGS = "publisher."


def certificate_matters(page, user):
    """Whether ``user``'s publisher certificate matters for ``page``.

    Certificates are for submitting a public page for publishing and for publishing it
    directly; approving it at a workflow step needs none. They matter to whoever would submit
    the page (anyone at work on a page that is not in a workflow, or that was sent back for
    changes), to the person who submitted it, and to people who may publish it themselves,
    not to a leader or reviewer deciding on it at a step of its workflow.
    """

    if user is None or not getattr(page, "pk", None):
        return True
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
        return True
    if state.requested_by_id == user.pk:
        return True
    return page.permissions_for_user(user).can_publish()


def build_report(page, *, user, parent=None, form=None):
    """The governance report of ``page`` (a saved page's draft or an unsaved form instance).

    Findings about the user's own publisher certificate are left out for people to whom it
    does not matter (``certificate_matters``), such as a leader at the approval step.
    """
    municipality = getattr(form, "municipality", None)
    findings, context = run_rules(page, user=user, parent=parent, municipality=municipality)
    if any(f.code == "document_data.being_checked" for f in findings):
        # Files uploaded before the checks existed have none yet: have them checked now.
        queue_missing(referenced_document_ids(page, references_of(context)))
    about_certificate = [f for f in findings if f.code.startswith(CERTIFICATE_FINDINGS)]
    if about_certificate and not certificate_matters(page, user):
        findings = [f for f in findings if f not in about_certificate]
    sections = {
        section.key: Section(section.key, str(section.title), str(section.all_clear))
        for section in SECTIONS
    }
    for finding in findings:
        item = ReportItem(
            finding.code,
            finding.severity,
            finding.message,
            finding.fix,
            finding.url,
            finding.field,
            field_label(page, finding.field, form),
        )
        sections[section_of(finding.code)].findings.append(item)
    _plain_language(sections["plain_language"], page, context)
    _notice(sections["notice"], page, context)
    _openness(sections["openness"], page, context)
    _approval(sections["approval"], page)
    shown = [s for s in sections.values() if s.key != "other" or s.findings]
    blocking = sum(1 for f in findings if f.severity == BLOCK)
    return GovernanceReport(shown, blocking, len(findings) - blocking)


def _plain_language(section, page, context):
    report = context._cache.get("plain_language")
    if report is None:
        return
    municipality = context.municipality
    targets = municipality.plain_language if municipality else {}
    target = reading_target(context, targets)
    if report.lix is not None:
        # The counts LIX is computed from, so that an editor can see why it is what it is.
        counts = {
            "lix": number_format(report.lix),
            "words": ngettext("%(count)s word", "%(count)s words", report.lix_words)
            % {"count": number_format(report.lix_words, force_grouping=True)},
            "sentences": ngettext("%(count)s sentence", "%(count)s sentences", report.lix_sentences)
            % {"count": number_format(report.lix_sentences, force_grouping=True)},
            "long_words": ngettext(
                "%(count)s long word", "%(count)s long words", report.lix_long_words
            )
            % {"count": number_format(report.lix_long_words, force_grouping=True)},
        }
        if target is not None:
            value = _(
                "%(lix)s (%(words)s, %(sentences)s, %(long_words)s), target %(target)s or lower"
            ) % {**counts, "target": number_format(target)}
        else:
            value = _("%(lix)s (%(words)s, %(sentences)s, %(long_words)s)") % counts
        section.facts.append((_("Readability (LIX)"), value))
    section.facts.append((_("Words"), number_format(report.words, force_grouping=True)))
    text = page_text(context)
    limit = targets.get("long_sentence_words", 25)
    notes = []
    for span in report.long_sentences:
        segment = text.where(span.start)
        opening = " ".join(text.text[span.start : span.end].split()[:6])
        notes.append(
            _("%(where)s: a sentence of %(words)s words, “%(opening)s …”. Split it in two.")
            % {
                "where": capfirst(segment.label) if segment else "",
                "words": span.data.get("words", "?"),
                # Digits masked: a sentence may hold a number that is personal data.
                "opening": _DIGIT.sub("*", opening),
            }
        )
    for span in report.passive:
        segment = text.where(span.start)
        notes.append(
            _("%(where)s: passive “%(text)s”. Say who does it.")
            % {
                "where": capfirst(segment.label) if segment else "",
                "text": span.data.get("text", ""),
            }
        )
    if notes:
        section.notes_title = _(
            "Advice: long sentences (over %(limit)s words) and passive verbs"
        ) % {"limit": limit}
        section.notes = notes[:MAX_NOTES]
        section.more_notes = max(len(notes) - MAX_NOTES, 0)


def _notice(section, page, context):
    affects = getattr(page, "affects_staff", False)
    section.facts.append((_("Affects staff"), _("Yes") if affects else _("No")))
    if not affects:
        section.ok_text = _("The page does not affect staff; no internal notice is needed.")
        return
    for label, value in notice_facts(notice_standing(context)):
        section.facts.append((label, value))


def notice_facts(standing):
    """``(label, value)`` pairs about a page's internal notice as ``notice_standing`` judged
    it: which notice, whether it counts for the page (and why not), when it went live and to
    whom. The governance panel and the approval view show these."""
    notice = standing.notice
    if notice is None:
        return [(_("Internal notice"), _("None chosen"))]
    facts = [(_("Internal notice"), _("“%(title)s”") % {"title": notice.title})]
    # When it does not count, the section's finding says why.
    facts.append((_("Counts for this page"), _("Yes") if standing.counts else _("No")))
    if notice.live and standing.went_live:
        facts.append((_("Went live"), local_datetime(standing.went_live)))
    else:
        facts.append((_("Went live"), _("Not live")))
    if standing.intranet_of is not None:
        audiences = ", ".join(str(audience) for audience in standing.audiences())
        place = {"audiences": audiences, "municipality": standing.intranet_of.name}
        facts.append(
            (
                _("To whom"),
                _("%(audiences)s on the intranet of %(municipality)s") % place
                if audiences
                # A notice that names no audience is for everyone who reads the intranet.
                else _("All staff on the intranet of %(municipality)s") % place,
            )
        )
    return facts


def _openness(section, page, context):
    label = page.sensitivity_label(context.municipality)
    basis = visible_or_empty(getattr(page, "exemption_basis", ""))
    section.facts.append((_("Sensitivity"), f"{label} ({basis})" if basis else str(label)))
    if context.in_intranet:
        section.ok_text = _("The page is on the intranet, for staff only.")


def _approval(section, page):
    # The names and roles come from what is kept for the organisation's version: the panel is
    # asked again after every pause in typing.
    unit = unit_of(page)
    leader_id = getattr(page, "responsible_leader_id", None)
    section.facts.append((_("Owning unit"), str(unit) if unit else "–"))
    leader = labels_by_id([leader_id]).get(leader_id) if leader_id else None
    section.facts.append((_("Responsible leader"), leader or "–"))
    capacities = approver_ids(page) if unit and leader_id else {}
    names = active_names(capacities)
    order = list(CAPACITY_LABELS)
    people = sorted(names, key=lambda pk: (order.index(capacities[pk]), names[pk]))
    section.facts.append(
        (
            _("Approves"),
            ", ".join(f"{names[pk]} ({capacity_label(capacities[pk])})" for pk in people) or "–",
        )
    )


class GovernanceSidePanel(BaseSidePanel):
    """The governance report as a side panel of the page editor (edit and create views).

    The editor is drawn without the report: the panel's script asks the report endpoint for it
    as soon as the editor is shown (and again while the page is written), so the judgement of
    the page never keeps the editor from opening. The toggle's count of blocking findings is
    filled in by the same answer.
    """

    class SidePanelToggle(BaseSidePanel.SidePanelToggle):
        aria_label = gettext_lazy("Toggle governance")
        icon_name = "clipboard-list"
        counter_classname = "w-bg-critical-200"

    name = "governance"
    title = gettext_lazy("Governance")
    template_name = "publishing/side_panels/governance.html"
    order = 150

    class Media:
        js = ["publishing/js/governance-panel.js"]
        css = {"all": ["publishing/css/governance-panel.css"]}

    def __init__(self, object, request, *, parent_page=None):
        super().__init__(object, request)
        self.parent_page = parent_page

    @property
    def report_url(self):
        """The endpoint that rebuilds the report from the unsaved form."""
        if self.object.pk:
            return reverse("publishing:governance_report", args=[self.object.pk])
        meta = self.model._meta
        return reverse(
            "publishing:governance_report_new",
            args=[meta.app_label, meta.model_name, self.parent_page.pk],
        )

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["report_url"] = self.report_url
        return context


class GovernanceSidePanelMixin:
    """Adds the governance panel to a page editor view, after the status panel.

    Autosave's JSON answers re-render only Wagtail's own panels, so they get none.
    """

    def get_side_panels(self):
        side_panels = super().get_side_panels()
        if getattr(self, "expects_json_response", False):
            return side_panels
        panel = GovernanceSidePanel(
            self.page,
            self.request,
            parent_page=getattr(self, "parent_page", None),
        )
        side_panels.insert(1, panel)
        return side_panels
