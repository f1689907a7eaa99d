from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/", views.notification_open, name="notification"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("urge/", views.urge, name="urge"),
    path("settings/notifications/", views.preferences, name="preferences"),
]
