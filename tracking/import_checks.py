"""Checking one row of an imported spreadsheet: its fields and target values as the services take them, or the
row's errors, each naming its cell."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from tracking import cleaning
from tracking.choices import ReportStatus
from tracking.spreadsheet_reader import SheetRow, header_for
from tracking.spreadsheets import (
    IMPORT_MAX_TEXT,
    TARGET_PREFIX,
    TEXT_FIELDS,
)

if TYPE_CHECKING:
    from tracking.imports import RowOutcome

MAX_TARGET_VALUE = 2_000_000_000


def status_words() -> dict[str, str]:
    """Each status's word in the active language: the drop-down's entries."""
    return {str(label): value for value, label in ReportStatus.choices}


def status_from_cell(text: str) -> str | None:
    """A status code from a cell: its word in English or Chinese (as the drop-down offers it) or its code."""

    wanted = text.strip().casefold()
    if wanted in {value.casefold() for value in ReportStatus.values}:
        return next(value for value in ReportStatus.values if value.casefold() == wanted)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in ReportStatus.choices:
                if str(label).casefold() == wanted:
                    return value
    return None


@dataclass
class RowError:
    row: int
    column: str  # the column's letter, "" for the row as a whole
    field: str  # the column's key (status, target:12, ...), "" for the row
    header: str
    message: str


@dataclass
class Wanted:
    fields: dict
    targets: dict[int, int]


def row_error(row: SheetRow, key: str, message: str, targets=None) -> RowError:
    cell = row.cells.get(key)
    return RowError(
        row=row.number,
        column=cell.column if cell else "",
        field=key,
        header=header_for(key, targets) if key else "",
        message=str(message),
    )


def whole_number(value) -> int | None:
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


def check_row(row: SheetRow, obligation, targets_by_item, all_targets, outcome: RowOutcome) -> Wanted | None:
    """The row's values as the services take them, or None with the row's errors."""
    errors = outcome.errors
    wanted_fields = _check_fields(row, errors)
    item_targets = targets_by_item.get(obligation.work_item_id, {})
    wanted_targets = _check_targets(row, obligation, item_targets, all_targets, errors)
    return None if errors else Wanted(fields=wanted_fields, targets=wanted_targets)


def _check_fields(row: SheetRow, errors: list) -> dict:
    """The report's fields of the row (status, percent, texts), adding to `errors` what is wrong with them."""
    wanted_fields = {}
    status_cell = row.value("status")
    status = status_from_cell(str(status_cell)) if not row.is_blank("status") else None
    if status is None:
        if row.is_blank("status"):
            errors.append(row_error(row, "status", _("Choose a status.")))
        else:
            errors.append(
                row_error(
                    row,
                    "status",
                    _("“%(value)s” is not a status: choose one of %(choices)s.")
                    % {"value": status_cell, "choices": ", ".join(status_words())},
                )
            )
    wanted_fields["status"] = status
    percent = whole_number(row.value("percent_complete"))
    if row.is_blank("percent_complete"):
        errors.append(row_error(row, "percent_complete", _("Give the percent complete (0 to 100).")))
    elif percent is None or not 0 <= percent <= 100:
        errors.append(
            row_error(
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
                row_error(
                    row, name, _("The text is too long: at most %(count)s characters.") % {"count": IMPORT_MAX_TEXT}
                )
            )
        wanted_fields[name] = text
    if not wanted_fields["summary"]:
        errors.append(row_error(row, "summary", _("A summary is required.")))
    return wanted_fields


def _check_targets(row: SheetRow, obligation, item_targets, all_targets, errors: list) -> dict:
    """The row's target values {target id: value}, adding to `errors` what is wrong with them."""
    wanted_targets = {}
    for key in row.cells:
        if not key.startswith(TARGET_PREFIX) or row.is_blank(key):
            continue
        target_id = int(key[len(TARGET_PREFIX) :])
        if target_id not in item_targets:
            errors.append(
                row_error(
                    row,
                    key,
                    _("Work item %(code)s has no such target: leave this cell empty.")
                    % {"code": obligation.work_item.code},
                    all_targets,
                )
            )
            continue
        value = whole_number(row.value(key))
        if value is None or not 0 <= value <= MAX_TARGET_VALUE:
            errors.append(
                row_error(
                    row,
                    key,
                    _("“%(value)s” is not a number: the value of a target is a whole number of 0 or more.")
                    % {"value": row.value(key)},
                    all_targets,
                )
            )
            continue
        wanted_targets[target_id] = value
    return wanted_targets
