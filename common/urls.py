"""URLs for thousands of rows: the resolver is asked once per pattern, not once per row."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# A last argument every converter of ours accepts (int and str), found once in the reversed URL.
_SLOT = "2147483647"


def url_maker(name: str, *args) -> Callable[[object], str]:
    """`url_maker(name, *args)(last)` is `reverse(name, args=[*args, last])`, reversed once: what a
    page or a job that links hundreds of rows (tasks, units, notices) calls per row."""
    prefix, _slot, suffix = reverse(name, args=[*args, _SLOT]).rpartition(_SLOT)
    return lambda last: f"{prefix}{last}{suffix}"
