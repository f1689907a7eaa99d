from django.contrib import admin
from django.db import models

from accounts.admin_mixins import AccessAdminMixin
from common.admin_mixins import SuperuserWritesMixin

from .models import ChannelPreference, Delivery, Notification

# Notifications are made by the app and its jobs, which record when: read-only here except for
# superusers. So are people's channel settings: staff must not point someone's notifications at
# another address.


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(AccessAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username", "key"]
    raw_id_fields = ["recipient", "task", "unit"]
    readonly_fields = ["key"]
    inlines = [DeliveryInline]
    # Its get_absolute_url is where its recipient opens it, by POST: no "view on site" link.
    view_on_site = False


@admin.register(Delivery)
class DeliveryAdmin(AccessAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["notification"]
    raw_id_fields = ["notification"]


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["user", "email", "webhook_format", "webhook_url"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
