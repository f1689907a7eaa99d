"""The ledger reads back as a task breakdown workbook: exported, imported into a fresh campaign,
it reproduces the tasks; edited, it updates the campaign."""

import io

import openpyxl
import pytest

from campaigns.models import Campaign
from exports.filters import Filters
from exports.kinds import get_kind
from tasks.campaign_import.services import campaign_import
from tasks.models import Task, TaskAssignment

from ..factories import MembershipFactory
from ..sheets import EFFICIENCY_2026, STRICT_2022

pytestmark = pytest.mark.django_db


def tasks_of(campaign):
    """What the round trip must keep, per task number."""
    found = {}
    for task in Task.objects.filter(campaign=campaign).select_related("section").prefetch_related("leaders"):
        units = TaskAssignment.objects.filter(task=task).order_by("role", "sort_order")
        found[task.number] = {
            "section": task.section.title if task.section else "",
            "title": task.title,
            "description": task.description,
            "lead": [a.unit.name for a in units if a.role == "lead"],
            "support": sorted(a.unit.name for a in units if a.role == "support"),
            "leaders": sorted(leader.name for leader in task.leaders.all()),
            "deadline": task.deadline,
            "phase": task.phase.name if task.phase else None,
        }
    return found


def ledger_bytes(campaign):
    office = MembershipFactory(role="office").user
    target = io.BytesIO()
    get_kind("ledger").write(office, Filters(campaign=campaign), target)
    return target.getvalue()


@pytest.mark.parametrize("sheet", [STRICT_2022, EFFICIENCY_2026], ids=["strict-2022", "efficiency-2026"])
def test_the_ledger_imports_back_into_a_fresh_campaign(unit_directory, sheet):
    campaign_import(sheet.read_bytes(), filename=sheet.name, code="original")
    original = Campaign.objects.get(code="original")
    ledger, before = ledger_bytes(original), tasks_of(original)
    # As in another system (or after the original is archived): no campaign already has its 文号
    # and title, which an import refuses to take twice.
    Campaign.objects.filter(pk=original.pk).update(document_number="", title=f"{original.title}（存档）")

    result = campaign_import(ledger, filename="工作台账.xlsx", code="copy")

    copy = Campaign.objects.get(code="copy")
    assert result.campaign_action == "new"
    assert (copy.title, copy.document_number, copy.start_date, copy.end_date) == (
        original.title, original.document_number, original.start_date, original.end_date,
    )  # fmt: skip
    after = tasks_of(copy)
    assert len(after) == len(before) > 0
    assert after == before


def test_an_edited_ledger_updates_the_campaign(unit_directory):
    campaign_import(STRICT_2022.read_bytes(), filename=STRICT_2022.name, code="strict")
    campaign = Campaign.objects.get(code="strict")
    book = openpyxl.load_workbook(io.BytesIO(ledger_bytes(campaign)))
    ws = book.worksheets[0]
    assert ws["C2"].value == "任务名称"
    ws["C3"] = "改过的任务名称"
    edited = io.BytesIO()
    book.save(edited)

    result = campaign_import(edited.getvalue(), filename="工作台账.xlsx", code="strict")

    assert result.count("update") == 1
    assert Task.objects.get(campaign=campaign, number=ws["A3"].value).title == "改过的任务名称"
