"""Reading the plan fixtures into the database (for plan_structure_load, in programs/services.py): each record
validated and saved only where it differs, links synced, every problem a FixtureError naming the file and place."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from modeltranslation.utils import build_localized_fieldname

from participants.models import Department, DepartmentAlias, ProvincialOffice
from programs.choices import OfficeScope, TeamRole
from programs.models import (
    Plan,
    Program,
    ProgramDepartment,
    ReportingPeriod,
    Target,
    WorkItem,
    WorkItemDepartment,
    WorkItemOffice,
)


# The other languages of the plan's content: a fixture gives them beside the English (`title_zh_hans` beside `title`).
class FixtureError(Exception):
    """A fixture file that cannot be loaded, naming the file and the record."""

    def __init__(self, path: Path | str, record: str, message: str):
        self.path, self.record, self.message = str(path), record, message
        super().__init__(f"{path}: {record}: {message}")


@dataclass
class LoadResult:
    """What a load did, counted by model: created, updated and deleted rows."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or +self.deleted)

    def summary(self) -> str:
        def fmt(counter):
            return ", ".join(f"{n} {name}" for name, n in sorted(counter.items()) if n) or "nothing"

        return f"created {fmt(self.created)}; updated {fmt(self.updated)}; deleted {fmt(self.deleted)}"


