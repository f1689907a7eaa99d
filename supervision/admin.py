from django.contrib import admin
from django.db import models

from accounts.admin_mixins import SuperuserWritesMixin

from .models import CalendarOverride, ChannelPreference, Delivery, EscalationPolicy, Notification, SupervisionNotice, Urge


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["campaign", "escalate_after_workdays", "answer_within_workdays", "deadline_warning_workdays"]
    list_select_related = ["campaign"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    """Notices, urges and notifications are issued and answered through the app (or its jobs),
    which record who acted and when: read-only here except for superusers. So are people's
    channel settings: staff must not point someone's notifications at another address."""

    list_display = ["unit", "kind", "campaign", "issued_at", "answer_by", "status"]
    list_filter = ["status", "kind", "campaign"]
    list_select_related = ["unit", "campaign"]
    search_fields = ["unit__name", "body"]
    raw_id_fields = ["task", "period", "answered_by"]
    readonly_fields = ["key"]


@admin.register(Urge)
class UrgeAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["unit", "task", "urged_by", "urged_at"]
    list_select_related = ["unit", "task", "urged_by"]
    raw_id_fields = ["task"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username", "key"]
    raw_id_fields = ["recipient", "task", "unit"]
    readonly_fields = ["key"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(SuperuserWritesMixin, admin.ModelAdmin):
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
