"""The office's pages of the lights: a campaign's rules, and the leader-attention mark on a task."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import can_required
from campaigns.models import Campaign
from common.urls import next_or
from tasks.forms import add_service_error
from tasks.models import Task

from . import services
from .forms import AttentionForm, LightRuleForm
from .models import LightRule


@can_required("manage")
def rules_edit(request, code):
    campaign = get_object_or_404(access.visible_to(request.user, Campaign), code=code)
    rule = LightRule.objects.filter(campaign=campaign).first() or LightRule(campaign=campaign)
    form = LightRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(user=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The light rules were saved and the campaign's lights recomputed."))
            return redirect("lights:rules", code=campaign.code)
    return render(request, "lights/rules.html", {"campaign": campaign, "form": form, "defaults": LightRule.DEFAULTS})


@can_required("mark_attention")
@require_POST
def attention(request, task_id):
    task = get_object_or_404(access.visible_to(request.user, Task).select_related("campaign"), pk=task_id)
    form = AttentionForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied  # not a form this site rendered
    if form.cleaned_data["action"] == "mark":
        try:
            services.attention_mark(user=request.user, task=task, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The task is marked for leader attention."))
    else:
        services.attention_clear(user=request.user, task=task)
        messages.success(request, _("The leader-attention mark was removed."))
    return redirect(next_or(request, task.get_absolute_url()))
