"""Guardian grants equal the assignments, whatever changed them: the campaign import (new tasks,
then a re-import that adds, demotes and removes units), the admin (the task page's assignment
rows, the assignment pages, deleting tasks and assignments), the demo. They are derived in one
service, tasks/assignments.py, and nowhere else."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.access import LEAD, REPORT
from demo.loader import office_staff_group
from tasks.assignments import assignment_add, assignment_remove, assignments_set
from tasks.campaign_import.services import CampaignImportError, campaign_import
from tasks.models import Task, TaskAssignment, TaskGroupObjectPermission

from ..factories import TaskFactory, UnitFactory
from ..sheets import info_for, task, workbook_bytes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def grants() -> set[tuple[int, int, str]]:
    """(unit, task, codename) of every object permission guardian holds on tasks."""
    return set(
        TaskGroupObjectPermission.objects.values_list("group__unit", "content_object_id", "permission__codename")
    )


def implied() -> set[tuple[int, int, str]]:
    """What the assignments imply: `report_task` for every assigned unit, `lead_task` for leads."""
    rows = set()
    for unit_id, task_id, role in TaskAssignment.objects.values_list("unit_id", "task_id", "role"):
        rows.add((unit_id, task_id, REPORT))
        if role == TaskAssignment.Role.LEAD:
            rows.add((unit_id, task_id, LEAD))
    return rows


def assert_grants_equal_assignments():
    assert grants() == implied()


def units_of(number: str, code: str) -> dict[str, str]:
    found = TaskAssignment.objects.filter(task__campaign__code=code, task__number=number)
    return dict(found.values_list("unit__name", "role"))


# ---- the campaign import -------------------------------------------------------------------------


def test_grants_follow_a_campaign_import_and_its_reimport(unit_directory):
    rows = [
        task("1", lead="区政府办公室、区发展和改革局", support="区财政局"),
        task("2", lead="区审计局"),
    ]
    campaign_import(workbook_bytes(rows), code="grants")
    assert units_of("1", "grants") == {"区政府办公室": "lead", "区发展和改革局": "lead", "区财政局": "support"}
    assert implied()
    assert_grants_equal_assignments()

    # 区审计局 joins task 1, 区政府办公室 becomes a supporting unit, 区财政局 leaves it.
    rows[0] = task("1", lead="区发展和改革局", support="区政府办公室、区审计局")
    campaign_import(workbook_bytes(rows), code="grants")
    assert units_of("1", "grants") == {"区发展和改革局": "lead", "区政府办公室": "support", "区审计局": "support"}
    assert_grants_equal_assignments()

    # A dry run and a refused import change neither.
    before = grants()
    campaign_import(workbook_bytes([task("1", lead="区财政局"), rows[1]]), code="grants", dry_run=True)
    with pytest.raises(CampaignImportError):
        campaign_import(workbook_bytes([task("1", lead="区财政局"), task("2", lead="无此单位")]), code="grants")
    assert grants() == before
    assert_grants_equal_assignments()


def grant_queries(count: int, code: str) -> int:
    rows = [task(str(number), lead="区政府办公室", support="区财政局") for number in range(1, count + 1)]
    with CaptureQueriesContext(connection) as queries:
        campaign_import(workbook_bytes(rows, info=info_for(code)), code=code)
    assert Task.objects.filter(campaign__code=code).count() == count
    return sum("tasks_taskgroupobjectpermission" in query["sql"] for query in queries.captured_queries)


def test_an_import_derives_the_grants_of_all_its_tasks_at_once(unit_directory):
    # One read of the grants held and one insert, for 3 tasks as for 30: not a sync per row.
    assert grant_queries(3, "few") == grant_queries(30, "many") == 2
    assert_grants_equal_assignments()


# ---- the services ---------------------------------------------------------------------------------


def test_the_assignment_services_keep_the_grants(db):
    first, second = TaskFactory(), TaskFactory()
    lead, support = UnitFactory(), UnitFactory()
    assignment_add(task=first, unit=lead, role="lead")
    assignment_add(task=first, unit=support, role="support")
    assignment_add(task=second, unit=support, role="lead")
    assert_grants_equal_assignments()
    assignment_add(task=first, unit=lead, role="support")
    assert_grants_equal_assignments()
    assignments_set(task=second, wanted=[(lead, "lead", 0), (support, "support", 1)])
    assert_grants_equal_assignments()
    assignment_remove(task=first, unit=support)
    assignment_remove(task=first, unit=support)  # not on it any more: nothing to do
    assert_grants_equal_assignments()
    assert (support.pk, first.pk, REPORT) not in grants() and (lead.pk, second.pk, LEAD) in grants()


# ---- the admin ------------------------------------------------------------------------------------


@pytest.fixture
def staff(client, reporting):
    """The demo office account's rights: staff in the office staff group, who keep tasks in the admin."""
    user = reporting.office
    user.is_staff = True
    user.save()
    user.groups.add(office_staff_group())
    client.force_login(user)
    return user


