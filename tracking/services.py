"""Every write to reports: creation, edits, the review workflow and attachments.

Each service is keyword-only and atomic; it locks the report row (select_for_update), checks the user's right
(tracking.permissions: PermissionDenied), the state and the version (VersionConflict), validates
(ValidationError with field errors), saves with the history user and the transition as change reason, and logs
the event after commit. The API, the web pages and the admin all call these.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from planpromo.audit import audit_log
from planpromo.exceptions import VersionConflict
from programs.models import Target
from tracking import notifications, permissions
from tracking.choices import TRANSITIONS, Transition
from tracking.cleaning import (
    _clean_fields,
    detect_content_type,
    file_too_large_message,
    sanitize_filename,
    typed_filename,
)
from tracking.locks import period_require_open
from tracking.models import Attachment, Report, TargetValue
from tracking.obligations import obligation_link_report

_RELATIONS = ["work_item", "period", "office", "department", "created_by", "submitted_by", "reviewed_by"]
# Errors of a list (the target values) are reported up to this many, then counted.
MAX_ERRORS_SHOWN = 5


def _audit(event: str, *, user, report: Report, **fields):
    """Log the event once the transaction commits, with the client's address when a request is being served
    (django-simple-history's middleware keeps the current request)."""
    request = getattr(HistoricalRecords.context, "request", None)

    def log():
        audit_log(event, user=user, request=request, report=report.pk, **fields)

    transaction.on_commit(log)


def _save(report: Report, *, user, transition: Transition):
    """Validate and save the report as one new version, recorded in its history."""
    report.version += 1 if report.pk else 0
    # Foreign keys are model instances the service resolved, and the database checks them: validating them
    # again would cost a query each. Uniqueness and constraints are the database's too (IntegrityError).
    report.full_clean(exclude=_RELATIONS, validate_unique=False, validate_constraints=False)
    report._history_user = user
    report._change_reason = transition.value
    report.save()


def _locked(report: Report) -> Report:
    """The report re-read under a row lock: concurrent writers queue here, and see each other's versions."""
    # Only the report's own row (not the joined work item, program and period, which every other writer on the item
    # reads), and FOR NO KEY UPDATE so that inserting its target values and history is not blocked by it.
    return (
        Report.objects.select_for_update(of=("self",), no_key=True)
        .select_related("work_item__program", "period__plan")
        .get(pk=report.pk)
    )


def _require_edit(user, report: Report, message: str):
    """The user may edit the report (its organisation, while open); a report they cannot even see does not
    exist for them (404), one they can see but not change is refused (403)."""
    if not permissions.can_edit_report(user, report):
        if not permissions.can_view_report(user, report):
            raise Report.DoesNotExist
        raise PermissionDenied(message)


def _check_version(report: Report, version, via_if_match: bool):
    if version is None:
        return
    try:
        sent = int(version)
    except (TypeError, ValueError):
        raise ValidationError({"version": _("The version must be a whole number.")}) from None
    if sent != report.version:
        raise VersionConflict(current_version=report.version, sent_version=sent, via_if_match=via_if_match)


def _validate_organisation(*, work_item, office, department):
    if (office is None) == (department is None):
        raise ValidationError(_("A report comes from exactly one organisation: an office or a department."))
    if office is not None and not permissions.office_may_report_on(office, work_item):
        raise ValidationError(
            {
                "work_item": _("%(office)s does not take part in work item %(code)s.")
                % {"office": office, "code": work_item.code}
            }
        )
    if department is not None and not permissions.department_may_report_on(department, work_item):
        raise ValidationError(
            {
                "work_item": _(
                    "%(department)s is not responsible for work item %(code)s and does not lead its program."
                )
                % {"department": department, "code": work_item.code}
            }
        )


def _set_target_values(report: Report, target_values, *, user):
    """Make the report's target values those given: [(target or target id, value)], each target of its item."""
    if target_values is None:
        return
    wanted: dict[int, int] = {}
    errors = []
    item_targets = {t.pk: t for t in Target.objects.filter(work_item=report.work_item_id)}
    if len(target_values) > len(item_targets):
        raise ValidationError(
            {
                "target_values": _("Work item %(code)s has %(count)s targets: send at most one value for each.")
                % {"code": report.work_item.code, "count": len(item_targets)}
            }
        )
    for target, value in target_values:
        target_id = getattr(target, "pk", target)
        if target_id not in item_targets:
            errors.append(
                _("Target %(id)s is not a target of work item %(code)s.")
                % {"id": target_id, "code": report.work_item.code}
            )
            continue
        if target_id in wanted:
            errors.append(_("Target %(id)s is given twice.") % {"id": target_id})
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors.append(_("The value of a target is a whole number of 0 or more."))
            continue
        wanted[target_id] = value
    if errors:
        # A few distinct messages, not one per entry: the answer stays small whatever was sent.
        distinct = list(dict.fromkeys(errors))
        shown = distinct[:MAX_ERRORS_SHOWN]
        if len(distinct) > MAX_ERRORS_SHOWN:
            shown.append(_("… and %(count)s more errors.") % {"count": len(distinct) - MAX_ERRORS_SHOWN})
        raise ValidationError({"target_values": shown})
    existing = {tv.target_id: tv for tv in report.target_values.all()}
    for target_id, tv in existing.items():
        if target_id not in wanted:
            tv._history_user = user
            tv.delete()
    for target_id, value in wanted.items():
        tv = existing.get(target_id)
        if tv is None:
            tv = TargetValue(report=report, target_id=target_id, value=value)
        elif tv.value == value:
            continue
        tv.value = value
        tv._history_user = user
        tv.save()


def _target_values_unchanged(report: Report, target_values) -> bool:
    """The target values given are exactly the report's (anything doubtful counts as a change, to be validated)."""
    if target_values is None:
        return True
    given = {}
    for target, value in target_values:
        target_id = getattr(target, "pk", target)
        if target_id in given or type(value) is not int:
            return False
        given[target_id] = value
    return given == {tv.target_id: tv.value for tv in report.target_values.all()}


@transaction.atomic
def report_create(*, user, work_item, period, office=None, department=None, fields: dict, target_values=None) -> Report:
    """Create a draft report.

    1. When the user acts for one organisation and names none, it is theirs.
    2. Check the right to report for that organisation, and that it takes part in (or is responsible for) the item.
    3. Check the period is of the item's plan; validate the fields; save; record history; set the target values.
    A second report for the same item, organisation and period is refused by the database's unique constraint,
    whatever the timing of two racing requests.
    """
    if office is None and department is None:
        office, department = permissions.user_office(user), permissions.user_department(user)
    if not permissions.can_create_report(user, work_item, office=office, department=department):
        raise PermissionDenied(_("You cannot report for this organisation."))
    _validate_organisation(work_item=work_item, office=office, department=department)
    if period.plan_id != work_item.program.plan_id:
        raise ValidationError({"period": _("The period belongs to another plan than the work item.")})
    period_require_open(period=period, office=office, department=department)
    unknown = set(fields) - set(Report.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    report = Report(
        work_item=work_item,
        period=period,
        office=office,
        department=department,
        created_by=user,
        **_clean_fields(fields),
    )
    duplicate = Report.objects.filter(work_item=work_item, period=period, office=office, department=department)
    if duplicate.exists():
        raise ValidationError({"__all__": [_duplicate_message(office)]})
    try:
        with transaction.atomic():
            _save(report, user=user, transition=Transition.CREATE)
    except IntegrityError as exc:
        # The constraint caught a racing creation that the check above could not see.
        if duplicate.exists():
            raise ValidationError({"__all__": [_duplicate_message(office)]}) from exc
        raise
    _set_target_values(report, target_values, user=user)
    obligation_link_report(report=report)
    _audit("report.create", user=user, report=report)
    return report


def _duplicate_message(office):
    if office is not None:
        return _("This office already has a report on this work item for this period.")
    return _("This department already has a report on this work item for this period.")


@transaction.atomic
def report_update(*, report, user, version, fields: dict, target_values=None, via_if_match=False) -> Report:
    """Edit an open report (draft or returned) of the user's organisation.

    Locks the row, refuses a missing or stale version (no lost updates), validates, saves one new version.
    """
    report = _locked(report)
    _require_edit(
        user, report, _("Only the reporting organisation can edit a report, and only while it is a draft or returned.")
    )
    period_require_open(period=report.period, office=report.office, department=report.department)
    if version is None:
        raise ValidationError({"version": _("Send the version you read (in the body or as If-Match).")})
    _check_version(report, version, via_if_match)
    unknown = set(fields) - set(Report.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    cleaned = _clean_fields(fields)
    if all(getattr(report, name) == value for name, value in cleaned.items()) and _target_values_unchanged(
        report, target_values
    ):
        return report  # nothing changed: no new version, so the history shows no empty "Edited" entry
    for name, value in cleaned.items():
        setattr(report, name, value)
    _save(report, user=user, transition=Transition.EDIT)
    _set_target_values(report, target_values, user=user)
    _audit("report.edit", user=user, report=report, version=report.version)
    return report


def _transition(report, *, user, transition: Transition, allowed, version=None, via_if_match=False, **changes):
    sources, target = TRANSITIONS[transition]
    report = _locked(report)
    if not permissions.can_view_report(user, report):
        raise Report.DoesNotExist
    _check_version(report, version, via_if_match)
    if report.state not in sources:
        raise ValidationError(
            {
                "state": _("A %(state)s report cannot be %(action)s.")
                % {"state": report.get_state_display().lower(), "action": transition.label.lower()}
            }
        )
    if not allowed(user, report):
        raise PermissionDenied(_("You are not allowed to do this with this report."))
    if transition == Transition.SUBMIT:
        # Reviewers still accept and return after the close; only the organisation's own writes stop.
        period_require_open(period=report.period, office=report.office, department=report.department)
    report.state = target
    for name, value in changes.items():
        # A callable value is computed from the locked row (what it holds now, not what the caller read).
        setattr(report, name, value(report) if callable(value) else value)
    _save(report, user=user, transition=transition)
    _audit(f"report.{transition.value}", user=user, report=report, state=report.state)
    # After commit, and robust: a failure to notify is logged and never undoes or blocks the transition.
    report_id, version = report.pk, report.version
    transaction.on_commit(
        lambda: notifications.notify_report_transition(report_id=report_id, version=version, transition=transition),
        robust=True,
    )
    return report


@transaction.atomic
def report_submit(*, report, user, version=None, via_if_match=False) -> Report:
    """Submit a draft or returned report for review (by its organisation). The first submission's time is kept:
    timeliness is judged by it. A return's comment and reviewer are cleared: they were addressed to the
    organisation (whose history keeps them), and a submitted report is read by everyone with a role."""
    now = timezone.now()
    return _transition(
        report,
        user=user,
        transition=Transition.SUBMIT,
        allowed=permissions.can_edit_report,
        version=version,
        via_if_match=via_if_match,
        submitted_by=user,
        submitted_at=now,
        first_submitted_at=lambda locked: locked.first_submitted_at or now,
        review_comment="",
        reviewed_by=None,
        reviewed_at=None,
    )


@transaction.atomic
def report_accept(*, report, user, comment: str = "", version=None, via_if_match=False) -> Report:
    """Accept a submitted report (by a reviewer of its item)."""
    return _review(report, user, Transition.ACCEPT, comment or "", version=version, via_if_match=via_if_match)


@transaction.atomic
def report_return(*, report, user, comment: str, version=None, via_if_match=False) -> Report:
    """Return a submitted report to its organisation with the reviewer's comment (required)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what must change: a returned report needs a comment.")})
    return _review(report, user, Transition.RETURN, comment.strip(), version=version, via_if_match=via_if_match)


def _review(report, user, transition, comment: str, *, version, via_if_match) -> Report:
    """Accept or return: a reviewer of the item records the decision, when and why."""
    return _transition(
        report,
        user=user,
        transition=transition,
        allowed=permissions.can_review_report,
        version=version,
        via_if_match=via_if_match,
        reviewed_by=user,
        reviewed_at=timezone.now(),
        review_comment=comment,
    )


# --- Attachments (their names and types: tracking.cleaning) ------------------------------------------------


@transaction.atomic
def attachment_add(*, report, user, uploaded_file) -> Attachment:
    """Attach evidence to an open report of the user's organisation: size limit, type checked by content, name
    sanitized, stored under a random name. The file is written only when the row is; a failure leaves neither."""
    report = _locked(report)
    _require_edit(user, report, _("Only the reporting organisation can attach files, while the report is open."))
    period_require_open(period=report.period, office=report.office, department=report.department)
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": file_too_large_message()})
    content_type = detect_content_type(uploaded_file)
    if content_type is None:
        raise ValidationError(
            {"file": _("This type of file is not accepted: attach a PDF, an office document or an image.")}
        )
    # The name's extension is the detected type's, not the client's claim: a PDF sent as "evidence.bat" or
    # "evidence.html" is "evidence.pdf", so that opening the download opens a PDF reader, not a shell or a browser.
    name = typed_filename(sanitize_filename(uploaded_file.name), content_type)
    if report.attachments.filter(name=name, size=size).exists():
        raise ValidationError({"file": _("%(name)s is already attached to this report.") % {"name": name}})
    stored_name = name
    attachment = Attachment(report=report, name=name, size=size, content_type=content_type, uploaded_by=user)
    attachment.file.save(stored_name, uploaded_file, save=False)
    storage, path = attachment.file.storage, attachment.file.name
    try:
        attachment._history_user = user
        attachment.save()
        _save(report, user=user, transition=Transition.ATTACH)
    except Exception:
        storage.delete(path)  # the row is not written: neither is the file
        raise
    _audit("report.attach", user=user, report=report, attachment=attachment.pk)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment, user) -> None:
    """Remove an attachment from an open report of the user's organisation; the file goes after commit."""
    report = _locked(attachment.report)
    _require_edit(user, report, _("Attachments can be removed only from an open report, by its organisation."))
    period_require_open(period=report.period, office=report.office, department=report.department)
    storage, path = attachment.file.storage, attachment.file.name
    attachment._history_user = user
    attachment.delete()
    _save(report, user=user, transition=Transition.DETACH)
    transaction.on_commit(lambda: storage.delete(path))
    _audit("report.detach", user=user, report=report, attachment=path)
