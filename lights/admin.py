from django.contrib import admin

from accounts.admin_mixins import AccessAdminMixin

from .models import LightRule
from .services import refresh


@admin.register(LightRule)
class LightRuleAdmin(AccessAdminMixin, admin.ModelAdmin):
    """The office tunes a campaign's thresholds here or on its rules page; saving recomputes."""

    list_display = ["campaign", "red_missing_periods", "yellow_within_workdays", "yellow_behind_points", "updated_at"]
    list_select_related = ["campaign"]
    autocomplete_fields = ["campaign"]
    readonly_fields = ["updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        refresh(campaign_ids=[obj.campaign_id], open_first=True)
