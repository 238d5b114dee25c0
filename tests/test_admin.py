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
