from django.urls import path

from . import views_lists

app_name = "dashboards"

# Included at the site's root by config.urls. Every number on a dashboard links to one of the
# drill-down lists below, with the query parameters dashboards.filters understands.
urlpatterns = [
    path("overview/tasks/", views_lists.task_list, name="tasks"),
    path("overview/reports/", views_lists.report_list, name="reports"),
    path("overview/coordination/", views_lists.coordination_list, name="coordination"),
]
