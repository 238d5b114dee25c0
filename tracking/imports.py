"""Importing a filled report template (tracking.spreadsheets): every row checked, then all rows written through the
services in one transaction, or none.

Why not django-import-export: it writes model instances itself (its Resource saves them), while here
tracking.services must stay the only writers, each row going through report_create / report_update with its own
permission, version and validation checks and its history entry. What is left for a library (reading the workbook)
is openpyxl's, already a dependency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from planpromo.audit import audit_log
from planpromo.exceptions import VersionConflict
from programs.models import Target
from tracking import cleaning, permissions, services
from tracking.choices import OPEN_STATES
from tracking.models import Obligation, Report
from tracking.spreadsheet_reader import SheetRow, header_for
from tracking.spreadsheets import (
    EDITABLE,
    IMPORT_MAX_TEXT,
    OBLIGATION,
    TARGET_PREFIX,
    TEXT_FIELDS,
    VERSION,
    column_labels,
    status_from_cell,
    status_words,
)

CREATE, UPDATE, UNCHANGED, SKIP = "create", "update", "unchanged", "skip"
MAX_TARGET_VALUE = 2_000_000_000


@dataclass
class RowError:
    row: int
    column: str  # the column's letter, "" for the row as a whole
    field: str  # the column's key (status, target:12, ...), "" for the row
    header: str
    message: str


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


@dataclass
class _Wanted:
    fields: dict
    targets: dict[int, int]


def _error(row: SheetRow, key: str, message: str, targets=None) -> RowError:
    cell = row.cells.get(key)
    return RowError(
        row=row.number,
        column=cell.column if cell else "",
        field=key,
        header=header_for(key, targets) if key else "",
        message=str(message),
    )


def _whole_number(value) -> int | None:
    """A whole number from a cell (12, 12.0, "12"), else None. A formula's text ("=A1*2") is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        if not number.is_finite() or number != number.to_integral_value():
            return None
        return int(number)
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return cleaning.strip_invisible(str(value))


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


def _check_row(row: SheetRow, obligation, targets_by_item, all_targets, outcome: RowOutcome) -> _Wanted | None:
    """The row's values as the services take them, or None with the row's errors."""
    errors = outcome.errors
    wanted_fields = {}
    status_cell = row.value("status")
    status = status_from_cell(str(status_cell)) if not row.is_blank("status") else None
    if status is None:
        if row.is_blank("status"):
            errors.append(_error(row, "status", _("Choose a status.")))
        else:
            errors.append(
                _error(
                    row,
                    "status",
                    _("“%(value)s” is not a status: choose one of %(choices)s.")
                    % {"value": status_cell, "choices": ", ".join(status_words())},
                )
            )
    wanted_fields["status"] = status
    percent = _whole_number(row.value("percent_complete"))
    if row.is_blank("percent_complete"):
        errors.append(_error(row, "percent_complete", _("Give the percent complete (0 to 100).")))
    elif percent is None or not 0 <= percent <= 100:
        errors.append(
            _error(
                row,
                "percent_complete",
                _("“%(value)s” is not a percent: give a whole number from 0 to 100.")
                % {"value": row.value("percent_complete")},
            )
        )
    wanted_fields["percent_complete"] = percent
    for name in TEXT_FIELDS:
        text = _text(row.value(name))
        if len(text) > IMPORT_MAX_TEXT:
            errors.append(
                _error(row, name, _("The text is too long: at most %(count)s characters.") % {"count": IMPORT_MAX_TEXT})
            )
        wanted_fields[name] = text
    if not wanted_fields["summary"]:
        errors.append(_error(row, "summary", _("A summary is required.")))
    item_targets = targets_by_item.get(obligation.work_item_id, {})
    wanted_targets = {}
    for key in row.cells:
        if not key.startswith(TARGET_PREFIX) or row.is_blank(key):
            continue
        target_id = int(key[len(TARGET_PREFIX) :])
        if target_id not in item_targets:
            errors.append(
                _error(
                    row,
                    key,
                    _("Work item %(code)s has no such target: leave this cell empty.")
                    % {"code": obligation.work_item.code},
                    all_targets,
                )
            )
            continue
        value = _whole_number(row.value(key))
        if value is None or not 0 <= value <= MAX_TARGET_VALUE:
            errors.append(
                _error(
                    row,
                    key,
                    _("“%(value)s” is not a number: the value of a target is a whole number of 0 or more.")
                    % {"value": row.value(key)},
                    all_targets,
                )
            )
            continue
        wanted_targets[target_id] = value
    return None if errors else _Wanted(fields=wanted_fields, targets=wanted_targets)


