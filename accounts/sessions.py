"""Idle sessions: a session ends after SESSION_COOKIE_AGE without activity; activity renews it.

Renewing on every request (SESSION_SAVE_EVERY_REQUEST) writes the session row on every page view,
and Friday afternoon is all page views. Here a session is renewed only when its last renewal is
older than SESSION_RENEW_SECONDS: the idle time is exact to within those seconds, for one write
per user per interval. Signing in counts as a renewal (the session was just saved).
"""

import time

from django.conf import settings

RENEWED_AT = "_renewed_at"


def mark_renewed(sender, request, user, **kwargs):
    """user_logged_in receiver: a new session's expiry is fresh, so the next click need not save it."""
    request.session[RENEWED_AT] = int(time.time())


class IdleSessionMiddleware:
    """Renews the session's expiry at most once every SESSION_RENEW_SECONDS. A request without a
    session (anonymous, no cookie) creates none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
