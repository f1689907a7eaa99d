"""django-import-export resource for the tasks of a campaign's breakdown sheet.

The sheet has been read by tasks.campaign_import.reading into a dataset with canonical headers; this
resource turns each row into a Task matched by its number within the campaign, resolves unit,
leader, phase and section names, and records what each row would change. It never commits on
its own: tasks.campaign_import.services runs it inside one transaction and rolls back on any error.

Rows are checked one by one without touching the database (names resolve against what was loaded
up front) and written together at the end (`use_bulk`): the tasks, their history, their leaders
and their units in a few statements whatever the number of rows, so a 1,000-task sheet imports
in about a second instead of 28 statements a row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.naming import name_key, split_unit_list
from common.workbook import DateError, parse_date
from units.models import Leader
from units.resolution import UnitDirectory, UnknownUnitName

from .assignments import assignments_set_many
from .models import Task, TaskAssignment
from .numbering import sort_key

# Columns that are not plain model attributes; import_instance resolves them itself.
UNIT_COLUMNS = ("lead_units", "support_units")
# What a row can change in a saved task (written by bulk_update).
UPDATED_FIELDS = ("title", "description", "deadline", "section", "phase", "parent", "sort_key")
# Rows per UPDATE: bulk_update's CASE … WHEN grows with the batch, so its cost with batch².
UPDATE_BATCH = 250


class SheetDateWidget(widgets.Widget):
    """Dates as offices write them (see common.workbook.parse_date)."""

    def __init__(self, default_year=None):
        super().__init__()
        self.default_year = default_year

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_date(value, default_year=self.default_year)
        except DateError as error:
            raise ValueError(str(error)) from None


class NameLookupWidget(widgets.Widget):
    """A name that must be one of a fixed set (the campaign's phases or sections)."""

    def __init__(self, objects_by_key: dict, unknown_message: str):
        super().__init__()
        self.objects_by_key = objects_by_key
        self.unknown_message = unknown_message

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        found = self.objects_by_key.get(name_key(value))
        if found is None:
            known = "、".join(str(obj) for obj in self.objects_by_key.values()) or _("none")
            raise ValueError(self.unknown_message % {"value": value, "known": known})
        return found


class TaskResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="number")
    title = fields.Field(attribute="title", column_name="title", widget=widgets.CharWidget(allow_blank=True))
    description = fields.Field(
        attribute="description", column_name="description", widget=widgets.CharWidget(allow_blank=True)
    )
    deadline = fields.Field(attribute="deadline", column_name="deadline")
    section = fields.Field(attribute="section", column_name="section")
    phase = fields.Field(attribute="phase", column_name="phase")

    class Meta:
        model = Task
        import_id_fields = ("number",)
        fields = ("number", "title", "description", "deadline", "section", "phase")
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        skip_html_diff = True
        # skip_row computes the changes itself (self.diffs): no copy of every instance to compare.
        skip_diff = True
        clean_model_instances = True
        # Saved together after the last row (bulk_create / bulk_update below, with history); no
        # batches, so that parents and sub-items are written in the order of their depth.
        use_bulk = True
        batch_size = None

    def __init__(
        self, *, campaign, sections: dict, phases: dict, directory: UnitDirectory | None = None,
        first_import: bool = False,
    ):  # fmt: skip
        super().__init__()
        self.campaign = campaign
        # The campaign's first import: its units owe reports from its first period (tasks.ledger).
        self.first_import = first_import
        self.directory = directory or UnitDirectory()
        self.fields["deadline"].widget = SheetDateWidget(default_year=campaign.end_date.year)
        self.fields["section"].widget = NameLookupWidget(sections, _("Unknown section “%(value)s”."))
        self.fields["phase"].widget = NameLookupWidget(
            phases, _("Unknown phase “%(value)s”; the campaign's phases are: %(known)s.")
        )
        existing = Task.objects.filter(campaign=campaign).prefetch_related("assignments", "leaders")
        # Tasks by number: those already saved and those saved during this import (for parents).
        self.tasks_by_number = {task.number: task for task in existing}
        self._current_state = {task.number: self._state(task) for task in self.tasks_by_number.values()}
        self.leaders = {name_key(leader.name): leader for leader in Leader.objects.all()}
        self.new_leaders: list[str] = []
        # The tasks saved by this import, in the sheet's order; their units (task._wanted_assignments)
        # and leaders are written together once every row is saved.
        self.saved: list[Task] = []
        self.changes: dict[str, list[str]] = {}
        # number → {changed field: (value before, value wanted)}, for the preview's old → new.
        self.diffs: dict[str, dict] = {}

    def get_queryset(self):
        return Task.objects.filter(campaign=self.campaign)

    def init_instance(self, row=None):
        return Task(campaign=self.campaign)

    # ---- per row ---------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        # An approved extension (延期) moved the deadline on from the one imported: a sheet that
        # still gives that original deadline keeps the extension; a new date is the office's word.
        extended = (
            instance.deadline if instance.pk and instance.original_deadline not in (None, instance.deadline) else None
        )
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if extended is not None and instance.deadline == instance.original_deadline:
            instance.deadline = extended
        if instance.number:
            instance.sort_key = sort_key(instance.number)
        if not instance.title:
            errors.setdefault("title", []).append(ValidationError(_("The task name is empty.")))
        parent = row.get("parent_number")
        instance.parent = self.tasks_by_number.get(parent) if parent else None
        if parent and instance.parent is None:
            errors.setdefault("number", []).append(
                ValidationError(_("The parent task %(parent)s could not be imported.") % {"parent": parent})
            )
        assignments, unit_errors = self._resolve_units(row)
        for column, messages in unit_errors.items():
            errors.setdefault(column, []).extend(ValidationError(message) for message in messages)
        instance._wanted_assignments = assignments
        instance._wanted_leaders = split_unit_list(row.get("leaders"))
        limit = Leader._meta.get_field("name").max_length
        for name in instance._wanted_leaders:
            if len(name) > limit:
                message = _("A leader's name has at most %(limit)s characters: “%(name)s”.")
                errors.setdefault("leaders", []).append(ValidationError(message % {"limit": limit, "name": name}))
        if errors:
            raise ValidationError(errors)

    def _resolve_units(self, row):
        """[(unit, role, order)] with lead units first; a unit named as lead is not also support."""
        assignments, errors, seen = [], {}, set()
        for column, role in (("lead_units", TaskAssignment.Role.LEAD), ("support_units", TaskAssignment.Role.SUPPORT)):
            for name in split_unit_list(row.get(column)):
                try:
                    units = self.directory.resolve(name)
                except UnknownUnitName as error:
                    errors.setdefault(column, []).append(str(error))
                    continue
                for unit in units:
                    if unit.pk not in seen:
                        seen.add(unit.pk)
                        assignments.append((unit, role, len(assignments)))
        if (
            not any(role == TaskAssignment.Role.LEAD for _unit, role, _order in assignments)
            and "lead_units" not in errors
        ):
            errors["lead_units"] = [_("A task needs at least one lead unit.")]
        return assignments, errors

    @staticmethod
    def _state(task):
        return {
            "title": task.title,
            "description": task.description,
            "deadline": task.deadline,
            "section": task.section_id,
            "phase": task.phase_id,
            "parent": task.parent_id,
            "units": sorted((a.unit_id, a.role, a.sort_order) for a in task.assignments.all()),
            "leaders": sorted(name_key(leader.name) for leader in task.leaders.all()),
        }

    def _wanted_state(self, instance):
        return {
            "title": instance.title,
            "description": instance.description,
            "deadline": instance.deadline,
            "section": instance.section_id,
            "phase": instance.phase_id,
            "parent": instance.parent_id,
            "units": sorted((unit.pk, role, order) for unit, role, order in instance._wanted_assignments),
            "leaders": sorted(name_key(name) for name in instance._wanted_leaders),
        }

    @staticmethod
    def _keeps_leaders(instance):
        # Leaders are often named after the sheet is published (in the admin); an empty cell
        # leaves them as they are instead of removing them.
        return not instance._wanted_leaders

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance._state.adding:
            return False
        before = self._current_state.get(instance.number)
        after = self._wanted_state(instance)
        if self._keeps_leaders(instance):
            after.pop("leaders")
        changed = [key for key in after if before is None or before[key] != after[key]]
        if changed:
            self.changes[instance.number] = changed
            if before is not None:
                self.diffs[instance.number] = {key: (before[key], after[key]) for key in changed}
        return not changed

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The model's own field checks (lengths, dates), without the database: the number is unique
        # in the sheet (the reader refuses a repeat) and matched to the campaign's saved tasks by
        # the instance loader, and campaign, section, phase and parent are objects this import
        # loaded or saves. Django would check each with a query per row.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, "campaign", "section", "phase", "parent"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        # With use_bulk the instance is saved after the last row; sub-items refer to the object.
        self.tasks_by_number[instance.number] = instance
        self.saved.append(instance)
        instance._new_in_import = instance._state.adding

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """New tasks and their history, parents before sub-items (a sub-item needs its parent's id)."""
        by_depth: dict[int, list[Task]] = {}
        for instance in self.create_instances:
            by_depth.setdefault(instance.depth, []).append(instance)
        try:
            for depth in sorted(by_depth):
                # bulk_create takes each sub-item's parent id from its parent, saved a depth earlier.
                bulk_create_with_history(by_depth[depth], Task)
        except Exception as error:  # as import-export's own: the import reports it and rolls back
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Changed tasks and their history ("~" rows, as a save would write)."""
        if not self.update_instances:
            return
        now = timezone.now()
        for instance in self.update_instances:
            instance.updated_at = now  # bulk_update does not apply auto_now
        try:
            bulk_update_with_history(
                self.update_instances, Task, [*UPDATED_FIELDS, "updated_at"], batch_size=UPDATE_BATCH, default_date=now
            )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def after_import(self, dataset, result, **kwargs):
        if result.has_errors() or result.has_validation_errors():
            return  # everything rolls back: no need to write the rest
        self._save_leaders()
        # The saved tasks' units (and so their object permissions) in one go, not row by row.
        wanted = {task: task._wanted_assignments for task in self.saved}  # saved now: hashable
        assignments_set_many(wanted, from_first_period=self.first_import)

    def _save_leaders(self):
        """The saved tasks' leaders: new names become leaders (with history), and the links of new
        tasks and of tasks whose leaders changed are written in one delete and one insert."""
        wanted: dict[Task, list[Leader]] = {}
        new: list[Leader] = []
        for task in self.saved:
            if self._keeps_leaders(task):
                continue
            if not task._new_in_import and "leaders" not in self.changes.get(task.number, ()):
                continue
            leaders = wanted[task] = []
            for name in task._wanted_leaders:
                leader = self.leaders.get(name_key(name))
                if leader is None:
                    leader = self.leaders[name_key(name)] = Leader(name=name)
                    new.append(leader)
                    self.new_leaders.append(name)
                if leader not in leaders:
                    leaders.append(leader)
        if new:
            bulk_create_with_history(new, Leader)
        if not wanted:
            return
        links = Task.leaders.through
        links.objects.filter(task__in=[task.pk for task in wanted if not task._new_in_import]).delete()
        links.objects.bulk_create(
            links(task_id=task.pk, leader_id=leader.pk) for task, leaders in wanted.items() for leader in leaders
        )
