from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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
    """An .xlsx upload (the unit directory, a campaign's workbook), refused by name and size."""

    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        validators=[validate_xlsx_upload],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
