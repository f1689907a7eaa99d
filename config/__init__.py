import os

# openpyxl parses with lxml whenever lxml is installed (python-docx brings it), and then without
# defusedxml and with its own, different handling of damaged parts. Uploaded workbooks are
# untrusted: keep openpyxl on the standard library's parser guarded by defusedxml, which the
# upload limits and their tests (tests/tasks/test_campaign_import_bombs.py) are made for. Set here,
# before anything imports openpyxl: every entry point (manage.py, Celery, WSGI, pytest) imports
# this package first.
os.environ.setdefault("OPENPYXL_LXML", "False")

# Load the Celery app when Django starts so that @shared_task binds to it.
from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
