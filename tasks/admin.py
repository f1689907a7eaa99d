from django.contrib import admin

from accounts import access
from accounts.admin_mixins import AccessAdminMixin
from campaigns.admin import CampaignAdmin
from campaigns.models import Campaign
from common.admin_mixins import GuardedHistoryAdmin, SuperuserWritesMixin

from .assignments import assignments_save
from .changes import tasks_changed
from .ledger import sync as ledger
from .ledger.check import Scope
from .models import (
    Attachment,
    CompletionRequest,
    ExtensionRequest,
    Indicator,
    LeaderComment,
    Milestone,
    ProgressReport,
    Task,
    TaskAssignment,
)


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 0
    autocomplete_fields = ["unit"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Task)
class TaskAdmin(AccessAdminMixin, GuardedHistoryAdmin):
    list_display = ["number", "title", "campaign", "category", "phase", "deadline", "status"]
    list_filter = ["campaign", "status", "category", "phase"]
    list_select_related = ["campaign", "phase"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["campaign", "section", "parent", "phase", "leaders"]
    inlines = [TaskAssignmentInline, MilestoneInline, IndicatorInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Closed off or reopened here: what is owed follows (tasks.ledger), in the same transaction.
        ledger.reconcile(Scope(task_ids=frozenset({obj.pk})))
        tasks_changed([obj.pk])  # its deadline or status may have moved its light

    # A task deleted takes its obligations with it: the summary rows they counted in follow.
    def delete_model(self, request, obj):
        ledger.tasks_delete([obj.pk])

    def delete_queryset(self, request, queryset):
        ledger.tasks_delete(list(queryset.values_list("pk", flat=True)))

    def save_formset(self, request, form, formset, change):
        if formset.model is not TaskAssignment:
            return super().save_formset(request, form, formset, change)
        # Assignments decide which units' groups hold the task's object permissions: the
        # assignment service writes both. save(commit=False) only reads the forms (and sets
        # new_objects, changed_objects and deleted_objects for the admin's change message).
        saved = formset.save(commit=False)
        assignments_save(saved=saved, deleted=formset.deleted_objects, by=request.user)


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(AccessAdminMixin, admin.ModelAdmin):
    list_display = ["task", "unit", "role", "sort_order"]
    list_filter = ["role", "task__campaign"]
    list_select_related = ["task", "unit"]
    search_fields = ["task__number", "task__title", "unit__name"]
    autocomplete_fields = ["task", "unit"]

    # Every write goes through the assignment service, which derives the object permissions.

    def save_model(self, request, obj, form, change):
        assignments_save(saved=[obj], by=request.user)

    def delete_model(self, request, obj):
        assignments_save(deleted=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        assignments_save(deleted=list(queryset), by=request.user)


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["task", "due_date", "description"]
    list_filter = ["task__campaign"]
    list_select_related = ["task"]
    search_fields = ["description", "task__title"]
    autocomplete_fields = ["task"]


@admin.register(ProgressReport)
class ProgressReportAdmin(AccessAdminMixin, SuperuserWritesMixin, GuardedHistoryAdmin):
    """Reports are filed, reviewed and returned on the app's pages; here they are read-only
    (except for superusers) and, like everywhere, a unit's drafts stay its own."""

    list_display = ["task", "unit", "period", "status", "percent_complete", "needs_coordination", "submitted_at"]
    list_filter = ["status", "period__campaign"]
    list_select_related = ["task", "unit", "period"]
    search_fields = ["task__number", "task__title", "unit__name"]
    autocomplete_fields = ["task", "unit", "period"]
    raw_id_fields = ["submitted_by"]
    # Where a report stands, and what it reports on, is the services' business and the ledger's
    # (tasks.ledger): a superuser may correct its text here, never its state or its times.
    readonly_fields = [
        "task", "unit", "period", "status", "submitted_at", "submitted_by", "is_late", "reviewed_at", "reviewed_by",
        "version",
    ]  # fmt: skip

    def has_add_permission(self, request, *args, **kwargs):
        return False  # filed on the report page, with its obligation

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        ledger.repair(Scope(task_ids=frozenset({obj.task_id})))

    def delete_queryset(self, request, queryset):
        task_ids = frozenset(queryset.values_list("task_id", flat=True))
        super().delete_queryset(request, queryset)
        ledger.repair(Scope(task_ids=task_ids))

    def history_records_visible(self, request, records):
        return access.visible_versions(request.user, records)


@admin.register(Attachment)
class AttachmentAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = [
        "original_name", "content_type", "size", "report", "completion_request", "uploaded_by", "uploaded_at", "removed_at",
    ]  # fmt: skip
    list_select_related = ["uploaded_by"]
    raw_id_fields = ["report", "completion_request"]
    readonly_fields = [
        "file",
        "sha256",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "removed_at",
        "removed_by",
    ]

    def get_queryset(self, request):
        # Evidence its unit removed too (Attachment.objects leaves it out), for those who see
        # every row (superusers): the history of what was filed and taken back, with who and
        # when. For everyone else access's rule, which leaves removed evidence out and evidence
        # on a draft with the draft.
        return access.admin_rows(request.user, Attachment.all_objects.select_related("uploaded_by"))


@admin.register(CompletionRequest)
class CompletionRequestAdmin(AccessAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["task", "unit", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["task", "unit"]
    raw_id_fields = ["task"]
    readonly_fields = ["requested_by", "requested_at", "decided_by", "decided_at"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(AccessAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["task", "unit", "current_deadline", "requested_deadline", "status", "requested_at"]
    list_filter = ["status"]
    list_select_related = ["task", "unit"]
    raw_id_fields = ["task"]
    readonly_fields = ["requested_by", "requested_at", "decided_by", "decided_at"]


@admin.register(LeaderComment)
class LeaderCommentAdmin(AccessAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    """A leader's words as given (批示): recorded on the task page, not rewritten here."""

    list_display = ["task", "author", "created_at"]
    list_select_related = ["task", "author"]
    raw_id_fields = ["task"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["task", "name", "target", "measure"]
    list_select_related = ["task"]
    raw_id_fields = ["task"]


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["number", "title", "deadline", "status"]
    # Closing a task off (销号) sets closed_at too; that goes through the task admin or the services.
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


# A campaign's page in the admin lists its tasks. The inline lives here, with the tasks, and
# replaces campaigns' registration: campaigns stands below tasks and does not import it.
admin.site.unregister(Campaign)


@admin.register(Campaign)
class CampaignWithTasksAdmin(CampaignAdmin):
    inlines = [*CampaignAdmin.inlines, TaskInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Task:
            return super().save_formset(request, form, formset, change)
        # Tasks deleted here go through the ledger, which recomputes the summary they counted in.
        saved = formset.save(commit=False)
        for task in saved:
            task.save()
        formset.save_m2m()
        ledger.tasks_delete([task.pk for task in formset.deleted_objects])
