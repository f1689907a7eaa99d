"""The campaign pages and the campaign import, mounted at /campaigns/ by config.urls. They stand
on tasks (a campaign page lists its tasks; an import creates them), hence here, under the
"campaigns" namespace their URLs have always had."""

from django.urls import path

from . import campaign_views as views
from .campaign_import import views as import_views

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
