import pytest


@pytest.fixture
def worker_after_commit(django_capture_on_commit_callbacks):
    """A context manager: what the services inside it queue for after their commit runs at its
    end, as a worker would (the on-commit callbacks executed, Celery tasks run in this process).
    The lights of changed tasks are recomputed that way (lights.tasks.refresh_task_lights)."""
    from contextlib import contextmanager

    from config.celery import app

    @contextmanager
    def run():
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield
        finally:
            app.conf.task_always_eager = False

    return run
