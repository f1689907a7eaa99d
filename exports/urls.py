from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("files/<int:pk>/", views.download, name="download"),
    path("log/", views.log, name="log"),
]
