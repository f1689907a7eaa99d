from django.urls import path

from . import views

app_name = "notifications"

# Mounted under supervision/ (config.urls), where these pages have always been.
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/", views.notification_open, name="notification"),
    path("settings/notifications/", views.preferences, name="preferences"),
]
