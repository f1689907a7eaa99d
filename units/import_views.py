"""Unit directory upload for the office. (Being written: import owner.)"""

from django.http import HttpResponse


def import_units(request):
    return HttpResponse("todo")
