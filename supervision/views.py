from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import office_required
from tasks.selectors import tasks_visible_to
from units.models import Unit

from . import selectors, services
from .forms import ChannelPreferenceForm, NoticeAnswerForm, UrgeForm
from .models import ChannelPreference


def inbox(request):
    page = Paginator(selectors.inbox(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "supervision/inbox.html", {"page": page})


@require_POST
def notification_open(request, pk):
    """Mark a notification read and follow its link. Only an explicit click (a CSRF-checked POST)
    counts as reading: a GET from a link scanner or a prefetch must not."""
    notification = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(notification.link or "supervision:inbox")


@require_POST
def inbox_mark_all_read(request):
    services.notification_mark_read(user=request.user)
    return redirect("supervision:inbox")


def notice_list(request):
    notices = selectors.notices_visible_to(request.user).select_related("unit", "task__campaign", "campaign")
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/notice_list.html", {"page": page})


def notice_detail(request, pk):
    notice = get_object_or_404(
        selectors.notices_visible_to(request.user).select_related("unit", "task__campaign", "campaign", "answered_by"),
        pk=pk,
    )
    can_answer = selectors.can_answer_notice(request.user, notice)
    form = NoticeAnswerForm(request.POST or None)
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.notice_answer(user=request.user, notice_id=notice.pk, answer=form.cleaned_data["answer"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your answer was recorded."))
                return redirect("supervision:notice", pk=notice.pk)
    return render(request, "supervision/notice_detail.html", {"notice": notice, "form": form, "can_answer": can_answer})


@office_required
@require_POST
def urge(request):
    form = UrgeForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"])
    task = None
    if form.cleaned_data["task"]:
        task = get_object_or_404(tasks_visible_to(request.user).select_related("campaign"), pk=form.cleaned_data["task"])
    _record, sent = services.urge(
        user=request.user, unit=unit, task=task, note=form.cleaned_data["note"], token=form.cleaned_data["token"]
    )
    messages.success(request, _("%(unit)s was urged (%(count)s people told).") % {"unit": unit, "count": sent})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "supervision:notices"
    return redirect(target)


def preferences(request):
    preference = ChannelPreference.objects.filter(user=request.user).first() or ChannelPreference(user=request.user)
    form = ChannelPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.channel_preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("supervision:preferences")
    return render(request, "supervision/preferences.html", {"form": form})
