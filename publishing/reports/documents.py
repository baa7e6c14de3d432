"""The report of public documents with findings, in the admin's Reports menu, with CSV/XLSX.

One row per document in a public collection of the user's municipalities whose current file
the checks found something in, could not read, or found to be a scan without text: what was
found and where in the file (never the value), whether it stops the pages that link it, its
accessibility, who uploaded it and how many pages link it. Leaders and the communications group
see it, as the other governance reports.
"""

from dataclasses import dataclass

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.documents import get_document_model
from wagtail.models import ReferenceIndex

from publishing.models import DocumentCheck
from publishing.models.municipality import StaffOnlyCollections
from publishing.people import person_name
from publishing.reports.views import (
    GovernanceReportMenuItem,
    GovernanceReportView,
    ReportFilterSet,
    paginator_of,
    yes_no,
)
from publishing.rules.documents import ACCESSIBILITY, summary_of


@dataclass
class DocumentRow:
    """One public document with what its check found."""

    document_id: int
    document: str
    collection: str
    status: str
    blocks: bool
    found: str
    accessibility: str
    uploaded_by: str
    uploaded_at: object
    checked_at: object
    linked_from: int

    @property
    def blocks_label(self):
        return yes_no(self.blocks)


class DocumentsFilterSet(ReportFilterSet):
    blocks = django_filters.BooleanFilter(
        label=_("Stops pages that link it"), widget=BooleanRadioSelect, method="keep"
    )

    class Meta:
        model = DocumentCheck
        fields = []


class DocumentsReportView(GovernanceReportView):
    """Public documents whose checks found personal data, or which could not be checked."""

    page_title = _("Documents with findings")
    header_icon = "doc-full"
    url_name = "documents"
    paginator_class = paginator_of(_("document"), _("documents"))
    filterset_class = DocumentsFilterSet
    results_template_name = "publishing/reports/documents_results.html"
    columns = [
        TitleColumn(
            "document",
            label=_("Document"),
            get_url=lambda row: reverse("wagtaildocs:edit", args=[row.document_id]),
        ),
        Column("collection", label=_("Collection")),
        Column("found", label=_("What the check found")),
        Column("blocks_label", label=_("Stops pages that link it")),
        Column("accessibility", label=_("Accessibility")),
        Column("uploaded_by", label=_("Uploaded by")),
        Column("linked_from", label=_("Pages that link it")),
        DateColumn("checked_at", label=_("Checked")),
    ]
    list_export = [
        "document_id",
        "document",
        "collection",
        "status",
        "blocks",
        "found",
        "accessibility",
        "uploaded_by",
        "uploaded_at",
        "checked_at",
        "linked_from",
    ]
    export_headings = {
        "document_id": _("Document ID"),
        "document": _("Document"),
        "collection": _("Collection"),
        "status": _("Status"),
        "blocks": _("Stops pages that link it"),
        "found": _("What the check found"),
        "accessibility": _("Accessibility"),
        "uploaded_by": _("Uploaded by"),
        "uploaded_at": _("Uploaded"),
        "checked_at": _("Checked"),
        "linked_from": _("Pages that link it"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Times as they were where the municipality is, not in UTC; to the minute.
        in_text = {self.FORMAT_CSV: local_text, self.FORMAT_XLSX: local_cell}
        self.custom_field_preprocess = {
            **self.custom_field_preprocess,
            "blocks": {self.FORMAT_CSV: yes_no, self.FORMAT_XLSX: yes_no},
            "uploaded_at": in_text,
            "checked_at": in_text,
        }

    def get_index_url(self):
        return reverse(f"publishing_document_reports:{self.url_name}")

    def get_index_results_url(self):
        return reverse(f"publishing_document_reports:{self.url_name}_results")

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "queryset": DocumentCheck.objects.none()}

    def get_rows(self, filters):
        checks = list(public_checks_with_findings(self.municipalities))
        linked = link_counts([check.document_id for check in checks])
        rows = []
        for check in checks:
            document = check.document
            blocks = check.stops_publishing
            rows.append(
                DocumentRow(
                    document_id=document.pk,
                    document=document.title,
                    collection=document.collection.name,
                    status=str(check.get_status_display()),
                    blocks=blocks,
                    found=str(summary_of(check)),
                    accessibility="; ".join(
                        str(ACCESSIBILITY[code])
                        for code in check.accessibility
                        if code in ACCESSIBILITY
                    ),
                    uploaded_by=person_name(document.uploaded_by_user)
                    if document.uploaded_by_user_id
                    else "",
                    uploaded_at=document.created_at,
                    checked_at=check.finished_at,
                    linked_from=linked.get(document.pk, 0),
                )
            )
        if filters.get("blocks") is not None:
            rows = [row for row in rows if row.blocks == filters["blocks"]]
        rows.sort(key=lambda row: (not row.blocks, row.document.lower()))
        return rows


def local_text(value):
    """A time in a CSV cell: local, to the minute ("2026-12-05 19:40")."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def local_cell(value):
    """A time in an XLSX cell: local and without a zone (spreadsheets keep none)."""
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value else None


def public_collections_q(municipalities, field="document__collection"):
    """A ``Q`` on rows whose collection is one of ``municipalities``' and not staff-only."""
    paths = [path for municipality in municipalities for path in municipality.collection_paths()]
    if not paths:
        return Q(pk__in=[])
    inside = Q()
    for prefix in paths:
        inside |= Q(**{f"{field}__path__startswith": prefix})
    for restricted in StaffOnlyCollections().paths:
        inside &= ~Q(**{f"{field}__path__startswith": restricted})
    return inside


def public_checks_with_findings(municipalities):
    """Current checks of public documents that found something, could not read the file, or
    found a scan; with their documents, collections and uploaders."""
    return (
        DocumentCheck.objects.current()
        .filter(public_collections_q(municipalities))
        .exclude(findings=[], status=DocumentCheck.CHECKED)
        .exclude(status=DocumentCheck.PENDING)
        .select_related("document__collection", "document__uploaded_by_user")
    )


def link_counts(document_ids):
    """``{document id: how many pages reference it}`` in one query."""
    document_type = ContentType.objects.get_for_model(get_document_model())
    counts = {}
    for object_id, _page_id in (
        ReferenceIndex.objects.filter(
            to_content_type=document_type, to_object_id__in=[str(pk) for pk in document_ids]
        )
        .values_list("to_object_id", "object_id")
        .distinct()
    ):
        counts[int(object_id)] = counts.get(int(object_id), 0) + 1
    return counts


urlpatterns = [
    path("documents/", DocumentsReportView.as_view(), name="documents"),
    path(
        "documents/results/",
        DocumentsReportView.as_view(results_only=True),
        name="documents_results",
    ),
]


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("publishing/reports/", include((urlpatterns, "publishing_document_reports")))]


@hooks.register("register_reports_menu_item")
def register_menu_item():
    return GovernanceReportMenuItem(
        DocumentsReportView.page_title,
        reverse("publishing_document_reports:documents"),
        name="governance-documents",
        icon_name=DocumentsReportView.header_icon,
        order=1330,
    )
