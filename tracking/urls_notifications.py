"""The user's notifications: the list, mark read, the preferences."""

from django.urls import path

from tracking import notification_pages

urlpatterns = [
    path("notifications/", notification_pages.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/preferences/",
        notification_pages.NotificationPreferencesView.as_view(),
        name="notification_preferences",
    ),
    path("notifications/read-all/", notification_pages.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("notifications/<int:pk>/read/", notification_pages.NotificationReadView.as_view(), name="notification_read"),
]
