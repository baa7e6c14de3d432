"""Admin URLs of the extension, mounted under /admin/publishing/ by a Wagtail hook."""

from django.urls import path

from . import views

app_name = "publishing"
urlpatterns = [
    path("pages/<int:page_id>/notice/", views.create_notice, name="create_notice"),
    path("pages/<int:page_id>/fast-track/", views.fast_track, name="fast_track"),
    path("fast-track/<int:review_id>/review/", views.review_fast_track, name="review_fast_track"),
]
