"""Pages of the permissions app."""

from django.urls import path

from permissions import views

app_name = "permissions"

urlpatterns = [
    path("settings/tokens/", views.personal_tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke-token"),
]
