"""Importing the unit directory sheet (单位名录): names, short names and aliases, kind, groups."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from common.naming import name_key, split_unit_list
from common.workbook import (
    ImportRefused,
    Issue,
    WorkbookError,
    cell,
    column_letter,
    find_header_row,
    header_key,
    open_workbook,
    read_sheet_rows,
    to_text,
)

from .models import Unit, UnitAlias, UnitGroup

COLUMNS = {
    "name": ("单位名称", "单位全称", "名称", "Unit", "Name"),
    "aliases": ("简称/别名", "简称", "别名", "简称、别名", "Aliases", "Short name"),
    "kind": ("类型", "单位类型", "Kind", "Type"),
    "groups": ("所属分组", "分组", "所属类别", "Group", "Groups"),
    "parent": ("上级单位", "Parent"),
}
REQUIRED = ("name",)


class DirectoryImportError(ImportRefused):
    """The directory sheet was refused; nothing was written."""


@dataclass
class UnitDirectoryResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self):
        return {
            "units_created": len(self.created),
            "units_updated": len(self.updated),
            "units_unchanged": len(self.unchanged),
            "groups_created": len(self.groups_created),
            "dry_run": self.dry_run,
        }


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in Unit.Kind.choices:
        lookup[name_key(value)] = value
        lookup[name_key(str(label))] = value
    # Chinese labels as offices write them, independent of the active language.
    lookup.update(
        {
            name_key(text): value
            for text, value in {
                "党委部门": "party",
                "党委": "party",
                "政府部门": "government",
                "政府": "government",
                "纪检监察": "discipline",
                "政法": "judicial",
                "司法": "judicial",
                "群团": "people",
                "人民团体": "people",
                "镇街": "township",
                "乡镇": "township",
                "街道": "township",
                "园区": "township",
                "其他": "other",
            }.items()
        }
    )
    return lookup


@dataclass
class _UnitRow:
    row: int
    name: str
    short_name: str
    aliases: list[str]
    kind: str
    groups: list[str]
    parent: str


def parse_unit_directory(data: bytes, *, filename: str = "") -> list[_UnitRow]:
    workbook = open_workbook(data, filename=filename)
    sheet = workbook.sheetnames[0]
    rows = read_sheet_rows(workbook, sheet, data)
    header_index, header = find_header_row(rows, COLUMNS, REQUIRED)
    if (header_index is None or "name" not in header) and _is_campaign_workbook(workbook, rows):
        raise DirectoryImportError(
            [
                Issue(
                    _("This is a campaign workbook, not a unit directory: import it with “%(action)s”.")
                    % {"action": _("Import a campaign")},
                    sheet=sheet,
                )
            ]
        )
    if header_index is None or "name" not in header:
        raise DirectoryImportError(
            [Issue(_("No header row with the column “单位名称” was found in the first rows."), sheet=sheet)]
        )
    kinds = _kind_lookup()
    issues, parsed, seen = [], [], {}
    for number, values in rows[header_index + 1 :]:

        def located(message, name, number=number):
            col, text = header[name]
            return Issue(message, sheet=sheet, row=number, column=f"{text}（{column_letter(col)}）")

        name = to_text(cell(values, header, "name"))
        if not name:
            issues.append(located(_("The unit name is empty."), "name"))
            continue
        key = name_key(name)
        if key in seen:
            issues.append(
                located(_("“%(name)s” is listed twice (also row %(row)s).") % {"name": name, "row": seen[key]}, "name")
            )
            continue
        seen[key] = number
        kind_text = to_text(cell(values, header, "kind"))
        kind = kinds.get(name_key(kind_text)) if kind_text else Unit.Kind.OTHER
        if kind is None:
            allowed = _("、").join(str(label) for _value, label in Unit.Kind.choices)
            issues.append(
                located(
                    _("Unknown unit kind “%(kind)s”; use one of: %(allowed)s.")
                    % {"kind": kind_text, "allowed": allowed},
                    "kind",
                )
            )
            continue
        aliases = [alias for alias in split_unit_list(cell(values, header, "aliases")) if name_key(alias) != key]
        parsed.append(
            _UnitRow(
                row=number,
                name=name,
                short_name=aliases[0] if aliases else "",
                aliases=aliases,
                kind=kind,
                groups=split_unit_list(cell(values, header, "groups")),
                parent=to_text(cell(values, header, "parent")),
            )
        )
    # One spelling may stand for one unit only.
    owner = {name_key(row.name): row for row in parsed}
    for row in parsed:
        for alias in row.aliases:
            other = owner.setdefault(name_key(alias), row)
            if other is not row:
                col, text = header["aliases"]
                issues.append(
                    Issue(
                        _("The alias “%(alias)s” is already a name of “%(other)s” (row %(row)s).")
                        % {"alias": alias, "other": other.name, "row": other.row},
                        sheet=sheet,
                        row=row.row,
                        column=f"{text}（{column_letter(col)}）",
                    )
                )
    if not parsed and not issues:
        issues.append(Issue(_("The sheet lists no units."), sheet=sheet))
    if issues:
        raise DirectoryImportError(issues)
    return parsed


# What gives away a campaign's task breakdown workbook (tasks.campaign_import.reading reads those; this
# app sits below campaigns and only needs to recognise one).
CAMPAIGN_SHEETS = {"任务分解表", "活动信息", "重点任务", "任务清单"}
CAMPAIGN_HEADERS = {
    "lead": ("牵头单位",),
    "title": ("任务名称", "重点任务"),
    "deadline": ("完成时限",),
    "support": ("配合单位",),
}


def _is_campaign_workbook(workbook, rows) -> bool:
    if CAMPAIGN_SHEETS & {header_key(name) for name in workbook.sheetnames}:
        return True
    _index, found = find_header_row(rows, CAMPAIGN_HEADERS, ())
    return len(found) >= 2


@transaction.atomic
def import_unit_directory(data: bytes, *, filename: str = "", dry_run: bool = False) -> UnitDirectoryResult:
    """Create or update every unit of the directory sheet; all or nothing.

    Units are matched by full name (normalised), so a re-import updates in place. Aliases and
    group memberships of a listed unit become exactly those in the sheet.
    """
    try:
        rows = parse_unit_directory(data, filename=filename)
    except WorkbookError as error:
        raise DirectoryImportError(error.issues) from None
    result = UnitDirectoryResult(dry_run=dry_run)
    existing = {unit.key: unit for unit in Unit.objects.prefetch_related("aliases", "groups")}
    groups = {group.key: group for group in UnitGroup.objects.all()}
    alias_owner = dict(UnitAlias.objects.values_list("key", "unit_id"))
    issues = []
    for order, row in enumerate(rows, start=1):
        unit = existing.get(name_key(row.name))
        created = unit is None
        if created:
            unit = Unit(name=row.name)
        before = None if created else _snapshot(unit)
        unit.short_name, unit.kind, unit.sort_order, unit.is_active = row.short_name, row.kind, order, True
        unit.save()
        for alias in row.aliases:
            owner_id = alias_owner.get(name_key(alias))
            named = existing.get(name_key(alias))
            if named is not None and named.pk != unit.pk:
                owner_id = named.pk  # the alias is another unit's full name
            if owner_id is not None and owner_id != unit.pk:
                issues.append(
                    Issue(_("The alias “%(alias)s” already belongs to another unit.") % {"alias": alias}, row=row.row)
                )
        if issues:
            continue
        UnitAlias.objects.filter(unit=unit).exclude(key__in=[name_key(a) for a in row.aliases]).delete()
        have = set(UnitAlias.objects.filter(unit=unit).values_list("key", flat=True))
        for alias in row.aliases:
            if name_key(alias) not in have:
                UnitAlias.objects.create(unit=unit, name=alias)
                have.add(name_key(alias))
        wanted_groups = []
        for group_name in row.groups:
            group = groups.get(name_key(group_name))
            if group is None:
                group = groups[name_key(group_name)] = UnitGroup.objects.create(name=group_name)
                result.groups_created.append(group.name)
            wanted_groups.append(group)
        unit.groups.set(wanted_groups)
        existing[unit.key] = unit
        after = _snapshot(Unit.objects.prefetch_related("aliases", "groups").get(pk=unit.pk))
        if created:
            result.created.append(unit.name)
        elif before != after:
            result.updated.append(unit.name)
        else:
            result.unchanged.append(unit.name)
    for row in rows:
        if row.parent:
            parent = existing.get(name_key(row.parent))
            if parent is None:
                issues.append(Issue(_("Unknown parent unit “%(name)s”.") % {"name": row.parent}, row=row.row))
            else:
                Unit.objects.filter(key=name_key(row.name)).update(parent=parent)
    if issues:
        transaction.set_rollback(True)
        raise DirectoryImportError(issues)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _snapshot(unit: Unit):
    return (
        unit.name,
        unit.short_name,
        unit.kind,
        unit.sort_order,
        unit.is_active,
        tuple(sorted(alias.key for alias in unit.aliases.all())),
        tuple(sorted(group.pk for group in unit.groups.all())),
    )
