"""What kind of thing each finding is about, declared once for every place that groups them.

A finding's code starts with its kind (``notice.missing`` is a finding of kind ``notice``). The
editor's governance panel shows findings in sections, the findings report names and filters
them by kind; both read the tables here, so a new kind of rule is named in one place.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    """A section of the editor's governance panel, in the order the panel shows them."""

    key: str
    title: str
    #: What the section says when it holds no finding.
    all_clear: str


@dataclass(frozen=True)
class Kind:
    """A kind of finding: the first part of its code, its name in words, its panel section."""

    prefix: str
    label: str
    section: str


SECTIONS = (
    Section("personal_data", _("Personal data"), _("No personal data found.")),
    Section("plain_language", _("Plain language"), _("The text meets the reading target.")),
    Section("notice", _("Staff and internal notice"), _("Nothing stops the page here.")),
    Section("openness", _("Sensitivity"), _("The page may be published on the public site.")),
    Section("links", _("Links"), _("Every link in the text opens.")),
    Section("approval", _("Who will approve"), _("Responsibility is in order.")),
    Section("other", _("Other findings"), ""),
)

KINDS = (
    Kind("personal_data", _("Personal data"), "personal_data"),
    Kind("content", _("Content"), "personal_data"),
    Kind("document_data", _("Personal data in documents"), "personal_data"),
    Kind("plain_language", _("Plain language"), "plain_language"),
    Kind("notice", _("Internal notice"), "notice"),
    Kind("sensitivity", _("Openness"), "openness"),
    Kind("documents", _("Documents"), "openness"),
    Kind("alias", _("Aliases"), "openness"),
    Kind("placement", _("Placement"), "openness"),
    Kind("images", _("Images"), "openness"),
    Kind("links", _("Links"), "links"),
    Kind("withdrawal", _("Withdrawal"), "other"),
    Kind("document_access", _("Accessible documents"), "other"),
    Kind("responsibility", _("Responsibility"), "approval"),
    Kind("spokesperson", _("Spokesperson"), "approval"),
    Kind("publisher", _("Publisher"), "approval"),
)

_BY_PREFIX = {kind.prefix: kind for kind in KINDS}
OTHER = "other"


def kind_of(code):
    """The ``Kind`` of a finding's code, or None for a code of no declared kind."""
    return _BY_PREFIX.get(code.partition(".")[0])


def section_of(code):
    """The key of the panel section a finding's code is shown in."""
    kind = kind_of(code)
    return kind.section if kind else OTHER


def kind_label(code):
    """What kind of finding ``code`` is, in words (the code's first part when undeclared)."""
    kind = kind_of(code)
    return str(kind.label) if kind else code.partition(".")[0]
