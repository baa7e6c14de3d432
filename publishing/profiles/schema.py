"""The shape of a municipality profile (``site/<municipality>/profile.toml``) and its checks.

Plain Python on purpose: the loader validates the whole file before it touches the database, and
every error names the key that is wrong (``audiences[2].lix_target``).
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing.models.municipality import GROUP_KEYS, LANGUAGE_CHOICES
from publishing.models.organisation import Role
from publishing.rules.engine import BLOCK, WARN
from publishing.rules.links import DEFAULTS as LINK_DEFAULTS
from publishing.visible_text import has_visible_text

SCHEMA_VERSION = 1
COUNTRIES = ("NO", "SE", "DK", "FI", "IS")
STATEMENT_LEVELS = ("political", "strategic", "unit", "factual")
SENSITIVITY_LEVELS = ("open", "internal", "exempt")
CONTACT_KINDS = ("phone", "email", "address", "web", "account")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
)


class SchemaError(Exception):
    """A value in a profile that does not fit the schema; ``key`` is its dotted path."""

    def __init__(self, key, message):
        super().__init__(message)
        self.key = key
        self.message = message


def _type_name(value):
    return {
        str: _("text"),
        int: _("a whole number"),
        bool: _("true or false"),
        float: _("a number"),
        list: _("a list"),
        dict: _("a table"),
    }.get(type(value), type(value).__name__)


class Field:
    """A required value of one type; subclasses add their own checks."""

    python_type = object
    expected = ""

    def __init__(self, optional=False, default=None, choices=None):
        self.optional = optional
        self.default = default
        self.choices = choices

    def validate(self, value, key):
        # bool is an int in Python; a profile that says `lix_target = true` is still wrong.
        if not isinstance(value, self.python_type) or (
            self.python_type is int and isinstance(value, bool)
        ):
            raise SchemaError(
                key,
                _("expected %(expected)s, found %(found)s")
                % {"expected": self.expected, "found": _type_name(value)},
            )
        if self.choices is not None and value not in self.choices:
            raise SchemaError(
                key,
                _("“%(value)s” is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(map(str, self.choices))},
            )
        return self.check(value, key)

    def check(self, value, key):
        return value


class Text(Field):
    python_type = str
    expected = gettext_lazy("text")

    def __init__(self, *args, blank=False, pattern=None, pattern_help="", **kwargs):
        super().__init__(*args, **kwargs)
        self.blank = blank
        self.pattern = pattern
        self.pattern_help = pattern_help

    def check(self, value, key):
        value = value.strip()
        if not value and not self.blank:
            raise SchemaError(key, _("must not be empty"))
        if value and not has_visible_text(value) and not self.blank:
            raise SchemaError(
                key, _("holds only spaces or invisible characters; write it in words")
            )
        if value and self.pattern is not None and not self.pattern.match(value):
            raise SchemaError(key, self.pattern_help)
        return value


class Slug(Text):
    def __init__(self, *args, **kwargs):
        super().__init__(
            *args,
            pattern=_SLUG,
            pattern_help=gettext_lazy(
                "use only a-z, 0-9 and hyphens, like “alvdal” or “helse-omsorg”"
            ),
            **kwargs,
        )


class Integer(Field):
    python_type = int
    expected = gettext_lazy("a whole number")

    def __init__(self, *args, minimum=None, maximum=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def check(self, value, key):
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise SchemaError(
                key,
                _("must be between %(min)s and %(max)s")
                % {"min": self.minimum, "max": self.maximum},
            )
        return value


class Boolean(Field):
    python_type = bool
    expected = gettext_lazy("true or false")


class ListOf(Field):
    python_type = list
    expected = gettext_lazy("a list")

    def __init__(self, item, *args, min_items=0, unique_by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item, self.min_items, self.unique_by = item, min_items, unique_by

    def check(self, value, key):
        if len(value) < self.min_items:
            raise SchemaError(key, _("needs at least %(n)s entries") % {"n": self.min_items})
        items = [self.item.validate(v, f"{key}[{i}]") for i, v in enumerate(value)]
        if self.unique_by:
            seen = set()
            for i, item in enumerate(items):
                ident = item[self.unique_by] if isinstance(item, dict) else item
                if ident in seen:
                    raise SchemaError(
                        f"{key}[{i}].{self.unique_by}" if isinstance(item, dict) else f"{key}[{i}]",
                        _("“%(value)s” appears more than once") % {"value": ident},
                    )
                seen.add(ident)
        return items


class MapOf(Field):
    """A table whose keys are chosen by the profile (slugs) and whose values share one type."""

    python_type = dict
    expected = gettext_lazy("a table")

    def __init__(self, value, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.value = value

    def check(self, value, key):
        prefix = f"{key}." if key else ""
        result = {}
        for name, item in value.items():
            if not _SLUG.match(name.replace("_", "-")):
                raise SchemaError(f"{prefix}{name}", _("use only a-z, 0-9, - and _ in keys"))
            result[name] = self.value.validate(item, f"{prefix}{name}")
        return result


class Table(Field):
    python_type = dict
    expected = gettext_lazy("a table")

    def __init__(self, fields, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = fields

    def check(self, value, key):
        prefix = f"{key}." if key else ""
        for name in value:
            if name not in self.fields:
                raise SchemaError(
                    f"{prefix}{name}",
                    _("unknown key (allowed here: %(keys)s)") % {"keys": ", ".join(self.fields)},
                )
        result = {}
        for name, field in self.fields.items():
            if name not in value:
                if field.optional:
                    result[name] = field.default
                    continue
                raise SchemaError(f"{prefix}{name}", _("is missing"))
            result[name] = field.validate(value[name], f"{prefix}{name}")
        return result


ROLE_CODES = tuple(Role.values)

PROFILE = Table(
    {
        "schema_version": Integer(choices=[SCHEMA_VERSION]),
        "municipality": Table(
            {
                "slug": Slug(),
                "name": Text(),
                "country": Text(choices=COUNTRIES),
                "language": Text(choices=[code for code, _label in LANGUAGE_CHOICES]),
                "hostname": Text(
                    pattern=_HOSTNAME,
                    pattern_help=gettext_lazy("must be a host name such as “alvdal.localhost”"),
                ),
                "is_default_site": Boolean(optional=True, default=False),
            }
        ),
        "source": Table(
            {"title": Text(), "reference": Text(optional=True, default="", blank=True)}
        ),
        "site": Table(
            {
                "home_title": Text(),
                "home_intro": Text(blank=True),
                "news_title": Text(),
                "news_slug": Slug(),
                "intranet_title": Text(),
                "intranet_slug": Slug(),
            }
        ),
        "groups": Table({key: Text() for key in GROUP_KEYS}),
        "roles": Table({code: Text() for code in ROLE_CODES}),
        "statement_levels": ListOf(
            Table(
                {
                    "code": Text(choices=STATEMENT_LEVELS),
                    "roles": ListOf(Text(choices=ROLE_CODES), min_items=1, unique_by=None),
                    "description": Text(),
                }
            ),
            min_items=len(STATEMENT_LEVELS),
            unique_by="code",
        ),
        "audiences": ListOf(
            Table(
                {
                    "code": Slug(),
                    "name": Text(),
                    "description": Text(blank=True),
                    "lix_target": Integer(minimum=10, maximum=80),
                    "internal": Boolean(optional=True, default=False),
                }
            ),
            min_items=1,
            unique_by="code",
        ),
        "plain_language": Table(
            {
                "lix_target": Integer(minimum=10, maximum=80),
                "lix_far_over": Integer(minimum=1, maximum=50),
                "long_sentence_words": Integer(minimum=5, maximum=100),
                "long_word_letters": Integer(minimum=4, maximum=20),
                "max_paragraph_words": Integer(minimum=10, maximum=1000),
                # Whether a text far over its target (target + lix_far_over) blocks publishing.
                "far_over_blocks": Boolean(optional=True, default=False),
                # Reading targets per page type (model name, e.g. "servicepage"); the strictest
                # of these and the audiences' targets applies.
                "page_type_targets": MapOf(
                    Integer(minimum=10, maximum=80), optional=True, default={}
                ),
            }
        ),
        "checklist": ListOf(
            Table({"code": Slug(), "text": Text(), "source": Text(blank=True)}),
            min_items=1,
            unique_by="code",
        ),
        "contact_points": ListOf(
            Table({"kind": Text(choices=CONTACT_KINDS), "value": Text(), "label": Text()}),
        ),
        "sensitivity": Table({level: Text() for level in SENSITIVITY_LEVELS}),
        "legal_bases": ListOf(
            Table({"code": Slug(), "citation": Text(), "label": Text()}),
            min_items=1,
            unique_by="code",
        ),
        # How hard each kind of broken link weighs: "block" or "warn"; left out, the links
        # rule's own default (``rules.links.DEFAULTS``).
        "links": Table(
            {kind: Text(choices=(BLOCK, WARN), optional=True) for kind in LINK_DEFAULTS},
            optional=True,
            default={},
        ),
        # When a page that has been public may be deleted (the archive laws keep what was
        # published): pages of these types (model names, e.g. "newspage") after this many
        # years since they were last public. Without an entry, such a page cannot be deleted,
        # only unpublished or withdrawn (``rules.retention``).
        "archive_retention": ListOf(
            Table(
                {
                    "page_types": ListOf(Slug(), min_items=1, unique_by=None),
                    "after_years": Integer(minimum=0, maximum=200),
                    "basis": Text(optional=True, default="", blank=True),
                }
            ),
            optional=True,
            default=[],
        ),
        "workflow": Table(
            {
                "internal_notice_lead_minutes": Integer(minimum=0, maximum=60 * 24 * 30),
                # How many days before a page was submitted for approval (or, published without
                # a workflow, before it goes live) its internal notice may have gone live and
                # still count as telling staff about it (``rules.governance.notice_standing``).
                "notice_window_days": Integer(minimum=1, maximum=365, optional=True, default=14),
                "review_interval_months": Integer(minimum=1, maximum=60),
                # Whether a publisher must write a note to the approver ("what changed and
                # why") when submitting a page (``editor.forms.GovernedPageForm``).
                "require_submission_note": Boolean(optional=True, default=False),
                # Working days (weekends and public holidays not counted) a leader's approval
                # may wait before its approvers are reminded, and before the deputy and the
                # leaders above are asked to step in (``workflow.waiting``).
                "remind_after_working_days": Integer(
                    minimum=1, maximum=30, optional=True, default=2
                ),
                "escalate_after_working_days": Integer(
                    minimum=1, maximum=60, optional=True, default=5
                ),
            }
        ),
    }
)


def validate_profile(data):
    """Return the profile with defaults filled in, or raise ``SchemaError`` at the first fault."""
    profile = PROFILE.validate(data, "")
    levels = {level["code"] for level in profile["statement_levels"]}
    missing = [level for level in STATEMENT_LEVELS if level not in levels]
    if missing:
        raise SchemaError(
            "statement_levels", _("missing levels: %(levels)s") % {"levels": ", ".join(missing)}
        )
    return profile
