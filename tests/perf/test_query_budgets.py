"""Query budgets: every API list and every page runs the same number of SQL queries whatever the amount of data.

Each view is requested at a small size (the 2012 plan and a few hundred reports) and again at a larger one (a
second plan-year, more offices on its items, thousands of reports, all made by tracking.generate); the counts
must be equal. A new list or page gets a row in API_LISTS or PAGES; `test_every_page_has_a_budget` fails until
it has one. The query counts themselves are pinned next to the views (tests/ui, tests/programs/api): here only
their constancy is checked, so that a change of a view's queries does not have to be repeated in two places.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from participants.models import Department, ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tracking import generate
from tracking.choices import ReportState
from tracking.models import Report

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class View:
    name: str
    url: str  # formatted with the ids of `ids()`
    user: str = "admin"  # whose view: admin (every report), analyst (published ones), office (its own and published)
    status: int = 200


API_LISTS = [
    View("plans", "/api/v1/plans/"),
    View("departments", "/api/v1/departments/"),
    View("offices", "/api/v1/offices/"),
    View("programs", "/api/v1/programs/"),
    View("programs of a year", "/api/v1/programs/?year=2012"),
    View("work items", "/api/v1/work-items/"),
    View("work items of a year", "/api/v1/work-items/?year=2012"),
    View("work items of an office", "/api/v1/work-items/?office={office}"),
    View("periods", "/api/v1/periods/"),
    View("updates", "/api/v1/updates/"),
    View("updates (analyst)", "/api/v1/updates/", user="analyst"),
    View("updates (office reporter)", "/api/v1/updates/", user="office"),
    View("updates of a year, 100 a page", "/api/v1/updates/?year=2012&page_size=100"),
    View("updates of an office", "/api/v1/updates/?year=2012&office={office}"),
    View("updates by status", "/api/v1/updates/?year=2012&status=on_track"),
    View("updates by state", "/api/v1/updates/?state=accepted&state=submitted"),
    View("updates of a period", "/api/v1/updates/?period={period}"),
    View("updates of an item", "/api/v1/updates/?work_item={item}"),
    View(
        "updates submitted in a range",
        "/api/v1/updates/?submitted_after=2012-01-01T00:00Z&submitted_before=2013-01-01T00:00Z",
    ),
    View("updates ordered", "/api/v1/updates/?ordering=-updated_at"),
    View("stats: programs", "/api/v1/stats/programs/?year=2012"),
    View("stats: offices", "/api/v1/stats/offices/?year=2012"),
    View("stats: work items", "/api/v1/stats/work-items/?year=2012"),
    View("stats: timeline", "/api/v1/stats/timeline/?year=2012"),
    View(
        "stats: reporting rates by office and period", "/api/v1/stats/reporting-rates/?year=2012&group_by=office,period"
    ),
    View("obligations of a year", "/api/v1/obligations/?year=2012"),
    View("obligations overdue of an office", "/api/v1/obligations/?office={office}&overdue=true"),
    View(
        "obligations missing of a period (analyst)",
        "/api/v1/obligations/?period={period}&state=missing",
        user="analyst",
    ),
    View("stats: programs, all years", "/api/v1/stats/programs/"),
    View("stats: work items on a date", "/api/v1/stats/work-items/?year=2012&as_of=2012-06-30"),
    View("stats: timeline on a date", "/api/v1/stats/timeline/?year=2012&as_of=2012-06-30"),
    View("obligations of a year on a date", "/api/v1/obligations/?year=2012&as_of=2012-06-30"),
    View(
        "obligations overdue of an office on a date (office reporter)",
        "/api/v1/obligations/?office={office}&overdue=true&as_of=2012-06-30",
        user="office",
    ),
    View("updates of a period for people (XLSX)", "/api/v1/updates/?period={period}&format=xlsx&layout=people"),
    View("updates of a period by target (CSV)", "/api/v1/updates/?period={period}&format=csv&layout=long"),
    View("notifications", "/api/v1/notifications/"),
    View("notifications unread", "/api/v1/notifications/?unread=true", user="office"),
]

# Pages by URL name (namespace:name), with the URL to request: every page of the site has one. Ids in braces come
# from `ids()`. A page whose name is not in the URLs (yet, or any more) is left out.
PAGES = {
    "home": View("home", "/", status=302),  # to the current plan
    "programs:office_list": View("offices", "/offices/"),
    "programs:department_list": View("departments", "/departments/"),
    "tracking:dashboard": View("plan dashboard", "/plans/2012/"),
    "tracking:matrix": View("participation matrix", "/plans/2012/matrix/"),
    "tracking:matrix_current": View("participation matrix, current plan", "/matrix/", status=302),
    "tracking:program_detail": View("program progress", "/plans/2012/programs/2/"),
    "tracking:workitem_detail": View("work item progress", "/plans/2012/items/II.3/"),
    "tracking:office_detail": View("office progress", "/offices/Guangdong/"),
    "tracking:department_detail": View("department progress", "/departments/{department}/"),
    "tracking:annual_summary": View("annual summary", "/reports/2012/summary/"),
    "tracking:completeness": View("completeness", "/plans/2012/completeness/"),
    "tracking:completeness_current": View("completeness, current plan", "/completeness/", status=302),
    "tracking:dashboard (as_of)": View("plan dashboard on a date", "/plans/2012/?as_of=2012-06-30"),
    "tracking:matrix (as_of)": View("participation matrix on a date", "/plans/2012/matrix/?as_of=2012-06-30"),
    "tracking:workitem_detail (as_of)": View("work item on a date", "/plans/2012/items/II.3/?as_of=2012-06-30"),
    "tracking:completeness (as_of)": View("completeness on a date", "/plans/2012/completeness/?as_of=2012-06-30"),
    "tracking:compare": View("compare two dates", "/plans/2012/compare/?as_of=2012-06-30&compare=2012-12-31"),
    "tracking:summary_current": View("annual summary, current plan", "/summary/", status=302),
    "tracking:my_work": View("my work (office reporter)", "/my-work/", user="office"),
    "tracking:report_list": View("reports", "/reports/"),
    "tracking:report_list (office)": View("reports (office reporter)", "/reports/", user="office"),
    "tracking:report_detail": View("report", "/reports/{report}/"),
    "tracking:report_edit": View("report form", "/reports/{report}/edit/"),
    "tracking:report_create": View("new report form", "/reports/new/", user="office"),
    "tracking:report_import": View("import page (office reporter)", "/reports/import/", user="office"),
    "tracking:review_queue": View("review queue", "/review/"),
    "participants:tokens": View("API tokens", "/account/tokens/"),
    "tracking:notification_list": View("notifications", "/notifications/", user="office"),
    "tracking:notification_preferences": View("notification preferences", "/notifications/preferences/"),
}
# URL names that are not pages with data (or are covered elsewhere): forms that only POST, redirects, files, probes.
NOT_PAGES = {
    "login",
    "logout",
    "password_change",
    "set_language",
    "healthz",
    "readyz",
    "favicon",  # a redirect to the static icon
    "api-schema",
    "api-docs",
    "api-redoc",
    "tracking:report_submit",
    "tracking:report_accept",
    "tracking:report_return",
    "tracking:attachment_delete",
    "tracking:annual_summary_pdf",  # a file: its queries are the summary page's
    "participants:token_revoke",
    "tracking:notification_read",
    "tracking:notification_read_all",
}


def ids() -> dict:
    return {
        "office": ProvincialOffice.objects.get(short_name="Guangdong").pk,
        "department": Department.objects.get(name="Patent Administration Department").pk,
        "period": ReportingPeriod.objects.get(label="2012-Q2").pk,
        "item": WorkItem.objects.get(program__plan__year=2012, program__number=1, number=1).pk,
        # An open report the admin may read and edit: the first draft.
        "report": Report.objects.filter(state=ReportState.DRAFT).order_by("pk").values_list("pk", flat=True).first(),
    }


def page_names(patterns=None, namespace="") -> set[str]:
    """Every named URL outside the admin and the API, as namespace:name."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or str(pattern.pattern).startswith("api/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= page_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def page_name(key: str) -> str:
    return key.split(" ", 1)[0]  # "tracking:report_list (office)" is the page tracking:report_list


