"""The archive in Wagtail's admin: its URLs, its item in the Reports menu, and its permission in
the group editor. The views are in ``publishing.archive.views`` and, for exporting a period as a
package, ``publishing.archive.export_views``; all of them only read."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from publishing.archive.export_views import ArchiveExportView
from publishing.archive.views import (
    ArchiveIndexView,
    CaptureDetailView,
    PdfDownloadView,
    WarcDownloadView,
    sees_archive,
)

urlpatterns = [
    path("", ArchiveIndexView.as_view(), name="index"),
    path("results/", ArchiveIndexView.as_view(results_only=True), name="index_results"),
    path("<int:pk>/", CaptureDetailView.as_view(), name="detail"),
    path("<int:pk>/warc/", WarcDownloadView.as_view(), name="warc"),
    path("<int:pk>/pdf/", PdfDownloadView.as_view(), name="pdf"),
    path("export/", ArchiveExportView.as_view(), name="export"),
]


@hooks.register("register_admin_urls")
def register_archive_urls():
    return [path("publishing/archive/", include((urlpatterns, "publishing_archive")))]


class ArchiveMenuItem(MenuItem):
    """Shown to those who may search the archive (``publishing.view_archivecapture``)."""

    def is_shown(self, request):
        return sees_archive(request)


@hooks.register("register_reports_menu_item")
def register_menu_item():
    return ArchiveMenuItem(
        ArchiveIndexView.page_title,
        reverse("publishing_archive:index"),
        name="governance-archive",
        icon_name=ArchiveIndexView.header_icon,
        order=1350,
    )


@hooks.register("register_permissions")
def register_archive_permission():
    # Only "view": nobody is given a right to add, change or delete a capture.
    return Permission.objects.filter(
        content_type__app_label="publishing", codename="view_archivecapture"
    )
