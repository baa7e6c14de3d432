"""A URL configuration without the extension's public URLs (tests/publishing/test_checks.py)."""

from django.urls import include, path
from wagtail import urls as wagtail_urls

urlpatterns = [path("", include(wagtail_urls))]
