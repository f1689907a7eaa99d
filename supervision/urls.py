from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("urge/", views.urge, name="urge"),
]
