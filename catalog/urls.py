"""The catalog's pages and the sign-in pages; the API has its own URLs under ``catalog/api/``."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from catalog.views import catalog_index, entity, home, register, unregister

# Sign-in lives here so that the portal's root URLconf needs one line for all pages; no namespace, so
# Django's own names (login, logout, password_change) keep working.
accounts = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, next_page="/"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="/accounts/login/"), name="logout"),
    path("", include("django.contrib.auth.urls")),
]

entity_patterns = [
    # /catalog/<namespace>/<kind>/<name>/                 the overview tab
    path("", entity.entity_page, name="entity"),
    # /catalog/<namespace>/<kind>/<name>/unregister/      confirmation, then removal
    path("unregister/", unregister.unregister, name="unregister"),
    # /catalog/<namespace>/<kind>/<name>/refresh/         POST: schedule a refresh of its location
    path("refresh/", entity.refresh_entity, name="refresh"),
    # /catalog/<namespace>/<kind>/<name>/<tab>/           any tab from catalog.tabs
    path("<slug:tab>/", entity.entity_page, name="entity-tab"),
]

pages = [
    path("", home.home, name="home"),
    path("catalog/", catalog_index.catalog_index, name="index"),
    path("catalog/register/", register.register, name="register"),
    path("catalog/<str:namespace>/<str:kind>/<str:name>/", include(entity_patterns)),
]

urlpatterns = [
    path("accounts/", include(accounts)),
    path("", include((pages, "catalog"))),
]
