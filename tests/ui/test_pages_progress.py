"""The progress pages (tracking/pages.py): dashboard, program, work item, matrix, office, department and annual
summary, through the Django test client: who may see them, their figures against counts of the raw reports,
what a user who may not see drafts sees, and their query counts at two data sizes."""

import contextlib
import re
import statistics
import time
import zlib

import pytest
from django.urls import reverse

from participants.models import Department, ProvincialOffice
from programs.choices import OfficeScope
from programs.models import Program, ReportingPeriod, WorkItem, WorkItemOffice
from tests.factories import UserFactory, bulk_reports
from tests.oracles import department_items, office_items
from tracking.choices import PUBLISHED_STATES, ReportState
from tracking.models import Report

pytestmark = pytest.mark.django_db

PAGES = [
    "/plans/2012/",
    "/plans/2012/matrix/",
    "/plans/2012/programs/2/",
    "/plans/2012/items/II.3/",
    "/plans/2012/items/I.1/",
    "/offices/Guangdong/",
    "/reports/2012/summary/",
]


def q(label):
    return ReportingPeriod.objects.get(label=label)


def add_reports(labels=("2012-Q1", "2012-Q2"), seed=7, share=0.8, programs=None):
    items = WorkItem.objects.with_structure().filter(program__plan__year=2012)
    if programs:
        items = items.filter(program__number__in=programs)
    periods = [q(label) for label in labels]
    return bulk_reports(
        items=list(items), periods=periods, offices=list(ProvincialOffice.objects.all()), seed=seed, share=share
    )


def expected_offices(item) -> set[int]:
    if item.office_scope == OfficeScope.ALL:
        return set(ProvincialOffice.objects.values_list("pk", flat=True))
    if item.office_scope == OfficeScope.NONE:
        return set()
    return set(WorkItemOffice.objects.filter(work_item=item).values_list("office_id", flat=True))


@pytest.fixture
def department_page():
    return f"/departments/{Department.objects.get(name='Patent Administration Department').pk}/"


# --- Access, layout ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*PAGES, "/reports/2012/summary.pdf", "/matrix/", "/summary/"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", [*PAGES, "departments"])
def test_page_renders_with_title_breadcrumbs_and_no_inline_code(signed_in_client, department_page, url):
    add_reports(labels=("2012-Q1",), share=0.3)
    url = department_page if url == "departments" else url
    html = signed_in_client.get(url).content.decode()
    assert re.search(r"<title>[^<]+ · Plan Tracker</title>", html)
    assert 'aria-label="Breadcrumbs"' in html
    assert html.count("<h1") == 1
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)
    # Every form control has a label.
    for control_id in re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html, control_id


def test_current_plan_shortcuts_redirect(signed_in_client):
    assert signed_in_client.get("/").url == "/plans/2012/"
    assert signed_in_client.get("/matrix/").url == "/plans/2012/matrix/"
    assert signed_in_client.get("/summary/").url == "/reports/2012/summary/"


def test_unknown_objects_are_404(signed_in_client):
    for url in [
        "/plans/1999/",
        "/plans/1999/matrix/",
        "/plans/2012/programs/11/",
        "/plans/2012/items/II.99/",
        "/plans/2012/items/IIII.3/",
        "/offices/Atlantis/",
        "/departments/999999/",
        "/reports/1999/summary/",
    ]:
        assert signed_in_client.get(url).status_code == 404, url


# --- Dashboard ---------------------------------------------------------------------------------------------------


def test_dashboard_figures_match_the_raw_reports(signed_in_client):
    add_reports(labels=("2012-Q1", "2012-Q2"))
    period = q("2012-Q2")
    response = signed_in_client.get(f"/plans/2012/?period={period.pk}")
    assert response.context["period"] == period
    rows = response.context["programs"]
    assert [row.program.number for row in rows] == list(range(1, 11))
    for row in rows:
        reports = Report.objects.filter(
            period=period, work_item__program__number=row.program.number, work_item__program__plan__year=2012
        )
        received = reports.filter(state__in=PUBLISHED_STATES)
        assert row.received == received.count()
        assert row.accepted == reports.filter(state=ReportState.ACCEPTED).count()
        percents = list(received.values_list("percent_complete", flat=True))
        assert row.mean_percent == (pytest.approx(statistics.mean(percents)) if percents else None)
        expected = sum(
            len(expected_offices(item)) + item.department_links.count()
            for item in WorkItem.objects.filter(program=row.program)
        )
        assert row.expected == expected
        statuses = dict((value, n) for value, _label, n in row.statuses)
        assert statuses == {s: received.filter(status=s).count() for s in statuses}
    totals = response.context["totals"]
    in_period = Report.objects.filter(period=period)
    assert totals["awaiting_review"] == in_period.filter(state=ReportState.SUBMITTED).count()
    html = response.content.decode()
    first = rows[0]
    assert f"{first.received} / {first.expected}" in html
    if first.mean_percent is not None:
        assert f'<progress max="100" value="{round(first.mean_percent)}"' in html
        assert f"{round(first.mean_percent)}%" in html
    for chart in ("progress-chart-data", "status-chart-data", "timeline-chart-data"):
        assert f'<script id="{chart}" type="application/json">' in html


