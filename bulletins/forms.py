from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from tasks.forms import StyledForm

from .models import Bulletin


class DateInput(forms.DateInput):
    input_type = "date"


class BulletinNewForm(StyledForm):
    """A campaign and a range of its reporting periods, given as dates: the periods containing
    them (a week by default; any range on demand)."""

    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), to_field_name="code", label=_("Campaign"))
    period_from = forms.DateField(label=_("From"), widget=DateInput(format="%Y-%m-%d"))
    period_to = forms.DateField(label=_("To"), widget=DateInput(format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = access.visible_to(user, Campaign).exclude(status=Campaign.Status.DRAFT)

    def _period(self, campaign, day):
        return ReportingPeriod.objects.filter(campaign=campaign, start_date__lte=day, end_date__gte=day).first()

    def clean(self):
        data = super().clean()
        campaign, start, end = data.get("campaign"), data.get("period_from"), data.get("period_to")
        if campaign is None or start is None or end is None:
            return data
        if start > end:
            self.add_error("period_to", _("The range must not end before it starts."))
            return data
        outside = _("This date is not within the campaign's reporting periods (%(start)s – %(end)s).")
        for name, day in (("period_from", start), ("period_to", end)):
            period = self._period(campaign, day)
            if period is None:
                self.add_error(name, outside % {"start": campaign.start_date, "end": campaign.end_date})
            data[f"{name}_period"] = period
        return data


class BulletinEditForm(StyledForm):
    title = forms.CharField(label=_("Bulletin title"), max_length=200)
    overview = forms.CharField(
        label=_("I. Overall situation"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    named_lists = forms.CharField(label=_("Units named"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    overdue_text = forms.CharField(
        label=_("Overdue tasks and matters awaiting coordination"), required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip
    requirements = forms.CharField(
        label=_("II. Work requirements"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    @classmethod
    def for_bulletin(cls, bulletin: Bulletin, data=None):
        initial = {name: getattr(bulletin, name) for name in cls.base_fields}
        return cls(data, initial=initial)
