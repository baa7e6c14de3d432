"""Withdrawn pages on the public site: out of lists, search, feeds and the sitemap, and on
record from the publish that withdrew them.

The page itself is still served at its address, with the notice
``publishing/includes/withdrawn_notice.html`` at the top (the site's base template includes
it) and ``noindex`` for search engines. Whether a page may be withdrawn, and with what, is the
rule engine's (``rules.withdrawal``); this module only carries it out.
"""

from django.utils import timezone
from wagtail.log_actions import get_active_log_context, log

from publishing import audit
from publishing.models.pages import GovernedPage, governed_page_models


def without_withdrawn(pages):
    """``pages`` (any page queryset) without the withdrawn ones, in one query.

    For a queryset of one governed page type, ``filter(withdrawn=False)`` does the same.
    """
    for model in governed_page_models():
        pages = pages.exclude(pk__in=model.objects.filter(withdrawn=True).values("pk"))
    return pages


def record_withdrawal(sender, instance, revision=None, alias=False, **kwargs):
    """``page_published``: note when a page was withdrawn (or reinstated) and log it, with the
    reason given."""
    if alias or not isinstance(instance, GovernedPage):
        return
    if instance.withdrawn and instance.withdrawn_at is None:
        instance.withdrawn_at = timezone.now()
        action = audit.WITHDRAWN
        data = {
            "reason": instance.withdrawal_reason,
            "see_instead": instance.withdrawal_see_instead_id,
        }
    elif not instance.withdrawn and instance.withdrawn_at is not None:
        instance.withdrawn_at = None
        action, data = audit.REINSTATED, {}
    else:
        return
    type(instance).objects.filter(pk=instance.pk).update(withdrawn_at=instance.withdrawn_at)
    # The publishing request's user (Wagtail's log context); else, as in a command or the
    # scheduler, whoever wrote the revision.
    user = get_active_log_context().user or getattr(revision, "user", None)
    log(instance, action, user=user, data=data, revision=revision, content_changed=False)
