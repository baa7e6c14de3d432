"""Admin URLs of the extension, mounted under /admin/publishing/ by a Wagtail hook."""

from django.urls import path

from publishing.editor import governance_report
from publishing.plans import views as plans_views
from publishing.workflow import views

app_name = "publishing"
urlpatterns = [
    path("pages/<int:page_id>/notice/", views.create_notice, name="create_notice"),
    path("pages/<int:page_id>/fast-track/", views.fast_track, name="fast_track"),
    path("pages/<int:page_id>/changes/", views.changes, name="changes"),
    path("fast-track/<int:review_id>/review/", views.review_fast_track, name="review_fast_track"),
    path("annual-wheel/", plans_views.annual_wheel, name="annual_wheel"),
    path(
        "pages/<int:page_id>/governance-report/",
        governance_report.edit_report,
        name="governance_report",
    ),
    path(
        "pages/add/<slug:app_label>/<slug:model_name>/<int:parent_page_id>/governance-report/",
        governance_report.create_report,
        name="governance_report_new",
    ),
]
