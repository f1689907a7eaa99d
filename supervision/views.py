from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import can_required
from units.models import Unit

from . import selectors, services
from .forms import NoticeAnswerForm, UrgeForm
from .models import SupervisionNotice


def notice_list(request):
    code, status = request.GET.get("campaign", ""), request.GET.get("status", "")
    status = status if status in SupervisionNotice.Status.values else ""  # anything else: every state
    page = Paginator(selectors.notices(request.user, campaign_code=code, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "supervision/notice_list.html", {
        "page": page,
        "campaigns": selectors.filter_campaigns(request.user),
        "statuses": SupervisionNotice.Status.choices,
        "chosen": {"campaign": code, "status": status},
        "query": urlencode({key: value for key, value in (("campaign", code), ("status", status)) if value}),
    })  # fmt: skip


def notice_detail(request, pk):
    notice = get_object_or_404(
        access.visible_to(request.user, SupervisionNotice).select_related(
            "unit", "task__campaign", "campaign", "answered_by"
        ),
        pk=pk,
    )
    can_answer = notice.status == SupervisionNotice.Status.OPEN and access.can(request.user, "answer", notice)
    form = NoticeAnswerForm(request.POST or None)
    if request.method == "POST":
        if notice.status != SupervisionNotice.Status.OPEN and access.can(request.user, "answer", notice):
            # A second click, or a colleague answered first: the answer on record is shown.
            messages.info(request, _("This notice has already been answered."))
            return redirect(notice)
        if not can_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.notice_answer(user=request.user, notice_id=notice.pk, answer=form.cleaned_data["answer"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your answer was recorded."))
                return redirect(notice)
    return render(request, "supervision/notice_detail.html", {"notice": notice, "form": form, "can_answer": can_answer})


@can_required("urge")
@require_POST
def urge(request):
    form = UrgeForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"])
    task = None
    if form.cleaned_data["task"]:
        visible_tasks = access.visible_to(request.user, "tasks.Task").select_related("campaign")
        task = get_object_or_404(visible_tasks, pk=form.cleaned_data["task"])
    now = timezone.now()
    record, sent = services.urge(
        user=request.user, unit=unit, task=task, note=form.cleaned_data["note"], token=form.cleaned_data["token"],
        now=now,
    )  # fmt: skip
    if record.urged_at < now:  # the same form posted again, or urged moments ago: nothing was sent
        moment = timezone.localtime(record.urged_at).strftime("%H:%M")
        messages.info(
            request,
            _("%(unit)s was already urged at %(time)s; nothing more was sent.") % {"unit": unit, "time": moment},
        )
    else:
        messages.success(request, _("%(unit)s was urged (%(count)s people told).") % {"unit": unit, "count": sent})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "supervision:notices"
    return redirect(target)
