"""Upload → preview → confirm for task breakdown sheets. (Being written: import owner.)"""

from django.http import HttpResponse


def import_upload(request):
    return HttpResponse("todo")


def import_preview(request, pk):
    return HttpResponse("todo")


def import_confirm(request, pk):
    return HttpResponse("todo")
