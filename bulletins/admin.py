from django.contrib import admin

from accounts.access import admin_rows

from .models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Read-only: bulletins are drafted, edited and published on their own pages (numbering and
    notifications happen in bulletins.services)."""

    list_display = ("title", "campaign", "status", "number", "created_at", "published_at")
    list_filter = ("status", "auto")
    search_fields = ("title",)
    list_select_related = ("campaign",)

    def get_queryset(self, request):
        return admin_rows(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
