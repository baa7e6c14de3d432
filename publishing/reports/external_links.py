"""The report of broken external links on live pages, in the admin's Reports menu, with CSV/XLSX.

One row per broken link on each live public page of the user's municipalities that links it:
the page (to its editor), the address, why it fails, since when, the page's unit and
responsible leader. A link is broken when the nightly check (``nightly_links``) found it
failing on ``LINK_CHECK_FAILURES_TO_REPORT`` runs in a row; a link skipped for robots.txt, one
that points to a private address or one with a port the checker does not ask is no broken
link. The rows are the dashboard panel's (``nightly_links.broken_links``). Leaders and the
communications group see it, as the other governance reports.
"""

import django_filters
from django.db.models import Max
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn

from publishing.conf import setting
from publishing.models import ExternalLink, LinkError
from publishing.reports.documents import local_cell, local_text
from publishing.reports.nightly_links import broken_links
from publishing.reports.views import (
    GovernanceReportMenuItem,
    GovernanceReportView,
    ReportFilterSet,
    UnitFilter,
    edit_url,
    paginator_of,
)


class AddressColumn(Column):
    """The link's address, to open it in a new tab, and where it was redirected to."""

    cell_template_name = "publishing/reports/external_link_address.html"


class BrokenLinksFilterSet(ReportFilterSet):
    unit = UnitFilter()
    kind = django_filters.ChoiceFilter(
        label=_("Kind of failure"),
        choices=LinkError.choices,
        empty_label=_("All kinds"),
        method="keep",
    )

    class Meta:
        model = ExternalLink
        fields = []


class BrokenLinksReportView(GovernanceReportView):
    """Broken external links on the live public pages of the user's municipalities."""

    page_title = _("Broken links to other sites")
    header_icon = "link-external"
    url_name = "external_links"
    paginator_class = paginator_of(_("broken link"), _("broken links"))
    filterset_class = BrokenLinksFilterSet
    results_template_name = "publishing/reports/external_links_results.html"
    columns = [
        TitleColumn("page", label=_("Page"), get_url=lambda row: edit_url(row.page_id)),
        AddressColumn("url", label=_("Link address")),
        Column("problem", label=_("Problem")),
        DateColumn("since", label=_("Failing since")),
        Column("unit", label=_("Unit")),
        Column("leader", label=_("Responsible leader")),
        DateColumn("last_checked", label=_("Last checked")),
    ]
    list_export = [
        "page_id",
        "page",
        "url",
        "final_url",
        "problem",
        "http_status",
        "since",
        "failures",
        "last_checked",
        "unit",
        "leader",
    ]
    export_headings = {
        "page_id": _("Page ID"),
        "page": _("Page"),
        "url": _("Link address"),
        "final_url": _("Address after redirects"),
        "problem": _("Problem"),
        "http_status": _("HTTP status"),
        "since": _("Failing since"),
        "failures": _("Failed nightly checks in a row"),
        "last_checked": _("Last checked"),
        "unit": _("Unit"),
        "leader": _("Responsible leader"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Times as they were where the municipality is, not in UTC; to the minute.
        in_text = {self.FORMAT_CSV: local_text, self.FORMAT_XLSX: local_cell}
        self.custom_field_preprocess = {
            **self.custom_field_preprocess,
            "since": in_text,
            "last_checked": in_text,
        }

    def get_index_url(self):
        return reverse(f"publishing_link_reports:{self.url_name}")

    def get_index_results_url(self):
        return reverse(f"publishing_link_reports:{self.url_name}_results")

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "queryset": ExternalLink.objects.none()}

    @property
    def links(self):
        """The kept links of the user's municipalities."""
        return ExternalLink.objects.filter(municipality__in=self.municipalities)

    def get_rows(self, filters):
        # The same rows as the dashboard's panel (``nightly_links.broken_links``): the pages as
        # they are now, still live and readable by citizens, in the chosen unit.
        unit = filters.get("unit")
        rows = broken_links(
            self.municipalities,
            units=unit.ids_below() if unit else None,
            error=filters.get("kind") or "",
        )
        rows.sort(key=lambda row: (row.unit, row.page.lower(), row.page_id, row.url))
        return rows

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["checked_at"] = self.links.aggregate(at=Max("last_checked_at"))["at"]
        context["failures_to_report"] = max(1, int(setting("LINK_CHECK_FAILURES_TO_REPORT")))
        context["broken_links"] = len({row.link_id for row in self.rows})
        context["pages_with_broken_links"] = len({row.page_id for row in self.rows})
        return context


urlpatterns = [
    path("external-links/", BrokenLinksReportView.as_view(), name="external_links"),
    path(
        "external-links/results/",
        BrokenLinksReportView.as_view(results_only=True),
        name="external_links_results",
    ),
]


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("publishing/reports/", include((urlpatterns, "publishing_link_reports")))]


@hooks.register("register_reports_menu_item")
def register_menu_item():
    return GovernanceReportMenuItem(
        BrokenLinksReportView.page_title,
        reverse("publishing_link_reports:external_links"),
        name="governance-external-links",
        icon_name=BrokenLinksReportView.header_icon,
        order=1340,
    )
