from django import forms
from django.utils.translation import gettext_lazy as _


class NoticeAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}))


class UrgeForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    task = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    # The rendered form's idempotency token ({% form_token %}): posted twice, it urges once.
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
