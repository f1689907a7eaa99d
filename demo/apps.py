from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`load_demo`): it stands on every other app, and none stands on it."""

    name = "demo"
