from django.contrib import admin

from .models import Milestone, ProgressReport, Task, TaskAssignment


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 0
    autocomplete_fields = ["unit"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "campaign", "phase", "deadline", "status"]
    list_filter = ["campaign", "status", "phase"]
    list_select_related = ["campaign", "phase"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["campaign", "section", "parent", "phase", "leaders"]
    inlines = [TaskAssignmentInline, MilestoneInline]


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "role", "sort_order"]
    list_filter = ["role", "task__campaign"]
    list_select_related = ["task", "unit"]
    search_fields = ["task__number", "task__title", "unit__name"]
    autocomplete_fields = ["task", "unit"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["task", "due_date", "description"]
    list_filter = ["task__campaign"]
    list_select_related = ["task"]
    search_fields = ["description", "task__title"]
    autocomplete_fields = ["task"]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "period", "status", "percent_complete", "needs_coordination", "submitted_at"]
    list_filter = ["status", "period__campaign"]
    list_select_related = ["task", "unit", "period"]
    search_fields = ["task__number", "task__title", "unit__name"]
    autocomplete_fields = ["task", "unit", "period"]
    raw_id_fields = ["submitted_by"]
