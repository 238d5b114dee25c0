"""The workflow services: every transition, refused transitions, validation, versions, history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from planpromo.exceptions import VersionConflict
from programs.models import ReportingPeriod
from tests.factories import PlanFactory
from tests.helpers import FIELDS, department, item, office, period
from tracking import services
from tracking.history import report_history
from tracking.models import Report, TargetValue

pytestmark = pytest.mark.django_db


def test_reporter_creates_draft_for_own_office(make_report, accounts):
    report = make_report()
    assert report.state == "draft"
    assert report.office == office("Guangdong") and report.department is None
    assert report.version == 1
    assert report.created_by == accounts["guangdong"]


def test_full_cycle_submit_return_resubmit_accept(make_report, accounts):
    report = make_report(code="I.1")
    report = services.report_submit(report=report, user=accounts["guangdong"], version=1)
    assert (report.state, report.version, report.submitted_by) == ("submitted", 2, accounts["guangdong"])
    report = services.report_return(report=report, user=accounts["pad"], comment="Add the figures.")
    assert (report.state, report.review_comment, report.reviewed_by) == (
        "returned",
        "Add the figures.",
        accounts["pad"],
    )
    report = services.report_update(
        report=report, user=accounts["guangdong"], version=3, fields={"percent_complete": 55}
    )
    report = services.report_submit(report=report, user=accounts["guangdong"])
    report = services.report_accept(report=report, user=accounts["pad"])
    assert (report.state, report.version) == ("accepted", 6)
    assert [e["transition"] for e in report_history(report)] == [
        "create",
        "submit",
        "return",
        "edit",
        "submit",
        "accept",
    ]
    edit = report_history(report)[3]
    assert {"field": "percent_complete", "old": 40, "new": 55} in edit["changes"]
    assert edit["user"] == "guangdong"


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "accept"),  # accepting a draft
        ([], "return"),
        (["submit"], "submit"),  # submitting twice
        (["submit", "accept"], "return"),
        (["submit", "accept"], "submit"),
        (["submit", "return"], "accept"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(make_report, accounts, setup, action):
    report = make_report()
    for step in setup:
        report = _do(step, report, accounts)
    before = (report.state, report.version, report.history.count())
    with pytest.raises(ValidationError) as excinfo:
        _do(action, report, accounts)
    assert "state" in excinfo.value.message_dict
    report.refresh_from_db()
    assert (report.state, report.version, report.history.count()) == before


def _do(step, report, accounts):
    if step == "submit":
        return services.report_submit(report=report, user=accounts["guangdong"])
    if step == "accept":
        return services.report_accept(report=report, user=accounts["pad"])
    return services.report_return(report=report, user=accounts["pad"], comment="No.")


def test_return_requires_a_comment(make_report, accounts):
    report = services.report_submit(report=make_report(), user=accounts["guangdong"])
    with pytest.raises(ValidationError, match="comment"):
        services.report_return(report=report, user=accounts["pad"], comment="   ")


def test_office_cannot_report_on_item_it_does_not_take_part_in(accounts):
    with pytest.raises(ValidationError) as excinfo:
        services.report_create(user=accounts["guangdong"], work_item=item("II.1"), period=period(), fields=FIELDS)
    assert "Guangdong does not take part in work item II.1" in str(excinfo.value)
    assert not Report.objects.exists()


def test_department_must_be_responsible_or_lead(accounts):
    # PDD is responsible for I.5, not for I.1 (and does not lead program I).
    services.report_create(user=accounts["pdd"], work_item=item("I.5"), period=period(), fields=FIELDS)
    with pytest.raises(ValidationError, match="not responsible"):
        services.report_create(user=accounts["pdd"], work_item=item("I.1"), period=period(), fields=FIELDS)
    # PAD leads program I, so it reports on I.2 although only the Planning and Development Department is responsible.
    services.report_create(user=accounts["pad"], work_item=item("I.2"), period=period(), fields=FIELDS)
    with pytest.raises(ValidationError, match="not responsible"):  # V is led by Protection and Coordination
        services.report_create(user=accounts["pad"], work_item=item("V.1"), period=period(), fields=FIELDS)


def test_reporter_cannot_report_for_another_office(accounts):
    with pytest.raises(PermissionDenied):
        services.report_create(
            user=accounts["hunan"], work_item=item("I.1"), period=period(), office=office("Guangdong"), fields=FIELDS
        )


def test_analyst_cannot_create(accounts):
    with pytest.raises(PermissionDenied):
        services.report_create(
            user=accounts["analyst"], work_item=item("I.1"), period=period(), office=office("Guangdong"), fields=FIELDS
        )


def test_period_of_another_plan_is_refused(accounts):
    other = ReportingPeriod.objects.create(
        plan=PlanFactory(year=2013),
        label="2013-Q1",
        kind="quarter",
        start="2013-01-01",
        end="2013-03-31",
        due="2013-04-15",
    )
    with pytest.raises(ValidationError, match="another plan"):
        services.report_create(user=accounts["guangdong"], work_item=item("I.1"), period=other, fields=FIELDS)


def test_second_report_for_same_item_organisation_period_is_refused(make_report):
    make_report()
    with pytest.raises(ValidationError, match="already has a report"):
        make_report()
    assert Report.objects.count() == 1


def test_percent_and_completed_rules(make_report):
    with pytest.raises(ValidationError) as excinfo:
        make_report(percent_complete=120)
    assert "percent_complete" in excinfo.value.message_dict
    with pytest.raises(ValidationError, match="100 percent"):
        make_report(status="completed", percent_complete=90)
    assert not Report.objects.exists()


def test_stale_version_is_refused(make_report, accounts):
    report = make_report()
    services.report_update(report=report, user=accounts["guangdong"], version=1, fields={"percent_complete": 50})
    with pytest.raises(VersionConflict) as excinfo:
        services.report_update(report=report, user=accounts["guangdong"], version=1, fields={"percent_complete": 70})
    assert excinfo.value.current_version == 2
    report.refresh_from_db()
    assert report.percent_complete == 50


def test_missing_version_is_refused(make_report, accounts):
    with pytest.raises(ValidationError, match="version"):
        services.report_update(report=make_report(), user=accounts["guangdong"], version=None, fields={})


def test_reviewer_cannot_review_own_department_report(accounts):
    report = services.report_create(user=accounts["pad"], work_item=item("II.1"), period=period(), fields=FIELDS)
    report = services.report_submit(report=report, user=accounts["pad"])
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, user=accounts["pad"])
    assert services.report_accept(report=report, user=accounts["admin"]).state == "accepted"


def test_unrelated_department_cannot_review(make_report, accounts):
    report = services.report_submit(report=make_report(code="I.1"), user=accounts["guangdong"])
    # PDD is neither responsible for I.1 nor lead of program I: to it, the submitted report is readable, not reviewable.
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, user=accounts["pdd"])


def test_target_values_belong_to_the_item(accounts):
    iv2 = item("IV.2")
    target = iv2.targets.get()
    report = services.report_create(
        user=accounts["guangdong"], work_item=iv2, period=period(), fields=FIELDS, target_values=[(target, 12)]
    )
    assert list(report.target_values.values_list("value", flat=True)) == [12]
    foreign = item("V.3").targets.get()
    with pytest.raises(ValidationError, match=r"not a target of work item IV\.2"):
        services.report_update(
            report=report, user=accounts["guangdong"], version=1, fields={}, target_values=[(foreign, 3)]
        )
    assert TargetValue.objects.get(report=report).value == 12


def test_department_report_fills_department(accounts):
    report = services.report_create(user=accounts["pdd"], work_item=item("I.5"), period=period(), fields=FIELDS)
    assert report.department == department("Patent Documentation Department") and report.office is None
