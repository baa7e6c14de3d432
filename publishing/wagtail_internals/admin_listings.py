"""The admin listings that have no hook, narrowed to the user's scope; written against Wagtail 8.0.

Site history and its user filter, page types usage (its counts, last edited pages and site
filter), locked and aging pages, the workflow reports' filters and the document and image
indexes build their querysets without asking a hook. ``install()`` (called once when Wagtail
loads the extension's hooks) wraps the one method of each view that builds its queryset so that
it goes through ``publishing.access.admin_scope``, and sets the filters' querysets:

- ``LogEntriesView.filter_queryset``, ``SiteHistoryReportFilterSet.get_user_choices``;
- ``LockedPagesView.get_queryset``, ``AgingPagesView.get_queryset``,
  ``LockedPagesReportFilterSet.base_filters["locked_by"]``;
- ``PageTypesUsageReportView.get_queryset`` and ``.decorate_paginated_queryset``,
  ``PageTypesUsageReportFilterSet.__init__`` and the module function
  ``page_types_usage._annotate_last_edit_info`` (private in Wagtail 8.0);
- ``WorkflowReportFilterSet`` and ``WorkflowTasksReportFilterSet`` base filters;
- the document and image ``IndexView.get_base_queryset``;
- ``BulkAction.get_actionable_objects``: ids that are no ids are a 404 in any bulk action;
- ``PageBulkAction.get_actionable_objects``: the pages a bulk action acts on and names;
- ``Page.get_admin_display_title``: the tree's root reads "All sites", not "Root".

After a Wagtail upgrade, re-read those; ``tests/publishing/test_admin_scope.py`` lists every
admin view as people of both municipalities and fails when one shows the other's objects.
"""

import contextvars
import functools

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction
from wagtail.admin.views.reports import aging_pages, locked_pages, page_types_usage, workflows
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.admin.views.reports.page_types_usage import (
    PageTypesUsageReportFilterSet,
    PageTypesUsageReportView,
)
from wagtail.documents.views.documents import IndexView as DocumentIndexView
from wagtail.images.views.images import IndexView as ImageIndexView
from wagtail.models import Page, Site, Task, Workflow, WorkflowState, WorkflowTask

from publishing.access.admin_scope import (
    as_text,
    log_users,
    out_of_scope_pks,
    page_in_scope,
    page_scope_q,
    pages_out_of_scope,
    scoped_documents,
    scoped_images,
    scoped_log_entries,
    scoped_objects,
    scoped_pages,
    sees_everything,
)


def _wrap(cls, name, make):
    original = getattr(cls, name)
    if getattr(original, "_admin_scoped", False):
        return
    wrapped = functools.wraps(original)(make(original))
    wrapped._admin_scoped = True
    setattr(cls, name, wrapped)


def _narrow_result(scope):
    """Wrap a method that returns a queryset so its result goes through ``scope``."""

    def make(original):
        def method(self, *args, **kwargs):
            return scope(original(self, *args, **kwargs), self.request.user)

        return method

    return make


#: Whose page types report is being worked out (see ``install``).
_REPORT_USER = contextvars.ContextVar("publishing_report_user", default=None)


def _count_in_scope(original):
    """Wagtail's page types count and last-edited page, over the requesting user's pages only."""

    def annotate(queryset, language_code, site_root_path):
        user = _REPORT_USER.get()
        if user is None or sees_everything(user):
            return original(queryset, language_code, site_root_path)
        counted = page_scope_q(user, prefix="pages__")
        edited = page_scope_q(user)
        if language_code:
            counted &= Q(pages__locale__language_code=language_code)
            edited &= Q(locale__language_code=language_code)
        if site_root_path:
            counted &= Q(pages__path__startswith=site_root_path)
            edited &= Q(path__startswith=site_root_path)
        latest = Page.objects.filter(edited, content_type=OuterRef("pk")).order_by(
            F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk"
        )
        return queryset.annotate(
            count=Count("pages", filter=counted),
            last_edited_page_id=Subquery(latest.values("pk")[:1]),
        )

    annotate._publishing_scope = True
    return annotate


def _not_found_for_bad_ids(original):
    """Any bulk action (pages, images, documents, users): ids that are no ids are a 404, not a
    server error."""

    def get_actionable_objects(self):
        try:
            return original(self)
        except (ValueError, TypeError):
            raise Http404 from None

    return get_actionable_objects


def _scoped_bulk_pages(original):
    """Page bulk actions (delete, unpublish, publish, move) act on, and name, only the pages
    the user may list: ids of another municipality's pages (typed into the address, or "all")
    are left out without their titles. Ids that are no page ids are a 404, not a server
    error."""

    def get_actionable_objects(self):
        try:
            objects, extra = original(self)
        except (ValueError, TypeError, Page.DoesNotExist):
            raise Http404 from None
        user = self.request.user
        objects = [page for page in objects if page_in_scope(page, user)]
        refused = extra.get("items_with_no_access", [])
        return objects, {
            **extra,
            "items_with_no_access": [page for page in refused if page_in_scope(page, user)],
        }

    return get_actionable_objects


