"""The publish veto on every path that makes a page live.

Wagtail has no single documented veto point: the editor, the create view, workflow approval,
bulk publish, scheduled publishing, revert, the admin API, the v3 API and ``revision.publish()``
all end in ``PublishPageRevisionAction.execute``, which ``publishing.wagtail_internals.actions``
makes ask ``publish_findings`` here: the publish rules, and the aliases that would go live with
the page (``publishing.rules.placement``). A refused publish raises ``GovernancePublishBlocked``
with the findings; a refused scheduled publish is stopped and its page's people told
(``stop_scheduled``). Copies, aliases and moves are judged by ``publishing.rules.placement``.
"""

import logging

from django.utils import timezone
from wagtail.actions.publish_page_revision import (
    PublishPagePermissionError,
)

from publishing import audit
from publishing.models import GovernedPage
from publishing.notifications.mail import notify_scheduled_block
from publishing.rules import blocking, check_publish, current_route
from publishing.rules.placement import alias_findings

logger = logging.getLogger(__name__)

SCHEDULED_LOG_ACTION = "wagtail.publish.scheduled"


class GovernancePublishBlocked(PublishPagePermissionError):
    """Publishing refused by a governance rule; ``findings`` says which and how to fix it."""

    def __init__(self, findings):
        self.findings = list(findings)
        super().__init__(" ".join(finding.message for finding in self.findings))


def publish_findings(action):
    """The blocking findings for a ``PublishPageRevisionAction`` about to run.

    The page judged is the one the action will save (``action.object``, the revision's object
    Wagtail built for it): judged and published are the same, and it is deserialised once.
    """
    page = action.object
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
