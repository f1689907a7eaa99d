from django.contrib import admin

from accounts.admin_mixins import AccessAdminMixin
from common.admin_mixins import SuperuserWritesMixin

from .models import EscalationPolicy, SupervisionNotice, Urge


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["campaign", "escalate_after_workdays", "answer_within_workdays", "deadline_warning_workdays"]
    list_select_related = ["campaign"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(AccessAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
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
class UrgeAdmin(AccessAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["unit", "task", "urged_by", "urged_at"]
    list_select_related = ["unit", "task", "urged_by"]
    raw_id_fields = ["task"]
