from django.urls import path, register_converter

from . import report_views, review_views, views


class TaskNumberConverter:
    """A canonical task number: digits joined by dots, e.g. 5 or 5.2 (see tasks.numbering)."""

    regex = r"\d+(?:\.\d+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(TaskNumberConverter, "task_number")

app_name = "tasks"

TASK = "campaigns/<slug:code>/tasks/<task_number:number>/"

# Included at the site's root by config.urls (after tasks.campaign_urls).
urlpatterns = [
    path("workspace/", report_views.workspace, name="workspace"),
    path("attachments/<int:pk>/", report_views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/remove/", report_views.attachment_remove, name="attachment-remove"),
    path("review/", review_views.review_home, name="review-home"),
    path("reports/<int:pk>/review/", review_views.review_decide, name="review-decide"),
    path("requests/", review_views.requests_list, name="requests"),
    path("requests/completion/<int:pk>/", review_views.completion_decide, name="completion-decide"),
    path("requests/extension/<int:pk>/", review_views.extension_decide, name="extension-decide"),
    path("campaigns/<slug:code>/review/", review_views.review_queue, name="review"),
    path("campaigns/<slug:code>/review/accept/", review_views.review_accept_selected, name="review-accept-selected"),
    path("campaigns/<slug:code>/matrix/", review_views.matrix_default, name="matrix-default"),
    path("campaigns/<slug:code>/periods/<int:period>/matrix/", review_views.matrix, name="matrix"),
    path(TASK, views.task_detail, name="detail"),
    path(TASK + "report/<int:unit>/<int:period>/", report_views.report_edit, name="report"),
    path(TASK + "completion/", views.completion_request_create, name="completion-request"),
    path(TASK + "extension/", views.extension_request_create, name="extension-request"),
    path(TASK + "comments/", views.leader_comment_add, name="comment"),
]
