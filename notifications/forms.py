from django import forms

from .models import ChannelPreference


class ChannelPreferenceForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=ChannelPreference._meta.get_field("webhook_url").verbose_name, required=False, assume_scheme="https"
    )

    class Meta:
        model = ChannelPreference
        fields = ["email", "webhook_url", "webhook_format"]
