"""Importing a filled report template (tracking.spreadsheets): every row checked, then all rows written through the
services in one transaction, or none.

Why not django-import-export: it writes model instances itself (its Resource saves them), while here
tracking.services must stay the only writers, each row going through report_create / report_update with its own
permission, version and validation checks and its history entry. What is left for a library (reading the workbook)
is openpyxl's, already a dependency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from planpromo.audit import audit_log
from planpromo.exceptions import VersionConflict
from programs.models import Target
from tracking import permissions, services
from tracking.choices import OPEN_STATES
from tracking.import_checks import RowError, Wanted, check_row, row_error, whole_number
from tracking.models import Obligation, Report
from tracking.spreadsheet_reader import SheetRow, header_for
from tracking.spreadsheets import (
    EDITABLE,
    OBLIGATION,
    TARGET_PREFIX,
    VERSION,
    column_labels,
)

CREATE, UPDATE, UNCHANGED, SKIP = "create", "update", "unchanged", "skip"


@dataclass
class RowOutcome:
    """What the import does with one row of the sheet."""

    row: int
    obligation: Obligation | None = None
    action: str = SKIP
    changes: list[str] = field(default_factory=list)  # the headers of the columns that change
    errors: list[RowError] = field(default_factory=list)
    report: Report | None = None
    submitted: bool = False


@dataclass
class ImportResult:
    rows: list[RowOutcome]
    dry_run: bool
    written: bool = False

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, SKIP: 0}
        for row in self.rows:
            counts[row.action] += 1
        counts["submit"] = sum(1 for row in self.rows if row.submitted)
        return counts


def _obligations_of(user, ids) -> dict[int, Obligation]:
    """The obligations among `ids` that the user may report on: their organisation's (an administrator: all)."""
    queryset = Obligation.objects.filter(pk__in=ids).select_related(
        "work_item__program__plan", "period", "office", "department", "report"
    )
    if not permissions.is_administrator(user):
        organisation = permissions.user_office(user) or permissions.user_department(user)
        if organisation is None:
            return {}
        queryset = queryset.of_organisation(organisation)
    return {obligation.pk: obligation for obligation in queryset.prefetch_related("report__target_values")}


def _changes(report: Report | None, wanted: Wanted, all_targets) -> list[str]:
    labels = column_labels()
    if report is None:
        return [labels[name] for name in EDITABLE if wanted.fields.get(name) not in (None, "")] + [
            header_for(f"{TARGET_PREFIX}{t}", all_targets) for t in wanted.targets
        ]
    changed = [labels[name] for name in EDITABLE if getattr(report, name) != wanted.fields[name]]
    current = {tv.target_id: tv.value for tv in report.target_values.all()}
    for target_id in sorted(set(current) | set(wanted.targets)):
        if current.get(target_id) != wanted.targets.get(target_id):
            changed.append(header_for(f"{TARGET_PREFIX}{target_id}", all_targets))
    return changed


def _service_errors(row: SheetRow, exc: Exception, all_targets) -> list[RowError]:
    """A service's refusal as errors of the row, at the columns its fields are in."""
    if isinstance(exc, VersionConflict):
        return [row_error(row, VERSION, _stale_message())]
    if isinstance(exc, ObjectDoesNotExist):
        return [row_error(row, OBLIGATION, _foreign_message())]
    if isinstance(exc, PermissionDenied):
        return [row_error(row, "", str(exc) or _("You are not allowed to change this report."))]
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        errors = []
        for name, messages in exc.message_dict.items():
            key = name if name in EDITABLE else VERSION if name == VERSION else ""
            if name == "target_values":
                key = next((k for k in row.cells if k.startswith(TARGET_PREFIX) and not row.is_blank(k)), "")
            if name == NON_FIELD_ERRORS:
                key = ""
            errors += [row_error(row, key, message, all_targets) for message in messages]
        return errors
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return [row_error(row, "", message) for message in messages]


def _stale_message() -> str:
    return _(
        "This report has changed since the template was downloaded (someone saved it in between): download a new "
        "template and copy your values into it."
    )


def _foreign_message() -> str:
    return _("This row is not one of your organisation's reports (unknown obligation id): do not change column A.")


