from django.urls import path

from . import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_new, name="new"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("<int:pk>/refresh/", views.bulletin_refresh, name="refresh"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/docx/", views.bulletin_docx, name="docx"),
    path("<int:pk>/print/", views.bulletin_print, name="print"),
]