TRANSLATION_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class PlanLoader:
    def __init__(self):
        self.result = LoadResult()
        self.plans: list[Plan] = []
        self.plan_paths: dict[int, Path] = {}

    # --- files ----------------------------------------------------------------------------------------------------
    def load_file(self, path: Path):
        self.path = path
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise FixtureError(path, "file", f"cannot be read: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise FixtureError(path, "file", f"is not valid YAML: {exc}") from exc
        if not isinstance(document, dict):
            raise FixtureError(path, "file", "must hold a mapping with 'departments', 'offices' or 'plan'")
        if "departments" in document:
            self._records(document, "departments", self.load_department)
        elif "offices" in document:
            self._records(document, "offices", self.load_office)
        elif "plan" in document:
            self.load_plan(document)
        else:
            raise FixtureError(path, "file", "must hold 'departments', 'offices' or 'plan'")

    def _records(self, document, key, load_one):
        records = document[key]
        if not isinstance(records, list):
            raise FixtureError(self.path, key, "must be a list")
        for index, record in enumerate(records):
            where = f"{key}[{index}]"
            self._require_mapping(record, where)
            load_one(record, where)

    # --- helpers --------------------------------------------------------------------------------------------------
    def _require_mapping(self, record, where):
        if not isinstance(record, dict):
            raise FixtureError(self.path, where, "must be a mapping")

    def _get(self, record, key, where, kind=None, default=...):
        if key not in record:
            if default is ...:
                raise FixtureError(self.path, where, f"missing '{key}'")
            return default
        value = record[key]
        if kind is not None and not isinstance(value, kind):
            raise FixtureError(self.path, where, f"'{key}' must be {getattr(kind, '__name__', kind)}")
        return value

    def _translated(self, record, key, where, default=...) -> dict[str, Any]:
        """A field of the plan's content in every language: `key` (English, also its `_en` column) and each
        `key_<language>` the fixture gives (None where it gives none)."""
        english = self._get(record, key, where, str, default)
        values = {key: english, build_localized_fieldname(key, settings.LANGUAGE_CODE): english}
        for language in TRANSLATION_LANGUAGES:
            name = build_localized_fieldname(key, language)
            values[name] = self._get(record, name, where, str, "") or None
        return values

    def _date(self, record, key, where):
        value = self._get(record, key, where)
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError as exc:
            raise FixtureError(self.path, where, f"'{key}' is not a date (YYYY-MM-DD): {value!r}") from exc

    def _save(self, model: type[models.Model], where: str, lookup: dict[str, Any], values: dict[str, Any]):
        """Create or update one row by its natural key, saving only what differs."""
        instance = model.objects.filter(**lookup).first()
        name = model._meta.verbose_name_plural
        if instance is None:
            instance = model(**{**lookup, **values})
            self._validate_and_save(instance, where)
            self.result.created[name] += 1
            return instance
        changed = [f for f, v in values.items() if getattr(instance, f) != v]
        if changed:
            for f in changed:
                setattr(instance, f, values[f])
            self._validate_and_save(instance, where)
            self.result.updated[name] += 1
        return instance

    def _validate_and_save(self, instance, where):
        try:
            instance.full_clean(validate_unique=False, validate_constraints=False)
            with transaction.atomic():
                instance.save()
        except ValidationError as exc:
            raise FixtureError(self.path, where, messages_of(exc)) from exc
        except DatabaseError as exc:
            raise FixtureError(self.path, where, f"refused by the database: {exc}") from exc

    def _delete(self, queryset, where):
        try:
            count = queryset.count()
            if count:
                queryset.delete()
                self.result.deleted[queryset.model._meta.verbose_name_plural] += count
        except DatabaseError as exc:
            raise FixtureError(self.path, where, f"refused by the database: {exc}") from exc

    def _department(self, name, where) -> Department:
        if not isinstance(name, str):
            raise FixtureError(self.path, where, f"department must be a name, not {name!r}")
        department = Department.objects.filter(name=name).first()
        if department is None:
            alias = DepartmentAlias.objects.select_related("department").filter(spelling=name).first()
            department = alias.department if alias else None
        if department is None:
            raise FixtureError(self.path, where, f"unknown department {name!r} (not a name or alias in departments)")
        return department

    def _office(self, short_name, where) -> ProvincialOffice:
        office = ProvincialOffice.objects.filter(short_name=short_name).first()
        if office is None:
            raise FixtureError(self.path, where, f"unknown office {short_name!r} (not a short name in offices)")
        return office

    # --- departments and offices ----------------------------------------------------------------------------------
    def load_department(self, record, where):
        name = self._get(record, "name", where, str)
        department = self._save(
            Department,
            where,
            {"name": name},
            {"name_zh": self._get(record, "name_zh", where, str, ""), "kind": self._get(record, "kind", where, str)},
        )
        for index, alias in enumerate(self._get(record, "aliases", where, list, [])):
            alias_where = f"{where}.aliases[{index}] ({name})"
            self._require_mapping(alias, alias_where)
            spelling = self._get(alias, "spelling", alias_where, str)
            if Department.objects.filter(name=spelling).exists():
                raise FixtureError(self.path, alias_where, f"{spelling!r} is the name of a department")
            self._save(
                DepartmentAlias,
                alias_where,
                {"spelling": spelling},
                {"department": department, "reason": self._get(alias, "reason", alias_where, str)},
            )

    def load_office(self, record, where):
        short_name = self._get(record, "short_name", where, str)
        fields = ("name", "region", "kind", "name_zh", "short_name_zh", "region_zh")
        values = {f: self._get(record, f, where, str) for f in fields}
        code = self._get(record, "code", where, default=None)
        values["code"] = None if code is None else str(code)
        self._save(ProvincialOffice, f"{where} ({short_name})", {"short_name": short_name}, values)

    # --- plans ----------------------------------------------------------------------------------------------------
    def load_plan(self, document):
        record = document["plan"]
        self._require_mapping(record, "plan")
        year = self._get(record, "year", "plan", int)
        values = {}
        for f in ("title", "document_number", "issuing_body", "strategy"):
            values |= self._translated(record, f, "plan")
        for f in ("circular_title", "addressees", "preamble"):
            values |= self._translated(record, f, "plan", "")
        values["issued_on"] = self._date(record, "issued_on", "plan")
        plan = self._save(Plan, f"plan ({year})", {"year": year}, values)
        self.plans.append(plan)
        self.plan_paths[plan.pk] = self.path

        for index, period in enumerate(self._get(document, "periods", "file", list, [])):
            where = f"periods[{index}]"
            self._require_mapping(period, where)
            label = str(self._get(period, "label", where))
            self._save(
                ReportingPeriod,
                where,
                {"plan": plan, "label": label},
                {
                    **self._translated({**period, "label": label}, "label", where),
                    "kind": self._get(period, "kind", where, str),
                    "start": self._date(period, "start", where),
                    "end": self._date(period, "end", where),
                    "due": self._date(period, "due", where),
                },
            )

        programs = self._get(document, "programs", "file", list)
        numbers = []
        for index, program_record in enumerate(programs):
            where = f"programs[{index}]"
            self._require_mapping(program_record, where)
            numbers.append(self.load_program(plan, program_record, where))
        self._delete(Program.objects.filter(plan=plan).exclude(number__in=numbers), "programs")

    def load_program(self, plan, record, where) -> int:
        number = self._get(record, "number", where, int)
        where = f"{where} (program {number})"
        program = self._save(
            Program,
            where,
            {"plan": plan, "number": number},
            self._translated(record, "name", where) | self._translated(record, "objective", where),
        )
        team = [
            (self._department(name, f"{where}.{key}[{i}]"), role, i + 1)
            for key, role in (("lead_departments", TeamRole.LEAD), ("participant_departments", TeamRole.PARTICIPANT))
            for i, name in enumerate(self._get(record, key, where, list))
        ]
        self._sync_links(
            ProgramDepartment.objects.filter(program=program),
            [{"department": d, "role": r, "position": p} for d, r, p in team],
            {"program": program},
            where,
        )
        numbers = []
        for index, item in enumerate(self._get(record, "work_items", where, list)):
            item_where = f"{where}.work_items[{index}]"
            self._require_mapping(item, item_where)
            numbers.append(self.load_work_item(program, item, item_where))
        self._delete(WorkItem.objects.filter(program=program).exclude(number__in=numbers), where)
        return number

    def load_work_item(self, program, record, where) -> int:
        number = self._get(record, "number", where, int)
        where = f"{where} ({program.numeral}.{number})"
        scope = self._get(record, "office_scope", where, str)
        if scope not in OfficeScope.values:
            raise FixtureError(self.path, where, f"office_scope must be one of {', '.join(OfficeScope.values)}")
        item = self._save(
            WorkItem,
            where,
            {"program": program, "number": number},
            {
                **self._translated(record, "title", where),
                **self._translated(record, "text", where),
                "office_scope": scope,
                **self._translated(record, "office_condition", where, ""),
            },
        )
        departments = [
            self._department(name, f"{where}.departments[{i}]")
            for i, name in enumerate(self._get(record, "departments", where, list))
        ]
        if len(set(departments)) != len(departments):
            raise FixtureError(self.path, where, "names the same department twice")
        self._sync_links(
            WorkItemDepartment.objects.filter(work_item=item),
            [{"department": d, "position": i + 1} for i, d in enumerate(departments)],
            {"work_item": item},
            where,
        )
        office_names = self._get(record, "offices", where, list, [])
        if office_names and scope != OfficeScope.LISTED:
            raise FixtureError(self.path, where, f"lists offices but its office_scope is {scope!r}")
        if scope == OfficeScope.LISTED and not office_names:
            raise FixtureError(self.path, where, "office_scope 'listed' needs a non-empty 'offices' list")
        if scope != OfficeScope.CONDITIONAL:  # confirmations of a conditional item are staff data: keep them
            offices = [self._office(name, f"{where}.offices[{i}]") for i, name in enumerate(office_names)]
            self._sync_links(
                WorkItemOffice.objects.filter(work_item=item),
                [{"office": o, "position": i + 1} for i, o in enumerate(offices)],
                {"work_item": item},
                where,
            )
        self._sync_links(
            Target.objects.filter(work_item=item), self._targets(record, where), {"work_item": item}, where
        )
        return number

    def _targets(self, record, where) -> list[dict]:
        targets = []
        for i, target in enumerate(self._get(record, "targets", where, list, [])):
            target_where = f"{where}.targets[{i}]"
            self._require_mapping(target, target_where)
            targets.append(
                {
                    "position": i + 1,
                    "quantity": self._get(target, "quantity", target_where, int),
                    "approximate": self._get(target, "approximate", target_where, bool, False),
                    **self._translated(target, "description", target_where),
                    "source": self._get(target, "source", target_where, str, ""),
                }
            )
        return targets

    def _sync_links(self, existing_qs, wanted: list[dict], parent: dict, where: str):
        """Make the rows under `parent` equal to `wanted`, touching nothing when they already are."""
        model = existing_qs.model
        fields = list(wanted[0]) if wanted else []
        existing = [{f: getattr(row, f) for f in fields} for row in existing_qs.order_by("pk")] if fields else []
        if sorted(map(_freeze, existing)) == sorted(map(_freeze, wanted)) and existing_qs.count() == len(wanted):
            return
        self._delete(existing_qs, where)
        for values in wanted:
            self._validate_and_save(model(**parent, **values), where)
            self.result.created[model._meta.verbose_name_plural] += 1


def _freeze(values: dict) -> tuple:
    return tuple(sorted((k, v.pk if isinstance(v, models.Model) else v) for k, v in values.items()))


def messages_of(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)
