"""URLs: links for thousands of rows (the resolver asked once per pattern, not once per row), and
where a form goes back to after a POST."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# A last argument every converter of ours accepts (int and str), found once in the reversed URL.
_SLOT = "2147483647"


def url_maker(name: str, *args) -> Callable[[object], str]:
    """`url_maker(name, *args)(last)` is `reverse(name, args=[*args, last])`, reversed once: what a
    page or a job that links hundreds of rows (tasks, units, notices) calls per row."""
    prefix, _slot, suffix = reverse(name, args=[*args, _SLOT]).rpartition(_SLOT)
    return lambda last: f"{prefix}{last}{suffix}"


def next_or(request, fallback: str) -> str:
    """Where a form posted from another page goes back to: its `next` field when that is a URL of
    this site (never another host: no open redirect), else `fallback`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
