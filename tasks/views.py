from django.shortcuts import render

from . import selectors


def task_detail(request, code, number):
    detail = selectors.task_detail(request.user, code, number)
    return render(request, "tasks/task_detail.html", {"detail": detail, "task": detail.task})
