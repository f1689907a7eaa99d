from django.contrib import admin

from accounts.access import admin_rows

from .models import ExportFile, ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """The audit log, read-only: a record says what happened and is never edited."""

    list_display = ["created_at", "user", "kind", "campaign", "rows", "mode"]
    list_filter = ["mode", "kind"]
    list_select_related = ["user", "campaign"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return admin_rows(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportFile)
class ExportFileAdmin(admin.ModelAdmin):
    """Stored exports, read-only (each is its requester's; superusers see all to tidy up)."""

    list_display = ["created_at", "requested_by", "kind", "campaign", "status", "rows", "expires_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by", "campaign"]

    def get_queryset(self, request):
        return admin_rows(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
