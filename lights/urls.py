from django.urls import path

from . import views

app_name = "lights"

urlpatterns = [
    path("<slug:code>/rules/", views.rules_edit, name="rules"),
    path("tasks/<int:task_id>/attention/", views.attention, name="attention"),
]