def _root_in_the_readers_words(original):
    """Wagtail shows the tree's root, whose title is "Root" in English, at the top of the page
    chooser and listings for every editor: it reads "All sites" in the reader's language."""

    def get_admin_display_title(self):
        # A listing that left the depth out is not asked it (one query a row): not the root.
        if self.__dict__.get("depth") == 1:
            return gettext("All sites")
        return original(self)

    return get_admin_display_title


def install():
    """Narrow the admin views that build their listing without asking a hook."""

    # Pages first: wrapped, the base's method would look like the pages' own already.
    _wrap(PageBulkAction, "get_actionable_objects", _scoped_bulk_pages)
    _wrap(BulkAction, "get_actionable_objects", _not_found_for_bad_ids)
    _wrap(Page, "get_admin_display_title", _root_in_the_readers_words)

    # Site history: each log model's entries are filtered before they are joined.
    _wrap(LogEntriesView, "filter_queryset", _narrow_result(scoped_log_entries))
    _wrap(
        SiteHistoryReportFilterSet,
        "get_user_choices",
        lambda original: lambda self: log_users(self.request.user),
    )
    # Locked and aging pages follow page permissions already; the scope holds for them too.
    _wrap(locked_pages.LockedPagesView, "get_queryset", _narrow_result(scoped_pages))
    _wrap(aging_pages.AgingPagesView, "get_queryset", _narrow_result(scoped_pages))

    def scoped_lockers(request):
        User = get_user_model()
        locked = scoped_pages(Page.objects.filter(locked=True), request.user)
        return User.objects.filter(pk__in=locked.values("locked_by")).order_by(User.USERNAME_FIELD)

    locked_pages.LockedPagesReportFilterSet.base_filters["locked_by"].queryset = scoped_lockers

    # Page types usage names the last edited page of each type.
    def hide_foreign_last_edits(original):
        def method(self, page_types):
            page_types = original(self, page_types)
            for item in page_types:
                page = getattr(item, "last_edited_page", None)
                if page is not None and not page_in_scope(page, self.request.user):
                    item.last_edited_page = None
                    item.last_edited_page_id = None
            return page_types

        return method

    _wrap(PageTypesUsageReportView, "decorate_paginated_queryset", hide_foreign_last_edits)

    # Its site filter offers the user's own sites (and sites of no municipality).
    def own_sites_only(original):
        def method(self, *args, **kwargs):
            original(self, *args, **kwargs)
            user = getattr(self.request, "user", None)
            if user is None or "site" not in self.filters:
                return
            out = set(out_of_scope_pks(Site, user).values_list("pk", flat=True))
            self.sites = {pk: site for pk, site in self.sites.items() if pk not in out}
            self.filters["site"].extra["choices"] = [
                (site.root_page.path, str(site)) for site in self.sites.values()
            ]

        return method

    _wrap(PageTypesUsageReportFilterSet, "__init__", own_sites_only)

    # Its counts and last edited pages are worked out by a module function that does not see
    # the request: the view says whose report it is, and the function counts in that scope.
    def for_the_requesting_user(original):
        def get_queryset(self):
            token = _REPORT_USER.set(self.request.user)
            try:
                return original(self)
            finally:
                _REPORT_USER.reset(token)

        return get_queryset

    _wrap(PageTypesUsageReportView, "get_queryset", for_the_requesting_user)
    if not getattr(page_types_usage._annotate_last_edit_info, "_publishing_scope", False):
        page_types_usage._annotate_last_edit_info = _count_in_scope(
            page_types_usage._annotate_last_edit_info
        )

    # Workflow reports: who asked for approval, and which workflows there are, as filters.
    def scoped_requesters(request):

        User = get_user_model()
        if sees_everything(request.user):
            states = WorkflowState.objects.all()
        else:
            states = WorkflowState.objects.filter(
                base_content_type__model="page",
                base_content_type__app_label="wagtailcore",
            ).exclude(object_id__in=as_text(pages_out_of_scope(request.user)))
        return User.objects.filter(pk__in=states.values("requested_by")).order_by(
            User.USERNAME_FIELD
        )

    def scoped_workflows(request):

        return scoped_objects(Workflow.objects.all(), request.user)

    def scoped_tasks(request):

        theirs = Workflow.objects.exclude(pk__in=scoped_workflows(request).values("pk"))
        return Task.objects.exclude(
            pk__in=WorkflowTask.objects.filter(workflow__in=theirs).values("task")
        )

    for filterset in (workflows.WorkflowReportFilterSet, workflows.WorkflowTasksReportFilterSet):
        filters = filterset.base_filters
        if "requested_by" in filters:
            filters["requested_by"].queryset = scoped_requesters
        if "workflow" in filters:
            filters["workflow"].queryset = scoped_workflows
        if "task" in filters:
            # Task names carry the municipality's name ("Avesta: Redaktionell granskning").
            filters["task"].queryset = scoped_tasks

    # Document and image indexes follow collection permissions; the scope holds for them too.
    _wrap(DocumentIndexView, "get_base_queryset", _narrow_result(scoped_documents))
    _wrap(ImageIndexView, "get_base_queryset", _narrow_result(scoped_images))
