from django.urls import path

from . import import_views, views

app_name = "units"

urlpatterns = [
    path("", views.unit_list, name="list"),
    path("import/", import_views.import_units, name="import"),
    path("<int:pk>/", views.unit_detail, name="detail"),
]
