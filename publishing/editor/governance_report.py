"""The live endpoint of the governance side panel: the report of the unsaved page form.

The panel's script posts the editor's form here while the publisher writes. The view builds the
same form class the editor uses from the posted data, lets it fill an in-memory copy of the page
and returns the panel's report as an HTML fragment. Nothing is saved: no page, no revision, no
form state.

A refusal is a plain 403 (not Wagtail's redirect to the dashboard), so the panel's script never
mistakes another page for a report.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from publishing.editor.side_panels import build_report
from publishing.models import GovernedPage

FRAGMENT = "publishing/side_panels/governance_report.html"


def _form_data(request):
    """The posted form without its action buttons, so that no form logic takes it as a publish."""
    data = request.POST.copy()
    for key in [key for key in data if key.startswith("action-")]:
        del data[key]
    return data


def _report_response(request, page, page_class, parent):
    form_class = page_class.get_edit_handler().get_form_class()
    try:
        form = form_class(
            _form_data(request), instance=page, parent_page=parent, for_user=request.user
        )
        # Drafts may be incomplete; the findings say what publishing needs.
        form.defer_required_fields()
        form.is_valid()  # fills the in-memory page with every valid field
        # Audiences (a ParentalManyToManyField) live in memory on the instance; nothing is
        # written.
        form.save_cluster_m2m()
    except (KeyError, ValueError, ValidationError):
        # A hand-made or truncated post (a formset without its management data): the editor's
        # own script always sends the whole form, so say so rather than fail.
        return HttpResponseBadRequest(
            _("The editor's form was incomplete, so it could not be checked. Reload the page.")
        )
    report = build_report(
        form.instance, user=request.user, parent=parent if not page.pk else None, form=form
    )
    html = render_to_string(FRAGMENT, {"report": report}, request=request)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def edit_report(request, page_id):
    """The report of an existing page's unsaved edits. Only users who may edit the page."""
    real = get_object_or_404(Page, pk=page_id)
    page_class = real.specific_class
    if page_class is None or not issubclass(page_class, GovernedPage):
        raise Http404
    if not real.permissions_for_user(request.user).can_edit():
        return HttpResponseForbidden()
    page = real.get_latest_revision_as_object()
    return _report_response(request, page, page_class, page.get_parent())


@require_POST
def create_report(request, app_label, model_name, parent_page_id):
    """The report of a page being created below ``parent_page_id``. Only users who may add it."""
    parent = get_object_or_404(Page, pk=parent_page_id).specific
    if not parent.permissions_for_user(request.user).can_add_subpage():
        return HttpResponseForbidden()
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist as missing:
        raise Http404 from missing
    page_class = content_type.model_class()
    if page_class is None or not issubclass(page_class, GovernedPage):
        raise Http404
    if page_class not in parent.creatable_subpage_models() or not page_class.can_create_at(parent):
        return HttpResponseForbidden()
    page = page_class(owner=request.user)
    page.locale_id = parent.locale_id
    return _report_response(request, page, page_class, parent)
