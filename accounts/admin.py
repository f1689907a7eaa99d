from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from common.admin_mixins import GuardedHistoryAdmin, SuperuserWritesMixin
from units.admin import LeaderAdmin, MembershipAdmin
from units.models import Leader, Membership
from units.services import user_unit_groups_sync

from .admin_mixins import AccessAdminMixin
from .models import User

# What makes an account powerful: only superusers set these (Django's own admin would let any
# staff user with the change permission make themselves a superuser).
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class MembershipInline(SuperuserWritesMixin, admin.TabularInline):
    """A user's units and roles: changed by administrators only, every change in its history."""

    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(AccessAdminMixin, GuardedHistoryAdmin, BaseUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "phone", "password1", "password2")}),
    )
    list_display = ["username", "full_name", "phone", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone", "email"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += PRIVILEGE_FIELDS
        return fields

    def has_change_permission(self, request, obj=None):
        # Changing a superuser (its password, say) is taking it over: superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_unit_groups_sync(form.instance, by=request.user)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AccessAdminMixin, SuperuserWritesMixin, GuardedHistoryAdmin, BaseGroupAdmin):
    """A group's permissions are a role: administrators change them, and each change is kept.
    (Unit groups hold their tasks' object permissions, granted by the services, not here.)"""


# units' history admins (units stands below accounts and cannot ask access) answer access too:
# superusers keep simple-history's pages whole, the history of a deleted membership included.
admin.site.unregister(Membership)
admin.site.unregister(Leader)


@admin.register(Membership)
class MembershipAccessAdmin(AccessAdminMixin, MembershipAdmin):
    pass


@admin.register(Leader)
class LeaderAccessAdmin(AccessAdminMixin, LeaderAdmin):
    pass
