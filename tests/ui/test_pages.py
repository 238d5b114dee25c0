"""The plan-structure pages and the account pages, through the Django test client: who may see them, what they
show, and how many queries they run."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from participants.models import Department, ProvincialOffice
from programs.choices import OfficeScope
from programs.models import Program, WorkItem, WorkItemDepartment, WorkItemOffice
from tests.factories import WorkItemFactory
from tests.oracles import department_items, office_items
from tracking.obligations import obligations_sync

pytestmark = pytest.mark.django_db

PAGES = [
    "/plans/2012/",
    "/plans/2012/programs/2/",
    "/plans/2012/items/II.3/",
    "/offices/",
    "/offices/Guangdong/",
    "/departments/",
]


def office_links(html: str) -> set[str]:
    return {unquote(name) for name in re.findall(r'href="/offices/([^/"]+)/(?:\?[^"]*)?"', html)}


def item_links(html: str) -> set[str]:
    return set(re.findall(r'href="/plans/2012/items/([^/"]+)/(?:\?[^"]*)?"', html))


@pytest.mark.parametrize("url", [*PAGES, "/departments/1/", "/accounts/password/", "/"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_for_signed_in_user(signed_in_client, url):
    response = signed_in_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>[^<]+ · Plan Tracker</title>", html)
    assert 'aria-label="Breadcrumbs"' in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize("url", [*PAGES, "/accounts/login/", "/accounts/password/"])
def test_page_has_no_inline_script_or_style(client, user, url):
    """The CSP allows scripts and styles from 'self' only: an inline one would be blocked in production."""
    if url != "/accounts/login/":
        client.force_login(user)
    html = client.get(url).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no event handler attributes either


def test_home_redirects_to_current_plan(signed_in_client):
    response = signed_in_client.get("/")
    assert response.status_code == 302
    assert response.url == "/plans/2012/"


def test_plan_overview_lists_the_ten_programs(signed_in_client):
    # The dashboard (tracking/pages.py) serves the plan's page: tests/ui/test_pages_dashboard.py has the rest.
    html = signed_in_client.get("/plans/2012/").content.decode()
    links = re.findall(r'href="/plans/2012/programs/(\d+)/(?:\?[^"]*)?"', html)
    assert links == [str(n) for n in range(1, 11)]
    assert "Patent Quality Enhancement" in html or Program.objects.get(plan__year=2012, number=1).name in html


def test_program_page_shows_objective_team_and_items(signed_in_client):
    program = Program.objects.with_team().get(plan__year=2012, number=2)
    html = signed_in_client.get("/plans/2012/programs/2/").content.decode()
    assert program.objective.split("\n")[0][:60] in html
    for department in program.lead_departments + program.participant_departments:
        assert f'href="/departments/{department.pk}/"' in html
    assert item_links(html) == {f"II.{n}" for n in range(1, 6)}


def test_work_item_page_shows_listed_offices(signed_in_client, item):
    html = signed_in_client.get("/plans/2012/items/II.3/").content.decode()
    assert item.text.split("\n")[0][:60] in html
    assert office_links(html) == {"Beijing", "Tianjin", "Shanghai", "Guangdong", "Chongqing"}
    for department in item.responsible_departments:
        assert f'href="/departments/{department.pk}/"' in html


def test_work_item_page_resolves_scope_all_to_every_office(signed_in_client):
    html = signed_in_client.get("/plans/2012/items/I.1/").content.decode()
    assert office_links(html) == set(ProvincialOffice.objects.values_list("short_name", flat=True))
    assert "32 offices" in html


def test_work_item_page_shows_confirmed_offices_of_a_conditional_item(signed_in_client, user):
    item = WorkItem.objects.get(program__plan__year=2012, program__number=6, number=3)
    assert item.office_scope == OfficeScope.CONDITIONAL
    html = signed_in_client.get("/plans/2012/items/VI.3/").content.decode()
    assert office_links(html) == set()
    assert "No office has been confirmed" in html
    WorkItemOffice.objects.create(work_item=item, office=ProvincialOffice.objects.get(short_name="Hubei"))
    obligations_sync(plan=item.program.plan)  # as the admin does on a confirmation
    html = signed_in_client.get("/plans/2012/items/VI.3/").content.decode()
    assert office_links(html) == {"Hubei"}


def test_work_item_page_shows_targets(signed_in_client):
    item = WorkItem.objects.get(program__plan__year=2012, program__number=4, number=3)
    html = signed_in_client.get("/plans/2012/items/IV.3/").content.decode()
    for target in item.targets.all():
        assert target.description in html
        assert f"{target.quantity:,}" in html


@pytest.mark.parametrize("code", ["IIII.3", "II.99", "XL.1"])
def test_unknown_work_item_is_404(signed_in_client, code):
    assert signed_in_client.get(f"/plans/2012/items/{code}/").status_code == 404


def test_unknown_plan_program_office_department_are_404(signed_in_client):
    assert signed_in_client.get("/plans/1999/").status_code == 404
    assert signed_in_client.get("/plans/2012/programs/11/").status_code == 404
    assert signed_in_client.get("/offices/Atlantis/").status_code == 404
    assert signed_in_client.get("/departments/999999/").status_code == 404


def test_office_page_lists_exactly_the_items_of_the_office(signed_in_client, guangdong):
    html = signed_in_client.get("/offices/Guangdong/").content.decode()
    expected = {item.code for item in office_items(guangdong)}
    assert item_links(html) == expected
    assert "VIII.1" not in expected  # Tianjin and Chongqing only: a leak of another office's item would show
    assert "Guangdong Intellectual Property Office" in html


def test_office_list_counts_items(signed_in_client):
    html = signed_in_client.get("/offices/").content.decode()
    assert office_links(html) == set(ProvincialOffice.objects.values_list("short_name", flat=True))
    # Tianjin: the 7 items of scope `all` and the 25 that list it.
    row = re.search(r'href="/offices/Tianjin/".*?<td class="num">(\d+)</td>', html, re.S)
    tianjin = ProvincialOffice.objects.get(short_name="Tianjin")
    assert int(row.group(1)) == len(office_items(tianjin))


def test_department_page_lists_programs_and_items(signed_in_client):
    department = Department.objects.get(name="Legal Affairs Department")
    html = signed_in_client.get(f"/departments/{department.pk}/").content.decode()
    expected = {i.code for i in department_items(department)}
    assert item_links(html) == expected
    programs = Program.objects.filter(plan__year=2012).for_department(department)
    assert set(re.findall(r'href="/plans/2012/programs/(\d+)/"', html)) >= {str(p.number) for p in programs}


def test_department_list_links_every_department(signed_in_client):
    html = signed_in_client.get("/departments/").content.decode()
    pks = {int(pk) for pk in re.findall(r'href="/departments/(\d+)/"', html)}
    assert pks == set(Department.objects.values_list("pk", flat=True))


# --- Query counts: each page runs a fixed number of queries whatever the size of the plan -------------------------
# Every signed-in request starts with 2: the session and the user.


def grow_plan():
    """Add 20 work items of every scope to program II of 2012, each with a department and offices."""
    program = Program.objects.get(plan__year=2012, number=2)
    department = Department.objects.get(name="Legal Affairs Department")
    offices = list(ProvincialOffice.objects.all()[:3])
    for n in range(20):
        scope = OfficeScope.LISTED if n % 2 else OfficeScope.ALL
        item = WorkItemFactory(program=program, number=50 + n, office_scope=scope)
        WorkItemDepartment.objects.create(work_item=item, department=department, position=1)
        if scope == OfficeScope.LISTED:
            for position, office in enumerate(offices, start=1):
                WorkItemOffice.objects.create(work_item=item, office=office, position=position)
    obligations_sync(plan=program.plan)  # as the admin does after such changes


# The plan, program, work item, office and department pages show report progress and are counted with the
# reports in tests/ui/test_pages_progress.py.
QUERY_COUNTS = [
    # the profile (the role rule), plan, offices with the count of the items of their obligations; the bell's count
    ("/offices/", 3 + 2 + 1),
    # the profile (the role rule), plan, departments with counts; the bell's count
    ("/departments/", 3 + 2 + 1),
]


@pytest.mark.parametrize(("url", "queries"), QUERY_COUNTS)
def test_query_count_is_constant(signed_in_client, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert signed_in_client.get(url).status_code == 200
    grow_plan()
    with django_assert_num_queries(queries):
        assert signed_in_client.get(url).status_code == 200
