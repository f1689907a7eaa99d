from django.contrib import admin

from common.admin_mixins import SuperuserWritesMixin

from .models import Follow, LastVisit


@admin.register(Follow)
class FollowAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    """Who follows which task: set from the home page (dashboards.services), read here."""

    list_display = ["user", "task", "created_at"]
    list_select_related = ["user", "task__campaign"]
    raw_id_fields = ["user", "task"]
    search_fields = ["user__username", "user__full_name", "task__title"]


@admin.register(LastVisit)
class LastVisitAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["user", "seen_at", "previous_seen_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
