"""Asking why, when a page citizens may have relied on is unpublished or deleted.

Which removals need a reason is the rule engine's question (``rules.withdrawal.relied_upon``:
the page or a page below it); Wagtail's actions refuse one without it
whichever door it comes through (``wagtail_internals.actions``) and write it in each page's
history (``workflow.removal``). The admin's doors ask for it:

- **Unpublish**: every page type's unpublish view (``ReasonedUnpublishView``, set in the page
  viewsets) adds a "Why" field to Wagtail's confirmation when the page or a live page below it
  needs one; a POST without a reason comes back with the error at the field and the choices
  made (the pages below, where to go next), and a reason is handed to the action. A page
  unpublished meanwhile (another tab) is said to be so.
- **Delete**: every page type's delete view (``ReasonedDeleteView``) asks the same on Wagtail's
  confirmation, which also offers withdrawing the page instead.
- **Bulk** unpublishing or deleting leaves such pages out, naming them and why on the
  confirmation before anything is done: each is done on its own, where the reason can be given.
  What changed between the confirmation and the click (a page published, unpublished or deleted
  meanwhile, in another tab or by a colleague) is said of that page; the others are done.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction
from wagtail.admin.views.pages.bulk_actions.unpublish import UnpublishBulkAction
from wagtail.admin.views.pages.delete import DeleteView
from wagtail.admin.views.pages.unpublish import UnpublishView
from wagtail.models import Page

from publishing.rules.retention import deletion_refusal, removal_may_be_refused
from publishing.rules.withdrawal import may_withdraw_instead, relied_upon
from publishing.visible_text import INVISIBLE_ONLY, has_visible_text
from publishing.workflow import removal

#: Long enough for a sentence or two of why; the history is no place for essays.
MAX_REASON = 600


class ReasonForm(forms.Form):
    """Why a page citizens may have relied on is taken down."""

    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Citizens may have read, linked to or acted on this page. Say why it goes; the "
            "reason is kept in the page's history."
        ),
        error_messages={"required": gettext_lazy("Say why the page goes.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not has_visible_text(reason):
            raise forms.ValidationError(INVISIBLE_ONLY)
        return reason


class AsksWhyMixin:
    """A confirmation view of Wagtail's that asks why when ``relied_upon`` holds: the reason
    field in its context, and a POST without a reason drawn again with the error at the field
    (the server says what is missing, in the person's language, not the browser)."""

    reason_form = None

    @cached_property
    def relied_upon(self):
        raise NotImplementedError

    def reason_context(self, context):
        if self.relied_upon:
            context["reason_form"] = self.reason_form or ReasonForm(use_required_attribute=False)
        return context

    def post(self, request, *args, **kwargs):
        if self.relied_upon:
            form = ReasonForm(request.POST, use_required_attribute=False)
            if not form.is_valid():
                self.reason_form = form
                return self.render_to_response(self.get_context_data())
            removal.give(form.cleaned_data["reason"])
        return super().post(request, *args, **kwargs)


class ReasonedUnpublishView(AsksWhyMixin, UnpublishView):
    """Wagtail's page unpublish confirmation, asking why when the page or a live page below it
    has been on the public site."""

    template_name = "publishing/editor/confirm_unpublish.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.object.live:
            # Unpublished meanwhile, in another tab or by someone else: say so, not "no access".
            messages.info(
                request,
                _("“%(title)s” is not published (any more).")
                % {"title": self.object.get_admin_display_title()},
            )
            return redirect(self.get_next_url())
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def relied_upon(self):
        return relied_upon(self.object, descendants=True, live_only=True)

    def get_context_data(self, **kwargs):
        context = self.reason_context(super().get_context_data(**kwargs))
        # The "pages below too" choice, kept when the form comes back.
        context["include_descendants"] = bool(self.request.POST.get("include_descendants"))
        return context


class ReasonedDeleteView(AsksWhyMixin, DeleteView):
    """Wagtail's page delete confirmation, asking why when the page or a page below it has been
    on the public site, with the offer to withdraw it instead."""

    @cached_property
    def relied_upon(self):
        return relied_upon(self.page, descendants=True)

    @cached_property
    def kept_by_archive(self):
        """Why the municipality's archive rules keep the page (or one below it), or None."""
        return deletion_refusal(self.page)

    def get_template_names(self):
        return ["publishing/editor/confirm_delete.html"]

    def post(self, request, *args, **kwargs):
        if self.kept_by_archive:
            # A form from before the page was public, or from another tab: nothing is deleted,
            # and the page that says why is fetched anew (a reload does not post it again).
            return redirect(request.get_full_path())
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = self.reason_context(super().get_context_data(**kwargs))
        context["kept_by_archive"] = self.kept_by_archive
        if self.relied_upon:
            context["below"] = len([page for page in self.relied_upon if page.pk != self.page.pk])
            if may_withdraw_instead(self.request.user, self.page):
                # Not to a tab by its address: Wagtail names tabs after their headings in the
                # language the process first drew them in.
                context["withdraw_url"] = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        return context


# --- bulk ------------------------------------------------------------------------------------


def bulk_refusals(pages, action_type):
    """``{page id: why}`` for the ``pages`` that a bulk ``action_type`` ("unpublish" or
    "delete") leaves out: the archive keeps one (delete), or it or a page below it needs a reason
    (``relied_upon``). Only the pages ``removal_may_be_refused`` finds are asked in full."""
    deleting = action_type == "delete"
    if deleting:
        message = _("Delete it on its own, so that you can say why.")
    else:
        message = _("Unpublish it on its own, so that you can say why.")
    refusals = {}
    asked = removal_may_be_refused(pages, deleting=deleting)
    for page in pages:
        if page.pk not in asked:
            continue
        kept = deleting and deletion_refusal(page)
        if kept:
            refusals[page.pk] = kept
        elif relied_upon(page, descendants=True, live_only=not deleting):
            refusals[page.pk] = message
    return refusals


class LeavesOutPagesNeedingAReason:
    """A bulk unpublish or delete whose confirmation names the pages it will leave out, and
    why, before the publisher confirms (they are not in the list of pages it acts on). When the
    action runs, it says so again (``prepare_action``)."""

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        refusals = bulk_refusals(objects, self.action_type)
        self.left_out = [
            {"item": page, "why": refusals[page.pk]} for page in objects if page.pk in refusals
        ]
        objects = [page for page in objects if page.pk not in refusals]
        return objects, {**extra, "items_left_out": self.left_out}

    #: Wagtail's confirmation, which ``template_name`` extends with the pages left out.
    wagtail_template = None
    template_name = "publishing/editor/confirm_bulk_removal.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "wagtail_template": self.wagtail_template}

    def prepare_action(self, objects, objects_without_access):
        for left in self.left_out:
            say_left_out(self.request, left["item"], left["why"])
        if not objects:
            return redirect(self.next_url)
        return super().prepare_action(objects, objects_without_access)

    def get_execution_context(self):
        self.changed_meanwhile = []
        return {**super().get_execution_context(), "changed_meanwhile": self.changed_meanwhile}

    @classmethod
    def execute_action(cls, objects, changed_meanwhile=None, **kwargs):
        """Wagtail's action, page by page: a page already gone (deleted, or unpublished for an
        unpublish) is not counted, and one that the action refuses now (published since the
        confirmation) is left out with why, in ``changed_meanwhile``; the others are done. A
        page chosen together with a page above it goes with that page."""
        parents = children = 0
        done_paths = []
        for page in objects:
            if any(page.path.startswith(path) for path in done_paths):
                continue  # chosen with a page above it, and done with that page
            try:
                with transaction.atomic():
                    gone = cls._gone_meanwhile(page)
                    if gone:
                        _note(changed_meanwhile, gone % {"title": _title(page)})
                        continue
                    done = super().execute_action([page], **kwargs)
            except PermissionDenied as refused:
                _note(changed_meanwhile, f"{_title(page)}: {refused}")
                continue
            parents, children = parents + done[0], children + done[1]
            done_paths.append(page.path)
        return parents, children

    @classmethod
    def _gone_meanwhile(cls, page):
        """What to say when ``page`` is no longer there to act on (its row locked until the
        transaction ends), or None."""
        row = Page.objects.select_for_update().filter(pk=page.pk).values_list("live").first()
        if row is None:
            return _("“%(title)s” was deleted in the meantime.")
        if cls.action_type == "unpublish" and not row[0]:
            return _("“%(title)s” is not published (any more).")
        return None

    def get_success_message(self, num_parent_objects, num_child_objects):
        for message in self.changed_meanwhile:
            messages.warning(self.request, message)
        if not num_parent_objects:
            return None  # nothing done: the messages above say why
        return super().get_success_message(num_parent_objects, num_child_objects)


def _title(page):
    return page.get_admin_display_title()


def _note(notes, message):
    if notes is not None:
        notes.append(message)


def say_left_out(request, page, why):
    """The message that ``page`` was left out of a bulk removal, and why."""
    messages.error(request, format_html("{}: {}", page.get_admin_display_title(), why))


class ReasonedDeleteBulkAction(LeavesOutPagesNeedingAReason, DeleteBulkAction):
    wagtail_template = DeleteBulkAction.template_name


class ReasonedUnpublishBulkAction(LeavesOutPagesNeedingAReason, UnpublishBulkAction):
    wagtail_template = UnpublishBulkAction.template_name


# After Wagtail's own (order): the registry keeps the last action of each type.
hooks.register("register_bulk_action", ReasonedDeleteBulkAction, order=100)
hooks.register("register_bulk_action", ReasonedUnpublishBulkAction, order=100)


@hooks.register("before_bulk_action")
def leave_pages_needing_a_reason_out_of_bulk_removal(request, action_type, objects, action_view):
    """Bulk unpublish and delete leave out the pages that need a reason (the page or a page
    below it has been on the public site), and say so: for any bulk action of those types whose
    confirmation did not leave them out already."""
    if action_type not in ("unpublish", "delete") or action_view.model is not Page:
        return None
    if isinstance(action_view, LeavesOutPagesNeedingAReason):
        return None  # left out, and said so, when the confirmation was worked out
    refusals = bulk_refusals(objects, action_type)
    for page in [page for page in objects if page.pk in refusals]:
        objects.remove(page)
        say_left_out(request, page, refusals[page.pk])
    if not objects:
        return redirect(action_view.next_url)
    return None