def _changes(report: Report | None, wanted: _Wanted, all_targets) -> list[str]:
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
        return [_error(row, VERSION, _stale_message())]
    if isinstance(exc, ObjectDoesNotExist):
        return [_error(row, OBLIGATION, _foreign_message())]
    if isinstance(exc, PermissionDenied):
        return [_error(row, "", str(exc) or _("You are not allowed to change this report."))]
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        errors = []
        for name, messages in exc.message_dict.items():
            key = name if name in EDITABLE else VERSION if name == VERSION else ""
            if name == "target_values":
                key = next((k for k in row.cells if k.startswith(TARGET_PREFIX) and not row.is_blank(k)), "")
            if name == NON_FIELD_ERRORS:
                key = ""
            errors += [_error(row, key, message, all_targets) for message in messages]
        return errors
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return [_error(row, "", message) for message in messages]


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
    ids = {}
    outcomes = []
    for row in rows:
        ids[row.number] = _positive_int(row.value(OBLIGATION))
    obligations = _obligations_of(user, {i for i in ids.values() if i is not None})
    item_ids = {o.work_item_id for o in obligations.values()}
    all_targets = {t.pk: t for t in Target.objects.filter(work_item__in=item_ids)} if item_ids else {}
    targets_by_item: dict[int, dict[int, Target]] = {}
    for target in all_targets.values():
        targets_by_item.setdefault(target.work_item_id, {})[target.pk] = target
    # Target columns of other items than the file's (a foreign id) are named by their id only.
    seen: set[int] = set()
    work = []
    for row in rows:
        outcome = RowOutcome(row=row.number)
        outcomes.append(outcome)
        obligation = obligations.get(ids[row.number])
        if obligation is None:
            outcome.errors.append(_error(row, OBLIGATION, _foreign_message()))
            continue
        outcome.obligation = obligation
        if obligation.pk in seen:
            outcome.errors.append(_error(row, OBLIGATION, _("This report is in the file twice: keep one row.")))
            continue
        seen.add(obligation.pk)
        if all(row.is_blank(key) for key in row.cells if key in EDITABLE or key.startswith(TARGET_PREFIX)):
            continue  # nothing filled in: nothing to import
        wanted = _check_row(row, obligation, targets_by_item, all_targets, outcome)
        if wanted is None:
            continue
        report = obligation.report
        outcome.report = report
        outcome.changes = _changes(report, wanted, all_targets)
        if report is not None and not outcome.changes:
            outcome.action = UNCHANGED
            work.append((row, outcome, wanted))
            continue
        if report is not None:
            if report.state not in OPEN_STATES:
                outcome.errors.append(
                    _error(
                        row,
                        "",
                        _("This report is %(state)s: it can no longer be changed.")
                        % {"state": report.get_state_display().lower()},
                    )
                )
                continue
            if _positive_int(row.value(VERSION)) != report.version:
                outcome.errors.append(_error(row, VERSION, _stale_message()))
                continue
        elif not row.is_blank(VERSION):
            outcome.errors.append(_error(row, VERSION, _stale_message()))
            continue
        outcome.action = UPDATE if report is not None else CREATE
        work.append((row, outcome, wanted))

    result = ImportResult(rows=outcomes, dry_run=dry_run)
    with transaction.atomic():
        for row, outcome, wanted in work:
            _write(user, row, outcome, wanted, all_targets)
        if submit:
            for row, outcome, _wanted in work:
                report = outcome.report
                if outcome.errors or report is None or report.state not in OPEN_STATES:
                    continue
                try:
                    outcome.report = services.report_submit(report=report, user=user)
                    outcome.submitted = True
                except (ValidationError, PermissionDenied, VersionConflict, ObjectDoesNotExist) as exc:
                    outcome.errors += _service_errors(row, exc, all_targets)
        if dry_run or not result.valid:
            transaction.set_rollback(True)
        else:
            result.written = True
            counts = result.counts
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
    return result


def _positive_int(value) -> int | None:
    """An id or a version from a cell, else None."""
    number = _whole_number(value)
    return number if number is not None and number > 0 else None


def _write(user, row: SheetRow, outcome: RowOutcome, wanted: _Wanted, all_targets):
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
