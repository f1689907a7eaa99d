"""The admin asks accounts.access, like every page: which rows a user sees there, and who sees all.

common.admin_mixins sits below accounts and cannot ask it; an app's admin (which may) mixes this
in, before common's GuardedHistoryAdmin where both are used.
"""

from __future__ import annotations

from . import access


class AccessAdminMixin:
    """get_queryset narrowed to access.admin_rows (the admin's select_related and ordering kept),
    and GuardedHistoryAdmin's sees_every_row hook answered by access."""

    def get_queryset(self, request):
        return access.admin_rows(request.user, super().get_queryset(request))

    def sees_every_row(self, request) -> bool:
        return access.sees_every_row(request.user)
