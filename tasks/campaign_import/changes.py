"""What an import preview shows beyond counts: old → new for each changed field, the units and
deadline of each new task, and other campaigns the workbook could be mistaken for.

Everything here is turned into plain strings, because the preview is kept as JSON on the
upload record and shown later (possibly after the rows it names have changed).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from campaigns.models import Campaign, Phase, Section
from common.naming import name_key
from tasks.models import Task, TaskAssignment
from units.models import Unit

# Campaign fields shown in the preview, in this order (office_unit_id follows office_name).
CAMPAIGN_FIELDS = (
    "title", "document_number", "issuing_body", "issue_date", "start_date", "end_date",
    "office_name", "cadence", "due_weekday", "due_time",
)  # fmt: skip
DESCRIPTION_PREVIEW_CHARS = 120


def _text(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat(timespec="minutes") if isinstance(value, datetime.time) else value.isoformat()
    text = str(value)
    return text if len(text) <= DESCRIPTION_PREVIEW_CHARS else text[:DESCRIPTION_PREVIEW_CHARS] + "…"


def campaign_changes(before: dict | None, campaign: Campaign) -> list[dict]:
    """[{field label, old, new}] for each campaign field the workbook changes."""
    if before is None:
        return []
    changes = []
    for name in CAMPAIGN_FIELDS:
        old, new = before[name], getattr(campaign, name)
        if old == new:
            continue
        field = Campaign._meta.get_field(name)
        if field.choices:
            labels = dict(field.flatchoices)
            old, new = labels.get(old, old), labels.get(new, new)
        changes.append({"field": str(field.verbose_name), "old": _text(old), "new": _text(new)})
    return changes


def lookalikes(campaign: Campaign) -> tuple[list[tuple[str, str]], list[str]]:
    """Other campaigns this one may be mistaken for: (refusals as (column, message), warnings).

    Another campaign with the same document number (文号), or the same title over overlapping
    dates, is refused: the office meant that one (a different code was typed, or none and a date
    was edited), and going on would make a second campaign or overwrite the wrong one. The same
    title at another time (last year's campaign) is only a warning."""
    refusals, warnings = [], []
    key = name_key(campaign.title)
    others = Campaign.objects.exclude(pk=campaign.pk).only("code", "title", "document_number", "start_date", "end_date")
    for other in others:
        if campaign.document_number and other.document_number == campaign.document_number:
            column, what = "文号", _("document number %(number)s") % {"number": other.document_number}
        elif name_key(other.title) == key:
            column, what = "活动名称", _("the same title")
        else:
            continue
        values = {"what": what, "code": other.code, "title": other.title}
        overlapping = other.start_date <= campaign.end_date and campaign.start_date <= other.end_date
        if column == "文号" or overlapping:
            refusals.append((column, _(
                "A campaign with %(what)s already exists under the code “%(code)s”: %(title)s. To update it, enter its code; if this is another campaign, give it its own document number and title."
            ) % values))  # fmt: skip
        else:
            warnings.append(_(
                "A campaign with %(what)s already exists under the code “%(code)s”: %(title)s. This workbook will not change it; check the campaign code before confirming."
            ) % values)  # fmt: skip
    return refusals, warnings


class TaskDescriber:
    """Turns the import resource's raw values (ids, tuples) into names, with one query per kind."""

    def __init__(self, diffs: dict):
        ids = {"section": set(), "phase": set(), "parent": set(), "units": set()}
        for changes in diffs.values():
            for field, pair in changes.items():
                for value in pair:
                    if field == "units":
                        ids["units"].update(unit_id for unit_id, _role, _order in value)
                    elif field in ids and value:
                        ids[field].add(value)
        self.names = {
            "section": {pk: s.title for pk, s in Section.objects.in_bulk(ids["section"]).items()},
            "phase": {pk: p.name for pk, p in Phase.objects.in_bulk(ids["phase"]).items()},
            "parent": {pk: f"{t.number} {t.title}" for pk, t in Task.objects.in_bulk(ids["parent"]).items()},
            "units": {pk: u.name for pk, u in Unit.objects.in_bulk(ids["units"]).items()},
        }
        self.roles = dict(TaskAssignment.Role.choices)

    def describe(self, field: str, value) -> str:
        if field == "units":
            return (
                "、".join(
                    f"{self.names['units'].get(unit_id, unit_id)}（{self.roles.get(role, role)}）"
                    for unit_id, role, _order in value
                )
                or "—"
            )
        if field == "leaders":
            return "、".join(value) or "—"
        if field in self.names:
            return self.names[field].get(value, "—") if value else "—"
        return _text(value)

    def diff(self, changes: dict) -> list[dict]:
        return [
            {"field": field, "old": self.describe(field, old), "new": self.describe(field, new)}
            for field, (old, new) in changes.items()
        ]


def new_task_units(task: Task) -> tuple[list[str], list[str]]:
    """(lead unit names, supporting unit names) the import will assign to a new task."""
    wanted = getattr(task, "_wanted_assignments", [])
    lead = [unit.name for unit, role, _order in wanted if role == TaskAssignment.Role.LEAD]
    support = [unit.name for unit, role, _order in wanted if role != TaskAssignment.Role.LEAD]
    return lead, support
