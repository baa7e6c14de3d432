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
from publishing.models import Municipality
from publishing.models.pages import GovernedPage, without_withdrawn


def listed_for_citizens(pages):
    """What a list, search, a feed or the public API shows citizens of ``pages`` (any page
    queryset): the live, public pages that are not withdrawn."""
    return without_withdrawn(pages.live().public())


def instead_of(page):
    """The page a withdrawn ``page`` sends citizens to, while they may read it on the same site
    (live, public, outside the intranet, not withdrawn itself); else None."""
    target_id = getattr(page, "withdrawal_see_instead_id", None)
    if target_id is None:
        return None
    municipality = Municipality.objects.for_page(page)
    if municipality is None:
        return None
    return without_withdrawn(municipality.citizen_pages()).filter(pk=target_id).first()


def record_withdrawal(sender, instance, revision=None, alias=False, **kwargs):
    """``page_published``: note when a page was withdrawn (or reinstated) and log it, with the
    reason given."""
    if not isinstance(instance, GovernedPage):
        return
    if alias:
        # An alias shows its page's withdrawal (and its date); the page's own record says it.
        at = (
            type(instance)
            .objects.filter(pk=instance.alias_of_id)
            .values_list("withdrawn_at", flat=True)
            .first()
        )
        if instance.withdrawn_at != at:
            type(instance).objects.filter(pk=instance.pk).update(withdrawn_at=at)
            instance.withdrawn_at = at
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
