"""Query counts of the report pages: the same number of SQL queries with a few reports and with many (two sizes of
tests.factories.bulk_reports), pinned here with what each query is."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tests.factories import bulk_reports
from tracking import services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Counted with CaptureQueriesContext rather than django_assert_num_queries, so that a change shows every page's new
# count at once. Every page starts with: the session, the user (AuthenticationMiddleware), the user's profile (role_of),
# and ends with the unread count of the header's bell (tracking.context_processors).
# Pages of an office reporter or department staff also read the profile's office or department.
PAGES = {
    # + office; plan; its periods and programs (the filter's choices); the office's open obligations with
    # their reports.
    "my work (office)": ("guangdong", "/my-work/", 9),
    # + department; plan, periods, programs; its open obligations; the review queue's count.
    "my work (reviewer)": ("pad", "/my-work/", 10),
    # (an administrator has no profile query: a superuser) count, page of reports, their target values and
    # attachments; the filter choices: programs, work items, offices, departments, periods.
    "reports list (admin)": ("admin", "/reports/", 12),
    # + profile.
    "reports list (office)": ("guangdong", "/reports/", 13),
    # + the chosen work item (validated).
    "reports list filtered": ("admin", "/reports/?work_item={listed_item}&state=submitted&state=accepted", 13),
    # + count, page of reports, their target values and attachments.
    "review queue": ("pad", "/review/", 8),
    # + report with its relations, target values, attachments; the item's targets; the history with its users;
    # the people the history names; the attachments' history (tracking.timeline).
    "report page": ("guangdong", "/reports/{report}/", 11),
    # + report with its relations, target values (initial), attachments; the item's targets.
    "report form (edit)": ("guangdong", "/reports/{report}/edit/", 8),
    # + office; the plan; the chosen item and period (validated); no report yet; the item's targets.
    "report form (new)": ("guangdong", "/reports/new/?work_item={item}&period={period}", 10),
}


def measure(client, accounts, ids):
    counts = {}
    for name, (username, url, _expected) in PAGES.items():
        client.force_login(accounts[username])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.format(**ids))
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_report_pages_run_the_same_queries_at_two_sizes(client, accounts):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    offices = list(ProvincialOffice.objects.all())
    items = list(WorkItem.objects.with_structure().filter(program__plan__year=2012))
    periods = list(ReportingPeriod.objects.filter(plan__year=2012, kind="quarter").order_by("start"))
    work_item = WorkItem.objects.get(program__plan__year=2012, program__number=4, number=2)  # IV.2, with a target

    # Guangdong's own report on IV.2 for Q4, with a file and some history; IV.3 is left to create.
    report = services.report_create(
        user=accounts["guangdong"],
        work_item=work_item,
        period=periods[3],
        fields={"status": "on_track", "percent_complete": 30, "summary": "Started."},
        target_values=[(work_item.targets.get(), 5)],
    )
    services.attachment_add(report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("a.pdf", PDF))
    new_item = WorkItem.objects.get(program__plan__year=2012, program__number=4, number=3)
    ids = {"report": report.pk, "item": new_item.pk, "period": periods[3].pk, "listed_item": items[0].pk}

    # Small: a few reports on a few items in Q1.
    bulk_reports(items=items[:3], periods=periods[:1], offices=offices, seed=1)
    small = measure(client, accounts, ids)
    assert small == {name: expected for name, (_u, _url, expected) in PAGES.items()}

    # Larger: reports on every item in Q1 to Q3 (thousands), Guangdong's included.
    bulk_reports(items=items[3:], periods=periods[:1], offices=offices, seed=2, share=0.9)
    bulk_reports(items=items, periods=periods[1:3], offices=offices, seed=3, share=0.9)
    assert guangdong.reports.count() > 20
    large = measure(client, accounts, ids)
    assert small == large
