"""The annual summary the Planning and Development Department compiles at year's end: per program and work item,
the status, targets against achieved, who reported, the problems raised, and what is overdue.

Built from a constant number of queries: the work-item statistics (tracking.stats), the received reports of the
year (organisations and problems), and the participation of every office; only submitted and accepted reports
count, so that the summary shows nothing a signed-in user could not read.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from participants.models import ProvincialOffice, office_order
from programs.choices import SCOPES_WITH_OFFICE_ROWS, OfficeScope
from programs.models import Plan, Program, WorkItemOffice
from tracking import stats
from tracking.choices import RECEIVED_STATES
from tracking.models import Report


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
    periods = stats.periods_selected(year=plan.year)
    period_list = list(periods.order_by("start", "kind"))
    items = list(stats.work_item_stats(periods=periods, today=today))
    summaries = {item.pk: ItemSummary(item=item) for item in items}

    received = (
        Report.objects.filter(period__plan=plan, state__in=RECEIVED_STATES)
        .select_related("office", "department", "period")
        .order_by("work_item_id", "period__start", *office_order("office__"), "department__name")
    )
    seen = defaultdict(set)
    for report in received:
        summary = summaries[report.work_item_id]
        organisation = report.office or report.department
        key = (report.office_id, report.department_id, report.period_id)
        seen[report.work_item_id].add(key)
        bucket = summary.offices_reported if report.office_id else summary.departments_reported
        if organisation not in bucket:
            bucket.append(organisation)
        if report.problems.strip():
            summary.problems.append((organisation, report.period.label, report.problems.strip()))

    for summary in summaries.values():  # an office that first reported in a later period takes its place
        summary.offices_reported.sort(key=lambda office: office.sort_key)

    # Who owes a report: each participating office and responsible department, for each period past due.
    offices = list(ProvincialOffice.objects.all())
    links = defaultdict(list)
    for link in WorkItemOffice.objects.filter(work_item__program__plan=plan).select_related("office"):
        links[link.work_item_id].append(link.office)
    due = [p for p in period_list if p.due < today]
    for item in items:
        if item.office_scope == OfficeScope.ALL:
            participants = offices
        elif item.office_scope in SCOPES_WITH_OFFICE_ROWS:
            participants = links[item.pk]
        else:
            participants = []
        responsible = [link.department for link in item.department_links.all()]
        for period in due:
            owing = [o for o in participants if (o.pk, None, period.pk) not in seen[item.pk]]
            owing += [d for d in responsible if (None, d.pk, period.pk) not in seen[item.pk]]
            if owing:
                summaries[item.pk].missing[period.label] = owing

    programs = []
    for program in Program.objects.filter(plan=plan).order_by("number"):
        programs.append(ProgramSummary(program, [s for s in summaries.values() if s.item.program_id == program.pk]))
    return programs
