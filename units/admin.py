from django.contrib import admin

from common.admin_mixins import GuardedHistoryAdmin, SuperuserWritesMixin

from .models import Leader, Membership, Unit, UnitAlias, UnitGroup
from .services import user_unit_groups_sync


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


class MembershipInline(SuperuserWritesMixin, admin.TabularInline):
    """Who is liaison, head or office staff of the unit: only administrators (superusers)
    change it, or staff could make themselves another unit's liaison and file as that unit."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "is_active", "sort_order"]
    list_filter = ["kind", "is_active", "groups"]
    list_editable = ["sort_order"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "aliases__name"]
    autocomplete_fields = ["parent"]
    inlines = [UnitAliasInline, MembershipInline]

    def save_formset(self, request, form, formset, change):
        users = {m.user for m in formset.queryset.select_related("user")} if formset.model is Membership else set()
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            # Liaisons and heads share the unit's group, which holds its tasks' permissions.
            for user in users | {m.user for m in formset.new_objects + formset.changed_objects}:
                user_unit_groups_sync(user, by=request.user)


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "unit"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(Membership)
class MembershipAdmin(SuperuserWritesMixin, GuardedHistoryAdmin):
    """Changed by administrators only (see MembershipInline); every change is in its history."""

    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_unit_groups_sync(obj.user, by=request.user)

    def delete_model(self, request, obj):
        obj._history_user = request.user
        super().delete_model(request, obj)
        user_unit_groups_sync(obj.user, by=request.user)

    def delete_queryset(self, request, queryset):
        users = {membership.user for membership in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in users:
            user_unit_groups_sync(user, by=request.user)


@admin.register(Leader)
class LeaderAdmin(GuardedHistoryAdmin):
    list_display = ["name", "title", "user", "sort_order"]
    list_select_related = ["user"]
    search_fields = ["name", "title"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A linked account reads every campaign as a leader: administrators decide that.
            fields.append("user")
        return fields
