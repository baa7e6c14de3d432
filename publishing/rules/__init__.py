"""One rule engine for every governance decision.

Every door asks here: the page form, the workflow tasks, the publish veto on every path that makes
a page live, the bulk action, copy/alias/move guards and the reports. A rule is a function that
takes a ``RuleContext`` and yields ``Finding`` objects; severity ``block`` can never be published
past, ``warn`` can be acknowledged by the responsible leader.

Rules are registered with ``@rule(purposes...)``; later capabilities (content checks) add their
own rules the same way instead of writing another engine.
"""

# Importing the rule modules registers their rules with the engine.
from publishing.rules import content, documents, governance, images, links, withdrawal  # noqa: F401
from publishing.rules.engine import (
    BLOCK,
    DIRECT,
    EDIT,
    FAST_TRACK,
    PUBLISH,
    SUBMIT,
    WARN,
    WORKFLOW,
    Finding,
    RuleContext,
    blocking,
    check_publish,
    check_submit,
    current_route,
    evaluate,
    keyed,
    publish_route,
    rule,
)

__all__ = [
    "BLOCK",
    "WARN",
    "EDIT",
    "SUBMIT",
    "PUBLISH",
    "DIRECT",
    "WORKFLOW",
    "FAST_TRACK",
    "publish_route",
    "current_route",
    "Finding",
    "keyed",
    "RuleContext",
    "rule",
    "evaluate",
    "check_publish",
    "check_submit",
    "blocking",
]
