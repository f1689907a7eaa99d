from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import access
from campaigns.models import Campaign
from campaigns.periods import begun
from lights.models import Light
from tasks.forms import StyledForm
from tasks.ledger import states
from tasks.models import Task

from .filters import FilterError, parse_filters

FILTER_FIELDS = ("period", "unit", "phase", "section", "state")

# What a state filter is called: a report's state as the ledger shows it, its timeliness, a
# task's light or status.
STATE_LABELS = {
    **dict(Task.Status.choices),
    **dict(Light.choices),
    **states.SHOWN_LABELS,
    "on_time": _("On time"),
    "late": _("Late"),
}


class ExportForm(StyledForm):
    """What to export and its filters. The filters are checked by exports.filters.parse_filters,
    the same check as the shell command's; what it refuses is shown on its field."""

    kind = forms.ChoiceField(label=_("What to export"))
    campaign = forms.ChoiceField(label=_("Campaign"))
    period = forms.CharField(
        label=_("Reporting period"),
        required=False,
        max_length=20,
        help_text=_("A week such as 2026-W48; empty: the last period due."),
    )
    phase = forms.CharField(label=_("Phase"), required=False, max_length=100)
    section = forms.CharField(label=_("Section"), required=False, max_length=200)
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=100, help_text=_("Its name, short name or alias; empty: all units.")
    )
    state = forms.CharField(label=_("State"), required=False, max_length=30)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        from .kinds import KINDS  # when first needed, like exports.services.get_kind

        self.fields["kind"].choices = [(name, kind.title) for name, kind in KINDS.items()]
        # Each kind's states under its title; a state another kind reads is refused on this field.
        groups = [
            (kind.title, [(code, STATE_LABELS.get(code, code)) for code in kind.states]) for kind in KINDS.values()
        ]
        self.fields["state"].widget = forms.Select(choices=[("", _("Every state")), *[g for g in groups if g[1]]])
        self._style(self.fields["state"])
        campaigns = list(access.visible_to(user, Campaign).only("code", "title"))
        self.fields["campaign"].choices = [("", "—")] + [(c.code, c.title) for c in campaigns]
        self.campaign = next((c for c in campaigns if c.code == self._value("campaign")), None)
        if self.campaign is not None:
            # The chosen campaign's periods (those begun, latest first), phases and sections as
            # lists to pick from; a value typed elsewhere (a link's 2026-W48) stays one of the options.
            periods = [(str(p.pk), str(p)) for p in begun(self.campaign.periods.all()).order_by("-number")]
            phases = [(p.name, p.name) for p in self.campaign.phases.all()]
            sections = [(s.title, s.title) for s in self.campaign.sections.all()]
            empty = {"period": _("The last period due"), "phase": _("All phases"), "section": _("All sections")}
            for name, options in (("period", periods), ("phase", phases), ("section", sections)):
                value = self._value(name)
                if value and value not in {key for key, _label in options}:
                    options.append((value, value))
                self.fields[name].widget = forms.Select(choices=[("", empty[name]), *options])
                self.fields[name].help_text = ""
                self._style(self.fields[name])

    def _value(self, name):
        source = self.data if self.is_bound else self.initial
        value = source.get(name) or ""
        return value.strip() if isinstance(value, str) else value

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["filters"] = parse_filters(
                self.user, campaign=cleaned["campaign"], **{name: cleaned.get(name) or None for name in FILTER_FIELDS}
            )
        except FilterError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, str(error))
        return cleaned
