from django.urls import path

from tracking import views

app_name = "tracking"

urlpatterns = [
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment_download"),
]
