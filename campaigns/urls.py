from django.urls import path

from . import import_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    # Fixed paths before <slug:code>/, which would otherwise take "import" for a campaign code.
    path("import/", import_views.import_upload, name="import"),
    path("import/<int:pk>/", import_views.import_preview, name="import-preview"),
    path("import/<int:pk>/confirm/", import_views.import_confirm, name="import-confirm"),
    path("import/<int:pk>/recheck/", import_views.import_recheck, name="import-recheck"),
    path("<slug:code>/", views.campaign_detail, name="detail"),
]
