from django.urls import path

from . import views_dashboards, views_home, views_lists

app_name = "dashboards"

# Included at the site's root by config.urls. Every number on a dashboard links to one of the
# drill-down lists below, with the query parameters dashboards.filters understands.
urlpatterns = [
    path("overview/tasks/", views_lists.task_list, name="tasks"),
    path("overview/reports/", views_lists.report_list, name="reports"),
    path("overview/coordination/", views_lists.coordination_list, name="coordination"),
    # The office overview across active campaigns, and one campaign's dashboard (views_dashboards).
    path("overview/", views_dashboards.overview, name="overview"),
    path("overview/campaigns/<slug:code>/", views_dashboards.campaign, name="campaign"),
    # The home pages by role (config.urls' `home` sends each user to theirs) and following a task.
    path("desk/", views_home.desk, name="desk"),
    path("leader/", views_home.leader, name="leader"),
    path("my-unit/", views_home.unit, name="unit"),
    path("tasks/<int:task_id>/follow/", views_home.follow, name="follow"),
]
