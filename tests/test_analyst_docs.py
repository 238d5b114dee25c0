"""docs/analyst.md runs: every Python block, in order, in one namespace, and every curl line, against the live server
with the demo data (Programs IV and VII reported on by the demo accounts), as the analyst."""

import contextlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from participants.services import api_token_create
from programs.models import Program, ReportingPeriod
from tracking.demo import demo_accounts_ensure, demo_reports_ensure
from tracking.models import Obligation

DOC = Path(__file__).resolve().parent.parent / "docs" / "analyst.md"
BLOCK = re.compile(r"```(python|sh)\n(.*?)```", re.DOTALL)
from tests.helpers import PASSWORD  # noqa: E402


def blocks(language):
    return [code for lang, code in BLOCK.findall(DOC.read_text()) if lang == language]


@pytest.fixture
def demo(transactional_db, live_server, settings):
    settings.AXES_ENABLED = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    cache.clear()
    call_command("load_plan", verbosity=0)
    _, users = demo_accounts_ensure(password=PASSWORD)
    demo_reports_ensure(users=users, program_numbers=[4, 7])
    _, token = api_token_create(user=users["analyst"], name="docs")
    yield {"PLANPROMO": f"{live_server.url}/api/v1", "TOKEN": token, "USERNAME": "analyst", "PASSWORD": PASSWORD}
    cache.clear()


def test_the_python_examples_run_and_answer(demo, monkeypatch):
    for name, value in demo.items():
        monkeypatch.setenv(name, value)
    namespace, output = {}, io.StringIO()
    assert len(blocks("python")) >= 5
    with contextlib.redirect_stdout(output):
        for code in blocks("python"):
            exec(compile(code, str(DOC), "exec"), namespace)
    # Question 1: the organisations in the answer are exactly those with an open obligation.
    program7 = Program.objects.get(plan__year=2012, number=7)
    q3 = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q3")
    open_obligations = Obligation.objects.filter(work_item__program=program7, period=q3).exclude(
        report__state__in=["submitted", "accepted"]
    )
    assert len(namespace["todo"]) == open_obligations.count() > 0
    # Question 2: one row per period; question 3: the target values pivoted.
    assert list(namespace["rates"]["period_label"]) == ["2012-Q1", "2012-Q2", "2012-Q3", "2012-Q4", "2012"]
    assert not namespace["progress"].empty
    # Question 4: on 30 June, fewer had reported than now (the demo's reports span the year).
    moved = namespace["moved"]
    assert len(moved) == 10
    assert moved["reporting_rate_june_30"].fillna(0).sum() < moved["reporting_rate_now"].fillna(0).sum()
    assert "reports changed since" in output.getvalue()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_lines_run(demo):
    program = Program.objects.get(plan__year=2012, number=7)
    period = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q3")
    env = {**os.environ, **demo, "PROGRAM": str(program.pk), "PERIOD": str(period.pk)}
    for code in blocks("sh"):
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", code], capture_output=True, env=env, timeout=60)
        assert result.returncode == 0, (code, result.stderr.decode())
        assert result.stdout, code
