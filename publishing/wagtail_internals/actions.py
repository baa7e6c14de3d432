"""The governance veto inside Wagtail's page actions, written against Wagtail 8.0.

Wagtail has no documented veto point for publishing: every path that makes a page live (the
editor, the create view, workflow approval, bulk publish, scheduled publishing, revert, the admin
API and ``revision.publish()``) ends in ``PublishPageRevisionAction.execute``, and copy, alias and
move have their own actions. ``install()`` (called once from ``PublishingConfig.ready``) wraps:

- ``PublishPageRevisionAction.execute``: refused when ``veto.publish_findings`` blocks;
- ``CopyPageAction.check``, ``CreatePageAliasAction.check``, ``MovePageAction.check``: the
  governance refusal first, then Wagtail's own check;
- ``CopyPageAction._copy_page`` (private in Wagtail 8.0): copies keep every page's own view
  restrictions;
- ``UnpublishPageAction.execute`` and ``DeletePageAction.execute``: taking away a page citizens
  may have relied on, or a page above such pages, is refused without a reason
  (``workflow.removal``), and the reason is written in each such page's history. Deleting a page
  that has ever been public is refused unless the municipality's retention rules allow it
  (``rules.retention``). Both lock the page and the pages below it first and judge them as they
  are then, so a publish under way at the same time is judged, not the draft it replaced.

After a Wagtail upgrade, re-read those methods; ``tests/publishing/test_publish_paths.py`` and
``test_placement.py`` fail when one of them changes shape.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.actions.copy_page import CopyPageAction, CopyPagePermissionError
from wagtail.actions.create_alias import CreatePageAliasAction, CreatePageAliasPermissionError
from wagtail.actions.delete_page import DeletePageAction, DeletePagePermissionError
from wagtail.actions.move_page import MovePageAction, MovePagePermissionError
from wagtail.actions.publish_page_revision import (
    PublishPagePermissionError,
    PublishPageRevisionAction,
)
from wagtail.actions.unpublish_page import UnpublishPageAction, UnpublishPagePermissionError
from wagtail.models import Page, PageViewRestriction

from publishing import audit, memo
from publishing.page_locks import wait_for_page
from publishing.rules import current_route
from publishing.rules.placement import alias_refusal, copy_refusal, move_refusal
from publishing.rules.retention import deletion_refusal
from publishing.rules.withdrawal import relied_upon, removal_refusal
from publishing.workflow import removal
from publishing.workflow.veto import (
    SCHEDULED_LOG_ACTION,
    GovernancePublishBlocked,
    publish_findings,
    stop_scheduled,
)


def _governed_execute(original):
    def execute(self, skip_permission_checks=False):
        # The judgement and the publish read the municipality and its organisation once,
        # also outside a request (``revision.publish()`` in code, the scheduler).
        with memo.scope():
            return _judged_execute(self, original, skip_permission_checks)

    execute.__wrapped__ = original
    return execute


def _judged_execute(self, original, skip_permission_checks):
    """Publish unless the veto blocks; a blocked scheduled publish is stopped, not raised."""
    blocked = publish_findings(self)
    if blocked:
        if self.user is None and self.log_action == SCHEDULED_LOG_ACTION:
            stop_scheduled(self, blocked)
            return None
        _undo_live_row_of_new_page(self.object)
        audit.record(
            self.object,
            audit.BLOCKED,
            user=self.user,
            findings=blocked,
            data={"route": current_route()},
            revision=self.revision,
        )
        raise GovernancePublishBlocked(blocked)
    # The page, its live revision and the audit entry are written together or not at all.
    with transaction.atomic():
        # The page's row first, then its revisions, as a removal locks them (``_locked``): in
        # the other order a publish and a delete of the same page at once deadlocked. (Only the
        # page: publishing a news index does not hold up its news.)
        if not wait_for_page(self.object.pk):
            raise PublishPagePermissionError(
                _("The page was deleted in the meantime: there is nothing to publish.")
            )
        return original(self, skip_permission_checks=skip_permission_checks)


def _undo_live_row_of_new_page(page):
    """The create view inserts a new page with live=True before publishing; a refused publish
    must not leave it served to citizens."""
    if page.live and page.live_revision_id is None and page.first_published_at is None:
        Page.objects.filter(pk=page.pk).update(live=False)
        page.live = False


def _guard(kind, error_class, refusal):
    """Wrap an action's ``check`` so that ``refusal(action, *args)`` is asked first.

    Governance goes first, so the person is told the real reason rather than, say, a page-type
    mismatch that Wagtail's own check would report.
    """

    def wrap(original):
        def check(self, *args, **kwargs):
            reason = refusal(self, *args)
            if reason:
                audit.record(self.page, audit.ACTION_BLOCKED, user=self.user, data={"action": kind})
                raise error_class(reason)
            return original(self, *args, **kwargs)

        check.__wrapped__ = original
        return check

    return wrap


_guard_copy = _guard(
    "copy",
    CopyPagePermissionError,
    lambda action: copy_refusal(
        action.page,
        action.to or action.page.get_parent(),
        keep_live=action.keep_live,
        recursive=action.recursive,
        user=action.user,
    ),
)
_guard_alias = _guard(
    "alias",
    CreatePageAliasPermissionError,
    lambda action: alias_refusal(
        action.page,
        action.parent or action.page.get_parent(),
        recursive=action.recursive,
        user=action.user,
    ),
)
_guard_move = _guard(
    "move",
    MovePagePermissionError,
    lambda action, parent_after: move_refusal(action.page, parent_after, user=action.user),
)


def _keeping_view_restrictions(original):
    """Wagtail copies only the view restrictions of the page a copy starts from; every page below
    it that was private would become public in the copy. Copy each page's own restrictions."""

    def copy_page(self, page, *args, **kwargs):
        copy = original(self, page, *args, **kwargs)
        if page.pk != self.page.pk and not copy.view_restrictions.exists():
            for restriction in page.view_restrictions.all():
                kept = PageViewRestriction(
                    page=copy,
                    restriction_type=restriction.restriction_type,
                    password=restriction.password,
                )
                kept.save(user=self.user)
                kept.groups.set(restriction.groups.all())
        return copy

    copy_page.__wrapped__ = original
    return copy_page


