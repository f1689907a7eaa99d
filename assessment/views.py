"""The assessment's pages: a campaign's ranking, one unit's score line by line, the rules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import access
from accounts.decorators import can_required
from campaigns.models import Campaign
from tasks.forms import add_service_error
from units.models import Unit

from . import selectors, services
from .forms import PeriodForm, RuleSetForm
from .models import RuleSet


def _campaign(request, code):
    return get_object_or_404(access.visible_to(request.user, Campaign), code=code)


def _period(request, periods):
    """The period asked for (?period=id, one of the due ones), else the last due one (None: none due)."""
    form = PeriodForm(request.GET)
    wanted = form.cleaned_data["period"] if form.is_valid() else None
    chosen = next((period for period in periods if period.pk == wanted), None)
    return chosen or (periods[-1] if periods else None)


@can_required("oversee")
def ranking(request, code):
    campaign = _campaign(request, code)
    periods = selectors.due_periods(campaign)
    period = _period(request, periods)
    rule_set = services.current_rule_set(campaign)
    rows = selectors.ranking(request.user, campaign, period=period, rule_set=rule_set) if period else []
    return render(request, "assessment/ranking.html", {
        "campaign": campaign, "periods": periods, "period": period, "rows": rows, "rule_set": rule_set,
        "can_edit": access.can(request.user, "edit_assessment", campaign),
        "can_export": access.can(request.user, "export", campaign),
    })  # fmt: skip


def unit_score(request, code, unit_id):
    campaign = _campaign(request, code)
    unit = get_object_or_404(Unit, pk=unit_id)
    # The unit's own liaisons and heads, the office and leaders; anyone else: not found.
    if not access.can(request.user, "see_score", unit):
        raise Http404
    periods = selectors.due_periods(campaign)
    period = _period(request, periods)
    sheet = selectors.score_lines(request.user, campaign, unit, period=period)
    return render(request, "assessment/unit.html", {
        "campaign": campaign, "unit": unit, "periods": periods, "period": period, "sheet": sheet,
        "can_rank": access.can(request.user, "oversee", campaign),
    })  # fmt: skip


@can_required("edit_assessment")
def rules_edit(request, code):
    campaign = _campaign(request, code)
    if request.method == "POST" and "recompute" in request.POST:
        # The office recomputes now (after a decision revoked, or before the nightly job): recorded.
        outcome = services.scores_compute(campaign=campaign, by=request.user, reason=_("Recomputed by the office"))
        messages.success(request, _("Scores recomputed: %(count)s units changed.") % {"count": outcome.changed})
        return redirect("assessment:rules", code=campaign.code)
    current = services.current_rule_set(campaign)
    initial = current.values() if current else RuleSet.DEFAULTS
    form = RuleSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.rules_update(
                campaign=campaign, by=request.user, note=form.cleaned_data["note"], **form.rule_values()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if current is not None and saved.pk == current.pk:
                messages.info(request, _("The rules are unchanged: no new version was made."))
            else:
                messages.success(request, _("Rules version %(version)s saved and the scores recomputed.") % {
                    "version": saved.version})  # fmt: skip
            return redirect("assessment:rules", code=campaign.code)
    versions = selectors.rule_versions(campaign)
    log = selectors.recomputation_log(campaign)
    return render(request, "assessment/rules.html", {
        "campaign": campaign, "form": form, "current": current, "versions": versions, "log": log,
    })  # fmt: skip
