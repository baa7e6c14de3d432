"""Governance reports in the admin's Reports menu, with filters and CSV/XLSX export.

- **Findings across live pages**: one row per finding of the rule engine (purpose PUBLISH) on
  each live governed page as it is live now.
- **Review dates by unit**: live governed pages with a review date, overdue or not, with totals
  per unit.
- **Who approved what**: workflow approvals from the audit log, with the capacity a leader
  approved in and how many warnings they acknowledged.

Each report covers the municipalities whose leaders or communications group the user is in
(superusers: all) and is shown only to them. The exports are Wagtail's own (``list_export``).

Cost of the findings report: the rules' findings on every live governed page are kept per
municipality and judged anew when something they depend on changed
(``publishing.reports.live_findings``): a small municipality in the report's request, a large one
by the task worker while the report shows the last judgement and says when it was made. The
report filters, counts and pages the kept findings in the database, in a fixed number of queries
whatever the number of pages. The other two reports run a fixed number of queries (about 30) and
read only the columns they show.
"""

import datetime
from dataclasses import dataclass

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.fields.json import KeyTransform
from django.urls import include, path, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise, cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.active_filters import (
    ActiveFilter,
    BaseFilterAdapter,
    register_filter_adapter_class,
)
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.models import Page, PageLogEntry, Task, TaskState

from publishing import audit
from publishing.access.user_scope import municipality_ids
from publishing.models import (
    AutomaticChecksTask,
    InternalNoticeTask,
    LeaderApprovalTask,
    LiveFinding,
    Municipality,
    OrganisationUnit,
    WarningAcknowledgement,
)
from publishing.models.organisation import person_name
from publishing.models.pages import governed_page_models, in_trees
from publishing.people import labels_by_id, show_people_as_people
from publishing.reports import live_findings
from publishing.rules import BLOCK, WARN
from publishing.rules.approval import capacity_label
from publishing.rules.categories import KINDS, kind_label
from publishing.wording import field_label

WORKFLOW_APPROVED = "wagtail.workflow.approve"

SEVERITY_LABELS = {BLOCK: _("blocks"), WARN: _("warning")}

#: The kinds of finding, by the first part of their code (the report's filter).
KIND_CHOICES = [(kind.prefix, kind.label) for kind in KINDS]


def reporting_municipalities(user):
    """Municipalities whose reports ``user`` may see: where they are in the leaders or the
    communications group. Superusers see all."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    groups = user.groups.values("pk")
    return Municipality.objects.filter(
        Q(leaders_group__in=groups) | Q(communications_group__in=groups)
    ).distinct()


def reporting_units(request):
    """Units of the user's municipalities, for the unit filter."""
    return OrganisationUnit.objects.filter(
        municipality__in=reporting_municipalities(request.user)
    ).order_by("municipality__name", "name")


LEADER_NAME = (
    "responsible_leader__first_name",
    "responsible_leader__last_name",
    "responsible_leader__username",
)


def edit_url(page_id):
    return reverse("wagtailadmin_pages:edit", args=[page_id])


def yes_no(value):
    return str(_("yes") if value else _("no"))


