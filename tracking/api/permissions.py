"""DRF permission classes: thin wrappers that ask tracking.permissions."""

from rest_framework import permissions as drf

from tracking import permissions


class HasRole(drf.BasePermission):
    """Signed in with a role; analysts (and users without a writing role) may only read the plan's data. A view
    that only touches the caller's own account (`own_account = True`: their API tokens) lets every role write."""

    message = "You need a role in planpromo to use this."

    def has_permission(self, request, view):
        if not permissions.has_role(request.user):
            return False
        if request.method in drf.SAFE_METHODS or getattr(view, "own_account", False):
            return True
        if not permissions.can_write(request.user):
            self.message = "Your role can read but not write."
            return False
        return True


class OwnNotifications(drf.BasePermission):
    """Any user with a role reads and marks read their own notifications (analysts too: marking read changes
    nothing but their own inbox); another user's is not found (the queryset holds only the caller's)."""

    message = "You need a role in planpromo to use this."

    def has_permission(self, request, view):
        return permissions.has_role(request.user)

    def has_object_permission(self, request, view, obj):
        return permissions.can_read_notification(request.user, obj)
