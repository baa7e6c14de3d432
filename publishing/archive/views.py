"""The legal archive in the admin: find what a page looked like on a date, read a capture's
metadata, and download it as its WARC file or as a PDF.

Everything here only reads: the archive is append-only, and there is no view to add, change or
delete a capture. Who sees what:

- a user with ``publishing.view_archivecapture`` (the communications groups have it; an admin
  can grant it in Wagtail's group editor), or a superuser;
- only the captures of the municipalities the user belongs to
  (``Municipality.objects.for_user``). Another municipality's capture is not found (404), not
  refused, so that its existence does not show. Superusers see every capture, also those of a
  municipality that no longer exists.

A file is handed out only when its bytes still have the SHA-256 recorded when it was archived
(``files.verified_file``); a changed or missing file gets a page that says so.
"""

import datetime
import logging
import posixpath

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import AdminDateInput, HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from publishing.archive import presentation
from publishing.archive.files import ArchiveFileProblem, verified_file
from publishing.archive.pdf import render_pdf
from publishing.models import ArchiveCapture, ArchiveEvent, OrganisationUnit
from publishing.models.municipality import every_municipality, municipality_ids_for
from publishing.reports.views import day, paginator_of

logger = logging.getLogger(__name__)

permission_policy = ModelPermissionPolicy(ArchiveCapture)

#: The content type of a WARC file (ISO 28500 annex); the file is gzip-compressed record by
#: record and is handed out as it is, not decompressed by the browser.
WARC_CONTENT_TYPE = "application/warc"

#: The listing reads none of the large columns it does not show.
LISTING_DEFERS = ("records", "details", "approved_by", "audiences", "previous_digest")


def archive_municipalities(request):
    """Slugs of the municipalities whose captures the signed-in user may see (``None``: all,
    for a superuser), asked once a request (the menu item asks on every admin page)."""
    if not hasattr(request, "_publishing_archive_scope"):
        user = request.user
        if not permission_policy.user_has_permission(user, "view"):
            scope = []
        elif user.is_superuser:
            scope = None
        else:
            visible = municipality_ids_for(user)
            scope = [m.slug for m in every_municipality() if m.pk in visible]
        request._publishing_archive_scope = scope
    return request._publishing_archive_scope


def sees_archive(request):
    """Whether the signed-in user may search the archive."""
    return archive_municipalities(request) != []


def visible_captures(request):
    """The captures the signed-in user may see."""
    scope = archive_municipalities(request)
    captures = ArchiveCapture.objects.all()
    return captures if scope is None else captures.filter(municipality__in=scope)


def archive_units(request):
    """Units of the user's municipalities, for the unit filter."""
    scope = archive_municipalities(request)
    units = OrganisationUnit.objects.all()
    if scope is not None:
        units = units.filter(municipality__slug__in=scope)
    return units.order_by("municipality__name", "name")


def start_of(date, days=0):
    """The first moment of ``date`` (or of the day ``days`` after it) in the active time zone (the
    user's). Where that lies beyond the calendar (0001-01-01 or 9999-12-31 typed into the
    address), the first or last moment a datetime holds, which nothing in the archive is before
    or after: the filter gives an answer instead of a server error."""
    try:
        moment = timezone.make_aware(
            datetime.datetime.combine(date + datetime.timedelta(days=days), datetime.time.min)
        )
        moment.astimezone(datetime.UTC)  # what the database is given
    except OverflowError:
        edge = datetime.datetime.min if date.year == 1 else datetime.datetime.max
        return edge.replace(tzinfo=datetime.UTC)
    return moment


def latest_by_end_of(date):
    """A ``Subquery`` of each page's latest capture up to the end of ``date``: the capture that
    shows what the page's address gave on that day (correlated on the outer row's page)."""
    latest = (
        ArchiveCapture.objects.filter(
            municipality=OuterRef("municipality"),
            page_id=OuterRef("page_id"),
            happened_at__lt=start_of(date, days=1),
        )
        .order_by("-happened_at", "-sequence")
        .values("pk")[:1]
    )
    return Subquery(latest)


class ArchiveFilterSet(WagtailFilterSet):
    on = django_filters.DateFilter(
        label=_("As it looked on"),
        widget=AdminDateInput,
        method="filter_on",
        help_text=_(
            "Each page's latest capture up to the end of this day, also when that capture says "
            "the page was unpublished or deleted."
        ),
    )
    title = django_filters.CharFilter(label=_("Title contains"), lookup_expr="icontains")
    url = django_filters.CharFilter(label=_("Address contains"), lookup_expr="icontains")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and the units below it)"),
        empty_label=_("All units"),
        queryset=archive_units,
        method="filter_unit",
    )
    unit_name = django_filters.CharFilter(
        field_name="unit",
        label=_("Unit's name at the time contains"),
        lookup_expr="icontains",
        help_text=_("For units that have been renamed or no longer exist."),
    )
    event = django_filters.ChoiceFilter(
        label=_("Event"), choices=ArchiveEvent.choices, empty_label=_("All events")
    )
    happened_at = django_filters.DateFromToRangeFilter(
        label=_("Period"), widget=DateRangePickerWidget, method="filter_period"
    )

    class Meta:
        model = ArchiveCapture
        fields = []

    def filter_on(self, queryset, name, value):
        end = start_of(value, days=1)
        return queryset.filter(happened_at__lt=end, pk=latest_by_end_of(value))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit_id__in=value.ids_below())

    def filter_period(self, queryset, name, value):
        # Whole days in the user's time zone: "to" includes the day itself. Bounds on the
        # column itself (not its date) so that the database can use its index.
        if value.start:
            queryset = queryset.filter(happened_at__gte=start_of(day(value.start)))
        if value.stop:
            queryset = queryset.filter(happened_at__lt=start_of(day(value.stop), days=1))
        return queryset