def reports_import(*, user, rows: list[SheetRow], dry_run: bool = False, submit: bool = False) -> ImportResult:
    """Import the rows of a filled template: all or nothing.

    1. Refuse users who never write (analysts).
    2. Check every row: its obligation (the user's organisation's; no row twice), status, percent, texts and target
       values; a row whose values equal its report's is unchanged and left alone (importing a file twice changes
       nothing the second time); otherwise the report must be open and at the version the file was read from.
    3. In one transaction, write each row through tracking.services (report_create / report_update: permissions,
       validation, period rules, history), then submit them if asked (report_submit). A service's refusal becomes the
       row's error.
    4. Roll everything back if any row has an error, or for a dry run (the preview: every check ran, nothing is
       kept); otherwise commit, and log one audit event.
    """
    if not permissions.can_write(user):
        raise PermissionDenied(_("Only the staff of a reporting office or department can import reports."))
    ids = {row.number: _positive_int(row.value(OBLIGATION)) for row in rows}
    obligations = _obligations_of(user, {i for i in ids.values() if i is not None})
    all_targets, targets_by_item = _targets_of({o.work_item_id for o in obligations.values()})
    seen: set[int] = set()
    outcomes, work = [], []
    for row in rows:
        outcome = RowOutcome(row=row.number)
        outcomes.append(outcome)
        obligation = obligations.get(ids[row.number])
        if obligation is None:
            outcome.errors.append(row_error(row, OBLIGATION, _foreign_message()))
            continue
        outcome.obligation = obligation
        if obligation.pk in seen:
            outcome.errors.append(row_error(row, OBLIGATION, _("This report is in the file twice: keep one row.")))
            continue
        seen.add(obligation.pk)
        if all(row.is_blank(key) for key in row.cells if key in EDITABLE or key.startswith(TARGET_PREFIX)):
            continue  # nothing filled in: nothing to import
        wanted = check_row(row, obligation, targets_by_item, all_targets, outcome)
        if wanted is not None and _plan_row(row, obligation.report, wanted, all_targets, outcome):
            work.append((row, outcome, wanted))
    result = ImportResult(rows=outcomes, dry_run=dry_run)
    with transaction.atomic():
        _apply(user, work, all_targets, submit=submit)
        if dry_run or not result.valid:
            transaction.set_rollback(True)
        else:
            result.written = True
            _audit_on_commit(user, result.counts)
    return result


def _targets_of(item_ids: set) -> tuple[dict[int, Target], dict[int, dict[int, Target]]]:
    """The targets of the file's items, by id and by item. Target columns of other items than the file's (a foreign
    id) are named by their id only."""
    all_targets = {t.pk: t for t in Target.objects.filter(work_item__in=item_ids)} if item_ids else {}
    targets_by_item: dict[int, dict[int, Target]] = {}
    for target in all_targets.values():
        targets_by_item.setdefault(target.work_item_id, {})[target.pk] = target
    return all_targets, targets_by_item


def _plan_row(row: SheetRow, report: Report | None, wanted: Wanted, all_targets, outcome: RowOutcome) -> bool:
    """What to do with a checked row (create, update, leave unchanged), or False with its error: a report that is
    no longer open, or at another version than the file was read at."""
    outcome.report = report
    outcome.changes = _changes(report, wanted, all_targets)
    if report is not None and not outcome.changes:
        outcome.action = UNCHANGED
        return True
    if report is not None:
        if report.state not in OPEN_STATES:
            outcome.errors.append(
                row_error(
                    row,
                    "",
                    _("This report is %(state)s: it can no longer be changed.")
                    % {"state": report.get_state_display().lower()},
                )
            )
            return False
        if _positive_int(row.value(VERSION)) != report.version:
            outcome.errors.append(row_error(row, VERSION, _stale_message()))
            return False
    elif not row.is_blank(VERSION):
        outcome.errors.append(row_error(row, VERSION, _stale_message()))
        return False
    outcome.action = UPDATE if report is not None else CREATE
    return True


def _apply(user, work: list, all_targets, *, submit: bool):
    """Write each planned row through the services, then submit them if asked; a refusal is the row's error."""
    for row, outcome, wanted in work:
        _write(user, row, outcome, wanted, all_targets)
    if not submit:
        return
    for row, outcome, _wanted in work:
        report = outcome.report
        if outcome.errors or report is None or report.state not in OPEN_STATES:
            continue
        try:
            outcome.report = services.report_submit(report=report, user=user)
            outcome.submitted = True
        except (ValidationError, PermissionDenied, VersionConflict, ObjectDoesNotExist) as exc:
            outcome.errors += _service_errors(row, exc, all_targets)


def _audit_on_commit(user, counts):
    request = getattr(HistoricalRecords.context, "request", None)
    transaction.on_commit(
        lambda: audit_log(
            "reports.import",
            user=user,
            request=request,
            created=counts[CREATE],
            updated=counts[UPDATE],
            unchanged=counts[UNCHANGED],
            submitted=counts["submit"],
        )
    )


def _positive_int(value) -> int | None:
    """An id or a version from a cell, else None."""
    number = whole_number(value)
    return number if number is not None and number > 0 else None


def _write(user, row: SheetRow, outcome: RowOutcome, wanted: Wanted, all_targets):
    if outcome.action == UNCHANGED:
        return
    obligation = outcome.obligation
    target_values = sorted(wanted.targets.items())
    try:
        if outcome.action == CREATE:
            outcome.report = services.report_create(
                user=user,
                work_item=obligation.work_item,
                period=obligation.period,
                office=obligation.office,
                department=obligation.department,
                fields=wanted.fields,
                target_values=target_values,
            )
        else:
            outcome.report = services.report_update(
                report=outcome.report,
                user=user,
                version=_positive_int(row.value(VERSION)),
                fields=wanted.fields,
                target_values=target_values,
            )
    except (ValidationError, PermissionDenied, VersionConflict, ObjectDoesNotExist) as exc:
        outcome.errors += _service_errors(row, exc, all_targets)
