from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("<slug:code>/ranking/", views.ranking, name="ranking"),
    path("<slug:code>/units/<int:unit_id>/", views.unit_score, name="unit"),
    path("<slug:code>/rules/", views.rules_edit, name="rules"),
]
