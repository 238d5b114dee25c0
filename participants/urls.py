"""Account pages, namespace "participants": personal API tokens."""

from django.urls import path

from participants import views

app_name = "participants"
urlpatterns = [
    path("tokens/", views.ApiTokensView.as_view(), name="tokens"),
    path("tokens/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"),
]
