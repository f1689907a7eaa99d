import re

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import WorkbookUploadForm

from .models import RESERVED_CODES

# The same rule as Campaign.code's validator.
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CampaignCodeForm(forms.Form):
    # A plain CharField checked once in clean_code: a SlugField plus the model's validators
    # showed Django's generic slug message twice next to ours.
    code = forms.CharField(
        label=_("Campaign code"),
        required=False,
        max_length=50,
        help_text=_(
            "Optional. Lower-case letters, digits and hyphens, e.g. efficiency-2026. Leave empty to match the campaign by its document number or title."
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code:
            return ""
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                _(
                    "“%(value)s” cannot be a campaign code: use lower-case letters, digits and hyphens, e.g. efficiency-2026."
                ),
                params={"value": code},
            )
        if code in RESERVED_CODES:
            raise forms.ValidationError(_("“%(value)s” is reserved; choose another code."), params={"value": code})
        return code


class CampaignImportForm(WorkbookUploadForm, CampaignCodeForm):
    field_order = ["file", "code"]