def _form_data(page) -> dict:
    """A change page's form as the browser posts it untouched: the object's fields and every
    inline row, with the management forms."""
    data = {}

    def put(form):
        for name in form.fields:
            field = form[name]
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [getattr(item, "pk", item) for item in value]
            else:
                value = getattr(value, "pk", value)
            data[field.html_name] = value

    put(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    return data


def test_grants_follow_the_task_pages_assignment_rows(client, reporting, staff):
    r = reporting
    url = reverse("admin:tasks_task_change", args=[r.task.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = _form_data(page)
    rows = {data[f"assignments-{index}-unit"]: index for index in range(int(data["assignments-TOTAL_FORMS"]))}
    # The supporting unit now leads, the lead unit leaves, the other unit joins in support.
    data[f"assignments-{rows[r.support.pk]}-role"] = "lead"
    data[f"assignments-{rows[r.lead.pk]}-DELETE"] = "on"
    new = int(data["assignments-TOTAL_FORMS"])
    data.update({
        f"assignments-{new}-unit": r.other.pk, f"assignments-{new}-role": "support",
        f"assignments-{new}-sort_order": 5, f"assignments-{new}-task": r.task.pk, "assignments-TOTAL_FORMS": new + 1,
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert units_of("1", r.campaign.code) == {r.support.name: "lead", r.other.name: "support"}
    assert_grants_equal_assignments()
    assert (r.lead.pk, r.task.pk, REPORT) not in grants() and (r.support.pk, r.task.pk, LEAD) in grants()
    # The change is in the assignments' history, by the staff member who made it.
    added = TaskAssignment.objects.get(task=r.task, unit=r.other)
    assert added.history.get().history_user == staff


def test_grants_follow_the_assignment_pages(client, reporting, staff):
    r = reporting
    assignment = TaskAssignment.objects.get(task=r.task, unit=r.support)
    # Moved to the other task, as its lead: both tasks' grants follow.
    url = reverse("admin:tasks_taskassignment_change", args=[assignment.pk])
    response = client.post(url, {"task": r.other_task.pk, "unit": r.support.pk, "role": "lead", "sort_order": 1})
    assert response.status_code == 302
    assert (r.support.pk, r.task.pk, REPORT) not in grants() and (r.support.pk, r.other_task.pk, LEAD) in grants()
    assert_grants_equal_assignments()
    response = client.post(
        reverse("admin:tasks_taskassignment_add"),
        {"task": r.task.pk, "unit": r.other.pk, "role": "support", "sort_order": 2},
    )
    assert response.status_code == 302
    assert_grants_equal_assignments()

    # Deleted one by one, and several at once from the list.
    response = client.post(reverse("admin:tasks_taskassignment_delete", args=[assignment.pk]), {"post": "yes"})
    assert response.status_code == 302 and not TaskAssignment.objects.filter(pk=assignment.pk).exists()
    assert_grants_equal_assignments()
    several = list(TaskAssignment.objects.filter(task=r.task).values_list("pk", flat=True))
    response = client.post(
        reverse("admin:tasks_taskassignment_changelist"),
        {"action": "delete_selected", "_selected_action": several, "post": "yes"},
    )
    assert response.status_code == 302 and not TaskAssignment.objects.filter(task=r.task).exists()
    assert (r.lead.pk, r.task.pk, REPORT) not in grants()
    assert_grants_equal_assignments()


def test_deleting_a_task_in_the_admin_takes_its_grants(client, reporting, staff):
    r = reporting
    assert (r.lead.pk, r.task.pk, LEAD) in grants()
    response = client.post(reverse("admin:tasks_task_delete", args=[r.task.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Task.objects.filter(pk=r.task.pk).exists()
    assert not TaskGroupObjectPermission.objects.filter(content_object_id=r.task.pk).exists()
    assert implied()
    assert_grants_equal_assignments()


# ---- the demo -------------------------------------------------------------------------------------


def test_the_demo_loads_grants_equal_to_its_assignments(demo):
    assert TaskAssignment.objects.count() > 10
    assert_grants_equal_assignments()


# ---- one place --------------------------------------------------------------------------------------

SYNC = re.compile(r"\b(_grants_sync|task_permissions_sync)\b")
# Guardian's own writers, and a grant row built by hand.
GRANT_WRITES = re.compile(
    r"\b(assign_perm|remove_perm|bulk_assign_perm|bulk_remove_perm)\(|(?<!class )\bTaskGroupObjectPermission\("
)
# An assignment created, changed or deleted other than through the service.
ASSIGNMENT_WRITES = re.compile(
    r"(?<!class )\bTaskAssignment\("
    r"|\bTaskAssignment\.objects\.(create|bulk_create|get_or_create|update_or_create)\("
    r"|\bassignments\.(create|add|set|bulk_create|update|delete)\("
    r"|\bTaskAssignment\.objects\.filter\([^\n]*\)\.(delete|update)\("
)


def _sources(*, tests: bool):
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "node_modules", "var", ".git"} or "migrations" in parts:
            continue
        if parts[0] == "tests" and not tests:
            continue
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_grants_are_derived_in_the_assignment_service_only():
    service = "tasks/assignments.py"
    calls = {name for name, text in _sources(tests=True) if SYNC.search(text)}
    assert calls == {service, "tests/tasks/test_grants.py"}
    service_text = Path(ROOT, service).read_text(encoding="utf-8")
    assert "def _grants_sync(" in service_text and not re.search(r"\btask_permissions_sync\b", service_text)
    assert {name for name, text in _sources(tests=False) if GRANT_WRITES.search(text)} == {service}
    assert {name for name, text in _sources(tests=False) if ASSIGNMENT_WRITES.search(text)} == {service}