def _locked(page):
    """Lock ``page`` and every page below it until the transaction ends, and read whether the
    page is still there and live. A publish, unpublish or delete of them that is under way
    finishes first and is then judged (a page published a moment ago needs its reason), or
    waits for this one; two deletions of the same page do not both run. ``None`` when the page
    is gone."""
    rows = (
        Page.objects.select_for_update()
        .filter(path__startswith=page.path, depth__gte=page.depth)
        .order_by("path")
        .values_list("pk", "live")
    )
    return dict(rows).get(page.pk)


def _reasoned_unpublish(original):
    def execute(self, skip_permission_checks=False):
        if self.set_expired or not self.log_action:
            # An expiry date is part of the version the leader approved (rules.withdrawal warns
            # her of it); an alias follows its page, whose unpublish was asked about.
            return original(self, skip_permission_checks)
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            live = _locked(self.object)
            if live is None:
                return None  # deleted meanwhile: nothing left to unpublish
            # As it is now: unpublished meanwhile, Wagtail does nothing and logs nothing.
            self.object.live = live
            # A page taken off takes the list of the pages below it with it (a news index), and
            # with its descendants the pages too.
            pages = relied_upon(self.object, descendants=True, live_only=True)
            refused = removal_refusal(pages, removal.given())
            if refused:
                raise UnpublishPagePermissionError(refused)
            result = original(self, skip_permission_checks)
            # The page's own record; each descendant's unpublish writes its own.
            mine = [page for page in pages if page.pk == self.object.pk]
            removal.record(mine, audit.UNPUBLISHED_BECAUSE, removal.given(), self.user)
        return result

    execute.__wrapped__ = original
    return execute


def _reasoned_delete(original):
    def execute(self, *args, skip_permission_checks=False, **kwargs):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            if _locked(self.page) is None:
                return None  # deleted meanwhile (the same delete sent twice)
            pages = relied_upon(self.page, descendants=True)
            refused = deletion_refusal(self.page) or removal_refusal(pages, removal.given())
            if refused:
                raise DeletePagePermissionError(refused)
            # Written while the pages are still there, and undone with a delete that fails.
            removal.record(pages, audit.DELETED_BECAUSE, removal.given(), self.user)
            return original(self, *args, skip_permission_checks=True, **kwargs)

    execute.__wrapped__ = original
    return execute


def install():
    """Wrap Wagtail's actions once (called from ``PublishingConfig.ready``)."""
    for cls, name, wrapper in (
        (PublishPageRevisionAction, "execute", _governed_execute),
        (CopyPageAction, "check", _guard_copy),
        (CreatePageAliasAction, "check", _guard_alias),
        (MovePageAction, "check", _guard_move),
        (CopyPageAction, "_copy_page", _keeping_view_restrictions),
        (UnpublishPageAction, "execute", _reasoned_unpublish),
        (DeletePageAction, "execute", _reasoned_delete),
    ):
        current = getattr(cls, name)
        if getattr(current, "_publishing_guard", False):
            continue
        wrapped = wrapper(current)
        wrapped._publishing_guard = True
        setattr(cls, name, wrapped)
