"""Every model's admin pages render for an administrator, with a constant number of queries."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label in {"participants", "programs", "tracking"}]


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_change_form_render(admin_client, model):
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert response.status_code == 200


def test_admin_shows_the_plan(admin_client):
    response = admin_client.get(reverse("admin:programs_workitem_changelist"), {"q": "patent utilization system"})
    assert "II.3 Explore the setup of a patent utilization system" in response.content.decode()
    response = admin_client.get(reverse("admin:programs_program_changelist"))
    assert "10 programs" in response.content.decode()
    response = admin_client.get(reverse("admin:programs_workitem_changelist"))
    assert "34 work items" in response.content.decode()


def test_department_autocomplete(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Documentation",
            "app_label": "programs",
            "model_name": "workitemdepartment",
            "field_name": "department",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Patent Documentation Department"]


def test_work_item_changelist_queries_are_constant(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:programs_workitem_changelist"))


def _work_item_form(admin_client, work_item):
    """The change form's data as the browser would post it back, unchanged."""
    response = admin_client.get(reverse("admin:programs_workitem_change", args=[work_item.pk]))
    form = response.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["program"] = work_item.program_id
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{name}"] = management.initial.get(name, management[name].value())
        for index, inline in enumerate(formset.formset.forms):
            for name, value in inline.initial.items():
                if value is not None:
                    data[f"{prefix}-{index}-{name}"] = getattr(value, "pk", value)
            data[f"{prefix}-{index}-id"] = inline.instance.pk
            data[f"{prefix}-{index}-work_item"] = work_item.pk
    return data


def test_confirming_an_office_in_the_admin_creates_its_obligations(admin_client):
    from participants.models import ProvincialOffice
    from programs.models import WorkItem
    from tracking.models import Obligation

    vi3 = WorkItem.objects.get(program__plan__year=2012, program__number=6, number=3)
    hubei = ProvincialOffice.objects.get(short_name="Hubei")
    data = _work_item_form(admin_client, vi3)
    data["office_links-TOTAL_FORMS"] = int(data["office_links-TOTAL_FORMS"]) + 1
    new = int(data["office_links-TOTAL_FORMS"]) - 1
    data[f"office_links-{new}-office"] = hubei.pk
    data[f"office_links-{new}-work_item"] = vi3.pk
    response = admin_client.post(reverse("admin:programs_workitem_change", args=[vi3.pk]), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Obligation.objects.filter(work_item=vi3, office=hubei).count() == 5


def test_removing_a_reported_office_in_the_admin_is_refused_with_a_message(admin_client):
    from participants.models import ProvincialOffice
    from programs.models import ReportingPeriod, WorkItem
    from tracking import services
    from tracking.demo import demo_accounts_ensure
    from tracking.models import Obligation

    _, users = demo_accounts_ensure(password="pw-for-tests-only")
    i3 = WorkItem.objects.get(program__plan__year=2012, program__number=1, number=3)
    services.report_create(
        user=users["tianjin"],
        work_item=i3,
        period=ReportingPeriod.objects.get(label="2012-Q1"),
        fields={"summary": "Started.", "status": "on_track", "percent_complete": 10},
    )
    tianjin = ProvincialOffice.objects.get(short_name="Tianjin")
    data = _work_item_form(admin_client, i3)
    index = next(key.split("-")[1] for key, value in data.items() if key.endswith("-office") and value == tianjin.pk)
    data[f"office_links-{index}-DELETE"] = "on"
    response = admin_client.post(reverse("admin:programs_workitem_change", args=[i3.pk]), data)
    assert response.status_code == 200
    assert "Tianjin has already reported on this work item" in response.content.decode()
    assert Obligation.objects.filter(work_item=i3, office=tianjin).count() == 5
