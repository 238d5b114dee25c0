"""The annual summary PDF (red-team finding 2): rendered once per plan, language and data version by a task, served
from the last rendering with its time, refreshed in the background when the data changed, and a per-user limit on
renderings. The tests run tasks with Django's immediate backend, or the dummy one to see what was queued."""

import pytest
from django.core.cache import cache
from django.tasks import default_task_backend
from django.test import override_settings

from tracking import services
from tracking.summary_pdf import render_annual_summary, rendering_key

pytestmark = pytest.mark.django_db

URL = "/reports/2012/summary.pdf"
QUEUED_ONLY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def as_tianjin(client, accounts):
    client.force_login(accounts["tianjin"])
    return client


def test_the_pdf_is_rendered_once_for_a_data_version_and_served_with_its_time(as_tianjin):
    first = as_tianjin.get(URL)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    rendered = cache.get(rendering_key(2012, "en"))
    assert rendered["pdf"] == first.content
    assert "Last-Modified" in first and first["Content-Disposition"].startswith('attachment; filename="annual-summary')
    again = as_tianjin.get(URL)
    assert again.content == first.content and again["Last-Modified"] == first["Last-Modified"]
    assert cache.get(rendering_key(2012, "en"))["rendered_at"] == rendered["rendered_at"]  # not rendered again


def test_each_language_has_its_rendering(as_tianjin):
    as_tianjin.get(URL)
    as_tianjin.get(URL, headers={"accept-language": "zh-hans"})
    assert cache.get(rendering_key(2012, "zh-hans"))["pdf"] != cache.get(rendering_key(2012, "en"))["pdf"]


def test_changed_data_serves_the_last_rendering_at_once_and_queues_a_new_one(as_tianjin, make_report, accounts):
    first = as_tianjin.get(URL)
    report = make_report()
    services.report_submit(report=report, user=accounts["guangdong"])
    with override_settings(TASKS=QUEUED_ONLY):
        default_task_backend.clear()
        stale = as_tianjin.get(URL)
        again = as_tianjin.get(URL)
        queued = [result.task.func for result in default_task_backend.results]
    assert stale.status_code == 200 and stale.content == first.content  # no waiting for the new rendering
    assert again.content == first.content
    assert queued == [render_annual_summary.func]  # queued once, not once per request


def test_without_any_rendering_the_user_is_told_it_is_being_prepared(as_tianjin):
    with override_settings(TASKS=QUEUED_ONLY):
        default_task_backend.clear()
        response = as_tianjin.get(URL)
        assert len(default_task_backend.results) == 1
    assert response.status_code == 202
    assert int(response["Retry-After"]) > 0
    assert "being prepared" in response.content.decode()


def test_renderings_a_user_causes_are_limited(as_tianjin, make_report, accounts, settings):
    settings.SUMMARY_RENDERS_PER_USER = "2/hour"
    statuses = []
    with override_settings(TASKS=QUEUED_ONLY):
        for label in ("2012-Q1", "2012-Q2", "2012-Q3"):
            statuses.append(as_tianjin.get(URL).status_code)
            make_report(label=label)  # a new data version each time
    assert statuses == [202, 202, 429]
