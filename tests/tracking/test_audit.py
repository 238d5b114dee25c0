"""The audit trail: every change is kept, and nothing can change reports behind its back."""

import pytest

from planpromo.querysets import BulkWriteRefused
from tracking import services
from tracking.models import Report, TargetValue

pytestmark = pytest.mark.django_db


def test_bulk_update_of_reports_is_refused(make_report):
    make_report()
    with pytest.raises(BulkWriteRefused):
        Report.objects.filter(state="draft").update(state="accepted")
    with pytest.raises(BulkWriteRefused):
        Report.objects.bulk_update(list(Report.objects.all()), ["summary"])
    with pytest.raises(BulkWriteRefused):
        TargetValue.objects.all().update(value=1)
    assert Report.objects.get().state == "draft"


def test_no_code_path_calls_update_on_reports():
    """A static guard as well: no module of the apps calls .update( on a Report or TargetValue queryset."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        if any(part in {".venv", "tests", "migrations"} for part in path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(Report|TargetValue|reports|target_values)[\w.()\[\]=\"', ]*\.update\(", text):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)[:80]}")
    assert offenders == []


def test_every_version_is_kept_with_user_and_transition(make_report, accounts):
    report = make_report()
    services.report_update(report=report, user=accounts["guangdong"], version=1, fields={"summary": "First."})
    services.report_update(report=report, user=accounts["guangdong"], version=2, fields={"summary": "Second."})
    records = list(report.history.order_by("history_date", "history_id"))
    assert [r.summary for r in records] == ["Guidelines drafted with the finance bureau.", "First.", "Second."]
    assert [r.history_change_reason for r in records] == ["create", "edit", "edit"]
    assert {r.history_user for r in records} == {accounts["guangdong"]}
    assert [r.version for r in records] == [1, 2, 3]
