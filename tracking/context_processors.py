"""What every page's header needs from tracking: which navigation entries the user's role can use, and the
unread count of the bell (templates/includes/nav.html)."""

from django.utils.functional import SimpleLazyObject

from participants.choices import Role
from tracking import permissions
from tracking.selectors import unread_notification_count


def navigation(request):
    """`nav.my_work` (office reporters and department staff: the roles with an organisation's reports to write) and
    `nav.review` (the roles that review). Lazy: a page without the navigation asks nothing."""
    user = getattr(request, "user", None)

    def entries():
        role = permissions.role_of(user)
        return {
            "my_work": role in {Role.OFFICE_REPORTER, Role.DEPARTMENT_STAFF},
            "review": permissions.may_review_at_all(user),
        }

    return {"nav": SimpleLazyObject(entries)}


def notifications(request):
    """`unread_notifications`: the signed-in user's unread count, counted (one query) only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user=user))}
