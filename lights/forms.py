from django import forms
from django.utils.translation import gettext_lazy as _

from tasks.forms import StyledForm

from .models import LightRule


class LightRuleForm(StyledForm, forms.ModelForm):
    """A campaign's light thresholds; the bounds are the model's, each refused with its range."""

    class Meta:
        model = LightRule
        fields = ["red_missing_periods", "yellow_within_workdays", "yellow_behind_points"]
        error_messages = {
            name: {
                "min_value": _("Enter a number of at least %(limit_value)s."),
                "max_value": _("Enter a number of at most %(limit_value)s."),
                "invalid": _("Enter a whole number."),
                "required": _("This value is required."),
            }
            for name in fields
        }


class AttentionForm(forms.Form):
    action = forms.ChoiceField(choices=[("mark", "mark"), ("clear", "clear")])
    note = forms.CharField(required=False, max_length=200)
