from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Campaign


def validate_xlsx_upload(upload):
    """Refuse by name and size before anything reads the file."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)}
        )
    if not upload.name.lower().endswith(".xlsx"):
        raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        validators=[validate_xlsx_upload],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class CampaignImportForm(WorkbookUploadForm):
    code = forms.SlugField(
        label=_("Campaign code"),
        required=False,
        max_length=50,
        help_text=_("Optional. Lower-case letters, digits and hyphens, e.g. efficiency-2026. Leave empty to match the campaign by its document number or title."),
        validators=Campaign._meta.get_field("code").validators,
    )
