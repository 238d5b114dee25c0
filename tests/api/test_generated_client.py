"""A Python client generated from /api/schema/ by openapi-python-client (the generator analysts use) works against
the live server: it creates a token, lists updates with two ordering keys and a list of states, pages through all of
them, reads the statistics, and downloads a CSV (raw response). A schema that says the wrong thing about a response
fails here: the generated client parses every response by what the schema says."""

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command

from tests.helpers import FIELDS, PASSWORD, item, period
from tracking import services
from tracking.demo import demo_accounts_ensure

PACKAGE = "planpromo_client"


@pytest.fixture
def live(transactional_db, live_server, settings, tmp_path):
    """The live server with the plan, the demo accounts and five reports in three states."""
    settings.AXES_ENABLED = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    cache.clear()
    call_command("load_plan", verbosity=0)
    _, users = demo_accounts_ensure(password=PASSWORD)
    reports = []
    for username, code in [("guangdong", "I.1"), ("guangdong", "I.2"), ("hunan", "I.1"), ("tianjin", "I.1"),
                           ("hunan", "I.2")]:  # fmt: skip
        reports.append(
            services.report_create(user=users[username], work_item=item(code), period=period(), fields=FIELDS)
        )
    for report in reports[1:]:
        services.report_submit(report=report, user=users[report.office.short_name.lower()])
    services.report_accept(report=reports[3], user=users["pad"], comment="")
    yield live_server
    cache.clear()


@pytest.fixture
def generated(live, tmp_path):
    """The client, generated into a temporary directory from the live server's schema and imported."""
    schema = tmp_path / "schema.json"
    schema.write_bytes(requests.get(f"{live.url}/api/schema/?format=json", timeout=30).content)
    bin_dir = Path(sys.executable).parent
    generator = shutil.which("openapi-python-client", path=str(bin_dir)) or shutil.which("openapi-python-client")
    assert generator, "openapi-python-client is a dev dependency (pyproject.toml): make setup installs it"
    output = tmp_path / PACKAGE
    # Its post-generation hooks run ruff, from the same environment.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [generator, "generate", "--path", str(schema), "--output-path", str(output), "--meta", "none"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_generated_client_works_against_the_live_server(live, generated):
    from planpromo_client import AuthenticatedClient, Client
    from planpromo_client.api.auth import auth_token_create, auth_tokens_list
    from planpromo_client.api.stats import stats_programs_list, stats_reporting_rates_list
    from planpromo_client.api.updates import updates_list
    from planpromo_client.models import (
        PaginatedProgramStatsList,
        PaginatedReportList,
        TokenRequestRequest,
        TokenResponse,
        UpdatesListOrderingItem,
        UpdatesListStateItem,
    )

    # The token endpoint takes no credentials (the generator still types it for an authenticated client).
    anonymous = Client(base_url=live.url, raise_on_unexpected_status=True)
    body = TokenRequestRequest(username="analyst", password=PASSWORD, name="generated client", expires_in_days=7)
    token = auth_token_create.sync(client=anonymous, body=body)
    assert isinstance(token, TokenResponse), token
    assert token.name == "generated client" and token.expiry is not None

    client = AuthenticatedClient(base_url=live.url, token=token.token, prefix="Token", raise_on_unexpected_status=True)
    [listed] = auth_tokens_list.sync(client=client)
    assert listed.id == token.id and listed.last_used is not None

    seen, page = [], 1
    ordering = [UpdatesListOrderingItem("-submitted_at"), UpdatesListOrderingItem("id")]
    states = [UpdatesListStateItem.SUBMITTED, UpdatesListStateItem.ACCEPTED]
    while True:
        result = updates_list.sync(client=client, ordering=ordering, state=states, page=page, page_size=2)
        assert isinstance(result, PaginatedReportList), result
        seen += result.results
        if not result.next_:
            break
        page += 1
    assert page == 2 and result.count == 4  # the analyst reads the four received reports, not the draft
    assert {r.state for r in seen} == {"submitted", "accepted"}
    submitted = [r.submitted_at for r in seen]
    assert submitted == sorted(submitted, reverse=True)
    assert result.watermark is not None

    programs = stats_programs_list.sync(client=client, year=2012, page_size=100)
    assert isinstance(programs, PaginatedProgramStatsList) and programs.count == 10
    first = next(p for p in programs.results if p.number == 1)
    assert (first.received, first.accepted) == (4, 1)
    [total] = stats_reporting_rates_list.sync(client=client, year=2012)
    assert total.received == 4

    raw = client.get_httpx_client().get(
        "/api/v1/updates/", params=[("format", "csv"), ("state", "submitted"), ("state", "accepted")]
    )
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/csv")
    lines = raw.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,") and len(lines) == 1 + 4
