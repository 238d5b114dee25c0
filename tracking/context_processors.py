"""What every page's navigation needs to know of the user: which entries their role can use."""

from django.utils.functional import SimpleLazyObject

from participants.choices import Role
from tracking import permissions


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
