"""Forms of the reporting pages. They check the shape of the input; the rules are in tasks.services."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .evidence import ACCEPTED
from .models import CompletionRequest, ExtensionRequest, LeaderComment, ProgressReport

# What the file chooser offers; the content is checked by tasks.evidence whatever the name says.
EVIDENCE_ACCEPT = ",".join(f".{extension}" for extension in ACCEPTED)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


def _evidence_help_now() -> str:
    return gettext(
        "PDF, images (JPG, PNG, GIF, WebP) or Office documents, %(size)s MB each; at most %(count)s files and %(total)s MB per report or application."
    ) % {
        "count": settings.EVIDENCE_MAX_FILES,
        "size": round(settings.EVIDENCE_MAX_BYTES / 1024 / 1024),
        "total": round(settings.EVIDENCE_MAX_TOTAL_BYTES / 1024 / 1024),
    }


# Translated when shown, in the reader's language: the fields are made once, when the forms'
# module loads (a lazy string formatted with % there would be fixed in the default language).
_evidence_help = lazy(_evidence_help_now, str)


class EvidenceField(forms.FileField):
    """Any number of evidence files (up to EVIDENCE_MAX_FILES); cleans to a list."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Evidence"))
        kwargs.setdefault("help_text", _evidence_help())
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": EVIDENCE_ACCEPT, "multiple": True})

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [super(EvidenceField, self).clean(upload, initial) for upload in uploads if upload]
        if len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)s files at a time.") % {"count": settings.EVIDENCE_MAX_FILES}
            )
        return files


class LimitedTextField(forms.CharField):
    """Free text with the model field's length limit (maxlength on the textarea, a counter under
    it, see _field.html and duban.js). Line breaks are counted as one character, as the
    browser's maxlength counts them: a posted CR LF becomes LF before the length is checked."""

    def __init__(self, model, name, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", model._meta.get_field(name).max_length)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


def token_field():
    """A hidden idempotency token, new for each rendered form: the service saves one object per
    token, so a double click, a retry or two parallel posts of the same form save once. Optional:
    a post without one (not from our pages) is simply not deduplicated."""
    return forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            self._style(field)

    @staticmethod
    def _style(field):
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            return
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
                self.fields[name].widget.attrs["class"] = (
                    f"{self.fields[name].widget.attrs.get('class', '')} is-invalid".strip()
                )


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ReportForm(StyledForm):
    """A report's content (one field per name of ProgressReport.CONTENT_FIELDS, with its label
    and widget here), its indicators' figures, evidence and the version it was opened with."""

    progress = LimitedTextField(
        ProgressReport, "progress", label=_("Progress this period"), widget=forms.Textarea(attrs={"rows": 5})
    )
    problems = LimitedTextField(
        ProgressReport, "problems", label=_("Problems"), widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = LimitedTextField(
        ProgressReport, "next_steps", label=_("Next steps"), widget=forms.Textarea(attrs={"rows": 3})
    )
    percent_complete = forms.IntegerField(
        label=_("Percent complete"), min_value=0, max_value=100, initial=0,
        widget=forms.NumberInput(attrs={"step": 1, "min": 0, "max": 100}),
    )  # fmt: skip
    needs_coordination = forms.BooleanField(label=_("Needs coordination by a leader"), required=False)
    coordination_request = LimitedTextField(
        ProgressReport, "coordination_request", label=_("What needs coordination"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    files = EvidenceField()
    # The version of the report the form was opened with; empty for a new report.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[self.indicator_field(indicator)] = forms.DecimalField(
                label=indicator.name,
                required=False,
                max_digits=16,
                decimal_places=2,
                help_text=_("Target %(target)s %(measure)s")
                % {"target": indicator.target, "measure": indicator.measure},
                widget=forms.NumberInput(attrs={"step": "0.01"}),
            )
            self._style(self.fields[self.indicator_field(indicator)])

    @staticmethod
    def indicator_field(indicator) -> str:
        return f"indicator_{indicator.pk}"

    @classmethod
    def initial_from(cls, values: dict, indicators) -> dict:
        """Initial data from a saved report or tasks.selectors.report_page.report_prefill."""
        initial = {key: value for key, value in values.items() if key != "indicator_values"}
        for indicator in indicators:
            if indicator.pk in values.get("indicator_values", {}):
                initial[cls.indicator_field(indicator)] = values["indicator_values"][indicator.pk]
        return initial

    def indicator_bound_fields(self):
        return [(indicator, self[self.indicator_field(indicator)]) for indicator in self.indicators]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ProgressReport.CONTENT_FIELDS},
            "indicator_values": {i.pk: data[self.indicator_field(i)] for i in self.indicators},
            "files": data["files"],
            "expected_version": data["version"],
        }


class ReviewForm(StyledForm):
    DECISIONS = [("accept", _("Accept")), ("return", _("Return"))]

    decision = forms.ChoiceField(choices=DECISIONS)
    comment = LimitedTextField(
        ProgressReport, "review_comment", label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(StyledForm):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Reject"))]

    decision = forms.ChoiceField(choices=DECISIONS)
    comment = LimitedTextField(
        CompletionRequest, "decision_comment", label=_("Reason or comment"), widget=forms.Textarea(attrs={"rows": 2})
    )


class LeadUnitForm(StyledForm):
    """A request made by one of the user's lead units (chosen only when the user has several)."""

    unit = forms.ModelChoiceField(label=_("On behalf of"), queryset=None, empty_label=None)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from units.models import Unit

        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[unit.pk for unit in units])
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
            self.fields["unit"].widget = forms.HiddenInput()


class CompletionRequestForm(LeadUnitForm):
    summary = LimitedTextField(
        CompletionRequest, "summary", label=_("What was achieved"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = EvidenceField()


class ExtensionRequestForm(LeadUnitForm):
    requested_deadline = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = LimitedTextField(ExtensionRequest, "reason", label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, bounds=None, **kwargs):
        """`bounds`: (earliest, latest) from tasks.services.extension_deadline_bounds, offered by
        the date picker; the service checks them again."""
        super().__init__(*args, **kwargs)
        if bounds:
            earliest, latest = bounds
            self.fields["requested_deadline"].widget.attrs.update(
                {"min": earliest.isoformat(), "max": latest.isoformat()}
            )


class LeaderCommentForm(StyledForm):
    text = LimitedTextField(
        LeaderComment, "text", label=_("Instruction or comment"), widget=forms.Textarea(attrs={"rows": 3})
    )
    token = token_field()
