"""What every page's header needs from tracking: the unread count of the bell (templates/includes/nav.html)."""

from django.utils.functional import SimpleLazyObject

from tracking.selectors import unread_notification_count


def notifications(request):
    """`unread_notifications`: the signed-in user's unread count, counted (one query) only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user=user))}
