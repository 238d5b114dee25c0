"""Independent oracles: who must report on what, recounted in Python from the plan's structure by the rule the
README states, for tests to compare the obligations (and everything built on them) with."""

from participants.models import ProvincialOffice
from programs.choices import OfficeScope
from programs.models import WorkItem
from tests import circular


def office_items(office, *, year: int = 2012) -> list[WorkItem]:
    """The items of the year's plan the office must report on: scope `all`, or listed / confirmed for it."""
    items = WorkItem.objects.filter(program__plan__year=year).select_related("program").prefetch_related("office_links")
    return [
        item
        for item in items
        if item.office_scope == OfficeScope.ALL
        or (
            item.office_scope in (OfficeScope.LISTED, OfficeScope.CONDITIONAL)
            and any(link.office_id == office.pk for link in item.office_links.all())
        )
    ]


def department_items(department, *, year: int = 2012) -> list[WorkItem]:
    """The items of the year's plan the department is responsible for."""
    return list(
        WorkItem.objects.filter(program__plan__year=year, department_links__department=department).select_related(
            "program"
        )
    )


def circular_codes_of(short_name: str) -> set[str]:
    """The items the circular makes the office take part in (conditional items: none confirmed yet)."""
    every_office = set(ProvincialOffice.objects.values_list("short_name", flat=True))
    codes = set()
    for program in circular.programs():
        for number, work_item in program["items"].items():
            offices = every_office if work_item["office_scope"] == "all" else set(work_item["offices"])
            if short_name in offices:
                codes.add(f"{program['numeral']}.{number}")
    return codes


# --- The plan as it stood on a date, recounted by walking the history in Python ----------------------------------


def reports_as_of(before) -> dict:
    """{report id: its latest HistoricalReport row written before `before`}, for the reports that existed then:
    every version is read, oldest first, and the last one of each report kept unless it records a deletion."""
    from tracking.models import Report

    latest = {}
    for version in Report.history.model.objects.filter(history_date__lt=before).order_by("history_date", "history_id"):
        latest[version.id] = version
    return {pk: version for pk, version in latest.items() if version.history_type != "-"}


def recount_as_of(obligations, *, before, today) -> dict:
    """The figures of tracking.stats (expected, received, accepted, on time, overdue, status distribution, mean
    percent) over `obligations`, with each one's report as it stood before `before`."""
    from django.utils import timezone

    versions = reports_as_of(before)
    figures = {"expected": 0, "received": 0, "accepted": 0, "on_time": 0, "overdue": 0}
    statuses, percents = {}, []
    for obligation in obligations:
        version = versions.get(obligation.report_id)
        received = version is not None and version.state in ("submitted", "accepted")
        figures["expected"] += 1
        figures["received"] += received
        figures["accepted"] += received and version.state == "accepted"
        figures["on_time"] += received and timezone.localdate(version.first_submitted_at) <= obligation.due
        figures["overdue"] += not received and obligation.due < today
        if received:
            statuses[version.status] = statuses.get(version.status, 0) + 1
            percents.append(version.percent_complete)
    figures["statuses"] = statuses
    figures["mean_percent"] = sum(percents) / len(percents) if percents else None
    return figures


def targets_achieved_as_of(*, period_ids, before) -> dict:
    """Per target: the sum over organisations of the value in each one's latest received report (by period end,
    the year's report over the fourth quarter's), everything as it stood before `before`."""
    from programs.models import ReportingPeriod
    from tracking.models import TargetValue

    reports = {pk: v for pk, v in reports_as_of(before).items() if v.state in ("submitted", "accepted")}
    periods = {p.pk: p for p in ReportingPeriod.objects.filter(pk__in=period_ids)}
    latest_value = {}
    for version in TargetValue.history.model.objects.filter(history_date__lt=before).order_by(
        "history_date", "history_id"
    ):
        latest_value[version.id] = version
    best = {}  # (target, office, department): (period end, -period start, value)
    for version in latest_value.values():
        report = reports.get(version.report_id)
        if version.history_type == "-" or report is None or report.period_id not in periods:
            continue
        period = periods[report.period_id]
        key = (version.target_id, report.office_id, report.department_id)
        rank = (period.end, -period.start.toordinal())
        if key not in best or rank > best[key][0]:
            best[key] = (rank, version.value)
    achieved = {}
    for (target_id, _office, _department), (_rank, value) in best.items():
        achieved[target_id] = achieved.get(target_id, 0) + value
    return achieved
