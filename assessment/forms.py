from django import forms
from django.utils.translation import gettext_lazy as _

from tasks.forms import StyledForm

from .models import RuleSet


class RuleSetForm(StyledForm, forms.ModelForm):
    """A campaign's rule table; saving makes a new version (assessment.services.rules_update).
    The bounds are the model's, each refused with its range and the field named."""

    class Meta:
        model = RuleSet
        fields = [*RuleSet.FIELDS, "note"]
        error_messages = {
            name: {
                "min_value": _("Enter a number of at least %(limit_value)s."),
                "max_value": _("Enter a number of at most %(limit_value)s."),
                "invalid": _("Enter a number."),
                "required": _("This value is required."),
                "max_digits": _("Enter a number of at most %(max)s digits."),
                "max_decimal_places": _("Enter at most %(max)s decimal places."),
            }
            for name in RuleSet.FIELDS
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("max_bonus", "max_deduction", "min_score", "max_score"):
            self.fields[name].help_text = _("Leave empty for no limit.")

    def clean(self):
        # Named on the field (the model's check constraint alone would say only its own name).
        data = super().clean()
        low, high = data.get("min_score"), data.get("max_score")
        if low is not None and high is not None and low > high:
            self.add_error("max_score", _("The highest score must not be below the lowest score."))
        return data

    def rule_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in RuleSet.FIELDS}


class PeriodForm(forms.Form):
    """?period=<id> of a campaign's due periods (bad input: the default, never a 500)."""

    period = forms.IntegerField(required=False, min_value=1)
