"""The annual summary the Planning and Development Department compiles at year's end: per program and work item,
the status, targets against achieved, who reported, the problems raised, and what is overdue.

Built from a constant number of queries: the work-item statistics (tracking.stats) and the achieved values of
their targets, the received reports of the year (organisations and problems), and the year's obligations past due
and not received (who owes what); only submitted and accepted reports count, so that the summary shows nothing a
signed-in user could not read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from participants.models import office_order
from programs.models import Plan, Program
from tracking import stats
from tracking.choices import PUBLISHED_STATES
from tracking.models import Obligation, Report


@dataclass
class ItemSummary:
    item: object  # WorkItem annotated by stats.work_item_stats
    offices_reported: list = field(default_factory=list)
    departments_reported: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (organisation, period label, text)
    missing: dict = field(default_factory=dict)  # period label -> organisations that owe a report


@dataclass
class ProgramSummary:
    program: Program
    items: list[ItemSummary]

    @property
    def expected(self):
        return sum(s.item.expected for s in self.items)

    @property
    def received(self):
        return sum(s.item.received for s in self.items)

    @property
    def overdue(self):
        return sum(s.item.overdue for s in self.items)


def annual_summary(*, plan: Plan, today: datetime.date) -> list[ProgramSummary]:
    year = stats.selection(year=plan.year)
    items = list(stats.work_item_stats(selection=year, today=today))
    targets = [target for item in items for target in item.targets.all()]
    achieved = stats.targets_achieved(selection=year, targets=targets) if targets else {}
    for target in targets:
        target.achieved = achieved.get(target.pk)
    summaries = {item.pk: ItemSummary(item=item) for item in items}

    received = (
        Report.objects.filter(period__plan=plan, state__in=PUBLISHED_STATES)
        .select_related("office", "department", "period")
        .order_by("work_item_id", "period__start", *office_order("office__"), "department__name")
    )
    for report in received:
        summary = summaries[report.work_item_id]
        organisation = report.office or report.department
        bucket = summary.offices_reported if report.office_id else summary.departments_reported
        if organisation not in bucket:
            bucket.append(organisation)
        if report.problems.strip():
            summary.problems.append((organisation, report.period.label, report.problems.strip()))

    for summary in summaries.values():  # an office that first reported in a later period takes its place
        summary.offices_reported.sort(key=lambda office: office.sort_key)

    # Who owes a report: the obligations past due and not received, by period.
    owed = (
        Obligation.objects.overdue(today)
        .filter(period__plan=plan)
        .select_related("office", "department", "period")
        .order_by("period__start", "period__kind", *office_order("office__"), "department__name")
    )
    for obligation in owed:
        summaries[obligation.work_item_id].missing.setdefault(obligation.period.label, []).append(
            obligation.organisation
        )

    programs = []
    for program in Program.objects.filter(plan=plan).order_by("number"):
        programs.append(ProgramSummary(program, [s for s in summaries.values() if s.item.program_id == program.pk]))
    return programs