#: A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """``value`` as a CSV cell that a spreadsheet shows as text and never runs as a formula.

    Page titles and people's names are typed by users; one starting with ``=`` (say
    ``=HYPERLINK(...)``) would otherwise become a live formula in whoever opens the export. The
    leading apostrophe is how spreadsheets mark a cell as text.
    """
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def day(value):
    """A date range bound as a date (the date range filter gives datetimes)."""
    return value.date() if isinstance(value, datetime.datetime) else value


def paginator_of(singular, plural):
    """Wagtail's paginator, counting the report's rows by their name ("12 findings")."""
    return type(
        "ReportPaginator",
        (WagtailPaginator,),
        {"verbose_name": singular, "verbose_name_plural": plural},
    )


class YesNoFilterAdapter(BaseFilterAdapter):
    """The pill of an active yes/no filter says the choice as the radio buttons do ("Ja",
    "Nej"), not Python's ``True``: Wagtail's default adapter prints the value."""

    def get_active_filters(self):
        choices = dict(getattr(self.filter.field.widget, "choices", ()))
        label = choices.get("true" if self.value else "false") or yes_no(self.value)
        yield ActiveFilter(
            self.bound_field.auto_id,
            self.filter.label,
            str(label),
            self.get_url_without_filter_param(self.name),
        )


# Every listing of the admin with a yes/no filter (the reports', the registers').
register_filter_adapter_class(django_filters.BooleanFilter, YesNoFilterAdapter)


class ReportFilterSet(WagtailFilterSet):
    """The filters a report validates and shows; the report applies them to its rows itself
    (``method="keep"`` leaves the queryset as it is)."""

    def keep(self, queryset, name, value):
        return queryset


class UnitFilter(django_filters.ModelChoiceFilter):
    """A unit, and the units below it (a sector includes its units)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Unit (and the units below it)"))
        kwargs.setdefault("empty_label", _("All units"))
        kwargs.setdefault("queryset", reporting_units)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        # The reports apply the unit themselves: their rows come from several page types.
        return qs


