"""The plan as it stood on a date (tracking.asof): the statistics read from the history tables equal a recount
done in Python by walking the history (tests.oracles), and with today's date they equal the live figures."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from programs.models import ReportingPeriod
from tests import oracles
from tests.helpers import item, office, period
from tracking import asof, services, stats
from tracking.demo import demo_reports_ensure
from tracking.models import Obligation
from tracking.stats import completeness

pytestmark = pytest.mark.django_db

JUNE_30 = datetime.date(2012, 6, 30)


@pytest.fixture
def demo(accounts):
    """The demo's reports on programs I, IV and VII, written through the services at 2012's times (their history
    spans the year: some submitted, returned, resubmitted or accepted after 30 June)."""
    demo_reports_ensure(users=accounts, program_numbers=[1, 4, 7])


def year_selection(as_of=None, **narrow):
    return stats.selection(year=2012, as_of=as_of, **narrow)


def obligations_of(**condition):
    return list(Obligation.objects.filter(period__plan__year=2012, **condition))


def assert_figures(row, expected):
    for name in ("expected", "received", "accepted", "on_time", "overdue"):
        assert getattr(row, name) == expected[name], name
    statuses = {s: getattr(row, f"status_{s}") for s in stats.STATUS_KEYS if getattr(row, f"status_{s}")}
    assert statuses == expected["statuses"]
    if expected["mean_percent"] is None:
        assert row.mean_percent is None
    else:
        assert row.mean_percent == pytest.approx(expected["mean_percent"])


def test_as_of_june_30_equals_a_recount_from_the_history(demo):
    before = asof.end_of_day(JUNE_30)
    selection = year_selection(JUNE_30)
    programs = stats.program_stats(selection=selection, today=JUNE_30)
    assert [p.number for p in programs] == list(range(1, 11))
    for program in programs:
        recount = oracles.recount_as_of(obligations_of(work_item__program=program), before=before, today=JUNE_30)
        assert_figures(program, recount)
    # The history changes the figures: some received on 30 June were not yet, or were still drafts, and others
    # moved on later (the live figures differ).
    live = {p.pk: p for p in stats.program_stats(selection=year_selection(), today=JUNE_30)}
    assert sum(p.received for p in programs) < sum(p.received for p in live.values())
    assert sum(p.received for p in programs) > 0

    for row in stats.office_stats(selection=selection, today=JUNE_30):
        assert_figures(row, oracles.recount_as_of(obligations_of(office=row), before=before, today=JUNE_30))
    for row in stats.department_stats(selection=selection, today=JUNE_30):
        assert_figures(row, oracles.recount_as_of(obligations_of(department=row), before=before, today=JUNE_30))
    for row in stats.work_item_stats(selection=selection, today=JUNE_30):
        assert_figures(row, oracles.recount_as_of(obligations_of(work_item=row), before=before, today=JUNE_30))

    by_period = stats.reporting_rates(selection=selection, today=JUNE_30, group_by=("period",))
    for row in by_period:
        recount = oracles.recount_as_of(obligations_of(period_id=row["period_id"]), before=before, today=JUNE_30)
        assert {k: row[k] for k in ("expected", "received", "accepted", "on_time", "overdue")} == {
            k: recount[k] for k in ("expected", "received", "accepted", "on_time", "overdue")
        }

    achieved = stats.targets_achieved(selection=selection)
    assert achieved == oracles.targets_achieved_as_of(period_ids=selection.period_ids, before=before)
    assert achieved  # the demo's reports carry target values by then


def test_as_of_today_equals_the_live_figures(demo):
    today = timezone.localdate()
    live, then = year_selection(), year_selection(today)

    def figures(rows, names=stats.FIGURES):
        return [(row.pk, *(getattr(row, name) for name in names)) for row in rows]

    assert figures(stats.program_stats(selection=then, today=today)) == figures(
        stats.program_stats(selection=live, today=today)
    )
    assert figures(stats.office_stats(selection=then, today=today)) == figures(
        stats.office_stats(selection=live, today=today)
    )
    assert figures(stats.work_item_stats(selection=then, today=today)) == figures(
        stats.work_item_stats(selection=live, today=today)
    )
    assert stats.timeline(selection=then, interval="month") == stats.timeline(selection=live, interval="month")
    assert stats.status_by_period(selection=then) == stats.status_by_period(selection=live)
    assert stats.targets_achieved(selection=then) == stats.targets_achieved(selection=live)
    periods = list(ReportingPeriod.objects.filter(plan__year=2012).order_by("start", "kind"))
    assert (
        completeness(periods=periods, selection=then, today=today).total
        == completeness(periods=periods, selection=live, today=today).total
    )


def test_a_report_submitted_after_the_date_is_not_received_then(accounts):
    guangdong = accounts["guangdong"]
    with time_machine.travel(datetime.datetime(2012, 6, 20, 10, tzinfo=datetime.UTC), tick=False):
        report = services.report_create(
            user=guangdong,
            work_item=item("I.1"),
            period=period("2012-Q2"),
            fields={"status": "on_track", "percent_complete": 40, "summary": "Guidelines drafted."},
        )
    # Submitted at 00:30 on 1 July in Beijing (16:30 UTC on 30 June): after the end of 30 June, local time.
    with time_machine.travel(datetime.datetime(2012, 6, 30, 16, 30, tzinfo=datetime.UTC), tick=False):
        services.report_submit(report=report, user=guangdong)
    only = {"work_item": item("I.1"), "office": office("Guangdong"), "period": period("2012-Q2")}

    def figures(day):
        rows = stats.reporting_rates(selection=stats.selection(as_of=day, **only), today=day)
        return rows["expected"], rows["received"], rows["on_time"], rows["overdue"]

    assert figures(JUNE_30) == (1, 0, 0, 0)  # a draft then, not yet due (Q2 is due in July)
    assert figures(datetime.date(2012, 7, 1)) == (1, 1, 1, 0)
    assert figures(datetime.date(2012, 6, 19)) == (1, 0, 0, 0)  # no report at all yet


def test_as_of_costs_the_same_queries(demo, django_assert_num_queries):
    """The as-of figures are the same grouped queries with another join: no query per report."""
    today = timezone.localdate()
    for as_of in (None, JUNE_30):
        selection = year_selection(as_of)
        with django_assert_num_queries(3):  # the programs, their item counts, the grouped figures
            stats.program_stats(selection=selection, today=today)
        with django_assert_num_queries(2):  # the offices, the grouped figures
            stats.office_stats(selection=selection, today=today)
        with django_assert_num_queries(4):  # the items, their targets, their departments; the grouped figures
            stats.work_item_stats(selection=selection, today=today)
        # The live values by one window; as of a date, the reports received then, then their values' versions.
        with django_assert_num_queries(1 if as_of is None else 2):
            stats.targets_achieved(selection=selection)
        with django_assert_num_queries(2):  # received, accepted
            stats.timeline(selection=selection, interval="month")


def test_the_date_is_read_strictly():
    assert asof.parse_as_of("2012-06-30") == JUNE_30
    assert asof.parse_as_of("") is None
    for bad in ("2012-6-30", "30/06/2012", "2012-02-30", "yesterday", "2012-06-30T00:00", "0000-01-01"):
        with pytest.raises(asof.AsOfError, match="YYYY-MM-DD"):
            asof.parse_as_of(bad)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(asof.AsOfError, match="no later than today"):
        asof.parse_as_of(tomorrow.isoformat())
    assert asof.end_of_day(JUNE_30) == datetime.datetime(2012, 6, 30, 16, 0, tzinfo=datetime.UTC)
