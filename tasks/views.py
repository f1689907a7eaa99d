"""The task page, and what its forms post: completion and extension requests, leader comments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from common.urls import next_or

from . import services
from .deadlines import mark_overdue
from .forms import CompletionRequestForm, ExtensionRequestForm, LeaderCommentForm, add_service_error
from .selectors import scope, task_page, timeline


def _task_page(request, code, number, **forms):
    """Render the task page; `forms` replaces the empty forms by bound ones that have errors."""
    before = timeline.parse_cursor(request.GET.get("before"))
    detail = task_page.task_detail(request.user, code, number, before=before)
    task = detail.task
    mark_overdue([task, *detail.sub_items])
    context = {
        "detail": detail,
        "task": task,
        "now": timezone.now(),
        "can_review": access.can(request.user, "review"),
        "can_comment": access.can(request.user, "comment"),
        "completion_form": None,
        "extension_form": None,
        "comment_form": LeaderCommentForm() if access.can(request.user, "comment") else None,
    }
    if detail.lead_units and task.status == task.Status.OPEN:
        context["completion_form"] = CompletionRequestForm(units=detail.lead_units)
        # The form only while the service would take a request; past the deadline, a note instead.
        if task.extension_open(timezone.localdate()):
            context["extension_form"] = ExtensionRequestForm(units=detail.lead_units, bounds=_extension_bounds(task))
        elif task.deadline is not None:
            context["extension_closed"] = True
    context.update(forms)
    return render(request, "tasks/task_detail.html", context)


def _say_refusal(request, form) -> None:
    """A refusal of the request as a whole (one is already waiting, filed from another tab) also
    goes at the top of the page: the form itself is not shown while a request waits."""
    for message in form.non_field_errors():
        messages.error(request, message)


def task_detail(request, code, number):
    return _task_page(request, code, number)


def _extension_bounds(task):
    return services.extension_deadline_bounds(task, timezone.localdate())


def _lead_units(request, task):
    units = list(access.lead_units_for(request.user, task))
    if not units:
        raise PermissionDenied
    return units


@require_POST
def completion_request_create(request, code, number):
    task = scope.visible_task(request.user, code, number)
    form = CompletionRequestForm(request.POST, request.FILES, units=_lead_units(request, task))
    if form.is_valid():
        try:
            services.completion_request_create(
                user=request.user,
                task=task,
                unit=form.cleaned_data["unit"],
                summary=form.cleaned_data["summary"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            _say_refusal(request, form)
        else:
            messages.success(request, _("The application for completion was sent to the supervision office."))
            return redirect(task)
    return _task_page(request, code, number, completion_form=form)


@require_POST
def extension_request_create(request, code, number):
    task = scope.visible_task(request.user, code, number)
    form = ExtensionRequestForm(request.POST, units=_lead_units(request, task), bounds=_extension_bounds(task))
    if form.is_valid():
        try:
            services.extension_request_create(
                user=request.user,
                task=task,
                unit=form.cleaned_data["unit"],
                requested_deadline=form.cleaned_data["requested_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            _say_refusal(request, form)
        else:
            messages.success(request, _("The extension request was sent to the supervision office."))
            return redirect(task)
    return _task_page(request, code, number, extension_form=form)


@require_POST
def leader_comment_add(request, code, number):
    task = scope.visible_task(request.user, code, number)
    form = LeaderCommentForm(request.POST)
    if form.is_valid():
        try:
            services.leader_comment_add(
                user=request.user, task=task, text=form.cleaned_data["text"], token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The comment was added."))
            # The leader's home page posts here too (批示 inline) and comes back to itself.
            return redirect(next_or(request, task.get_absolute_url()))
    return _task_page(request, code, number, comment_form=form)
