"""Every page, in Chromium at 1366 and 390 px wide, in English and in Chinese, as the role that uses it:

- no two elements share an id;
- the page itself does not scroll sideways (a wide table scrolls inside its own box);
- in Chinese, none of the plan's English content (plan title, document number, program names, work item titles);
- axe-core finds no WCAG 2.1 A/AA violation (axe is served by the live server from static/vendor/axe-core, which
  `npm run vendor` copies from node_modules: never a CDN).

A screenshot of each page goes to test-artifacts/screenshots/pages/<language>-<width>/<page>.png.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from participants.models import Department
from programs.models import Plan, Program, ReportingPeriod, Target, WorkItem
from tests.browser.helpers import SCREENSHOTS
from tracking import services
from tracking.demo import demo_accounts_ensure

if os.environ.get("CI") != "true":
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = [1366, 390]
LANGUAGES = {"en": "en-US", "zh-hans": "zh-CN"}


@pytest.fixture
def world(plan, settings, tmp_path):
    """Demo accounts; a draft of Guangdong's (to edit) and a submitted report of Guangdong's (for PAD to review)."""
    _, users = demo_accounts_ensure(password="every-page-password")
    q4 = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q4")
    fields = {"status": "on_track", "percent_complete": 40, "summary": "Pilot enterprises chosen."}

    def item(program, number):
        return WorkItem.objects.get(program__plan__year=2012, program__number=program, number=number)

    draft = services.report_create(user=users["guangdong"], work_item=item(4, 3), period=q4, fields=fields)
    submitted = services.report_create(user=users["guangdong"], work_item=item(4, 2), period=q4, fields=fields)
    submitted = services.report_submit(report=submitted, user=users["guangdong"])
    pad = Department.objects.get(name="Patent Administration Department")
    pages = {
        None: [("login", "/accounts/login/")],
        "analyst": [
            ("dashboard", "/plans/2012/"),
            ("program", "/plans/2012/programs/2/"),
            ("work-item", "/plans/2012/items/IV.2/"),
            ("matrix", "/plans/2012/matrix/"),
            ("completeness", "/plans/2012/completeness/"),
            ("dashboard-as-of", "/plans/2012/?as_of=2012-12-31"),
            ("work-item-as-of", "/plans/2012/items/IV.2/?as_of=2012-12-31"),
            ("matrix-as-of", "/plans/2012/matrix/?as_of=2012-12-31"),
            ("completeness-as-of", "/plans/2012/completeness/?as_of=2012-12-31"),
            ("compare", f"/plans/2012/compare/?as_of=2012-12-31&compare={timezone.localdate().isoformat()}"),
            ("summary", "/reports/2012/summary/"),
            ("offices", "/offices/"),
            ("office", "/offices/Guangdong/"),
            ("departments", "/departments/"),
            ("department", f"/departments/{pad.pk}/"),
            ("reports", "/reports/"),
            ("tokens", "/account/tokens/"),
            ("password", "/accounts/password/"),
            ("not-found", "/plans/1999/"),
        ],
        "guangdong": [
            ("my-work-office", "/my-work/"),
            ("report-new", f"/reports/new/?work_item={item(4, 1).pk}&period={q4.pk}"),
            ("report-edit", f"/reports/{draft.pk}/edit/"),
            ("report-own", f"/reports/{draft.pk}/"),
        ],
        "pad": [
            ("my-work-department", "/my-work/"),
            ("review-queue", "/review/"),
            ("report-review", f"/reports/{submitted.pk}/"),
        ],
    }
    return users, pages


def english_plan_content():
    plan = Plan.objects.get(year=2012)
    texts = [plan.title_en, plan.document_number_en, plan.issuing_body_en]
    texts += [p.name_en for p in Program.objects.filter(plan=plan)]
    texts += [w.title_en for w in WorkItem.objects.filter(program__plan=plan)]
    texts += [t.description_en for t in Target.objects.filter(work_item__program__plan=plan)]
    texts += [t.source for t in Target.objects.filter(work_item__program__plan=plan) if t.source]  # circular's words
    return texts


def sign_in(context, user, live_server):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


CHECKS = r"""(english) => {
    const ids = {};
    for (const element of document.querySelectorAll('[id]')) ids[element.id] = (ids[element.id] || 0) + 1;
    const text = document.body.innerText;
    const width = document.documentElement.clientWidth;
    // What widens the page: the outermost elements past its right edge that no scrolling box clips.
    const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
    const clipped = (e) => {
        for (let a = e.parentElement; a; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
    };
    const wide = [...document.body.querySelectorAll('*')].filter(
        e => e.getBoundingClientRect().right > width + 0.5 && !clipped(e));
    const outermost = wide.filter(e => !wide.includes(e.parentElement)).slice(0, 4);
    return {
        wide: document.documentElement.scrollWidth > width
            ? outermost.map(e => `${name(e)} (${Math.round(e.getBoundingClientRect().right)}px)`) : [],
        duplicate_ids: Object.keys(ids).filter(id => ids[id] > 1),
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        english: english.filter(t => text.includes(t)),
    };
}"""
AXE_RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    const where = (v) => v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ');
    return result.violations.map(v => `${v.id} (${v.impact}): ${where(v)}`);
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page(browser, live_server, world, language, width):
    assert AXE.exists(), "static/vendor/axe-core/axe.min.js is missing: npm install && npm run vendor"
    users, pages = world
    english = english_plan_content() if language != "en" else []
    folder = SCREENSHOTS / "pages" / f"{language}-{width}"
    folder.mkdir(parents=True, exist_ok=True)
    problems = {}
    for username, entries in pages.items():
        context = browser.new_context(
            base_url=live_server.url, locale=LANGUAGES[language], viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(20_000)
        if username:
            sign_in(context, users[username], live_server)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        for name, url in entries:
            page.goto(url, wait_until="networkidle")
            found = page.evaluate(CHECKS, english)
            page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            shown_in = page.evaluate("document.documentElement.lang")
            wrong = {
                key: value
                for key, value in {
                    **found,
                    "axe": violations,
                    "script errors": list(errors),
                    "language": shown_in if shown_in != language else None,
                }.items()
                if value and value != 0
            }
            if found["overflow"] <= 0:
                wrong.pop("overflow", None)
            if wrong:
                problems[f"{name} {url}"] = wrong
            errors.clear()
        context.close()
    if problems:
        pytest.fail("\n".join(f"{where}: {what}" for where, what in problems.items()), pytrace=False)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_ask_nothing_of_another_origin(page, live_server, url):
    """Swagger UI and Redoc run from this origin (drf-spectacular-sidecar): no script, font or style from a CDN.
    Redoc's bundle holds one link to another origin, the Redocly logo of its "API docs by Redocly" footer: the
    Content-Security-Policy (img-src 'self') refuses it, so nothing reaches the network, and it is the one message
    the console may show."""
    answered = []
    page.on("response", lambda response: answered.append(response.url))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)  # Redoc renders after loading the schema
    assert answered and [r for r in answered if not r.startswith(live_server.url)] == []
    refused_logo = [e for e in page.console_errors if "https://cdn.redoc.ly/redoc/logo-mini.svg" in e]
    assert [e for e in page.console_errors if e not in refused_logo] == []
    assert page.locator("redoc, #swagger-ui").count() == 1
