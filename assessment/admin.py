from django.contrib import admin

from accounts.admin_mixins import AccessAdminMixin

from .models import Recomputation, RuleSet, UnitScore


class ReadOnly(AccessAdminMixin, admin.ModelAdmin):
    """Scores and rule versions are written by assessment.services only (versions never edited);
    rows as accounts.access shows them (UnitScore has a rule; the others follow the model permissions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnly):
    list_display = ["campaign", "version", "created_by", "created_at"]
    list_select_related = ["campaign", "created_by"]


@admin.register(UnitScore)
class UnitScoreAdmin(ReadOnly):
    list_display = ["campaign", "unit", "period", "points", "computed_at"]
    list_select_related = ["campaign", "unit", "period"]
    raw_id_fields = ["campaign", "unit", "period"]


@admin.register(Recomputation)
class RecomputationAdmin(ReadOnly):
    list_display = ["campaign", "at", "by", "version_from", "version_to", "changed"]
    list_select_related = ["campaign", "by"]
