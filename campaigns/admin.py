from django.contrib import admin

from accounts.admin_mixins import AccessAdminMixin

from .models import Campaign, CampaignImport, Phase, ReportingPeriod, Section


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(AccessAdminMixin, admin.ModelAdmin):
    list_display = ["title", "code", "document_number", "status", "start_date", "end_date"]
    list_filter = ["status"]
    search_fields = ["title", "code", "document_number"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["office_unit"]
    # tasks.admin adds the campaign's tasks (campaigns stands below tasks and does not import it).
    inlines = [PhaseInline, SectionInline]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "start_date", "end_date", "sort_order"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["name", "campaign__title"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "sort_order"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["title", "campaign__title"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "number", "start_date", "end_date", "due_at"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["campaign__title", "campaign__code"]
    # Periods follow the campaign's dates and cadence (services.ensure_reporting_periods, run by the
    # import), and the reporting ledger counts from them: their dates, when a period opened, and
    # its due moment, against which every submission was judged, are not edited by hand (a
    # period's week moved here would no longer match its obligations, lights and scores).
    readonly_fields = ["campaign", "number", "start_date", "end_date", "due_at", "opened_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CampaignImport)
class CampaignImportAdmin(admin.ModelAdmin):
    """A record of uploads, for looking only: imports are made through the upload pages."""

    list_display = ["filename", "code", "status", "uploaded_by", "created_at", "applied_at"]
    list_filter = ["status"]
    list_select_related = ["uploaded_by", "campaign"]
    # The uploaded workbook itself (content) is binary and not shown.
    fields = ["filename", "sha256", "code", "status", "campaign", "uploaded_by", "summary", "created_at", "applied_at"]
    readonly_fields = fields
    # Its get_absolute_url, the preview, opens for its uploader alone: no "view on site" link.
    view_on_site = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
