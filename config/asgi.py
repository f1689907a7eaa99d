import os

from django.core.asgi import get_asgi_application

# Without DJANGO_SETTINGS_MODULE a server gets production settings, which refuse to start with
# DEBUG on or a development key (development sets the module: manage.py, bin/run).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
