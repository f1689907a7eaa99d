"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

# Without DJANGO_SETTINGS_MODULE a worker gets production settings, which refuse to start with
# DEBUG on or a development key (development sets the module: bin/run).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("duban")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
