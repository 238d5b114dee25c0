import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command

from participants.models import Department, ProvincialOffice
from programs.models import Plan, Program, WorkItem, WorkItemOffice
from programs.services import FIXTURES_DIR, FixtureError, plan_structure_load

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Department.objects.values_list("name", "name_zh", "kind")),
        list(ProvincialOffice.objects.values_list("short_name", "name", "code")),
        list(WorkItem.objects.values_list("program__number", "number", "title", "text", "office_scope")),
        list(WorkItemOffice.objects.values_list("work_item_id", "office_id", "position")),
    )


def test_second_run_changes_nothing():
    before = snapshot()
    result = plan_structure_load()
    assert not result.changed, result.summary()
    assert snapshot() == before


def test_command_reports_what_it_did(capsys):
    call_command("load_plan")
    assert "created nothing; updated nothing; deleted nothing" in capsys.readouterr().out


@pytest.fixture
def plan_copy(tmp_path):
    """A copy of the 2012 plan file to break."""
    path = tmp_path / "2012.yaml"
    shutil.copy(FIXTURES_DIR / "plans" / "2012.yaml", path)
    return path


def rewrite(path, change):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_unknown_department_names_file_and_record_and_changes_nothing(plan_copy):
    def change(doc):
        doc["programs"][0]["objective"] = "Changed before the error: must be rolled back."
        doc["programs"][1]["work_items"][2]["departments"] = ["Ministry of Nowhere"]

    rewrite(plan_copy, change)
    before = snapshot()
    with pytest.raises(FixtureError) as excinfo:
        plan_structure_load(paths=[plan_copy])
    assert str(plan_copy) in str(excinfo.value)
    assert "programs[1] (program 2).work_items[2] (II.3).departments[0]" in str(excinfo.value)
    assert "Ministry of Nowhere" in str(excinfo.value)
    assert snapshot() == before
    assert Program.objects.get(plan__year=2012, number=1).objective.startswith("Stress the orientation")


def test_invalid_yaml_is_a_clear_command_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("plan: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.yaml: file: is not valid YAML"):
        call_command("load_plan", str(path))


def test_value_refused_by_validation_names_the_record(plan_copy):
    rewrite(plan_copy, lambda doc: doc["programs"][3]["work_items"][1]["targets"][0].update(quantity=0))
    before = snapshot()
    with pytest.raises(FixtureError, match=r"IV\.2\): .*quantity"):
        plan_structure_load(paths=[plan_copy])
    assert snapshot() == before


def test_listed_scope_without_offices_is_refused(plan_copy):
    rewrite(plan_copy, lambda doc: doc["programs"][0]["work_items"][2].update(offices=[]))
    with pytest.raises(FixtureError, match=r"I\.3\): office_scope 'listed' needs"):
        plan_structure_load(paths=[plan_copy])


def test_confirmed_offices_of_a_conditional_item_survive_a_reload(plan_copy):
    item = WorkItem.objects.get(program__plan__year=2012, program__number=6, number=3)
    assert item.office_scope == "conditional"
    WorkItemOffice.objects.create(work_item=item, office=ProvincialOffice.objects.get(short_name="Guangdong"))
    result = plan_structure_load()
    assert not result.changed
    assert list(item.office_links.values_list("office__short_name", flat=True)) == ["Guangdong"]


def test_a_change_in_the_file_is_applied(plan_copy):
    rewrite(plan_copy, lambda doc: doc["plan"].update(title="Amended title"))
    result = plan_structure_load(paths=[plan_copy])
    assert result.updated == {"plans": 1}
    assert Plan.objects.get(year=2012).title == "Amended title"
