"""Root URLs: the admin, and each app's pages and API."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views import defaults
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from catalog.api import errors as catalog_api_errors

admin.site.site_header = admin.site.site_title = "Greenroom admin"
# Catalog lists are wide; the app list is one click away on the admin's home page.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (Swagger UI, JSON, files).
    path("favicon.ico", RedirectView.as_view(url=static("greenroom/favicon.svg"), permanent=True)),
    path("oidc/", include("mozilla_django_oidc.urls")),
    # Backstage's catalog API: /api/catalog/entities, /api/catalog/locations, ...
    path("api/catalog/", include("catalog.api.urls")),
    # OpenAPI 3 description of the API, and Swagger UI over it (served from drf-spectacular-sidecar).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/permissions/", include("permissions.api.urls")),
    path("", include("permissions.urls")),
    path("", include("catalog.urls")),
]

API_PREFIX = "/api/"


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Backstage's JSON error body under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return catalog_api_errors.not_found(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return catalog_api_errors.server_error(request)
    return defaults.server_error(request)
