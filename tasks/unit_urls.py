"""The unit directory pages, mounted at /units/ by config.urls under the "units" namespace."""

from django.urls import path

from . import unit_import_views as import_views
from . import unit_views as views

app_name = "units"

urlpatterns = [
    path("", views.unit_list, name="list"),
    path("import/", import_views.import_units, name="import"),
    path("<int:pk>/", views.unit_detail, name="detail"),
]
