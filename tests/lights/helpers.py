"""Shared by the lights' tests."""

from lights import services


def refresh(*, now, **scope):
    """lights.services.refresh as the beat job runs it: the periods begun by `now` opened first
    (the services' refresh reads the ledger as it stands; the job and the pages open periods)."""
    return services.refresh(now=now, open_first=True, **scope)