def test_dashboard_defaults_to_the_current_quarter(signed_in_client):
    response = signed_in_client.get("/plans/2012/")
    today = response.context["today"]
    assert response.context["period"] == ReportingPeriod.objects.current_quarter(Program.objects.first().plan, today)


def test_dashboard_overdue_counts_expected_reports_not_received(signed_in_client):
    add_reports(labels=("2012-Q1",), share=0.5)
    response = signed_in_client.get("/plans/2012/")
    # 2012 is long past: every expected report of the five periods is due; the received ones are not overdue.
    expected_per_period = sum(
        len(expected_offices(item)) + item.department_links.count()
        for item in WorkItem.objects.filter(program__plan__year=2012)
    )
    received = Report.objects.filter(period__plan__year=2012, state__in=PUBLISHED_STATES).count()
    assert response.context["totals"]["overdue"] == 5 * expected_per_period - received


def test_recent_activity_hides_other_organisations_drafts(client):
    add_reports(labels=("2012-Q1",), share=0.5)
    analyst = UserFactory(profile__role="analyst")
    client.force_login(analyst)
    recent = client.get("/plans/2012/").context["recent"]
    assert recent and all(report.state in PUBLISHED_STATES for report in recent)
    guangdong = ProvincialOffice.objects.get(short_name="Guangdong")
    reporter = UserFactory(profile__role="office_reporter", profile__office=guangdong)
    Report.objects.filter(office=guangdong).first()
    latest_draft = Report.objects.filter(office=guangdong, state=ReportState.DRAFT).first()
    latest_draft.summary = "Touched."
    latest_draft.save()  # the most recently updated report of all
    client.force_login(reporter)
    assert client.get("/plans/2012/").context["recent"][0] == latest_draft
    client.force_login(analyst)
    assert latest_draft not in client.get("/plans/2012/").context["recent"]


# --- Program and work item ---------------------------------------------------------------------------------------


def test_program_page_rolls_up_its_items(signed_in_client):
    add_reports(labels=("2012-Q1",))
    period = q("2012-Q1")
    response = signed_in_client.get(f"/plans/2012/programs/2/?period={period.pk}")
    items = response.context["items"]
    assert [item.code for item in items] == [f"II.{n}" for n in range(1, 6)]
    for item in items:
        received = Report.objects.filter(work_item=item, period=period, state__in=PUBLISHED_STATES)
        assert item.received == received.count()
        assert item.offices_reported == received.filter(office__isnull=False).count()
        assert item.expected == len(expected_offices(item)) + item.department_links.count()
    html = response.content.decode()
    program = Program.objects.with_team().get(plan__year=2012, number=2)
    assert program.objective.split("\n")[0][:60] in html
    for department in program.lead_departments + program.participant_departments:
        assert f'href="/departments/{department.pk}/"' in html


def test_work_item_page_lists_every_participant_with_its_report(signed_in_client, item):
    add_reports(labels=("2012-Q1",))
    period = q("2012-Q1")
    response = signed_in_client.get(f"/plans/2012/items/II.3/?period={period.pk}")
    participants = response.context["participants"]
    offices = {p.organisation.pk for p in participants if p.is_office}
    assert offices == expected_offices(item)
    departments = {p.organisation.pk for p in participants if not p.is_office}
    assert departments == {d.pk for d in item.responsible_departments}
    html = response.content.decode()
    # The signed-in analyst sees the published reports of the period, linked; not the drafts.
    for report in Report.objects.filter(work_item=item, period=period):
        link = f'href="{reverse("tracking:report_detail", args=[report.pk])}"'
        assert (link in html) == (report.state in PUBLISHED_STATES)
    for participant in participants:
        shown = participant.report
        assert shown is None or shown.state in PUBLISHED_STATES


def test_work_item_page_shows_targets_against_achieved(signed_in_client):
    add_reports(labels=("2012-Q1", "2012-Q2"), programs=[4])
    item = WorkItem.objects.get(program__plan__year=2012, program__number=4, number=3)
    response = signed_in_client.get("/plans/2012/items/IV.3/")
    targets = response.context["targets"]
    assert [t.pk for t in targets] == list(item.targets.order_by("position").values_list("pk", flat=True))
    for target in targets:
        # Each organisation's latest received value (Q2 supersedes Q1), summed.
        latest = {}
        for value in target.values.filter(report__state__in=PUBLISHED_STATES).select_related("report__period"):
            key = (value.report.office_id, value.report.department_id)
            if key not in latest or value.report.period.end > latest[key][0]:
                latest[key] = (value.report.period.end, value.value)
        assert target.achieved == (sum(v for _end, v in latest.values()) if latest else None)
        assert f"{target.quantity:,}" in response.content.decode()


def test_work_item_timeline_counts_reports_per_period(signed_in_client, item):
    add_reports(labels=("2012-Q1", "2012-Q2"))
    timeline = signed_in_client.get("/plans/2012/items/II.3/").context["timeline"]
    assert [row["period"].label for row in timeline] == ["2012-Q1", "2012-Q2", "2012-Q3", "2012-Q4", "2012"]
    for row in timeline:
        received = Report.objects.filter(work_item=item, period=row["period"], state__in=PUBLISHED_STATES)
        assert row["received"] == received.count()


# --- Matrix ------------------------------------------------------------------------------------------------------


def test_matrix_cells_and_counts_match_the_raw_data(client):
    add_reports(labels=("2012-Q2",))
    admin = UserFactory(username="matrix-admin", is_superuser=True, profile__role="administrator")
    client.force_login(admin)
    period = q("2012-Q2")
    response = client.get(f"/plans/2012/matrix/?period={period.pk}")
    matrix = response.context["matrix"]
    items = list(WorkItem.objects.filter(program__plan__year=2012).order_by("program__number", "number"))
    offices = list(ProvincialOffice.objects.all())
    assert [i.pk for i in matrix["items"]] == [i.pk for i in items]
    assert [row.office.pk for row in matrix["rows"]] == [o.pk for o in offices]
    expected = {item.pk: expected_offices(item) for item in items}
    reports = {(r.work_item_id, r.office_id): r for r in Report.objects.filter(period=period, office__isnull=False)}
    for row in matrix["rows"]:
        for item, cell in zip(items, row.cells, strict=True):
            report = reports.get((item.pk, row.office.pk))
            if row.office.pk not in expected[item.pk]:
                assert "cell--none" in cell.css
            elif report is None:
                assert "cell--overdue" in cell.css  # Q2 of 2012 is long past due
            else:
                assert f"cell--{report.state}" in cell.css and f"status--{report.status}" in cell.css
                assert cell.url == reverse("tracking:report_detail", args=[report.pk])
                assert cell.text and report.get_state_display() in cell.label  # never colour alone
        received = [r for (w, o), r in reports.items() if o == row.office.pk and r.state in PUBLISHED_STATES]
        assert row.tally.received == len(received)
        assert row.tally.expected == sum(row.office.pk in offices_ for offices_ in expected.values())
    for item, tally in matrix["columns"]:
        assert tally.expected == len(expected[item.pk])
        assert tally.received == sum(1 for (w, o), r in reports.items() if w == item.pk and r.state in PUBLISHED_STATES)
    assert matrix["totals"].expected == sum(len(v) for v in expected.values())


def test_matrix_hides_drafts_from_users_who_may_not_see_them(signed_in_client):
    add_reports(labels=("2012-Q2",))
    period = q("2012-Q2")
    html = signed_in_client.get(f"/plans/2012/matrix/?period={period.pk}").content.decode()
    for report in Report.objects.filter(period=period, office__isnull=False):
        link = f'href="{reverse("tracking:report_detail", args=[report.pk])}"'
        assert (link in html) == (report.state in PUBLISHED_STATES)


def test_matrix_filters_by_program_and_answers_htmx_with_the_table(signed_in_client):
    period = q("2012-Q1")
    response = signed_in_client.get(f"/plans/2012/matrix/?period={period.pk}&program=3")
    assert {item.program.number for item in response.context["matrix"]["items"]} == {3}
    html = response.content.decode()
    assert '<option value="3" selected>' in html
    fragment = signed_in_client.get(f"/plans/2012/matrix/?period={period.pk}&program=3", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="matrix"') and "<html" not in text
    assert "<caption" in text and "Legend" not in text


def test_matrix_in_chinese_shows_chinese_office_names(signed_in_client):
    html = signed_in_client.get("/plans/2012/matrix/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert ">广东</a>" in html and "参与矩阵" in html
    assert ">Guangdong</a>" not in html


def test_matrix_renders_under_150_ms_on_demo_sized_data(client):
    """The demo (`seed_demo`) has about 1,550 reports; these are as many, spread over the four quarters."""
    created = add_reports(labels=("2012-Q1", "2012-Q2", "2012-Q3", "2012-Q4"), share=0.85)
    assert len(created) >= 1_500
    admin = UserFactory(username="matrix-timer", is_superuser=True, profile__role="administrator")
    client.force_login(admin)
    url = f"/plans/2012/matrix/?period={q('2012-Q3').pk}"
    client.get(url)  # warm up: template compilation, translations
    timings = []
    for _ in range(9):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    fastest, median = min(timings), statistics.median(timings)
    print(f"matrix: fastest {fastest * 1000:.0f} ms, median {median * 1000:.0f} ms ({len(created)} reports)")
    # The requirement is 150 ms of server time. The fastest of nine requests is the page's own cost; the others
    # include whatever else the machine was doing (a shared CI runner). Typical here: 50-90 ms on an idle machine.
    assert fastest < 0.150


# --- Office and department ---------------------------------------------------------------------------------------


def test_office_page_shows_what_is_due_overdue_and_returned(client, guangdong):
    add_reports(labels=("2012-Q1", "2012-Q2"))
    reporter = UserFactory(profile__role="office_reporter", profile__office=guangdong)
    client.force_login(reporter)
    period = q("2012-Q2")
    response = client.get(f"/offices/Guangdong/?period={period.pk}")
    items = {i.pk for i in office_items(guangdong)}
    assert {duty.item.pk for duty in response.context["duties"]} == items
    received = set(
        Report.objects.filter(office=guangdong, state__in=PUBLISHED_STATES).values_list("work_item_id", "period_id")
    )
    assert {d.item.pk for d in response.context["due"]} == {pk for pk in items if (pk, period.pk) not in received}
    overdue = {(todo.obligation.work_item_id, todo.obligation.period_id) for todo in response.context["overdue"]}
    periods = ReportingPeriod.objects.filter(plan__year=2012)
    assert overdue == {(pk, p.pk) for pk in items for p in periods if (pk, p.pk) not in received}
    # Each overdue obligation links to its form: a new report, or the draft or returned one to finish.
    html = response.content.decode()
    for todo in response.context["overdue"]:
        report = Report.objects.filter(
            work_item_id=todo.obligation.work_item_id, period_id=todo.obligation.period_id, office=guangdong
        ).first()
        if report is None:
            url = f"/reports/new/?work_item={todo.obligation.work_item_id}&period={todo.obligation.period_id}"
        else:
            url = f"/reports/{report.pk}/edit/"
        assert todo.url == url
        assert f'href="{url.replace("&", "&amp;")}"' in html
        assert client.get(url).status_code == 200
    returned = set(Report.objects.filter(office=guangdong, state=ReportState.RETURNED).values_list("pk", flat=True))
    assert {r.pk for r in response.context["returned"]} == returned
    # Its own reports, drafts included; no other office's.
    assert {r.pk for r in response.context["reports"]} == set(
        Report.objects.filter(office=guangdong).values_list("pk", flat=True)
    )


def test_office_page_hides_drafts_from_an_analyst(signed_in_client, guangdong):
    add_reports(labels=("2012-Q1",))
    shown = {r.pk for r in signed_in_client.get("/offices/Guangdong/").context["reports"]}
    assert shown == set(
        Report.objects.filter(office=guangdong, state__in=PUBLISHED_STATES).values_list("pk", flat=True)
    )


def test_department_page_shows_its_items_and_review_load(signed_in_client, department_page):
    add_reports(labels=("2012-Q1",))
    department = Department.objects.get(name="Patent Administration Department")
    response = signed_in_client.get(department_page)
    items = set([i.pk for i in department_items(department)])
    assert {duty.item.pk for duty in response.context["duties"]} == items
    from tracking.permissions import reviewing_department_q

    awaiting = (
        Report.objects.filter(state=ReportState.SUBMITTED)
        .filter(reviewing_department_q(department.pk))
        .exclude(department=department)
    )
    assert response.context["review_total"] == awaiting.count() > 0


# --- Annual summary ----------------------------------------------------------------------------------------------


def test_annual_summary_page_per_program_and_item(signed_in_client):
    add_reports(labels=("2012-Q1",), share=0.6)
    Report.objects.filter(state=ReportState.ACCEPTED).first()
    response = signed_in_client.get("/reports/2012/summary/")
    html = response.content.decode()
    summary = response.context["summary"]
    assert [entry.program.number for entry in summary] == list(range(1, 11))
    for entry in summary:
        assert f'id="program-{entry.program.number}"' in html
    item = summary[0].items[0]
    assert f"{item.item.received} / {item.item.expected}" in html
    assert "Overdue reports:" in html
    assert "download" in html and "/reports/2012/summary.pdf" in html


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated (titles and outlines live in object streams)."""
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(stream))
    return b"\n".join(chunks)


def test_annual_summary_pdf(signed_in_client):
    add_reports(labels=("2012-Q1",), share=0.3, programs=[1, 2])
    response = signed_in_client.get("/reports/2012/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="annual-summary-2012-' in response["Content-Disposition"]  # and the time it was rendered
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    plan = Program.objects.filter(plan__year=2012).first().plan
    assert plan.title.encode() in pdf_text(pdf)


def test_pdf_fetcher_serves_static_files_only():
    from tracking.summary_pdf import StaticFilesFetcher

    fetcher = StaticFilesFetcher("/static/")
    response = fetcher.fetch("http://testserver/static/css/summary-pdf.css")
    assert b"@page" in response.read()
    for url in ["http://example.com/evil.css", "http://testserver/static/css/nope.css", "file:///etc/passwd"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


# --- Query counts: constant whatever the number of reports -------------------------------------------------------
# Every signed-in request starts with 2 queries: the session and the user.

QUERY_COUNTS = [
    # Every page: + 1, the unread count of the header's bell (tracking.context_processors).
    # plan, periods, program statistics of the period and of the year (3 each: programs, their items counted, the
    # grouped figures), status per period, timeline (2), recent reports, the user's profile
    # + 1 on the dashboard and the matrix: the ETag's latest change (tracking.views.conditional)
    ("/plans/2012/?period={q2}", 2 + 13 + 1 + 1),
    # plan, periods, profile and the user's office, reports visible, items, offices, the offices' obligations
    ("/plans/2012/matrix/?period={q2}", 2 + 7 + 1 + 1),
    ("/plans/2012/matrix/?period={q2}&program=2", 2 + 7 + 1 + 1),
    # the user's profile (the role check); program with plan, team; periods; the items, their targets and their
    # departments, the grouped figures
    ("/plans/2012/programs/2/?period={q2}", 2 + 8 + 1),
    # item with program and plan, its departments; periods; profile; the obligations of the period with their
    # visible reports; targets; achieved values; timeline
    ("/plans/2012/items/I.1/?period={q2}", 2 + 7 + 1),
    # office, plan, periods, profile, its visible reports, its obligations with their reports, the items'
    # departments
    ("/offices/Guangdong/?period={q2}", 2 + 8 + 1),
    # department, plan, periods, programs and teams, profile, its visible reports, its obligations, the items'
    # departments, review load
    ("/departments/{pad}/?period={q2}", 2 + 11 + 1),
    # the user's profile (the role check); plan, periods, and annual_summary's: item statistics with targets and
    # departments (3), periods, received reports, offices, participations, programs
    ("/reports/2012/summary/", 2 + 12 + 1),
]


@pytest.mark.parametrize(("url", "queries"), QUERY_COUNTS)
def test_query_count_is_constant(signed_in_client, django_assert_num_queries, url, queries):
    url = url.format(q2=q("2012-Q2").pk, pad=Department.objects.get(name="Patent Administration Department").pk)
    add_reports(labels=("2012-Q2",), share=0.05, programs=[1, 2])
    with django_assert_num_queries(queries):
        assert signed_in_client.get(url).status_code == 200
    add_reports(labels=("2012-Q1", "2012-Q3", "2012"), share=0.9, seed=8)
    with django_assert_num_queries(queries):
        assert signed_in_client.get(url).status_code == 200
