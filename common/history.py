"""Who made a change, for django-simple-history."""

from contextlib import contextmanager


@contextmanager
def acting(instance, by):
    """Record `by` as who made the change in the instance's history (django-simple-history).

    Without it, history takes the signed-in user of the current request (admin pages, through
    HistoryRequestMiddleware), or nobody for a command or job.
    """
    if by is None:
        yield
        return
    instance._history_user = by
    try:
        yield
    finally:
        del instance._history_user
