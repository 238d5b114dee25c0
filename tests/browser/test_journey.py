"""The report workflow in a real browser, as the people who use it: an office writes a report (a field error on the
way), attaches a PDF and submits; the reviewing department returns it with a comment; the office sees the comment,
revises and resubmits; the department accepts; the participation matrix shows it; Chinese shows Chinese labels and
names. Screenshots of My work, the report form and the review queue go to test-artifacts/screenshots/."""

import datetime
import os
import re

import pytest
from django.utils.text import capfirst

from programs.models import ReportingPeriod, WorkItem
from tests.browser.helpers import login, screenshot
from tests.helpers import PASSWORD
from tracking.models import Report

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the playwright package is not installed (pip install -e '.[dev]')", allow_module_level=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_report_is_written_returned_revised_and_accepted(page, accounts, tmp_path):
    item = WorkItem.objects.select_related("program").get(program__plan__year=2012, program__number=4, number=2)
    target = item.targets.get()  # "50 enterprises with an IP advantage fostered"
    period = ReportingPeriod.objects.current_quarter(item.program.plan, datetime.date.today())
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(PDF)

    # Guangdong signs in and lands on My work: IV.2 is not yet reported for the last quarter, long past due.
    login(page, "guangdong", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page).to_have_title("My work · Plan Tracker")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    screenshot(page, "my-work")
    overdue = page.get_by_role("table", name="Reports past their due date")
    overdue.get_by_role("link", name=f"Write {item.code}, {period.label}").click()
    expect(page).to_have_url(re.compile(rf"/reports/new/\?work_item={item.pk}&period={period.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{item.code} {item.title}")

    # A percent of 120 is refused at its field, and nothing typed is lost.
    page.get_by_label("Status").select_option(label="On track")
    page.get_by_label("Percent complete").fill("120")
    page.get_by_label("Summary").fill("Forty enterprises audited; the first twelve fostered.")
    page.get_by_label("Achievements").fill("Twelve enterprises fostered in Shenzhen and Foshan.")
    page.get_by_label(f"{capfirst(target.description)} so far").fill("12")
    page.get_by_role("button", name="Save draft").click()
    percent = page.get_by_label("Percent complete")
    expect(percent).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_percent_complete_error")).to_contain_text("less than or equal to 100")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect(page.get_by_label("Summary")).to_have_value("Forty enterprises audited; the first twelve fostered.")
    expect(page.get_by_label(f"{capfirst(target.description)} so far")).to_have_value("12")
    assert not Report.objects.exists()

    # Corrected, with a PDF attached, and submitted.
    percent.fill("60")
    page.get_by_label("Attach a file").set_input_files(str(pdf))
    screenshot(page, "report-form")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("The report has been submitted for review.")
    report = Report.objects.get()
    expect(page).to_have_url(f"/reports/{report.pk}/")
    expect(page.get_by_role("link", name="evidence.pdf")).to_have_attribute(
        "href", f"/api/v1/updates/{report.pk}/attachments/{report.attachments.get().pk}/"
    )
    expect(page.locator(".badge--state")).to_have_text(re.compile("Submitted"))
    sign_out(page)

    # PAD finds it in its review queue and returns it with a comment (inline, without leaving the queue).
    login(page, "pad", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    expect(page).to_have_title("Review queue · Plan Tracker")
    row = page.locator(f"#review-{report.pk}")
    expect(row).to_contain_text("Guangdong")
    screenshot(page, "review-queue")
    row.get_by_text("Return…").click()
    row.get_by_label(re.compile("What must change")).fill("Name the twelve enterprises and attach the audit list.")
    row.get_by_role("button", name="Return with comment").click()
    row = page.locator(f"#review-{report.pk}")
    expect(row.locator(".badge--state")).to_have_text(re.compile("Returned"))
    expect(page).to_have_url("/review/")  # the row was replaced in place: no page load
    report.refresh_from_db()
    assert report.state == "returned"
    sign_out(page)

    # Guangdong sees the comment under "Returned to you", revises and resubmits.
    login(page, "guangdong", PASSWORD)
    page.goto("/my-work/")
    returned = page.locator(".report-card--returned")
    expect(returned).to_contain_text("Name the twelve enterprises and attach the audit list.")
    returned.get_by_role("link", name=f"Revise and resubmit {item.code}").click()
    expect(page).to_have_url(f"/reports/{report.pk}/edit/")
    expect(page.get_by_label("Reviewer comment")).to_contain_text("Name the twelve enterprises")
    expect(page.get_by_role("link", name="evidence.pdf")).to_be_visible()
    page.get_by_label("Achievements").fill("Twelve enterprises fostered: Midea, Gree, BYD, ... (list attached).")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("The report has been submitted for review.")
    sign_out(page)

    # PAD accepts it from the queue.
    login(page, "pad", PASSWORD)
    page.goto("/review/")
    row = page.locator(f"#review-{report.pk}")
    row.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.locator(f"#review-{report.pk} .badge--state")).to_have_text(re.compile("Accepted"))
    report.refresh_from_db()
    assert report.state == "accepted"

    # The participation matrix shows the accepted report in Guangdong's row.
    page.goto(f"/plans/2012/matrix/?period={period.pk}")
    guangdong_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Guangdong", exact=True))
    cell = guangdong_row.locator(f'a[href="/reports/{report.pk}/"]')
    expect(cell).to_have_accessible_name(re.compile(rf"Guangdong, {re.escape(item.code)}: Accepted"))
    cell.click()
    expect(page).to_have_url(f"/reports/{report.pk}/")
    expect(page.locator(".badge--state")).to_have_text(re.compile("Accepted"))
    history = page.locator(".report-timeline")
    for step in ["Created", "Attachment added", "Submitted", "Returned", "Edited", "Accepted"]:
        expect(history).to_contain_text(step)

    # In Chinese: Chinese labels and office names.
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("link", name="广东省知识产权局")).to_be_visible()
    expect(page.locator(".badge--state")).to_have_text(re.compile("已通过"))
    expect(page.get_by_role("heading", name="历史记录")).to_be_visible()
    page.goto("/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("审核队列")
    page.goto("/reports/")
    expect(page.get_by_role("cell", name="广东").first).to_be_visible()
    expect(page.get_by_label("知识产权局")).to_be_visible()
    assert page.console_errors == []
