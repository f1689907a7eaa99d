from django.urls import path, register_converter

from . import views


class TaskNumberConverter:
    """A canonical task number: digits joined by dots, e.g. 5 or 5.2 (see tasks.numbering)."""

    regex = r"\d+(?:\.\d+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(TaskNumberConverter, "task_number")

app_name = "tasks"

# Included under campaigns/<slug:code>/tasks/ by config.urls.
urlpatterns = [
    path("<task_number:number>/", views.task_detail, name="detail"),
]
