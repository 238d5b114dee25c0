"""The report workflow pages through the Django test client: my work, the report form (field errors, nothing lost,
optimistic locking, targets, attachments, submit), the report page, the review queue (htmx and plain POST) and the
reports list with its exports. Data of another organisation sits next to the user's, so that a leak would show."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tests.helpers import item, period
from tests.oracles import office_items
from tracking import services
from tracking.models import Attachment, Report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIELDS = {"status": "on_track", "percent_complete": 40, "summary": "Pilot enterprises chosen."}


@pytest.fixture
def as_user(accounts, client):
    def sign_in(username):
        client.force_login(accounts[username])
        return client

    return sign_in


@pytest.fixture
def q4():
    """The current quarter of the 2012 plan, whatever today is (the last quarter due before today)."""
    return ReportingPeriod.objects.get(plan__year=2012, label="2012-Q4")


def create(accounts, username="guangdong", code="IV.2", label="2012-Q4", **fields):
    return services.report_create(
        user=accounts[username], work_item=item(code), period=period(label), fields={**FIELDS, **fields}
    )


def form_data(**overrides):
    data = {**FIELDS, "achievements": "", "problems": "", "next_steps": "", "action": "save"}
    data.update(overrides)
    return data


# --- Access -----------------------------------------------------------------------------------------------------

URLS = ["/my-work/", "/reports/", "/reports/new/", "/review/"]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", URLS)
def test_pages_have_title_breadcrumbs_one_h1_and_no_inline_script_or_style(as_user, url):
    response = as_user("guangdong").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>[^<]+ · Plan Tracker</title>", html)
    assert 'aria-label="Breadcrumbs"' in html
    assert html.count("<h1") == 1
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)


def test_navigation_has_my_work_reports_and_review_queue(as_user):
    html = as_user("pad").get("/my-work/").content.decode()
    assert '<a href="/my-work/" aria-current="true">My work</a>' in html
    assert '<a href="/reports/">Reports</a>' in html
    assert '<a href="/review/">Review queue</a>' in html


# --- My work ----------------------------------------------------------------------------------------------------


def test_my_work_lists_every_open_obligation_of_the_year_with_its_action(accounts, as_user, q4):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    draft = create(accounts, code="IV.2")
    returned = create(accounts, code="II.3")
    returned = services.report_submit(report=returned, user=accounts["guangdong"])
    services.report_return(report=returned, user=accounts["pad"], comment="Add the figures for Shenzhen.")
    submitted = services.report_submit(report=create(accounts, code="I.1"), user=accounts["guangdong"])
    create(accounts, username="hunan", code="I.2")  # another office's draft: not Guangdong's work

    response = as_user("guangdong").get("/my-work/")
    context = response.context
    periods = list(ReportingPeriod.objects.filter(plan__year=2012))
    expected = {(i.pk, p.pk) for i in office_items(guangdong) for p in periods} - {(submitted.work_item_id, q4.pk)}
    todos = context["overdue"] + context["upcoming"]
    assert {(t.obligation.work_item_id, t.obligation.period_id) for t in todos} == expected
    assert len(todos) == len(expected)  # each once
    # Every 2012 period is past due today: all overdue, most overdue first, with the days counted.
    today = timezone.localdate()
    assert context["upcoming"] == []
    assert [t.days_overdue for t in context["overdue"]] == sorted((t.days_overdue for t in todos), reverse=True)
    assert all(t.days_overdue == (today - t.obligation.due).days for t in todos)
    actions = {(t.obligation.work_item_id, t.obligation.period_id): (str(t.action), t.url) for t in todos}
    assert actions[(draft.work_item_id, q4.pk)] == ("Continue", f"/reports/{draft.pk}/edit/")
    assert actions[(returned.work_item_id, q4.pk)] == ("Revise", f"/reports/{returned.pk}/edit/")
    annual = ReportingPeriod.objects.get(plan__year=2012, kind="year")
    i2 = item("I.2")
    assert actions[(i2.pk, annual.pk)] == ("Write", f"/reports/new/?work_item={i2.pk}&period={annual.pk}")
    assert [t.obligation.report_id for t in context["returned"]] == [returned.pk]
    html = response.content.decode()
    assert "Add the figures for Shenzhen." in html
    assert f'href="/reports/{returned.pk}/edit/"' in html
    assert f'href="/reports/new/?work_item={i2.pk}&amp;period={annual.pk}"' in html
    assert "review_count" not in context
    # Every form it links opens.
    for _action, url in list(actions.values())[:15]:
        assert as_user("guangdong").get(url).status_code == 200


def test_my_work_filters_by_period_and_program(accounts, as_user, q4):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    annual = ReportingPeriod.objects.get(plan__year=2012, kind="year")
    response = as_user("guangdong").get(f"/my-work/?period={annual.pk}&program=1")
    todos = response.context["overdue"] + response.context["upcoming"]
    expected = {i.pk for i in office_items(guangdong) if i.program.number == 1}
    assert {t.obligation.work_item_id for t in todos} == expected
    assert {t.obligation.period_id for t in todos} == {annual.pk}


def test_reporters_land_on_my_work_and_analysts_on_the_dashboard(accounts, as_user):
    assert as_user("guangdong").get("/").url == "/my-work/"
    assert as_user("pad").get("/").url == "/my-work/"
    assert as_user("analyst").get("/").url == "/plans/2012/"
    assert as_user("admin").get("/").url == "/plans/2012/"


def test_my_work_of_a_reviewer_counts_the_queue(accounts, as_user):
    services.report_submit(report=create(accounts, code="IV.2"), user=accounts["guangdong"])
    services.report_submit(report=create(accounts, code="V.1"), user=accounts["guangdong"])  # not PAD's item
    response = as_user("pad").get("/my-work/")
    assert response.context["review_count"] == 1
    assert "1 submitted report waits for your review." in response.content.decode()


# --- The report form --------------------------------------------------------------------------------------------


def test_new_report_form_has_a_labelled_field_per_target(as_user, q4):
    response = as_user("guangdong").get(f"/reports/new/?work_item={item('IV.3').pk}&period={q4.pk}")
    html = response.content.decode()
    targets = list(item("IV.3").targets.order_by("position"))
    for target in targets:
        assert f'<label for="id_target_{target.pk}">{capfirst(target.description)} so far:</label>' in html
        assert f"Target: {target.quantity:,}" in html
    for name in ["status", "percent_complete", "summary", "achievements", "problems", "next_steps", "attachment"]:
        assert f'for="id_{name}"' in html
    assert 'enctype="multipart/form-data"' in html


def test_percent_over_100_is_a_field_error_and_nothing_typed_is_lost(as_user, q4):
    target = item("IV.2").targets.get()
    url = f"/reports/new/?work_item={item('IV.2').pk}&period={q4.pk}"
    data = form_data(percent_complete="120", achievements="Twelve firms audited.", **{f"target_{target.pk}": "12"})
    response = as_user("guangdong").post(url, data)
    assert response.status_code == 200
    assert Report.objects.count() == 0
    form = response.context["form"]
    assert form.errors == {"percent_complete": ["Ensure this value is less than or equal to 100."]}
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'id="id_percent_complete_error"' in html
    assert "Twelve firms audited.</textarea>" in html
    assert f'name="target_{target.pk}" value="12"' in html

    response = as_user("guangdong").post(url, {**data, "percent_complete": "60"})
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/{report.pk}/"
    assert (report.state, report.percent_complete, report.achievements) == ("draft", 60, "Twelve firms audited.")
    assert report.office.short_name == "Guangdong"
    assert [(tv.target_id, tv.value) for tv in report.target_values.all()] == [(target.pk, 12)]


def test_service_errors_land_on_their_fields(as_user, q4):
    url = f"/reports/new/?work_item={item('IV.2').pk}&period={q4.pk}"
    response = as_user("guangdong").post(url, form_data(status="completed", percent_complete="90"))
    assert response.context["form"].errors == {"percent_complete": ["A completed work item is 100 percent complete."]}
    assert Report.objects.count() == 0


def test_save_attach_and_submit_in_one_go(as_user, q4):
    url = f"/reports/new/?work_item={item('IV.2').pk}&period={q4.pk}"
    upload = SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")
    response = as_user("guangdong").post(url, form_data(action="submit", attachment=upload))
    report = Report.objects.get()
    assert response.status_code == 302
    assert report.state == "submitted"
    assert [a.name for a in report.attachments.all()] == ["evidence.pdf"]


def test_a_rejected_file_saves_nothing_and_keeps_the_text(as_user, q4):
    url = f"/reports/new/?work_item={item('IV.2').pk}&period={q4.pk}"
    upload = SimpleUploadedFile("tool.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    response = as_user("guangdong").post(url, form_data(summary="Kept text.", attachment=upload))
    assert response.status_code == 200
    assert "not accepted" in str(response.context["form"].errors["attachment"])
    assert "Kept text.</textarea>" in response.content.decode()
    assert Report.objects.count() == Attachment.objects.count() == 0


def test_only_items_the_office_takes_part_in_are_offered(as_user, q4):
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    theirs = {i.pk for i in office_items(guangdong)}
    other = WorkItem.objects.filter(program__plan__year=2012).exclude(pk__in=theirs).first()
    response = as_user("guangdong").get("/reports/new/")
    offered = {choice[0].value for choice in response.context["start_form"].fields["work_item"].choices if choice[0]}
    assert offered == theirs
    response = as_user("guangdong").post(f"/reports/new/?work_item={other.pk}&period={q4.pk}", form_data())
    assert response.status_code == 200
    assert "work_item" in response.context["start_form"].errors
    assert Report.objects.count() == 0


def test_users_without_an_organisation_cannot_create(as_user, q4):
    assert as_user("analyst").get(f"/reports/new/?work_item={item('IV.2').pk}&period={q4.pk}").status_code == 403


def test_an_existing_report_is_opened_instead_of_a_second(accounts, as_user, q4):
    report = create(accounts)
    response = as_user("guangdong").get(f"/reports/new/?work_item={item('IV.2').pk}&period={q4.pk}")
    assert response.status_code == 302 and response.url == f"/reports/{report.pk}/edit/"


def test_edit_shows_the_values_and_saves_a_new_version(accounts, as_user):
    report = create(accounts, achievements="First words.")
    client = as_user("guangdong")
    form = client.get(f"/reports/{report.pk}/edit/").context["form"]
    assert form.initial["achievements"] == "First words." and form.initial["version"] == 1
    response = client.post(f"/reports/{report.pk}/edit/", form_data(version="1", achievements="Second words."))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.version, report.achievements) == (2, "Second words.")


def test_a_stale_version_is_refused_with_a_message_and_the_text_kept(accounts, as_user):
    report = create(accounts)
    services.report_update(report=report, user=accounts["guangdong"], version=1, fields={"summary": "Someone else."})
    client = as_user("guangdong")
    response = client.post(f"/reports/{report.pk}/edit/", form_data(version="1", summary="My own words."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone changed this report while you were editing it" in html
    assert "My own words.</textarea>" in html
    assert 'name="version" value="2"' in html  # saving again is deliberate, from the current version
    report.refresh_from_db()
    assert report.summary == "Someone else."
    response = client.post(f"/reports/{report.pk}/edit/", form_data(version="2", summary="My own words."))
    report.refresh_from_db()
    assert report.summary == "My own words."


def test_edit_rights_follow_the_permission_module(accounts, as_user):
    draft = create(accounts)
    assert as_user("hunan").get(f"/reports/{draft.pk}/edit/").status_code == 404  # not visible to Hunan
    assert as_user("pad").get(f"/reports/{draft.pk}/edit/").status_code == 403  # its reviewer sees, cannot edit
    submitted = services.report_submit(report=draft, user=accounts["guangdong"])
    assert as_user("guangdong").get(f"/reports/{submitted.pk}/edit/").status_code == 403
    other = create(accounts, code="I.1")
    assert as_user("hunan").post(f"/reports/{other.pk}/submit/", {"version": "1"}).status_code == 404
    assert as_user("pad").post(f"/reports/{other.pk}/submit/", {"version": "1"}).status_code == 403
    other.refresh_from_db()
    assert other.state == "draft"


def test_attachments_are_listed_and_removed_plain_and_with_htmx(accounts, as_user):
    report = create(accounts)
    first = services.attachment_add(
        report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("a.pdf", PDF)
    )
    second = services.attachment_add(
        report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("b.pdf", PDF)
    )
    client = as_user("guangdong")
    html = client.get(f"/reports/{report.pk}/edit/").content.decode()
    assert f'href="/api/v1/updates/{report.pk}/attachments/{first.pk}/" download>a.pdf</a>' in html
    response = client.post(f"/reports/{report.pk}/attachments/{first.pk}/remove/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="attachments"' in html and "a.pdf" not in html and "b.pdf" in html
    assert f'name="version" id="id_version" value="{report.version + 3}" hx-swap-oob="true"' in html
    response = client.post(f"/reports/{report.pk}/attachments/{second.pk}/remove/")
    assert response.status_code == 302 and response.url == f"/reports/{report.pk}/edit/"
    assert not Attachment.objects.filter(report=report).exists()
    # Hunan cannot see the draft, PAD sees but may not remove.
    third = services.attachment_add(
        report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("c.pdf", PDF)
    )
    assert as_user("hunan").post(f"/reports/{report.pk}/attachments/{third.pk}/remove/").status_code == 404
    assert as_user("pad").post(f"/reports/{report.pk}/attachments/{third.pk}/remove/").status_code == 403


# --- The report page ----------------------------------------------------------------------------------------------


def test_report_page_shows_targets_attachments_history_and_owner_actions(accounts, as_user):
    target = item("IV.2").targets.get()
    report = services.report_create(
        user=accounts["guangdong"],
        work_item=item("IV.2"),
        period=period("2012-Q4"),
        fields=FIELDS,
        target_values=[(target, 12)],
    )
    attachment = services.attachment_add(
        report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("proof.pdf", PDF)
    )
    response = as_user("guangdong").get(f"/reports/{report.pk}/")
    html = response.content.decode()
    assert response.context["targets"] == [(target, 12)]
    assert f'href="/api/v1/updates/{report.pk}/attachments/{attachment.pk}/" download>proof.pdf</a>' in html
    assert [e["transition_label"] for e in response.context["history"]] == ["Created", "Attachment added"]
    assert f'action="/reports/{report.pk}/submit/"' in html and f'href="/reports/{report.pk}/edit/"' in html
    assert "/accept/" not in html
    assert "Guangdong Intellectual Property Office" in html


def test_submit_from_the_report_page(accounts, as_user):
    report = create(accounts)
    response = as_user("guangdong").post(f"/reports/{report.pk}/submit/", {"version": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "submitted"
    response = as_user("guangdong").post(f"/reports/{report.pk}/submit/", {"version": "2"}, follow=True)
    assert "A submitted report cannot be submitted." in response.content.decode()


def test_reviewer_sees_review_forms_on_the_report_page(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    html = as_user("pad").get(f"/reports/{report.pk}/").content.decode()
    assert f'action="/reports/{report.pk}/accept/"' in html and f'action="/reports/{report.pk}/return/"' in html
    assert "/edit/" not in html
    assert as_user("hunan").get(f"/reports/{report.pk}/").status_code == 200  # submitted: published
    assert as_user("hunan").get(f"/reports/{create(accounts, code='I.1').pk}/").status_code == 404  # a draft


# --- Review queue -------------------------------------------------------------------------------------------------


def test_review_queue_lists_the_reviewers_submitted_reports(accounts, as_user):
    mine = services.report_submit(report=create(accounts, code="IV.2"), user=accounts["guangdong"])
    services.report_submit(report=create(accounts, code="V.1"), user=accounts["guangdong"])  # PCD's item
    create(accounts, code="IV.3")  # a draft
    response = as_user("pad").get("/review/")
    assert [r.pk for r in response.context["reports"]] == [mine.pk]
    assert as_user("guangdong").get("/review/").context["reports"].__len__() == 0


def test_accept_with_htmx_returns_the_row_in_its_new_state(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    response = as_user("pad").post(
        f"/reports/{report.pk}/accept/", {"version": report.version}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="review-{report.pk}"')
    assert "Accepted" in html and "<form" not in html
    report.refresh_from_db()
    assert report.state == "accepted" and report.reviewed_by == accounts["pad"]


def test_return_without_comment_shows_the_error_in_the_row(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    response = as_user("pad").post(
        f"/reports/{report.pk}/return/", {"version": report.version, "comment": " "}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Say what must change: a returned report needs a comment." in html
    assert 'aria-invalid="true"' in html and '<details class="return-box" open>' in html
    report.refresh_from_db()
    assert report.state == "submitted"


def test_return_with_a_plain_post_redirects_back_to_the_queue(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    response = as_user("pad").post(
        f"/reports/{report.pk}/return/", {"version": report.version, "comment": "Figures?", "next": "/review/"}
    )
    assert response.status_code == 302 and response.url == "/review/"
    report.refresh_from_db()
    assert (report.state, report.review_comment) == ("returned", "Figures?")


def test_return_without_comment_and_without_js_shows_the_report_page_with_the_error(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    response = as_user("pad").post(f"/reports/{report.pk}/return/", {"version": report.version, "comment": ""})
    assert response.status_code == 200
    assert response.context["return_form"].errors == {
        "comment": ["Say what must change: a returned report needs a comment."]
    }


def test_only_reviewers_of_the_item_may_review(accounts, as_user):
    report = services.report_submit(report=create(accounts, code="V.1"), user=accounts["guangdong"])
    assert as_user("pad").post(f"/reports/{report.pk}/accept/", {}).status_code == 403
    assert as_user("hunan").post(f"/reports/{report.pk}/accept/", {}).status_code == 403
    report.refresh_from_db()
    assert report.state == "submitted"


def test_an_unsafe_next_is_ignored(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    response = as_user("pad").post(f"/reports/{report.pk}/accept/", {"next": "https://evil.example/"})
    assert response.url == f"/reports/{report.pk}/"


# --- Reports list -------------------------------------------------------------------------------------------------


def test_reports_list_filters_and_exports_exactly_the_filtered_rows(accounts, as_user):
    a = services.report_submit(report=create(accounts, code="IV.2"), user=accounts["guangdong"])
    b = services.report_submit(report=create(accounts, code="IV.2", username="hunan"), user=accounts["hunan"])
    c = services.report_submit(report=create(accounts, code="I.1"), user=accounts["guangdong"])
    create(accounts, code="I.2", username="hunan")  # Hunan's draft: Guangdong never sees it
    client = as_user("guangdong")
    assert {r.pk for r in client.get("/reports/").context["reports"]} == {a.pk, b.pk, c.pk}

    query = f"work_item={item('IV.2').pk}&state=submitted"
    response = client.get(f"/reports/?{query}")
    assert [r.pk for r in response.context["reports"]] == [b.pk, a.pk]
    assert response.context["csv_url"] == f"/api/v1/updates/?{query}&format=csv&layout=people"
    assert response.context["xlsx_url"] == f"/api/v1/updates/?{query}&format=xlsx&layout=people"
    assert response.context["machine_url"] == f"/api/v1/updates/?{query}&format=csv&layout=machine"
    exported = client.get(response.context["csv_url"])
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert sorted((row["Item"], row["Organisation"], row["State"]) for row in rows) == [
        ("IV.2", "Guangdong", "Submitted"),
        ("IV.2", "Hunan", "Submitted"),
    ]
    exported = client.get(response.context["machine_url"])
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert sorted(int(row["id"]) for row in rows) == sorted([a.pk, b.pk])
    xlsx = client.get(response.context["xlsx_url"])
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")

    office = ProvincialOffice.objects.get(short_name="Hunan")
    assert [r.pk for r in client.get(f"/reports/?office={office.pk}").context["reports"]] == [b.pk]


def test_pages_in_chinese_show_chinese_labels_and_names(accounts, as_user, q4):
    client = as_user("guangdong")
    zh = {"Accept-Language": "zh-hans"}
    html = client.get("/reports/", headers=zh).content.decode()
    assert '<label for="id_office">知识产权局:</label>' in html
    assert ">广东</option>" in html and ">专利管理司</option>" in html
    html = client.get(f"/reports/new/?work_item={item('IV.2').pk}&period={q4.pk}", headers=zh).content.decode()
    assert "<dd>广东省知识产权局</dd>" in html
    assert '<label for="id_percent_complete">完成百分比:</label>' in html
    assert "保存并提交审核" in html
    html = client.get("/my-work/", headers=zh).content.decode()
    assert "<h1>我的工作</h1>" in html and "填写" in html
