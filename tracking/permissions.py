"""Who may do what with reports: the one place that decides, object by object.

The API (tracking.api.permissions wraps these), the web pages and the admin all ask these functions; the
selectors in tracking.selectors apply the same rules to querysets, so that what a user cannot see is simply
not found (404).

Roles (participants.Profile):
- office reporter: reports for their office, on the items the office takes part in;
- department staff: reports for their department on the items it is responsible for or whose program it leads,
  and reviews the reports on those items (not its own);
- analyst: reads every submitted and accepted report, writes nothing;
- administrator (or a superuser): everything.
Open reports (draft, returned) are seen only by their organisation, its reviewers and administrators; submitted
and accepted reports by every user with a role.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from participants.choices import Role
from programs.choices import TeamRole
from programs.models import ProgramDepartment, WorkItem, WorkItemDepartment
from tracking.choices import OPEN_STATES, PUBLISHED_STATES, ReportState
from tracking.models import Obligation


def role_of(user) -> str | None:
    """The user's role, or None for anonymous users and users without one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def _profile(user):
    return getattr(user, "profile", None)


def has_role(user) -> bool:
    return role_of(user) is not None


def is_administrator(user) -> bool:
    return role_of(user) == Role.ADMINISTRATOR


def _profile_field(user, role, name):
    """The profile's `name` (its office or department, or their ids) when the user has `role`, else None."""
    profile = _profile(user)
    return getattr(profile, name) if profile and role_of(user) == role else None


def user_office(user):
    return _profile_field(user, Role.OFFICE_REPORTER, "office")


def user_department(user):
    return _profile_field(user, Role.DEPARTMENT_STAFF, "department")


def user_office_id(user):
    return _profile_field(user, Role.OFFICE_REPORTER, "office_id")


def user_department_id(user):
    return _profile_field(user, Role.DEPARTMENT_STAFF, "department_id")


# --- Which organisations report on, and review, an item -------------------------------------------------------


def reviewing_department_q(department_id, work_item_ref="work_item"):
    """Q for items (reached through `work_item_ref`) that the department is responsible for or whose program it
    leads: the items its staff review."""
    responsible = WorkItemDepartment.objects.filter(
        work_item=OuterRef(f"{work_item_ref}_id" if work_item_ref else "pk"), department_id=department_id
    )
    program_ref = f"{work_item_ref}__program_id" if work_item_ref else "program_id"
    leads = ProgramDepartment.objects.filter(
        program=OuterRef(program_ref), department_id=department_id, role=TeamRole.LEAD
    )
    return Q(Exists(responsible)) | Q(Exists(leads))


def department_may_report_on(department, work_item) -> bool:
    """A department reports on the items it is responsible for or whose program it leads."""
    return WorkItem.objects.filter(pk=work_item.pk).filter(reviewing_department_q(department.pk, None)).exists()


def office_may_report_on(office, work_item) -> bool:
    """An office reports on the items it must report on: those with an obligation of the office."""
    return Obligation.objects.filter(work_item=work_item, office=office).exists()


def is_reviewer_of(user, work_item) -> bool:
    department_id = user_department_id(user)
    return department_id is not None and (
        WorkItem.objects.filter(pk=work_item.pk).filter(reviewing_department_q(department_id, None)).exists()
    )


# --- Object permissions ---------------------------------------------------------------------------------------


def is_own_report(user, report) -> bool:
    office_id, department_id = user_office_id(user), user_department_id(user)
    return (office_id is not None and report.office_id == office_id) or (
        department_id is not None and report.department_id == department_id
    )


def can_view_report(user, report) -> bool:
    role = role_of(user)
    if role is None:
        return False
    if role == Role.ADMINISTRATOR or report.state in PUBLISHED_STATES:
        return True
    return is_own_report(user, report) or is_reviewer_of(user, report.work_item)


def can_view_open_versions(user, report) -> bool:
    """May the user read what the report said while it was open (its drafts and returns, in its history)? Its
    organisation, its reviewers and administrators; other readers see only its published versions."""
    role = role_of(user)
    if role is None:
        return False
    return role == Role.ADMINISTRATOR or is_own_report(user, report) or is_reviewer_of(user, report.work_item)


def can_create_report(user, work_item, *, office=None, department=None) -> bool:
    """May the user create a report on the item for that organisation? (Whether the organisation takes part in
    the item is a validation question, answered by the service with a field error.)"""
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return True
    if role == Role.OFFICE_REPORTER:
        return office is not None and department is None and office.pk == user_office_id(user)
    if role == Role.DEPARTMENT_STAFF:
        return department is not None and office is None and department.pk == user_department_id(user)
    return False


def can_edit_report(user, report) -> bool:
    """Edit, attach and submit: the report's own organisation (or an administrator), while it is open."""
    if report.state not in OPEN_STATES:
        return False
    return is_administrator(user) or is_own_report(user, report)


def can_review_report(user, report) -> bool:
    """Accept or return: staff of a department responsible for the item or leading its program, on a submitted
    report of another organisation; or an administrator."""
    if report.state != ReportState.SUBMITTED:
        return False
    if is_administrator(user):
        return True
    if report.department_id is not None and report.department_id == user_department_id(user):
        return False  # nobody reviews their own organisation's report
    return is_reviewer_of(user, report.work_item)


def may_review_at_all(user) -> bool:
    return role_of(user) in {Role.ADMINISTRATOR, Role.DEPARTMENT_STAFF}


def can_write(user) -> bool:
    """Analysts and users without a role never write."""
    return role_of(user) in {Role.ADMINISTRATOR, Role.OFFICE_REPORTER, Role.DEPARTMENT_STAFF}


# --- Who is told ------------------------------------------------------------------------------------------------


def organisation_members(*, office_id=None, department_id=None):
    """The active users who act for an office or a department: they are told of its reports and deadlines."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if office_id is not None:
        return users.filter(profile__role=Role.OFFICE_REPORTER, profile__office_id=office_id)
    if department_id is not None:
        return users.filter(profile__role=Role.DEPARTMENT_STAFF, profile__department_id=department_id)
    return users.none()


def item_reviewers(work_item, *, exclude_department_id=None):
    """The active department staff who review the item's reports: of the departments responsible for it or leading
    its program (the rule of can_review_report), except the department whose report it is."""
    from django.contrib.auth import get_user_model

    responsible = WorkItemDepartment.objects.filter(work_item_id=work_item.pk).values("department_id")
    leading = ProgramDepartment.objects.filter(program_id=work_item.program_id, role=TeamRole.LEAD).values(
        "department_id"
    )
    users = get_user_model().objects.filter(is_active=True, profile__role=Role.DEPARTMENT_STAFF)
    users = users.filter(Q(profile__department_id__in=responsible) | Q(profile__department_id__in=leading))
    if exclude_department_id is not None:
        users = users.exclude(profile__department_id=exclude_department_id)
    return users


def can_read_notification(user, notification) -> bool:
    """A notification is its recipient's alone."""
    return getattr(user, "is_authenticated", False) and notification.recipient_id == user.pk
