"""URL configuration: admin, documents, search, then Wagtail's page serving."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api as api_v3
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from config.health import healthz
from home import robots
from home import views as home_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v3/", api_v3.urls),
    # Live, public pages of the requesting site only: the intranet never appears.
    path("sitemap.xml", sitemap),
    path("robots.txt", robots.robots_txt, name="robots_txt"),
    path("favicon.ico", robots.favicon, name="favicon"),
    path("search/", home_views.search, name="search"),
    path("healthz/", healthz, name="healthz"),
    # The feedback form under each governed page (names "feedback" and "feedback_thanks").
    path("", include("publishing.urls.public")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# "Not found" and "not allowed" in the site's own look and language (templates/404.html,
# 403.html; in the admin, the person's admin language); 500.html is static.
handler404 = "home.views.page_not_found"
handler403 = "home.views.permission_denied"