def test_every_page_has_a_budget():
    missing = page_names() - {page_name(key) for key in PAGES} - NOT_PAGES
    assert not missing, f"pages without a query budget: add them to PAGES in {__name__}: {sorted(missing)}"


def clients(accounts: generate.Accounts) -> dict:
    from tests.factories import UserFactory

    users = {
        "admin": accounts.admin,
        "analyst": UserFactory(username="budget-analyst", profile__role="analyst"),
        "office": accounts.office[ids()["office"]],
    }
    api, pages = {}, {}
    for key, user in users.items():
        api[key] = APIClient()
        api[key].force_authenticate(user)
        pages[key] = Client()
        pages[key].force_login(user)
    return {"api": api, "pages": pages}


def count_queries(client, url: str, status: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return len(queries)


def measure(views: list[tuple[str, View]], clients_by_kind: dict) -> dict[str, int]:
    known = ids()
    return {
        f"{kind} {view.name} ({view.url})": count_queries(
            clients_by_kind[kind][view.user], view.url.format(**known), view.status
        )
        for kind, view in views
    }


def test_queries_do_not_grow_with_the_data():
    accounts = generate.accounts_ensure()
    # Small: the 2012 plan, a few hundred reports.
    generate.reports_generate(years=[2012], count=300, seed=1, accounts=accounts)
    by_kind = clients(accounts)
    views = [("api", view) for view in API_LISTS]
    names = page_names()
    views += [("pages", view) for key, view in PAGES.items() if page_name(key) in names]
    small = measure(views, by_kind)

    # Larger: a broader second plan-year with its own reports, and many more reports on 2012.
    generate.plan_year_copy(year=2013, seed=1, breadth=0.5, admin=accounts.admin)
    generate.reports_generate(years=[2012, 2013], count=2_500, seed=2, accounts=accounts)
    large = measure(views, by_kind)

    grown = {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    assert not grown, "queries grow with the data (view: small → large):\n" + "\n".join(
        f"  {name}: {before} → {after}" for name, (before, after) in grown.items()
    )