class MomentColumn(Column):
    """A time in the user's time zone and format, with its machine value."""

    cell_template_name = "publishing/archive/moment_cell.html"


class AddressColumn(Column):
    """An address, wrapped anywhere in its column (addresses have no spaces to wrap at)."""

    cell_template_name = "publishing/archive/address_cell.html"


class ArchiveIndexView(ReportView):
    """Captures of the user's municipalities, newest first, found by address, title, unit,
    period and event, or as each page looked on a given day."""

    page_title = _("Archive of published pages")
    header_icon = "history"
    template_name = "publishing/archive/index.html"
    paginator_class = paginator_of(_("capture"), _("captures"))
    filterset_class = ArchiveFilterSet
    results_template_name = "publishing/archive/index_results.html"
    index_url_name = "publishing_archive:index"
    index_results_url_name = "publishing_archive:index_results"
    columns = [
        TitleColumn(
            "title",
            label=_("Title"),
            get_url=lambda capture: reverse("publishing_archive:detail", args=[capture.pk]),
        ),
        AddressColumn("url", label=_("Address")),
        Column("event", label=_("Event"), accessor="get_event_display"),
        MomentColumn("happened_at", label=_("Time")),
        Column("unit", label=_("Unit")),
        Column("responsible_leader", label=_("Responsible leader")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not sees_archive(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Export a period"),
                url=reverse("publishing_archive:export"),
                icon_name="download",
            )
        ]

    def get_base_queryset(self):
        return visible_captures(self.request).defer(*LISTING_DEFERS).order_by("-happened_at", "-pk")

    def get_filtered_queryset(self):
        return self.get_queryset()  # filtered there already


class CaptureMixin:
    """A view of one capture the user may see; another municipality's is not found."""

    def dispatch(self, request, *args, pk, **kwargs):
        if not sees_archive(request):
            raise PermissionDenied
        self.capture = get_object_or_404(visible_captures(request), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def refused(self, problem):
        """The page a records officer gets instead of a file that is missing or changed."""
        logger.error(
            "Archived file %s of capture %s was not handed out: %s",
            self.capture.warc_name,
            self.capture.pk,
            type(problem).__name__,
        )
        return TemplateResponse(
            self.request,
            "publishing/archive/refused.html",
            {
                "capture": self.capture,
                "problem": problem.message,
                "detail_url": reverse("publishing_archive:detail", args=[self.capture.pk]),
                "header_title": _("The archived file cannot be handed out"),
                "header_icon": "warning",
                "breadcrumbs_items": archive_breadcrumbs(self.capture),
            },
            status=409,
        )


def archive_breadcrumbs(capture=None):
    """Home > Archive (> the capture)."""
    items = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("publishing_archive:index"), "label": ArchiveIndexView.page_title},
    ]
    if capture is not None:
        items.append(
            {"url": reverse("publishing_archive:detail", args=[capture.pk]), "label": capture.title}
        )
    return items


class CaptureDetailView(CaptureMixin, WagtailAdminTemplateMixin, TemplateView):
    """Everything the archive holds about one capture, its records, the page's other captures
    and the downloads."""

    template_name = "publishing/archive/detail.html"
    header_icon = "history"

    def get_page_title(self):
        return self.capture.title

    def get_breadcrumbs_items(self):
        return archive_breadcrumbs(self.capture)

    @cached_property
    def timeline(self):
        """The page's captures in this municipality, newest first."""
        return (
            visible_captures(self.request)
            .filter(municipality=self.capture.municipality, page_id=self.capture.page_id)
            .only("pk", "event", "happened_at", "title", "sequence")
            .order_by("-happened_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        capture = self.capture
        municipality = presentation.municipality_of(capture)
        return super().get_context_data(
            capture=capture,
            page_facts=presentation.page_facts(capture, municipality),
            event_facts=presentation.event_facts(capture),
            archive_facts=presentation.archive_facts(capture),
            approvals=presentation.approvals(capture),
            not_captured=presentation.not_captured(capture),
            records=capture.records,
            timeline=self.timeline,
            warc_url=reverse("publishing_archive:warc", args=[capture.pk]),
            pdf_url=reverse("publishing_archive:pdf", args=[capture.pk]),
            **kwargs,
        )


class WarcDownloadView(CaptureMixin, View):
    """The capture's WARC file, as archived (gzip-compressed records), once its SHA-256 holds."""

    def get(self, request, *args, **kwargs):
        try:
            handle = verified_file(self.capture)
        except ArchiveFileProblem as problem:
            return self.refused(problem)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=posixpath.basename(self.capture.warc_name),
            content_type=WARC_CONTENT_TYPE,
        )
        response["Content-Length"] = str(self.capture.warc_size)
        return response


class PdfDownloadView(CaptureMixin, View):
    """The capture as a PDF: the cover in the user's language, then the archived page."""

    def get(self, request, *args, **kwargs):
        try:
            pdf = render_pdf(self.capture)
        except ArchiveFileProblem as problem:
            return self.refused(problem)
        filename = f"{presentation.file_stem(self.capture)}.pdf"
        return HttpResponse(
            pdf,
            content_type="application/pdf",
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )
