from django.contrib import admin

from .models import Leader, Membership, Unit, UnitAlias, UnitGroup
from .services import user_unit_groups_sync


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


class MembershipInline(admin.TabularInline):
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
                user_unit_groups_sync(user)


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
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_unit_groups_sync(obj.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        user_unit_groups_sync(obj.user)


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "user", "sort_order"]
    list_select_related = ["user"]
    search_fields = ["name", "title"]
    autocomplete_fields = ["user"]
