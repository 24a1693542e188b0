"""Routes of the permissions API, mounted at /api/permissions/."""

from django.urls import path

from permissions.api import views

app_name = "permissions-api"

urlpatterns = [
    # GET /explain?permission=…[&user=…|&token=…][&target=…]
    path("explain", views.ExplainView.as_view(), name="explain"),
    # GET /audit?limit=&offset=&action=&actor=&path=
    path("audit", views.AuditView.as_view(), name="audit"),
]
