"""`/api/v1/notifications/`: the caller's own notifications (tracking.notifications sends them)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tracking import notifications, selectors
from tracking.api.conditional import NotificationConditionalMixin
from tracking.api.permissions import OwnNotifications
from tracking.api.serializers import NotificationSerializer
from tracking.filtersets import NotificationFilterSet


class NotificationViewSet(
    NotificationConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications, newest first (`?unread=true` for the unread ones), and
    `POST /notifications/{id}/read/` to mark one read. Another user's notification is not found."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    permission_classes = [OwnNotifications]
    ordering_fields = {"created_at": ("created_at", "id")}

    def get_queryset(self):
        return selectors.notifications_of(user=self.request.user)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request, pk=None):
        """Mark the notification read (again: it stays read, with the first time)."""
        notification = notifications.notification_mark_read(notification=self.get_object(), user=request.user)
        return Response(NotificationSerializer(notification, context=self.get_serializer_context()).data)