class GovernanceReportView(ReportView):
    """A report over the signed-in user's municipalities, shown only to their leaders and
    communications group.

    Subclasses build their rows in ``get_rows(cleaned_data)``; the filter set only validates
    and shows the filters.
    """

    template_name = "wagtailadmin/reports/base_report.html"
    url_name = ""
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not sees_reports(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def municipalities(self):
        return list(reporting_municipalities(self.request.user).select_related("site__root_page"))

    @cached_property
    def root_paths(self):
        return [m.site.root_page.path for m in self.municipalities if m.site]

    @cached_property
    def unit_names(self):
        return dict(
            OrganisationUnit.objects.filter(municipality__in=self.municipalities).values_list(
                "pk", "name"
            )
        )

    def get_index_url(self):
        return reverse(f"publishing_reports:{self.url_name}")

    def get_index_results_url(self):
        return reverse(f"publishing_reports:{self.url_name}_results")

    def get_filename(self):
        # The report's title in the user's language: "dokumenter-med-funn-2026-12-05.csv".
        return f"{slugify(str(self.page_title))}-{timezone.localdate():%Y-%m-%d}"

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "queryset": Page.objects.none()}

    def stream_csv(self, queryset):
        # The CSV is written after the view returns, when the admin has already switched back
        # from the user's language; keep the headings and labels in the user's language.
        language = translation.get_language()
        lines = super().stream_csv(queryset)

        def in_language():
            with translation.override(language):
                yield from lines

        return in_language()

    def write_csv_row(self, writer, row_dict):
        # Wagtail writes values as they are; XLSX cells are typed and safe, CSV cells are not.
        return writer.writerow(
            {
                field: csv_safe(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    @cached_property
    def cleaned_filters(self):
        if self.filters and self.filters.is_valid():
            return self.filters.form.cleaned_data
        return {}

    def get_filtered_queryset(self):
        return self.rows

    @cached_property
    def rows(self):
        return self.get_rows(self.cleaned_filters)

    def get_rows(self, filters):
        raise NotImplementedError

    def live_governed_pages(self, unit, fields, **filters):
        """Live governed pages of the user's municipalities (one query per page type), with
        only ``fields`` and the leader's name: a report over every live page of a large
        municipality would otherwise read tens of thousands of bodies it never shows."""
        units = unit.ids_below() if unit else None
        pages = []
        for model in governed_page_models():
            queryset = model.objects.live().filter(in_trees(self.root_paths), **filters)
            if units is not None:
                queryset = queryset.filter(owning_unit_id__in=units)
            queryset = queryset.select_related("responsible_leader")
            pages.extend(queryset.only(*fields, *LEADER_NAME))
        return pages


# --- findings across live pages --------------------------------------------------------------


@dataclass
class FindingRow:
    """One finding on one live page; ``message`` says what and where, never the page's text."""

    page_id: int
    page: str
    unit: str
    leader: str
    code: str
    severity: str
    message: str
    #: The field's label in the user's language ("Introduction"); ``field`` is its name.
    where: str
    field: str = ""

    @property
    def severity_label(self):
        return str(SEVERITY_LABELS.get(self.severity, self.severity))

    @property
    def kind_label(self):
        """What kind of finding, in words (the code stays in the export, for machines)."""
        return kind_label(self.code)


class FindingsFilterSet(ReportFilterSet):
    unit = UnitFilter()
    severity = django_filters.ChoiceFilter(
        label=_("Severity"),
        choices=list(SEVERITY_LABELS.items()),
        empty_label=_("All"),
        method="keep",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=KIND_CHOICES, empty_label=_("All kinds"), method="keep"
    )
    code = django_filters.CharFilter(
        label=_("Code"),
        method="keep",
        help_text=_("A finding's code, such as personal_data.phone."),
    )

    class Meta:
        model = Page
        fields = []


class FindingsReportView(GovernanceReportView):
    """One row per finding on each live governed page, as the engine sees it before publishing.

    The findings are kept per municipality and judged anew when something they depend on
    changed (``live_findings``); the list is filtered, counted and paged in the database.
    Messages say what was found and where on the page, and never quote the page's text.
    """

    page_title = _("Findings on live pages")
    header_icon = "warning"
    url_name = "findings"
    paginator_class = paginator_of(_("finding"), _("findings"))
    filterset_class = FindingsFilterSet
    results_template_name = "publishing/reports/findings_results.html"
    columns = [
        TitleColumn("page", label=_("Page"), get_url=lambda row: edit_url(row.page_id)),
        Column("unit", label=_("Unit")),
        Column("leader", label=_("Responsible leader")),
        Column("kind_label", label=_("Kind")),
        Column("severity_label", label=_("Severity")),
        Column("message", label=_("Message")),
        Column("where", label=_("Where")),
    ]
    # The export shows what the table shows: labels in the user's language, not raw values.
    list_export = [
        "page_id",
        "page",
        "unit",
        "leader",
        "kind_label",
        "severity_label",
        "message",
        "where",
    ]
    export_headings = {
        "page_id": _("Page ID"),
        "page": _("Page"),
        "unit": _("Unit"),
        "leader": _("Responsible leader"),
        "kind_label": _("Kind"),
        "severity_label": _("Severity"),
        "message": _("Message"),
        "where": _("Where"),
    }

    def get_rows(self, filters):
        self.judgements, self.queued = live_findings.current(self.municipalities)
        findings = LiveFinding.objects.filter(municipality__in=self.municipalities)
        unit = filters.get("unit")
        if unit:
            findings = findings.filter(unit_id__in=unit.ids_below())
        if filters.get("severity"):
            findings = findings.filter(severity=filters["severity"])
        if filters.get("kind"):
            findings = findings.filter(kind=filters["kind"])
        code = (filters.get("code") or "").strip()
        if code:
            findings = findings.filter(Q(code=code) | Q(code__startswith=code + "."))
        self.findings = findings
        return KeptRows(findings.order_by("municipality", "path", "position", "pk"), self.rows_of)

    def rows_of(self, findings):
        """Report rows for these kept findings, with the current names of units and leaders."""
        findings = list(
            findings.values(
                "page_id",
                "page__title",
                "page__content_type_id",
                "unit_id",
                "leader_id",
                "code",
                "severity",
                "field",
                "summaries",
            )
        )
        leaders = labels_by_id([finding["leader_id"] for finding in findings])
        language = translation.get_language()
        rows = []
        for finding in findings:
            model = ContentType.objects.get_for_id(finding["page__content_type_id"]).model_class()
            summaries = finding["summaries"]
            rows.append(
                FindingRow(
                    page_id=finding["page_id"],
                    page=finding["page__title"],
                    unit=self.unit_names.get(finding["unit_id"], ""),
                    leader=leaders.get(finding["leader_id"], ""),
                    code=finding["code"],
                    severity=finding["severity"],
                    message=summaries.get(language) or next(iter(summaries.values()), ""),
                    where=self.where(model, finding["field"]),
                    field=finding["field"],
                )
            )
        return rows

    @staticmethod
    def where(model, field):
        """The field's label in the user's language, or "the whole page" for a finding on no
        single field (the page's reading level, its responsibility)."""
        if not field:
            return str(_("The whole page"))
        return field_label(model, field) if model else field

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        judgements = [j for j in getattr(self, "judgements", {}).values() if j is not None]
        counts = self.findings.aggregate(
            blocking=Count("pk", filter=Q(severity=BLOCK)),
            warnings=Count("pk", filter=Q(severity=WARN)),
        )
        context["blocking_count"] = counts["blocking"]
        context["warning_count"] = counts["warnings"]
        context["pages_checked"] = self.pages_judged(judgements)
        context["pages_waiting"] = sum(j.pages_waiting for j in judgements)
        # Shown from an earlier judgement while the worker judges again.
        earlier = [j for j in judgements if j.municipality_id in getattr(self, "queued", ())]
        context["judged_at"] = min((j.judged_at for j in earlier), default=None)
        if self.filters is not None and self.filters.is_bound and not self.filters.is_valid():
            context["filter_errors"] = [
                f"{self.filters.form.fields[name].label}: {' '.join(errors)}"
                for name, errors in self.filters.form.errors.items()
                if name in self.filters.form.fields
            ]
        return context

    def pages_judged(self, judgements):
        """Live pages the listed findings come from (those of the chosen unit and below)."""
        unit = self.cleaned_filters.get("unit")
        if not unit:
            return sum(j.pages for j in judgements)
        units = unit.ids_below()
        return sum(
            model.objects.live().filter(in_trees(self.root_paths), owning_unit_id__in=units).count()
            for model in governed_page_models()
        )


class KeptRows:
    """Kept findings as report rows, counted and sliced in the database: the paginator reads
    one page of rows, the exports every row in chunks."""

    ordered = True  # the paginator warns about an unordered list otherwise
    CHUNK = 2000

    def __init__(self, queryset, rows_of):
        self.queryset = queryset
        self.rows_of = rows_of

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.rows_of(self.queryset[index])
        return self.rows_of(self.queryset[index : index + 1])[0]

    def __iter__(self):
        start = 0
        while True:
            rows = self.rows_of(self.queryset[start : start + self.CHUNK])
            yield from rows
            if len(rows) < self.CHUNK:
                return
            start += self.CHUNK


# --- review dates by unit ----------------------------------------------------------------------


@dataclass
class ReviewRow:
    page_id: int
    page: str
    unit: str
    leader: str
    review_by: datetime.date
    overdue: bool
    days_overdue: int

    @property
    def overdue_label(self):
        return yes_no(self.overdue)


@dataclass
class UnitTotal:
    unit: str
    pages: int = 0
    overdue: int = 0


class ReviewDatesFilterSet(ReportFilterSet):
    unit = UnitFilter()
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), widget=BooleanRadioSelect, method="keep"
    )
    review_by = django_filters.DateFromToRangeFilter(
        label=_("Review by"), widget=DateRangePickerWidget, method="keep"
    )

    class Meta:
        model = Page
        fields = []


class ReviewDatesReportView(GovernanceReportView):
    """Live governed pages with a review date, by unit, with totals per unit."""

    page_title = _("Review dates by unit")
    header_icon = "calendar-check"
    url_name = "review_dates"
    paginator_class = paginator_of(_("page"), _("pages"))
    filterset_class = ReviewDatesFilterSet
    results_template_name = "publishing/reports/review_dates_results.html"
    columns = [
        TitleColumn("page", label=_("Page"), get_url=lambda row: edit_url(row.page_id)),
        Column("unit", label=_("Unit")),
        Column("leader", label=_("Responsible leader")),
        Column("review_by", label=_("Review by")),
        Column("overdue_label", label=_("Overdue")),
    ]
    list_export = ["page_id", "page", "unit", "leader", "review_by", "overdue", "days_overdue"]
    export_headings = {
        "page_id": _("Page ID"),
        "page": _("Page"),
        "unit": _("Unit"),
        "leader": _("Responsible leader"),
        "review_by": _("Review by"),
        "overdue": _("Overdue"),
        "days_overdue": _("Days overdue"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.custom_field_preprocess = {
            **self.custom_field_preprocess,
            "overdue": {self.FORMAT_CSV: yes_no, self.FORMAT_XLSX: yes_no},
        }

    def get_rows(self, filters):
        today = timezone.localdate()
        rows = []
        pages = self.live_governed_pages(
            filters.get("unit"),
            fields=("title", "owning_unit_id", "review_by"),
            review_by__isnull=False,
        )
        leaders = labels_by_id([page.responsible_leader_id for page in pages])
        for page in pages:
            overdue = page.review_by < today
            rows.append(
                ReviewRow(
                    page_id=page.pk,
                    page=page.title,
                    unit=self.unit_names.get(page.owning_unit_id, ""),
                    leader=leaders.get(page.responsible_leader_id, ""),
                    review_by=page.review_by,
                    overdue=overdue,
                    days_overdue=(today - page.review_by).days if overdue else 0,
                )
            )
        if filters.get("overdue") is not None:
            rows = [row for row in rows if row.overdue == filters["overdue"]]
        dates = filters.get("review_by")
        if dates:
            start, stop = day(dates.start), day(dates.stop)
            rows = [
                row
                for row in rows
                if (start is None or row.review_by >= start)
                and (stop is None or row.review_by <= stop)
            ]
        rows.sort(key=lambda row: (row.unit, row.review_by, row.page))
        return rows

    @cached_property
    def totals(self):
        """Pages and overdue pages per unit, over every row of the report (not only this page)."""
        totals = {}
        for row in self.rows:
            total = totals.setdefault(row.unit, UnitTotal(row.unit))
            total.pages += 1
            total.overdue += row.overdue
        return sorted(totals.values(), key=lambda total: total.unit)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["totals"] = self.totals
        context["total_pages"] = len(self.rows)
        context["total_overdue"] = sum(1 for row in self.rows if row.overdue)
        return context


# --- who approved what -------------------------------------------------------------------------


def tasks_of(*models):
    """Ids of the workflow tasks of the given task types."""
    return list(
        Task.objects.filter(
            content_type__in=ContentType.objects.get_for_models(*models).values()
        ).values_list("pk", flat=True)
    )


def approval_entries(root_paths):
    """Audit-log entries of approvals by a person on pages below ``root_paths``.

    Wagtail logs each approved workflow task; the automatic steps (the checks and the
    internal-notice gate) pass by themselves and are no one's approval, so they are left out.
    A reviewed crisis fast track counts too. Its entry has no workflow data, and a bare
    ``exclude()`` on the task id would drop it (a missing JSON key compares as NULL), so each
    kind of entry is chosen explicitly.
    """
    automatic = tasks_of(AutomaticChecksTask, InternalNoticeTask)
    people_approved = Q(action=WORKFLOW_APPROVED) & ~Q(data__workflow__task__id__in=automatic)
    return PageLogEntry.objects.filter(
        people_approved | Q(action=audit.REVIEW_DONE),
        user__isnull=False,
        page__in=Page.objects.filter(in_trees(root_paths)),
    )


def approvers_for_filter(request):
    """People who approved something in the user's municipalities."""
    User = get_user_model()
    municipalities = reporting_municipalities(request.user).select_related("site__root_page")
    entries = approval_entries([m.site.root_page.path for m in municipalities if m.site])
    return User.objects.filter(pk__in=entries.values("user_id")).order_by(
        "last_name", "first_name", User.USERNAME_FIELD
    )


class PersonFilter(django_filters.ModelChoiceFilter):
    """A filter that chooses a person, offered by name, role and unit (never by username)."""

    @property
    def field(self):
        field = super().field
        if not getattr(field, "shows_people", False):
            show_people_as_people(field)
            field.shows_people = True
        return field


class ApprovalsFilterSet(ReportFilterSet):
    timestamp = django_filters.DateFromToRangeFilter(
        label=_("Date"), widget=DateRangePickerWidget, method="filter_dates"
    )
    unit = UnitFilter()
    user = PersonFilter(
        label=_("Approved by"),
        empty_label=_("Anyone"),
        queryset=approvers_for_filter,
    )

    class Meta:
        model = PageLogEntry
        fields = []

    def filter_dates(self, queryset, name, value):
        # Whole days: "to" includes the day itself.
        if value.start:
            queryset = queryset.filter(timestamp__date__gte=day(value.start))
        if value.stop:
            queryset = queryset.filter(timestamp__date__lte=day(value.stop))
        return queryset


@dataclass
class ApprovalRow:
    timestamp: datetime.datetime
    page_id: int
    page: str
    unit: str
    approver: str
    step: str
    capacity: str
    acknowledged_warnings: int | None


class ApprovalsReportView(GovernanceReportView):
    """Workflow approvals from the audit log: when, which page, who, in which step and capacity
    (responsible leader, deputy, leader above in the line), and the warnings they acknowledged.

    Crisis fast-track reviews count as approvals afterwards.
    """

    page_title = _("Who approved what")
    header_icon = "circle-check"
    url_name = "approvals"
    paginator_class = paginator_of(_("approval"), _("approvals"))
    filterset_class = ApprovalsFilterSet
    columns = [
        DateColumn("timestamp", label=_("Date")),
        TitleColumn("page", label=_("Page"), get_url=lambda row: edit_url(row.page_id)),
        Column("unit", label=_("Unit")),
        Column("approver", label=_("Approved by")),
        Column("step", label=_("Step")),
        Column("capacity", label=_("As")),
        Column("acknowledged_warnings", label=_("Warnings acknowledged")),
    ]
    list_export = [
        "timestamp",
        "page_id",
        "page",
        "unit",
        "approver",
        "step",
        "capacity",
        "acknowledged_warnings",
    ]
    export_headings = {
        "timestamp": _("Date"),
        "page_id": _("Page ID"),
        "page": _("Page"),
        "unit": _("Unit"),
        "approver": _("Approved by"),
        "step": _("Step"),
        "capacity": _("As"),
        "acknowledged_warnings": _("Warnings acknowledged"),
    }

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "queryset": PageLogEntry.objects.none()}

    def get_filtered_queryset(self):
        entries = self.filter_queryset(approval_entries(self.root_paths))
        unit = self.cleaned_filters.get("unit")
        if unit:
            entries = entries.filter(page_id__in=self._pages_of_units(unit.ids_below()))
        # The unit as approved (or, for entries without a revision, as the page has it now)
        # is read by the database from the revision, not by loading every revision's content.
        return (
            entries.select_related("user")
            .annotate(
                approved_unit=KeyTransform("owning_unit", "revision__content"),
                current_unit=KeyTransform("owning_unit", "page__latest_revision__content"),
            )
            .order_by("-timestamp", "-pk")
        )

    def _pages_of_units(self, units):
        ids = []
        for model in governed_page_models():
            ids.extend(model.objects.filter(owning_unit_id__in=units).values_list("pk", flat=True))
        return ids

    @cached_property
    def leader_task_ids(self):
        return set(tasks_of(LeaderApprovalTask))

    def get_context_data(self, *args, **kwargs):
        # Rows are built for the entries on this page of results (or all of them, when
        # exporting), and the table is drawn from the rows, not from the bare log entries.
        context = super().get_context_data(*args, **kwargs)
        context["object_list"] = rows = self.rows_for(context["object_list"])
        context["table"] = self.get_table(rows)
        return context

    def decorate_paginated_queryset(self, object_list):
        return object_list  # already rows: see get_context_data

    def rows_for(self, entries):
        """``ApprovalRow`` for each log entry, in a fixed number of queries."""
        entries = list(entries)
        if not entries:
            return []
        task_state_ids = {
            (entry.data.get("workflow") or {}).get("task_state_id") for entry in entries
        } - {None}
        started = dict(
            TaskState.objects.filter(pk__in=task_state_ids).values_list("pk", "started_at")
        )
        page_ids = {entry.page_id for entry in entries}
        user_ids = {entry.user_id for entry in entries}
        # By page and person, so that each row looks at its own (an export of every approval
        # would otherwise compare each entry with every other).
        leader_entries, acknowledgements = {}, {}
        for page_id, user_id, timestamp, data in PageLogEntry.objects.filter(
            action=audit.LEADER_APPROVED, page_id__in=page_ids, user_id__in=user_ids
        ).values_list("page_id", "user_id", "timestamp", "data"):
            leader_entries.setdefault((page_id, user_id), []).append((timestamp, data))
        for page_id, user_id, at in WarningAcknowledgement.objects.filter(
            page_id__in=page_ids, user_id__in=user_ids
        ).values_list("page_id", "user_id", "acknowledged_at"):
            acknowledgements.setdefault((page_id, user_id), []).append(at)
        return [self._row(entry, started, leader_entries, acknowledgements) for entry in entries]

    def _row(self, entry, started, leader_entries, acknowledgements):
        workflow = entry.data.get("workflow") or {}
        task = workflow.get("task") or {}
        # The unit as approved; entries without a revision (fast-track reviews): as it is now.
        unit = entry.approved_unit if entry.revision_id else entry.current_unit
        capacity, acknowledged = "", None
        if entry.action == audit.REVIEW_DONE:
            step = str(_("Crisis fast track, reviewed afterwards"))
        else:
            step = task.get("title", "")
        if task.get("id") in self.leader_task_ids:
            # The leader's approval during this task: after it started, before Wagtail's entry.
            since = started.get(workflow.get("task_state_id"))

            def during_task(timestamp):
                return (since is None or timestamp >= since) and timestamp <= entry.timestamp

            key = (entry.page_id, entry.user_id)
            ours = [(at, data) for at, data in leader_entries.get(key, ()) if during_task(at)]
            if ours:
                capacity = str(capacity_label(max(ours, key=lambda item: item[0])[1].get("as")))
            acknowledged = sum(1 for at in acknowledgements.get(key, ()) if during_task(at))
        return ApprovalRow(
            timestamp=entry.timestamp,
            page_id=entry.page_id,
            page=entry.label,
            unit=self.unit_names.get(unit, ""),
            approver=person_name(entry.user) if entry.user_id else "",
            step=step,
            capacity=capacity,
            acknowledged_warnings=acknowledged,
        )


# --- registration ------------------------------------------------------------------------------


REPORTS = (
    (FindingsReportView, "findings/", 1300),
    (ReviewDatesReportView, "review-dates/", 1310),
    (ApprovalsReportView, "approvals/", 1320),
)

urlpatterns = []
for _view, _path, _order in REPORTS:
    urlpatterns += [
        path(_path, _view.as_view(), name=_view.url_name),
        path(
            f"{_path}results/", _view.as_view(results_only=True), name=f"{_view.url_name}_results"
        ),
    ]


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("publishing/reports/", include((urlpatterns, "publishing_reports")))]


def sees_reports(request):
    """Whether the signed-in user may see the governance reports; asked once a request (each
    report's menu item asks on every admin page)."""
    if not hasattr(request, "_publishing_sees_reports"):
        request._publishing_sees_reports = bool(
            municipality_ids(request.user, "reporting", reporting_municipalities)
        )
    return request._publishing_sees_reports


class GovernanceReportMenuItem(MenuItem):
    """Shown to the leaders and communications group of a municipality, and superusers."""

    def is_shown(self, request):
        return sees_reports(request)


def _menu_item(view, order):
    def register():
        return GovernanceReportMenuItem(
            view.page_title,
            reverse(f"publishing_reports:{view.url_name}"),
            name=f"governance-{view.url_name.replace('_', '-')}",
            icon_name=view.header_icon,
            order=order,
        )

    return register


for _view, _path, _order in REPORTS:
    hooks.register("register_reports_menu_item", _menu_item(_view, _order))
